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
  'input.position': 'Position must be a whole number from 0 to {last}: this model reads at most {count} positions.',
  'input.dimension': 'Dimension must be a whole number from 0 to {last}: each vector has {count} dimensions.',
  'input.softmax': 'Input {n} must be a number from −1000 to 1000.',

  // Chapter 1: the clock.
  'ch1.greedy': 'T = 0 (greedy)',
  'ch1.cpu.fetch': 'Fetch: read the next instruction',
  'ch1.tick.fetch': 'Read the context',
  'ch1.measured.fetch.one': '{fed} new token at position {position}, {position} earlier positions from the KV cache',
  'ch1.measured.fetch.other': '{fed} new tokens at position {position}, {position} earlier positions from the KV cache',
  'ch1.cpu.execute': 'Decode and execute: do the arithmetic',
  'ch1.tick.layers': 'Run the layers',
  'ch1.measured.layers': '{layers} layers × {heads} heads, {flops}, {ms} (with the logits)',
  'ch1.cpu.result': 'Execute: compute the result',
  'ch1.tick.probs': 'Logits → probabilities',
  'ch1.measured.probs': '{vocab} logits → softmax at {settings}; {kept} tokens kept; {ms} with the draw',
  'ch1.cpu.writeBack': 'Write back: store the result in a register',
  'ch1.tick.pick': 'Pick a token and append it',
  'ch1.measured.pick': '{draw} chose “{token}” (id {id}); the context is now {n} tokens',
  'ch1.noDraw': 'no draw (greedy)',
  'ch1.reg.tokens': 'Tokens in the context',
  'ch1.reg.cachePositions': 'KV cache (positions)',
  'ch1.reg.cacheMemory': 'KV cache (memory)',
  'ch1.reg.weights': 'Weights ({n} numbers), checksum',
  'ch1.cycleEmpty': 'No tick yet: press Next token to see one tick, stage by stage.',
  'ch1.cycleCaption': 'Tick {index} ({kind}), stage by stage, beside a processor\'s instruction cycle',
  'ch1.col.cpu': 'Processor cycle',
  'ch1.col.tick': 'Model tick',
  'ch1.col.did': 'What tick {index} did',
  'ch1.registersEmpty': 'No tick yet. The weights\' checksum taken at load is {checksum}.',
  'ch1.registersCaption': 'Before and after tick {index}',
  'ch1.col.quantity': 'Quantity',
  'ch1.col.before': 'Before',
  'ch1.col.after': 'After',
  'ch1.col.changed': 'Changed?',
  'ch1.rateEmpty': 'Run at least two ticks (or press Play) to measure the clock rate.',
  'ch1.rate.perSecond': '{n} ticks per second',
  'ch1.rate.mean': ' — {ms} per decode tick, the mean of the last {n} measured in the engine.',
  'ch1.rate.prefill': ' The prefill tick, which read the whole prompt at once, took {ms}.',
  'ch1.rate.wall': ' End to end on this page while playing (worker round trip and drawing included): {n} ticks per second.',

  // Chapter 2: tokens.
  'ch2.special': '(special token)',
  'ch2.wordsCaption': 'The prompt split into {words} and {tokens}, from this model\'s vocabulary of {vocab}',
  'ch2.col.word': 'Word (press to see its merges)',
  'ch2.col.bytes': 'UTF-8 bytes (hex)',
  'ch2.col.symbols': 'Byte symbols',
  'ch2.col.merges': 'Merges',
  'ch2.col.tokens': 'Tokens (id)',
  'ch2.mergesCaption': '“{word}”: {bytes}, {merges}, {tokens} ({ids})',
  'ch2.noWords': 'The prompt has no words.',
  'ch2.compareCaption': 'Characters, UTF-8 bytes and tokens',
  'ch2.col.text': 'Text',
  'ch2.col.characters': 'Characters',
  'ch2.col.byteCount': 'Bytes',
  'ch2.col.tokenCount': 'Tokens',
  'ch2.col.perCharacter': 'Tokens per character',
  'ch2.sample': '{label}: {text}',
  'ch2.yourPrompt': 'Your prompt',
  'ch2.chinese': 'Chinese',
  'ch2.english': 'English',
  'ch2.joinedCaption': 'The prompt\'s {tokens} joined one at a time',
  'ch2.col.token': 'Token',
  'ch2.col.tokenBytes': 'Bytes (hex)',
  'ch2.col.whole': 'Whole characters?',
  'ch2.col.completes': 'Text it completes',
  'ch2.col.waiting': 'Bytes still waiting',
  'ch2.allWhole': 'Every token of this prompt is made of whole characters.',
  'ch2.partial.one': '{tokens} of this prompt holds only part of a character, shown as <0x..> bytes; the text appears once the bytes that complete it arrive.',
  'ch2.partial.other': '{tokens} of this prompt hold only part of a character, shown as <0x..> bytes; the text appears once the bytes that complete it arrive.',
  'ch2.joined': 'Joined: {text}',
  'ch2.stripCaption': '{prompt} and {generated} generated, with ids and bytes',

  // Chapter 3: embeddings.
  'ch3.title.token': 'Token embeddings: the row of wte for each token ({c} numbers each)',
  'ch3.title.position': 'Position embeddings: the row of wpe for each position ({c} numbers each)',
  'ch3.title.sum': 'Their sum: the residual stream entering block 0 ({c} numbers each)',
  'ch3.heatmapCaption': '{title}; positions {from}–{to}, colours from {lo} (blue) to {hi} (orange)',
  'ch3.equationWords': 'At position {position} the token is “{token}” (id {id}). Dimension {dimension} of its row of wte is {wte}; dimension {dimension} of row {position} of wpe is {wpe}. The model adds them: {x}.',
  'ch3.empty': 'No tick yet: press Next token. The first tick, the prefill, looks up a row of wte and a row of wpe for every prompt token; each later tick adds one row. Each row has {n} numbers.',
  'ch3.notYet': 'Position {position} has not been read by the model yet: positions {from}–{to} have. Pick one of those, or press Next token to read one more.',

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
