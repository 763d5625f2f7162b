/** 笔记本与图表的中文文字，第 b 部分：键与 en-notebooks-b.ts 一一对应。 */
import type { enNotebooksB } from './en-notebooks-b.ts';

export const zhCnNotebooksB: Record<keyof typeof enNotebooksB, string> = {
};
