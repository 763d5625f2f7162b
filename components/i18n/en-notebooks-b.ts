/**
 * English strings of the notebooks and charts, part b (see en.ts; its Chinese twin is
 * zh-cn-notebooks-b.ts). Part a: the shared cells, controls and chapters 1–4 with their charts;
 * part b: chapters 5–11 with their charts.
 */
export const enNotebooksB = {
  // The KV cache growth chart (chapter 7).
  'chart.kv.label': 'KV cache after each of {n} ticks: {positions} positions, {bytes} after tick {index}',
  'chart.kv.empty': 'KV cache: no ticks yet',
  'chart.kv.axis': 'tick',
  'chart.kv.caption': 'KV cache after each of {n} ticks',
  'chart.kv.tick': 'Tick',
  'chart.kv.phase': 'Phase',
  'chart.kv.length': 'Cache length',
  'chart.kv.memory': 'Cache memory',
  'chart.kv.flops': 'Forward FLOPs',

  // The loss curve (chapter 8).
  'chart.loss.none': 'No training steps logged.',
  'chart.loss.descTrain': 'Training loss {first} at step {firstStep}, {last} at step {lastStep}',
  'chart.loss.descValidation': '; validation loss {first} at step {firstStep}, {last} at step {lastStep}',
  'chart.loss.descBpb': ' ({bpb} bits per byte)',
  'chart.loss.descEnd': '{text}. Losses are in nats per token.',
  'chart.loss.readoutStep': 'step {step}: validation {loss}',
  'chart.loss.readoutBpb': ' ({bpb} bits/byte)',
  'chart.loss.readoutTrain': 'training {loss} (mean of {n} steps)',
  'chart.loss.readoutNoTrain': 'no training steps logged',
  'chart.loss.readoutLr': 'learning rate {lr}',
  'chart.loss.legendTrain': 'training loss, each step',
  'chart.loss.legendMean': 'mean of {n} steps',
  'chart.loss.legendValidation': 'validation (held-out text)',
  'chart.loss.label': 'Loss curve: training loss over {steps} steps and {evals} validation points',
  'chart.loss.axisLoss': 'loss (nats per token)',
  'chart.loss.axisBpb': 'bits per byte (validation text)',
  'chart.loss.axisStep': 'training step',
  'chart.loss.uniform': 'ln {vocab} = {loss}: every token equally likely',
  'chart.loss.caption': 'Loss at the first step and at each of {n} evaluations (nats per token)',
  'chart.loss.colStep': 'Step',
  'chart.loss.colTrain': 'Training loss (this step)',
  'chart.loss.colMean': 'Training loss (mean since the row above)',
  'chart.loss.colValidation': 'Validation loss',
  'chart.loss.colBpb': 'Validation bits per byte',
  'chart.loss.colLr': 'Learning rate',

  // The cost chart (chapter 9).
  'chart.cost.lineTick': 'tick {index}, context {context}: {flops}',
  'chart.cost.lineBytes': '{read} read: {weights} weights + {cache} KV cache',
  'chart.cost.lineSpeed': 'forward {ms}: {rate} tokens/s',
  'chart.cost.label': 'Cost of {n} decode ticks: the latest did {flops} and read {bytes}; {rate} tokens/s over them all',
  'chart.cost.empty': 'Cost per tick: no decode tick yet',
  'chart.cost.panelFlops': 'FLOPs per token',
  'chart.cost.panelBytes': 'bytes read per token',
  'chart.cost.panelSpeed': 'tokens/s, measured here',
  'chart.cost.weights': 'weights',
  'chart.cost.cache': 'KV cache',
  'chart.cost.overall': '{n} ticks: {rate} tokens/s',
  'chart.cost.axis': 'decode tick',
  'chart.cost.press': 'Press Next token: each decode tick adds a column.',
  'chart.cost.latest': 'latest: {line}',
  'chart.cost.caption': 'Cost of each of {n} decode ticks',
  'chart.cost.colTick': 'Tick',
  'chart.cost.colContext': 'Context',
  'chart.cost.colFlops': 'Forward FLOPs',
  'chart.cost.colWeights': 'Weights read',
  'chart.cost.colCache': 'KV cache read',
  'chart.cost.colTime': 'Forward time',
  'chart.cost.colRate': 'Tokens per second',

  // Appendix: the code.
  'ch11.empty': 'No tick yet: press Next token, and each tick the loop yields adds a row here.',
  'ch11.caption': 'The ticks the loop has yielded (the latest {n} of {total})',
  'ch11.fed': 'tokens fed',
} as const;
