/**
 * Chapter 7, the loop and the KV cache: the prefill reads the whole prompt in one pass and fills
 * the cache; each decode tick feeds one token and reads every earlier key and value from it.
 * The page measures, live, what the cache saves: one recompute of the whole cached sequence from
 * scratch (a `recompute` request, the engine's own forward with a fresh cache) against the last
 * decode tick. The cache grows by one position a tick, and so does each tick's cost.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ phases (prefill against decode)
 *                                ├─ recompute (measured) ─ versus
 *                                ├─ growth (cache bytes per tick)
 *                                ├─ flops (the formula with this tick's numbers)
 *                                └─ predict (how many positions will the cache hold after N more ticks?)
 */
import { KVCacheGrowth, KVCacheGrowthTable, type CacheTick } from '../../components/kv-cache-growth.ts';
import { formatBytes, formatDecimal, formatFlops, formatInteger, formatMs } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { controlElements, defineClock, defineInputs, defineSelection, defineTimeline, defineTokens, TIMELINE_ROWS } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo, RecomputeResult, TickSummary } from '../../engine/protocol.ts';
import { definePredict, paramInt, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { renderTex, texText } from '../tex.ts';

/** The terms of forwardFlops (model/gpt2.ts) for one forward call, from the config and the tick. */
export interface FlopsTerms {
  L: number; // n_layer
  C: number; // n_embd
  V: number; // vocab_size
  T: number; // positions fed
  P: number; // positions already cached
  R: number; // rows through the LM head (1: only the last position's logits)
  weights: number; // L·24·T·C²: q, k, v, the output projection and the MLP
  attention: number; // L·4·T·(P+T)·C: q·kᵀ and weights·v over every cached position
  head: number; // 2·R·C·V: the LM head
  total: number;
}

export function flopsTerms(config: ModelInfo['config'], T: number, P: number, R = 1): FlopsTerms {
  const L = config.n_layer;
  const C = config.n_embd;
  const V = config.vocab_size;
  const weights = L * 24 * T * C * C;
  const attention = L * 4 * T * (P + T) * C;
  const head = 2 * R * C * V;
  return { L, C, V, T, P, R, weights, attention, head, total: weights + attention + head };
}

const int = (n: number) => formatInteger(n).replace(/\B(?=(\d{3})+(?!\d))/g, '{,}');

/** The FLOPs formula, then with this tick's numbers, then its three parts. */
export function flopsTex(f: FlopsTerms): string[] {
  return [
    String.raw`F = L\,\big(24\,T C^2 + 4\,T\,(P+T)\,C\big) + 2\,R\,C\,V`,
    String.raw`F = ${f.L}\,\big(24 \cdot ${f.T} \cdot ${f.C}^2 + 4 \cdot ${f.T} \cdot (${int(f.P)} + ${f.T}) \cdot ${f.C}\big) + 2 \cdot ${f.R} \cdot ${f.C} \cdot ${int(f.V)} = ${int(f.total)}`,
    String.raw`= \underbrace{${int(f.weights)}}_{${texText(ui('ch7.tex.weights'))}} + \underbrace{${int(f.attention)}}_{${ui('ch7.tex.attention')}} + \underbrace{${int(f.head)}}_{\text{${ui('ch7.tex.head')}}}`,
  ];
}

/** Prefill against decode: what each kind of tick fed, and its measured time and FLOPs. */
export function phaseRows(ticks: TickSummary[]): { kind: TickSummary['kind']; ticks: number; fed: number; ms: number; flops: number }[] {
  const out = [];
  for (const kind of ['prefill', 'decode'] as const) {
    const ts = ticks.filter((t) => t.kind === kind);
    if (ts.length === 0) continue;
    const mean = (f: (t: TickSummary) => number) => ts.reduce((a, t) => a + f(t), 0) / ts.length;
    out.push({ kind, ticks: ts.length, fed: mean((t) => t.fed), ms: mean((t) => t.ms.forward), flops: mean((t) => t.flops) });
  }
  return out;
}

/** The cache after each tick, as the growth chart draws it. */
export function cacheTicks(ticks: TickSummary[], rows = TIMELINE_ROWS): CacheTick[] {
  return ticks.slice(-rows).map((t) => ({ index: t.index, kind: t.kind, cacheLength: t.cacheLength, cacheBytes: t.cacheBytes, flops: t.flops }));
}

/** Bytes the cache needs for one position: every layer's key and value, float32. */
export const bytesPerPosition = (config: ModelInfo['config']) => config.n_layer * 2 * config.n_embd * 4;

function table(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, x))))));
}

function versus(t: TickSummary, r: RecomputeResult): HTMLElement {
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

/** How many ticks the cache question runs, unless the prose names another number (params.ticks). */
export const CACHE_TICKS = 5;

/** The answer: the cache's length after the last of the ticks, with its length after each. */
export function cacheAnswer(guess: string, ticks: TickSummary[]): PredictAnswer {
  const last = ticks.at(-1)!;
  const slid = ticks.find((t) => t.window);
  return {
    label: formatInteger(last.cacheLength),
    value: String(last.cacheLength),
    match: guess === String(last.cacheLength),
    detail: ui('predict.ch7.detail', { first: ticks[0].index, last: last.index, lengths: ticks.map((t) => formatInteger(t.cacheLength)).join(', ') }) +
      (slid ? ` ${ui('predict.ch7.slid', { index: slid.index, kept: slid.window!.kept })}` : ''),
  };
}

/** How many positions will the KV cache hold after N more ticks? The reader types a number; the ticks run and say. */
export const cacheQuestion: PredictSpec<{ from: number; n: number }> = {
  ask: ({ state, model }, params) => {
    const n = paramInt(params, 'ticks', CACHE_TICKS, 1, 50);
    const last = state.ticks.at(-1);
    return {
      input: { type: 'number', label: ui('predict.ch7.label'), min: 0, max: model.config.n_positions },
      context: last
        ? ui('predict.ch7.context', { ticks: state.ticks.length, cache: last.cacheLength, prompt: state.promptTokens.length, n })
        : ui('predict.ch7.contextNone', { prompt: state.promptTokens.length, n }),
      revealLabel: ui('predict.runTicks', { n }),
    };
  },
  commit: ({ state }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', CACHE_TICKS, 1, 50) }),
  async reveal(guess, { from, n }, live) {
    return cacheAnswer(guess, await ticksFrom(live().clock, from, n));
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);
  defineSelection(main, mounts.timeline);
  defineTimeline(main, mounts.timeline);
  defineTokens(main, mounts.tokens);

  const empty = (key: 'ch7.empty.phases' | 'ch7.empty.recompute' | 'ch7.empty.growth' | 'ch7.empty.flops') => note(ui(key));
  main.variable(mount(mounts.phases)).define('phases', ['clockState'], async (state: ClockState) => {
    await nearViewport(mounts.phases);
    const rows = phaseRows(state.ticks);
    if (rows.length === 0) return empty('ch7.empty.phases');
    return table(ui('ch7.phases.caption'),
      [ui('ch7.phases.phase'), ui('ch7.phases.ticks'), ui('ch7.phases.fed'), ui('ch7.phases.time'), ui('ch7.versus.flops')],
      rows.map((r) => [ui(`landing.kind.${r.kind}`), formatInteger(r.ticks), formatDecimal(r.fed, r.fed % 1 ? 1 : 0), formatMs(r.ms), formatFlops(r.flops)]));
  });

  // One recompute per decode tick, measured when the clock is idle (never between Play's ticks).
  const measured = new WeakMap<TickSummary, Promise<RecomputeResult>>();
  main.variable(mount(mounts.recompute)).define('recompute', ['engine', 'clockState'], async (engine: Engine, state: ClockState) => {
    await nearViewport(mounts.recompute);
    const t = state.ticks.at(-1);
    if (!t) return empty('ch7.empty.recompute');
    if (t.kind === 'prefill') return note(ui('ch7.recompute.prefill'));
    if (state.playing || state.busy) return note(ui('ch7.recompute.wait'));
    let p = measured.get(t);
    if (!p) measured.set(t, (p = engine.request({ type: 'recompute' })));
    const r = await p;
    return versus(t, r);
  });

  main.variable(mount(mounts.growth)).define('growth', ['clockState', 'model', 'width'], async (state: ClockState, model: ModelInfo, width: number) => {
    await nearViewport(mounts.growth);
    if (state.ticks.length === 0) return empty('ch7.empty.growth');
    const data = { ticks: cacheTicks(state.ticks) };
    const last = state.ticks.at(-1)!;
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
  });

  main.variable(mount(mounts.flops)).define('flops', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.flops);
    const t = state.ticks.at(-1);
    if (!t) return empty('ch7.empty.flops');
    const f = flopsTerms(model.config, t.fed, t.position);
    const el = h('div', {
      class: 'live-equation',
      'data-tick': t.index, 'data-layers': f.L, 'data-width': f.C, 'data-vocab': f.V, 'data-fed': f.T, 'data-cached': f.P,
      'data-flops': t.flops, 'data-attention-flops': f.attention,
    });
    for (const line of flopsTex(f)) el.append(renderTex(line));
    el.append(h('p', { class: 'equation-words' }, ui(f.T === 1 ? 'ch7.flops.words.one' : 'ch7.flops.words.other', {
      index: t.index, kind: ui(`landing.kind.${t.kind}`), fed: f.T, cached: f.P, flops: formatFlops(t.flops), attention: formatFlops(f.attention), add: formatFlops(4 * f.L * f.C),
    })));
    return el;
  });
  definePredict(main, mounts.predict, cacheQuestion);
  return main;
}
