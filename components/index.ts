// Charts and widgets: pure functions (data, options) → element. See each file for its data shape.
export * from './token-strip.ts';
export * from './probability-bars.ts';
export * from './attention-matrix.ts';
export * from './tick-timeline.ts';
export * from './heatmap.ts';
export * from './kv-cache-growth.ts';
export * from './bpe-steps.ts';
export * from './loss-curve.ts';
export * from './cost-chart.ts';
export type { ChartOptions, TableOptions } from './chart.ts';
export * from './format.ts';
export { visibleText } from './text.ts';
