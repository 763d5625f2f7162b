/**
 * English strings of the notebooks and charts, part a (see en.ts; its Chinese twin is
 * zh-cn-notebooks-a.ts). Part a: the shared cells, controls and chapters 1–4 with their charts;
 * part b: chapters 5–11 with their charts.
 *
 * A count that needs a plural in English has two keys, `.one` and `.other` (see `plural` in
 * notebooks/cells.ts); Chinese gives both the same text.
 */
export const enNotebooksA = {
  // Shared words.

  // The shared cells (notebooks/cells.ts, dom.ts, runtime.ts): status line, timeline, token strip.

  // The reader's inputs, refused (notebooks/controls.ts and the chapters' own fields).

  // Chapter 1: the clock.

  // Chapter 2: tokens.

  // Chapter 3: embeddings.

  // Chapter 4: attention.

  // Charts: the token strip.

  // Charts: BPE merge by merge.

  // Charts: the heatmap.

  // Charts: the attention matrix.

  // Charts: the tick timeline.

  // Charts: probability bars and the dice.
} as const;
