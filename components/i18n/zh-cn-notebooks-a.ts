/** 笔记本与图表的中文文字，第 a 部分：键与 en-notebooks-a.ts 一一对应。 */
import type { enNotebooksA } from './en-notebooks-a.ts';

export const zhCnNotebooksA: Record<keyof typeof enNotebooksA, string> = {
  // 通用的词。

  // 各章共用的单元格：状态行、时间线、词元条。

  // 读者的输入被拒绝时的说明。
  'input.position': '位置必须是 0 到 {last} 之间的整数：这个模型最多读 {count} 个位置。',
  'input.dimension': '维度必须是 0 到 {last} 之间的整数：每个向量有 {count} 维。',
  'input.softmax': '输入 {n} 必须是 −1000 到 1000 之间的数。',

  // 第 1 章：时钟。
  'ch1.greedy': 'T = 0（贪心）',
  'ch1.cpu.fetch': '取指：读取下一条指令',
  'ch1.tick.fetch': '读入上下文',
  'ch1.measured.fetch.one': '位置 {position} 上的 {fed} 个新词元，加上 KV 缓存里之前的 {position} 个位置',
  'ch1.measured.fetch.other': '从位置 {position} 起的 {fed} 个新词元，加上 KV 缓存里之前的 {position} 个位置',
  'ch1.cpu.execute': '译码和执行：做算术',
  'ch1.tick.layers': '运行各层',
  'ch1.measured.layers': '{layers} 层 × {heads} 个头，{flops}，用时 {ms}（含 logits）',
  'ch1.cpu.result': '执行：算出结果',
  'ch1.tick.probs': 'logits → 概率',
  'ch1.measured.probs': '{vocab} 个 logits → 在 {settings} 下做 softmax；保留 {kept} 个词元；连同抽签用时 {ms}',
  'ch1.cpu.writeBack': '写回：把结果存进寄存器',
  'ch1.tick.pick': '选出一个词元，接到文字末尾',
  'ch1.measured.pick': '{draw}，选中“{token}”（id {id}）；上下文现在有 {n} 个词元',
  'ch1.noDraw': '不抽签（贪心）',
  'ch1.reg.tokens': '上下文中的词元',
  'ch1.reg.cachePositions': 'KV 缓存（位置数）',
  'ch1.reg.cacheMemory': 'KV 缓存（内存）',
  'ch1.reg.weights': '权重（{n} 个数）的校验和',
  'ch1.cycleEmpty': '还没有运行任何一拍：按“下一个词元”，看看一拍是怎样逐级走完的。',
  'ch1.cycleCaption': '第 {index} 拍（{kind}）逐级拆开，旁边是处理器的指令周期',
  'ch1.col.cpu': '处理器的周期',
  'ch1.col.tick': '模型的一拍',
  'ch1.col.did': '第 {index} 拍做了什么',
  'ch1.registersEmpty': '还没有运行任何一拍。加载时算出的权重校验和是 {checksum}。',
  'ch1.registersCaption': '第 {index} 拍之前和之后',
  'ch1.col.quantity': '项目',
  'ch1.col.before': '之前',
  'ch1.col.after': '之后',
  'ch1.col.changed': '变了吗？',
  'ch1.rateEmpty': '至少运行两拍（或按“连续运行”），才能测出时钟频率。',
  'ch1.rate.perSecond': '每秒 {n} 拍',
  'ch1.rate.mean': '：每个解码拍用时 {ms}，这是引擎实测的最近 {n} 个解码拍的平均值。',
  'ch1.rate.prefill': '预填充那一拍一次读完整段提示词，用时 {ms}。',
  'ch1.rate.wall': '连续运行时，本页从头到尾的实际速率（含与 Worker 的往返和绘图）：每秒 {n} 拍。',

  // 第 2 章：词元。
  'ch2.special': '（特殊词元）',
  'ch2.wordsCaption': '提示词切成了 {words}、{tokens}；这个模型的词表共有 {vocab}',
  'ch2.col.word': '词（点击查看它的合并过程）',
  'ch2.col.bytes': 'UTF-8 字节（十六进制）',
  'ch2.col.symbols': '字节符号',
  'ch2.col.merges': '合并次数',
  'ch2.col.tokens': '词元（id）',
  'ch2.mergesCaption': '“{word}”：{bytes}，{merges}，得到 {tokens}（{ids}）',
  'ch2.noWords': '提示词里没有词。',
  'ch2.compareCaption': '字符、UTF-8 字节和词元',
  'ch2.col.text': '文字',
  'ch2.col.characters': '字符数',
  'ch2.col.byteCount': '字节数',
  'ch2.col.tokenCount': '词元数',
  'ch2.col.perCharacter': '平均每个字符的词元数',
  'ch2.sample': '{label}：{text}',
  'ch2.yourPrompt': '你的提示词',
  'ch2.chinese': '中文',
  'ch2.english': '英文',
  'ch2.joinedCaption': '提示词的 {tokens}，一个一个拼起来',
  'ch2.col.token': '词元',
  'ch2.col.tokenBytes': '字节（十六进制）',
  'ch2.col.whole': '全是完整字符？',
  'ch2.col.completes': '补全的文字',
  'ch2.col.waiting': '还在等待的字节',
  'ch2.allWhole': '这段提示词的每个词元都由完整的字符组成。',
  'ch2.partial.one': '这段提示词中有 {tokens}只装着某个字符的一部分，显示为 <0x..> 形式的字节；补全它的字节到齐之后，文字才会出现。',
  'ch2.partial.other': '这段提示词中有 {tokens}只装着某个字符的一部分，显示为 <0x..> 形式的字节；补全它们的字节到齐之后，文字才会出现。',
  'ch2.joined': '拼起来：{text}',
  'ch2.stripCaption': '{prompt}，已生成 {generated} 个，附 id 和字节',

  // 第 3 章：嵌入。
  'ch3.title.token': '词元嵌入：每个词元在 wte 中的那一行（每行 {c} 个数）',
  'ch3.title.position': '位置嵌入：每个位置在 wpe 中的那一行（每行 {c} 个数）',
  'ch3.title.sum': '两者之和：进入第 0 块的残差流（每行 {c} 个数）',
  'ch3.heatmapCaption': '{title}；位置 {from}–{to}，颜色从 {lo}（蓝）到 {hi}（橙）',
  'ch3.equationWords': '位置 {position} 上的词元是“{token}”（id {id}）。它在 wte 中那一行的第 {dimension} 维是 {wte}；wpe 第 {position} 行的第 {dimension} 维是 {wpe}。模型把两者相加：{x}。',
  'ch3.empty': '还没有运行任何一拍：请按“下一个词元”。第一拍（预填充）为提示词的每个词元各查一行 wte 和一行 wpe；之后每一拍再多查一行。每行有 {n} 个数。',
  'ch3.notYet': '模型还没有读到位置 {position}：目前读过的是位置 {from}–{to}。请从中选一个，或者按“下一个词元”再读一个。',

  // 第 4 章：注意力。
  'ch4.stage.scores': 'QKᵀ',
  'ch4.stage.scaled': '缩放并加上掩码',
  'ch4.stage.softmax': 'softmax',
  'ch4.stageLegend': '矩阵阶段',
  'ch4.matrixCaption': '第 {layer} 层第 {head} 个头，{stage}：第 {tick} 拍之后共 {rows} 行',
  'ch4.recomputed': '（其中 {n} 行是为这一层重新计算的；那几拍追踪的是另一层）。',
  'ch4.captionEnd': '。',
  'ch4.equationWords': '查询 {query}{queryToken}与键 {key}{keyToken}，第 {layer} 层第 {head} 个头：两个 {d} 维向量的点积是 {score}；除以 √{d} 得 {scaled}；对这个查询能看到的 {keys} 个键做 softmax 之后，权重是 {weight}。',
  'ch4.input': '输入 {n}',
  'ch4.softmaxCaption': '你的四个输入的 softmax',
  'ch4.col.input': '输入',
  'ch4.col.value': '数值',
  'ch4.empty': '还没有运行任何一拍：请按“下一个词元”。预填充为提示词的每个词元各填一行；之后每一拍添一行。',

  // 图表：词元条。

  // 图表：一次一次的 BPE 合并。

  // 图表：热力图。

  // 图表：注意力矩阵。

  // 图表：各拍时间线。

  // 图表：概率条和骰子。
};
