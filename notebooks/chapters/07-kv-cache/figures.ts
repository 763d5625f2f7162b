/**
 * Chapter 7's figures, built from data.ts: prefill against decode, the cached tick against a
 * recompute from scratch, the cache's growth, and the FLOPs formula with this tick's numbers.
 */
import { KVCacheGrowth, KVCacheGrowthTable } from '../../../components/kv-cache-growth.ts';
import { table } from '../../../components/dom.ts';
import { formatBytes, formatDecimal, formatFlops, formatInteger, formatMs } from '../../../components/format.ts';
import { words } from '../../../components/words.strings.ts';
import { chartWithTable, h } from '../../dom.ts';
import type { ModelInfo, RecomputeResult, TickSummary } from '../../../engine/protocol.ts';
import { renderTex, texText } from '../../tex.ts';
import { LinePair, LinePairTable } from '../../../components/line-pair.ts';
import { BATCHES, bytesPerPosition, cacheBudget, cacheTicks, cumulativeWork, flopsTerms, GPT2_124M, phaseRows, type CacheBudget, type CumulativeSeries, type FlopsTerms } from './data.ts';
import { ui } from './strings.ts';

const int = (n: number) => formatInteger(n).replace(/\B(?=(\d{3})+(?!\d))/g, '{,}');

/** The FLOPs formula, then with this tick's numbers, then its three parts. */
export function flopsTex(f: FlopsTerms): string[] {
  return [
    String.raw`F = L\,\big(24\,n C^2 + 4\,n\,(P+n)\,C\big) + 2\,R\,C\,V`,
    String.raw`F = ${f.L}\,\big(24 \cdot ${f.T} \cdot ${f.C}^2 + 4 \cdot ${f.T} \cdot (${int(f.P)} + ${f.T}) \cdot ${f.C}\big) + 2 \cdot ${f.R} \cdot ${f.C} \cdot ${int(f.V)} = ${int(f.total)}`,
    String.raw`= \underbrace{${int(f.weights)}}_{${texText(ui('ch7.tex.weights'))}} + \underbrace{${int(f.attention)}}_{${ui('ch7.tex.attention')}} + \underbrace{${int(f.head)}}_{\text{${ui('ch7.tex.head')}}}`,
  ];
}

/** Prefill against decode, as a table (null before the first tick). */
export function phases(ticks: TickSummary[]): HTMLTableElement | null {
  const rows = phaseRows(ticks);
  if (rows.length === 0) return null;
  return table(ui('ch7.phases.caption'),
    [ui('ch7.phases.phase'), ui('ch7.phases.ticks'), ui('ch7.phases.fed'), ui('ch7.phases.time'), ui('ch7.versus.flops')],
    rows.map((r) => [words(`kind.${r.kind}`), formatInteger(r.ticks), formatDecimal(r.fed, r.fed % 1 ? 1 : 0), formatMs(r.ms), formatFlops(r.flops)]));
}

/** The last decode tick, with the cache, against one recompute of the whole sequence without it. */
export function versus(t: TickSummary, r: RecomputeResult): HTMLElement {
  const speedup = r.ms / t.ms.forward;
  const el = h('div', {
    class: 'recompute',
    'data-tick': t.index,
    'data-decode-ms': t.ms.forward,
    'data-recompute-ms': r.ms,
    'data-decode-flops': t.flops,
    'data-recompute-flops': r.flops,
    'data-positions': r.positions,
  },
  table(ui('ch7.versus.caption', { index: t.index }),
    [ui('ch7.versus.way'), ui('ch7.versus.positions'), ui('ch7.versus.flops'), ui('ch7.versus.time')],
    [
      [ui('ch7.versus.with'), formatInteger(t.fed), formatFlops(t.flops), formatMs(t.ms.forward)],
      [ui('ch7.versus.without'), formatInteger(r.positions), formatFlops(r.flops), formatMs(r.ms)],
    ]),
  speedup >= 1
    ? h('p', {}, h('strong', {}, ui('ch7.versus.faster', { speedup: formatDecimal(speedup, 1) })),
      ui('ch7.versus.fasterRest', { ratio: formatDecimal(r.flops / t.flops, 1), positions: formatInteger(r.positions) }))
    : h('p', {}, h('strong', {}, ui('ch7.versus.slower', { speedup: formatDecimal(speedup, 2) })),
      ui('ch7.versus.slowerRest', { ratio: formatDecimal(r.flops / t.flops, 1) })));
  return el;
}

/** The cache's length and bytes after each tick, charted, with a caption from the last tick. */
export function growth(ticks: TickSummary[], model: ModelInfo, width: number): HTMLElement {
  const data = { ticks: cacheTicks(ticks) };
  const last = ticks.at(-1)!;
  const per = bytesPerPosition(model.config);
  const caption = ui('ch7.growth.caption', {
    positions: formatInteger(last.cacheLength), bytes: formatBytes(last.cacheBytes), layers: model.config.n_layer, width: model.config.n_embd, per: formatBytes(per),
  });
  const el = chartWithTable(KVCacheGrowth(data, { width, label: caption }), KVCacheGrowthTable(data, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, caption));
  el.dataset.cacheLength = String(last.cacheLength);
  el.dataset.cacheBytes = String(last.cacheBytes);
  el.dataset.bytesPerPosition = String(per);
  return el;
}

/** The FLOPs formula with tick `t`'s numbers, then in words. */
export function flops(t: TickSummary, model: ModelInfo): HTMLElement {
  const f = flopsTerms(model.config, t.fed, t.position);
  const el = h('div', {
    class: 'live-equation',
    'data-tick': t.index, 'data-layers': f.L, 'data-width': f.C, 'data-vocab': f.V, 'data-fed': f.T, 'data-cached': f.P,
    'data-flops': t.flops, 'data-attention-flops': f.attention,
  });
  for (const line of flopsTex(f)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ui(f.T === 1 ? 'ch7.flops.words.one' : 'ch7.flops.words.other', {
    index: t.index, kind: words(`kind.${t.kind}`), fed: f.T, cached: f.P, flops: formatFlops(t.flops), attention: formatFlops(f.attention), add: formatFlops(4 * f.L * f.C),
  })));
  return el;
}

/** The cache's budget for this model and GPT-2 124M (F32 and F16), and this session's work with and without the cache. */
export function budget(ticks: TickSummary[], model: ModelInfo): HTMLElement {
  const mine = cacheBudget(model.config);
  const big = cacheBudget(GPT2_124M);
  const pair = (x: { f32: number; f16: number }) => ui('ch7.budget.pair', { f32: formatBytes(x.f32), f16: formatBytes(x.f16) });
  const outgrows = (b: CacheBudget, batch: number) => {
    const o = b.outgrows.find((x) => x.batch === batch)!;
    return o.within ? ui('ch7.budget.at', { tokens: formatInteger(o.tokens) }) : ui('ch7.budget.never', { tokens: formatInteger(o.tokens), positions: formatInteger(b.positions) });
  };
  const rows = [
    [ui('ch7.budget.perPosition'), pair(mine.perPosition), pair(big.perPosition)],
    [ui('ch7.budget.full', { n: formatInteger(mine.positions) }), pair(mine.fullContext), pair(big.fullContext)],
    [ui('ch7.budget.weights'), pair(mine.weights), pair(big.weights)],
    ...BATCHES.map((batch) => [ui(batch === 1 ? 'ch7.budget.outgrows.one' : 'ch7.budget.outgrows.other', { batch }), outgrows(mine, batch), outgrows(big, batch)]),
  ];
  const work = cumulativeWork(ticks);
  const el = h('div', {
    class: 'cache-budget', 'data-per-position': mine.perPosition.f32, 'data-weights': mine.weights.f32,
    'data-big-per-position': big.perPosition.f32, 'data-with-cache': work.withCache, 'data-without': work.without,
  },
  table(ui('ch7.budget.caption'), [ui('ch7.budget.quantity'), ui('ch7.budget.this'), ui('ch7.budget.big')], rows),
  h('p', {}, work.ticks === 0 ? ui('ch7.budget.noWork') : ui('ch7.budget.work', {
    ticks: formatInteger(work.ticks), withCache: formatInteger(work.withCache), without: formatInteger(work.without),
    ratio: formatDecimal(work.without / Math.max(1, work.withCache), 1),
  })));
  return el;
}

/** The running totals with and without the cache: token-positions (counted), then time (measured; `status` says how far the measuring got). */
export function cumulative(c: CumulativeSeries, width: number, status: string | null): HTMLElement {
  const names = [ui('ch7.cumulative.with'), ui('ch7.cumulative.without')];
  const w = Math.min(width, 640);
  const positions = { x: c.index, lines: [{ name: names[0], values: c.positions.withCache }, { name: names[1], values: c.positions.without }] };
  const corner = ui('ch7.cumulative.tick');
  const posCaption = ui('ch7.cumulative.positionsCaption');
  const n = c.index.length;
  const el = h('div', {
    class: 'cumulative', 'data-ticks': n, 'data-measured': c.measured,
    'data-with-positions': c.positions.withCache[n - 1], 'data-without-positions': c.positions.without[n - 1],
    'data-with-ms': c.ms.withCache[n - 1], 'data-without-ms': c.ms.without[n - 1] ?? '',
  },
  h('p', { class: 'cell-caption' }, ui('ch7.cumulative.caption')),
  chartWithTable(LinePair(positions, { width: w, label: posCaption, xAxis: corner, yAxis: ui('ch7.cumulative.positions'), format: formatInteger }),
    LinePairTable(positions, { caption: posCaption, corner, format: formatInteger })),
  h('p', {}, ui('ch7.cumulative.words', {
    ticks: formatInteger(n), withCache: formatInteger(c.positions.withCache[n - 1]), without: formatInteger(c.positions.without[n - 1]),
    ratio: formatDecimal(c.positions.without[n - 1] / Math.max(1, c.positions.withCache[n - 1]), 1),
  })));
  if (c.measured > 0) {
    const m = c.measured;
    const ms = { x: c.index.slice(0, m), lines: [{ name: names[0], values: c.ms.withCache.slice(0, m) }, { name: names[1], values: c.ms.without.slice(0, m) }] };
    const msCaption = ui('ch7.cumulative.msCaption');
    const withMs = c.ms.withCache[m - 1];
    const withoutMs = c.ms.without[m - 1]!;
    el.append(chartWithTable(LinePair(ms, { width: w, label: msCaption, xAxis: corner, yAxis: ui('ch7.cumulative.ms'), format: (v) => String(v) }),
      LinePairTable(ms, { caption: msCaption, corner, format: formatMs })),
    h('p', {}, ui('ch7.cumulative.msWords', { withMs: formatMs(withMs), withoutMs: formatMs(withoutMs), ratio: formatDecimal(withoutMs / withMs, 1) })));
  }
  if (status) el.append(h('p', { class: 'cell-note' }, status));
  return el;
}
