/** 笔记本与图表的中文文字，第 a 部分：键与 en-notebooks-a.ts 一一对应。 */
import type { enNotebooksA } from './en-notebooks-a.ts';

export const zhCnNotebooksA: Record<keyof typeof enNotebooksA, string> = {
};
