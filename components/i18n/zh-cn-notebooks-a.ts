/** 笔记本与图表的中文文字，第 a 部分：键与 en-notebooks-a.ts 一一对应。 */
import type { enNotebooksA } from './en-notebooks-a.ts';

export const zhCnNotebooksA: Record<keyof typeof enNotebooksA, string> = {
  // 通用的词。

  // 各章共用的单元格：状态行、时间线、词元条。

  // 读者的输入被拒绝时的说明。

  // 第 1 章：时钟。

  // 第 2 章：词元。

  // 第 3 章：嵌入。

  // 第 4 章：注意力。

  // 图表：词元条。

  // 图表：一次一次的 BPE 合并。

  // 图表：热力图。

  // 图表：注意力矩阵。

  // 图表：各拍时间线。

  // 图表：概率条和骰子。
};
