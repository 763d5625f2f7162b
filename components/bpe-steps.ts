/**
 * Byte-level BPE, one merge at a time, for one word: the first row is the word's bytes as GPT-2's
 * byte symbols ("Ġ" is the space), each later row the symbols after one merge, with the symbols
 * that merge just made outlined in orange and the merge's rank beside the row. Each box shows the
 * symbol as the vocabulary spells it and, under it, the bytes it stands for.
 */
import { table } from './dom.ts';
import { formatByte, formatInteger } from './format.ts';
import { MONO, textWidth, visibleText } from './text.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { ORANGE } from './color.ts';
import { strings as t } from './bpe-steps.strings.ts';
import { words } from './words.strings.ts';

/** A symbol during BPE: its vocabulary spelling and the raw bytes it stands for. */
export interface BpeStepSymbol {
  text: string; // vocab spelling, e.g. "Ġthe"
  bytes: ArrayLike<number>; // the raw bytes, e.g. 20 74 68 65
}

/** One merge: the pair joined, its rank in merges.txt, where it happened, the symbols after. */
export interface BpeStep {
  pair: [string, string];
  rank: number; // 0 = the first merge learned
  positions: number[]; // indices in the previous row where the pair started (all joined at once)
  symbols: BpeStepSymbol[];
}

export interface BpeStepsData {
  text: string; // the word as it appears in the text
  initial: BpeStepSymbol[]; // one symbol per byte
  steps: BpeStep[]; // in the order applied
}

const FONT = 13; // symbol text
const SMALL = 10; // bytes and labels
const PAD = 4;
const GAP = 3;
const ROW = PAD + FONT + 3 + SMALL + PAD; // box height
const ROW_GAP = 6;
const LABEL_W = 92;

const hex = (s: BpeStepSymbol) => Array.from(s.bytes, formatByte).join(' ');

/** Indices in a row's symbols that its merge made: positions p₀ < p₁ < … land at p_k − k. */
export function mergedIndices(step: BpeStep): Set<number> {
  return new Set(step.positions.map((p, k) => p - k));
}

/** One row per stage: the bytes, then the symbols after each merge. */
export function BpeSteps(data: BpeStepsData, opts: ChartOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width } = opts;
  const rows = [
    { label: t('chart.bpe.bytes'), title: t('chart.bpe.bytesTitle', { n: data.initial.length, word: visibleText(data.text) }), symbols: data.initial, merged: new Set<number>() },
    ...data.steps.map((s, i) => ({
      label: t('chart.bpe.rank', { rank: formatInteger(s.rank) }),
      title: t('chart.bpe.mergeTitle', { i: i + 1, a: s.pair[0], b: s.pair[1], rank: formatInteger(s.rank), n: s.symbols.length }),
      symbols: s.symbols,
      merged: mergedIndices(s),
    })),
  ];
  // Layout: box widths from the estimated text widths; a row too wide for the space is scaled down as a whole.
  const layout = rows.map((r) => {
    let x = 0;
    const boxes = r.symbols.map((s, j) => {
      const w = 2 * PAD + Math.max(textWidth(s.text, FONT), textWidth(hex(s), SMALL));
      const box = { s, j, x, w, merged: r.merged.has(j) };
      x += w + GAP;
      return box;
    });
    return { ...r, boxes, total: Math.max(0, x - GAP) };
  });
  const plotW = Math.max(1, width - LABEL_W);
  const widest = Math.max(1, ...layout.map((r) => r.total));
  const k = Math.min(1, plotW / widest);
  const height = rows.length * (ROW * k + ROW_GAP);

  const tokens = layout.at(-1)!.symbols.length;
  const label = opts.label ?? t('chart.bpe.label', {
    word: visibleText(data.text), bytes: data.initial.length,
    merges: words(data.steps.length === 1 ? 'unit.merge.one' : 'unit.merge.other', { n: data.steps.length }),
    tokens: words(tokens === 1 ? 'unit.token.one' : 'unit.token.other', { n: tokens }),
  });
  const svg = svgRoot(doc, width, height, label);
  const row = svg.selectAll('g.stage').data(layout).join('g')
    .attr('class', (_, i) => (i === 0 ? 'stage bytes' : 'stage merge'))
    .attr('transform', (_, i) => `translate(0,${px(i * (ROW * k + ROW_GAP))})`);
  row.append('title').text((r) => r.title);
  row.append('text')
    .attr('class', 'label')
    .attr('x', LABEL_W - 8)
    .attr('y', px((ROW * k) / 2))
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-size', SMALL + 1)
    .text((r) => r.label);
  const box = row.append('g')
    .attr('transform', `translate(${LABEL_W},0) scale(${px(k)})`)
    .attr('font-family', MONO)
    .attr('translate', 'no') // the model's symbols, not the page's words
    .selectAll('g.symbol').data((r) => r.boxes).join('g')
    .attr('class', (b) => (b.merged ? 'symbol merged' : 'symbol'))
    .attr('transform', (b) => `translate(${px(b.x)},0)`);
  box.append('rect')
    .attr('width', (b) => px(b.w))
    .attr('height', ROW)
    .attr('rx', 3)
    .attr('fill', 'currentColor')
    .attr('fill-opacity', 0.06)
    .attr('stroke', (b) => (b.merged ? ORANGE : 'currentColor'))
    .attr('stroke-opacity', (b) => (b.merged ? 1 : 0.45))
    .attr('stroke-width', (b) => (b.merged ? 2 : 1));
  box.append('text')
    .attr('class', 'symbol-text')
    .attr('x', PAD)
    .attr('y', PAD + FONT - 2)
    .attr('font-size', FONT)
    .text((b) => b.s.text);
  box.append('text')
    .attr('class', 'bytes')
    .attr('x', PAD)
    .attr('y', PAD + FONT + 3 + SMALL - 1)
    .attr('font-size', SMALL)
    .attr('fill-opacity', 0.75)
    .text((b) => hex(b.s));
  return svg.node() as SVGSVGElement;
}

/** The merges as a table: step, pair joined, its rank, the symbols after and how many. */
export function BpeStepsTable(data: BpeStepsData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  const list = (xs: BpeStepSymbol[]) => xs.map((s) => s.text).join(' · ');
  return table(opts.caption ?? t('chart.bpe.caption', { word: visibleText(data.text) }), [t('chart.bpe.step'), t('chart.bpe.pair'), t('chart.bpe.rankCol'), t('chart.bpe.symbolsAfter'), t('chart.bpe.symbols')], [
      [t('chart.bpe.bytes'), '—', '—', list(data.initial), formatInteger(data.initial.length)],
      ...data.steps.map((s, i) => [formatInteger(i + 1), `${s.pair[0]} + ${s.pair[1]}`, formatInteger(s.rank), list(s.symbols), formatInteger(s.symbols.length)]),
    ], { document: doc, model: { columns: [1, 3] } });
}
