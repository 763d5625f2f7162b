/** Chapter 3's strings (embeddings): its cells, its Position and Dimension refusals, and its predict question. */
import { defineStrings } from '../../../components/i18n/index.ts';

export const ui = defineStrings({
  en: {
    'input.position': 'Position must be a whole number from 0 to {last}: this model reads at most {count} positions.',
    'input.dimension': 'Dimension must be a whole number from 0 to {last}: each vector has {count} dimensions.',
    'ch3.title.token': 'Token embeddings: the row of wte for each token ({c} numbers each)',
    'ch3.title.position': 'Position embeddings: the row of wpe for each position ({c} numbers each)',
    'ch3.title.sum': 'Their sum: the residual stream entering block 0 ({c} numbers each)',
    'ch3.heatmapCaption': '{title}; positions {from}–{to}, colours from {lo} (blue) to {hi} (orange)',
    'ch3.equationWords': 'At position {position} the token is “{token}” (id {id}). Dimension {dimension} of its row of wte is {wte}; dimension {dimension} of row {position} of wpe is {wpe}. The model adds them: {x}.',
    'ch3.empty': 'No tick yet: press Next token. The first tick, the prefill, looks up a row of wte and a row of wpe for every prompt token; each later tick adds one row. Each row has {n} numbers.',
    'ch3.notYet': 'Position {position} has not been read by the model yet: positions {from}–{to} have. Pick one of those, or press Next token to read one more.',
    'predict.ch3.short': 'This question needs a prompt of at least three different tokens: type a longer one.',
    'predict.ch3.context': 'The last prompt token is “{target}” (position {position}). Its row of wte is compared with each choice’s row by cosine similarity: 1 means the same direction.',
    'predict.ch3.detail': 'Cosine similarity of each row of wte with the row of “{target}”, from the prefill’s trace: {list}.',
  },
  'zh-cn': {
    'input.position': '位置必须是 0 到 {last} 之间的整数：这个模型最多读 {count} 个位置。',
    'input.dimension': '维度必须是 0 到 {last} 之间的整数：每个向量有 {count} 维。',
    'ch3.title.token': '词元嵌入：每个词元在 wte 中的那一行（每行 {c} 个数）',
    'ch3.title.position': '位置嵌入：每个位置在 wpe 中的那一行（每行 {c} 个数）',
    'ch3.title.sum': '两者之和：进入第 0 块的残差流（每行 {c} 个数）',
    'ch3.heatmapCaption': '{title}；位置 {from}–{to}，颜色从 {lo}（蓝）到 {hi}（橙）',
    'ch3.equationWords': '位置 {position} 上的词元是“{token}”（id {id}）。它在 wte 中那一行的第 {dimension} 维是 {wte}；wpe 第 {position} 行的第 {dimension} 维是 {wpe}。模型把两者相加：{x}。',
    'ch3.empty': '还没有运行任何一拍：请按“下一个词元”。第一拍（预填充）为提示词的每个词元各查一行 wte 和一行 wpe；之后每一拍再多查一行。每行有 {n} 个数。',
    'ch3.notYet': '模型还没有读到位置 {position}：目前读过的是位置 {from}–{to}。请从中选一个，或者按“下一个词元”再读一个。',
    'predict.ch3.short': '这道题需要提示词里至少有三个不同的词元：请输入更长的提示词。',
    'predict.ch3.context': '提示词的最后一个词元是“{target}”（位置 {position}）。用余弦相似度比较它在 wte 中的那一行和每个选项的那一行：1 表示方向完全相同。',
    'predict.ch3.detail': '根据预填充的追踪数据，wte 中各行与“{target}”那一行的余弦相似度：{list}。',
  },
});
