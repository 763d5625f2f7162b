/**
 * English strings of the notebooks and charts, part a (see en.ts; its Chinese twin is
 * zh-cn-notebooks-a.ts). Part a: the shared cells, controls and chapters 1–4 with their charts;
 * part b: chapters 5–11 with their charts.
 */
export const enNotebooksA = {
} as const;
