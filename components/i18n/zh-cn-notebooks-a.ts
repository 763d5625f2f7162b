/** 笔记本与图表的中文文字，第 a 部分：键与 en-notebooks-a.ts 一一对应。 */
import type { enNotebooksA } from './en-notebooks-a.ts';

export const zhCnNotebooksA: Record<keyof typeof enNotebooksA, string> = {
  // 通用的词。

  // 各章共用的单元格：状态行、时间线、词元条。

  // 读者的输入被拒绝时的说明。
  'input.softmax': '输入 {n} 必须是 −1000 到 1000 之间的数。',

  // 第 1 章：时钟。

  // 第 2 章：词元。

  // 第 3 章：嵌入。

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
