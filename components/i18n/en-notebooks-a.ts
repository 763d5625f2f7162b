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
  'input.softmax': 'Input {n} must be a number from −1000 to 1000.',

  // Chapter 1: the clock.

  // Chapter 2: tokens.

  // Chapter 3: embeddings.

  // Chapter 4: attention.
  'ch4.stage.scores': 'QKᵀ',
  'ch4.stage.scaled': 'scaled and masked',
  'ch4.stage.softmax': 'softmax',
  'ch4.stageLegend': 'Stage of the matrix',
  'ch4.matrixCaption': 'Layer {layer}, head {head}, {stage}: {rows} rows after tick {tick}',
  'ch4.recomputed': ' ({n} of them recomputed for this layer; the ticks traced another one).',
  'ch4.captionEnd': '.',
  'ch4.equationWords': 'Query {query} {queryToken} and key {key} {keyToken}, layer {layer}, head {head}: the dot product of their {d}-number vectors is {score}; divided by √{d} it is {scaled}; after the softmax over the {keys} keys this query may see, the weight is {weight}.',
  'ch4.input': 'Input {n}',
  'ch4.softmaxCaption': 'The softmax of your four inputs',
  'ch4.col.input': 'Input',
  'ch4.col.value': 'Value',
  'ch4.empty': 'No tick yet: press Next token. The prefill fills one row per prompt token; each tick after it adds a row.',

  // Charts: the token strip.

  // Charts: BPE merge by merge.

  // Charts: the heatmap.

  // Charts: the attention matrix.

  // Charts: the tick timeline.

  // Charts: probability bars and the dice.
} as const;
