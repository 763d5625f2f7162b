/**
 * Chapter 9, cost and speed: a tick's arithmetic is about two FLOPs per parameter outside the
 * embeddings (2N), plus the LM head; each decode tick reads every weight once, so it also moves
 * the weights' bytes. The page measures the reader's tokens per second from the ticks, sets them
 * against this device's matmul peak (measured once, on demand, in the engine worker), and works
 * out what GPT-2 124M would cost per token from its config.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ cost (the 2N equation with this model's numbers)
 *                                ├─ bytes (weights moved per token)
 *                                ├─ costs (each decode tick's FLOPs, bytes read and tokens/s, charted)
 *                                ├─ speed (tokens/s against the peak) ─ peak ─ peakView (button)
 *                                ├─ gpt2 (the 124M model against this one)
 *                                └─ predict (will decode ticks get slower as the context grows? N ticks, measured)
 */
import { bytesRead, CostChart, CostChartTable, overallTokensPerSecond, tokensPerSecond, type CostTick } from '../../components/cost-chart.ts';
import { formatBytes, formatCount, formatDecimal, formatFlops, formatInteger, formatMs, formatRate } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { countParams, makeConfig, PRESETS, type GPT2Config } from '../../model/config.ts';
import { forwardFlops } from '../../model/gpt2.ts';
import { controlElements, defineClock, defineInputs, defineSelection, defineTimeline, defineTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { Engine } from '../engine.ts';
import type { ModelInfo, PeakResult, TickSummary } from '../engine-protocol.ts';
import { definePredict, paramInt, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, observe, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { renderTex } from '../tex.ts';

/** GPT-2 124M's config, from model/config.ts's presets. */
export const GPT2_124M: GPT2Config = makeConfig(PRESETS.gpt2);

/** The cost of one decode tick after P cached positions, from the config alone. */
export interface CostTerms {
  L: number;
  C: number;
  V: number;
  positions: number; // n_positions: rows of wpe
  P: number;
  all: number; // countParams: every parameter
  embeddings: number; // (V + n_positions)·C: wte and wpe
  N: number; // all − embeddings
  twoN: number; // 2N
  head: number; // 2CV: the LM head (tied to wte, so not in N)
  approx: number; // 2N + 2CV
  exact: number; // forwardFlops(config, 1, P, 1)
}

export function costTerms(config: GPT2Config, P = 0): CostTerms {
  const L = config.n_layer;
  const C = config.n_embd;
  const V = config.vocab_size;
  const all = countParams(config);
  const embeddings = (V + config.n_positions) * C;
  const N = all - embeddings;
  const head = 2 * C * V;
  return { L, C, V, positions: config.n_positions, P, all, embeddings, N, twoN: 2 * N, head, approx: 2 * N + head, exact: forwardFlops(config, 1, P, 1) };
}

const int = (n: number) => formatInteger(n).replace(/\B(?=(\d{3})+(?!\d))/g, '{,}');

/** N from the parameter count, then 2N + 2CV, then the engine's exact count for this tick. */
export function costTex(t: CostTerms): string[] {
  return [
    String.raw`N = N_\text{all} - (V + n_\text{ctx})\,C = ${int(t.all)} - (${int(t.V)} + ${int(t.positions)}) \cdot ${t.C} = ${int(t.N)}`,
    String.raw`F_\text{token} \approx 2N + 2\,C\,V = 2 \cdot ${int(t.N)} + 2 \cdot ${t.C} \cdot ${int(t.V)} = ${int(t.approx)}`,
    String.raw`F(T{=}1,\ P{=}${int(t.P)}) = ${int(t.exact)} \quad (\text{forwardFlops, attention over } P+1 \text{ positions included})`,
  ];
}

/** Bytes of weights one decode tick reads: the blocks (N), all of wte (the LM head) and one wpe row, as float32. */
export function weightBytesPerToken(config: GPT2Config): number {
  const t = costTerms(config);
  return 4 * (t.N + t.V * t.C + t.C);
}

/** The reader's measured speed over the latest decode ticks. */
export interface Speed {
  ticks: number;
  msPerToken: number; // mean forward time
  tokensPerSecond: number;
  flops: number; // mean FLOPs per decode tick
  gflops: number; // achieved: mean FLOPs / mean time
  bytesPerSecond: number; // weights read per second
}

export function measuredSpeed(ticks: TickSummary[], config: GPT2Config, window = 16): Speed | null {
  const decode = ticks.filter((t) => t.kind === 'decode').slice(-window);
  if (decode.length === 0) return null;
  const ms = decode.reduce((a, t) => a + t.ms.forward, 0) / decode.length;
  const flops = decode.reduce((a, t) => a + t.flops, 0) / decode.length;
  return { ticks: decode.length, msPerToken: ms, tokensPerSecond: 1000 / ms, flops, gflops: flops / ms / 1e6, bytesPerSecond: (weightBytesPerToken(config) * 1000) / ms };
}

/** How many of the latest decode ticks the cost chart draws (its table has the same rows). */
export const COST_TICKS = 64;

/** The cost chart's columns: the latest decode ticks, straight from the engine's tick records. */
export function costTicks(ticks: TickSummary[], config: GPT2Config, rows = COST_TICKS): CostTick[] {
  const weights = weightBytesPerToken(config);
  return ticks.filter((t) => t.kind === 'decode').slice(-rows).map((t) => ({
    index: t.index,
    context: t.cacheLength, // the positions this tick attended over, its own included
    flops: t.flops,
    weightBytes: weights,
    cacheBytes: t.cacheBytes,
    forwardMs: t.ms.forward,
  }));
}

/** What to look at in the cost chart, with the ticks' own numbers. */
export function costCaption(shown: CostTick[], decodeTicks: number, backend: string): string {
  const first = shown[0];
  const last = shown.at(-1)!;
  const pct = (a: number, b: number) => formatDecimal((100 * (b - a)) / a, 1);
  const rates = shown.map(tokensPerSecond);
  return `${decodeTicks} decode tick${decodeTicks === 1 ? '' : 's'}` + (decodeTicks > shown.length ? ` (the latest ${shown.length} drawn)` : '') + ` on ${backend}. ` +
    `From tick ${first.index} (context ${first.context}) to tick ${last.index} (context ${last.context}) the FLOPs went from ${formatFlops(first.flops)} to ${formatFlops(last.flops)} (${pct(first.flops, last.flops)}% more) ` +
    `and the bytes read from ${formatBytes(bytesRead(first))} to ${formatBytes(bytesRead(last))} (${pct(bytesRead(first), bytesRead(last))}% more): ` +
    `every tick reads the same ${formatBytes(last.weightBytes)} of weights, and only the KV cache's share grows with the context. ` +
    `The speed is this device's: from ${formatRate(Math.min(...rates))} to ${formatRate(Math.max(...rates))} tokens/s, and ${formatRate(overallTokensPerSecond(shown))} tokens/s over them all.`;
}

/** This model against GPT-2 124M, per token at the start of the text (P = 0). */
export interface Comparison {
  small: CostTerms;
  big: CostTerms;
  smallBytes: number;
  bigBytes: number;
  ratio: number; // big.exact / small.exact
}

export function compare(config: GPT2Config, big: GPT2Config = GPT2_124M): Comparison {
  const small = costTerms(config);
  const b = costTerms(big);
  return { small, big: b, smallBytes: weightBytesPerToken(config), bigBytes: weightBytesPerToken(big), ratio: b.exact / small.exact };
}

function table(caption: string, head: string[], rows: string[][]): HTMLTableElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, x))))));
}

const modelName = (c: GPT2Config) => `L${c.n_layer} H${c.n_head} C${c.n_embd}`;

/** Decode ticks the timing question measures, unless the prose names another number (params.ticks). */
export const TIMING_TICKS = 24;
/** How far the mean forward time must move, as a share of the first ticks', to count as growing or shrinking. */
export const TIMING_THRESHOLD = 0.1;
/** The first decode ticks of a session run slower while the engine warms up: the timing question leaves them out. */
export const TIMING_WARMUP = 3;

/** The first and last quarter of some decode ticks: their mean forward time, contexts and FLOPs. */
export interface TimingGroups {
  first: TickSummary[];
  last: TickSummary[];
  msFirst: number;
  msLast: number;
  change: number; // msLast / msFirst − 1
  flopsChange: number; // the same for their mean FLOPs
}

export function timingGroups(decode: TickSummary[]): TimingGroups {
  const k = Math.max(1, Math.floor(decode.length / 4));
  const first = decode.slice(0, k);
  const last = decode.slice(-k);
  const mean = (ts: TickSummary[], f: (t: TickSummary) => number) => ts.reduce((a, t) => a + f(t), 0) / ts.length;
  const msFirst = mean(first, (t) => t.ms.forward);
  const msLast = mean(last, (t) => t.ms.forward);
  return { first, last, msFirst, msLast, change: msLast / msFirst - 1, flopsChange: mean(last, (t) => t.flops) / mean(first, (t) => t.flops) - 1 };
}

/** Which way the time moved: 'grows', 'flat' (within the threshold either way) or 'shrinks'. */
export const timingVerdict = (change: number): 'grows' | 'flat' | 'shrinks' => (change > TIMING_THRESHOLD ? 'grows' : change < -TIMING_THRESHOLD ? 'shrinks' : 'flat');

const signedPct = (x: number) => `${x >= 0 ? '+' : '−'}${formatDecimal(Math.abs(100 * x), 1)}%`;

/** The answer: the measured change of the forward time from the first quarter of the ticks to the last. */
export function timingAnswer(guess: string, decode: TickSummary[], warmup = 0): PredictAnswer {
  const g = timingGroups(decode);
  const verdict = timingVerdict(g.change);
  const ctx = (ts: TickSummary[]) => `${formatInteger(ts[0].position + 1)}–${formatInteger(ts.at(-1)!.position + 1)}`;
  return {
    label: ui(`predict.ch9.${verdict}`, { change: signedPct(g.change) }),
    value: verdict,
    match: guess === verdict,
    detail: ui('predict.ch9.detail', {
      n: decode.length, k: g.first.length, msFirst: formatMs(g.msFirst), ctxFirst: ctx(g.first), msLast: formatMs(g.msLast), ctxLast: ctx(g.last),
      change: signedPct(g.change), flops: signedPct(g.flopsChange),
    }) + (warmup ? ` ${ui('predict.ch9.warmup', { n: warmup })}` : ''),
  };
}

/** Will a decode tick's forward pass take longer as the context grows? N decode ticks run and are timed. */
export const timingQuestion: PredictSpec<{ from: number; n: number }> = {
  ask: (_live, params) => {
    const n = paramInt(params, 'ticks', TIMING_TICKS, 4, 200);
    const pct = formatDecimal(100 * TIMING_THRESHOLD, 0);
    return {
      choices: [
        { value: 'grows', label: ui('predict.ch9.choiceGrows', { pct }) },
        { value: 'flat', label: ui('predict.ch9.choiceFlat', { pct }) },
        { value: 'shrinks', label: ui('predict.ch9.choiceShrinks', { pct }) },
      ],
      context: ui('predict.ch9.context', { n, k: Math.max(1, Math.floor(n / 4)) }),
      revealLabel: ui('predict.runTicks', { n }),
    };
  },
  commit: ({ state }, params) => ({ from: state.ticks.length, n: paramInt(params, 'ticks', TIMING_TICKS, 4, 200) }),
  async reveal(guess, { from, n }, live) {
    // Only decode ticks count (not the prefill, nor a full window's new prefill), and not the
    // session's first few, which run slower while the engine warms up: run one more for each.
    const clock = live().clock;
    for (let count = n; ;) {
      await ticksFrom(clock, from, count);
      const session = clock.current.ticks.filter((t) => t.kind === 'decode');
      const skipped = session.slice(0, TIMING_WARMUP).filter((t) => t.index >= from).length;
      const decode = session.slice(TIMING_WARMUP).filter((t) => t.index >= from);
      if (decode.length >= n) return timingAnswer(guess, decode.slice(0, n), skipped);
      count += n - decode.length;
    }
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

  main.variable(mount(mounts.cost)).define('cost', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.cost);
    const last = state.ticks.at(-1);
    const P = last ? last.position + last.fed : 0; // the next decode tick's cached positions
    const t = costTerms(model.config, P);
    const el = h('div', {
      class: 'live-equation',
      'data-params': t.all, 'data-embeddings': t.embeddings, 'data-n': t.N, 'data-approx': t.approx, 'data-exact': t.exact, 'data-cached': t.P,
    });
    for (const line of costTex(t)) el.append(renderTex(line));
    el.append(h('p', { class: 'equation-words' },
      `This model has ${formatInteger(t.all)} parameters; ${formatInteger(t.embeddings)} of them are the embedding tables, which a tick only looks rows up in. ` +
      `The other N = ${formatCount(t.N)} are multiplied once each per token: 2N = ${formatFlops(t.twoN)}. ` +
      `The LM head reuses the token table as a matrix, adding 2CV = ${formatFlops(t.head)}. ` +
      `The engine's exact count for the next tick, with ${formatInteger(P)} cached positions, is ${formatFlops(t.exact)}: ` +
      `${formatDecimal(t.exact / t.approx, 3)} times the estimate.`));
    return el;
  });

  main.variable(mount(mounts.bytes)).define('bytes', ['model'], async (model: ModelInfo) => {
    await nearViewport(mounts.bytes);
    const cfg = model.config;
    const t = costTerms(cfg);
    const bytes = weightBytesPerToken(cfg);
    const el = table('Weights one decode tick reads, as 32-bit floats (the engine keeps them as float32 on every backend)',
      ['Part', 'Numbers', 'Bytes'],
      [
        ['Blocks (N): attention and MLP matrices, biases, LayerNorms', formatInteger(t.N), formatBytes(4 * t.N)],
        ['Token table wte, read whole as the LM head', formatInteger(t.V * t.C), formatBytes(4 * t.V * t.C)],
        ['One row of the position table wpe', formatInteger(t.C), formatBytes(4 * t.C)],
        ['Total per token', formatInteger(bytes / 4), formatBytes(bytes)],
      ]);
    const wrap = h('div', { class: 'weight-bytes', 'data-bytes': bytes },
      el,
      h('p', {}, `${formatFlops(t.exact)} for ${formatBytes(bytes)} read: ${formatDecimal(t.exact / bytes, 2)} FLOPs per byte. ` +
        'A matrix–vector product does one multiply-add per weight it reads, so decoding one token at a time is limited by how fast the weights can be moved, not by arithmetic.'));
    return wrap;
  });

  main.variable(mount(mounts.costs)).define('costs', ['clockState', 'model', 'width'], async (state: ClockState, model: ModelInfo, width: number) => {
    await nearViewport(mounts.costs);
    const decode = state.ticks.filter((t) => t.kind === 'decode').length;
    if (decode === 0) return note('No decode tick yet: press Next token twice (the prefill, then a decode tick), or Play. Each decode tick adds a column.');
    const data = { ticks: costTicks(state.ticks, model.config), flopsEstimate: costTerms(model.config).approx };
    const caption = costCaption(data.ticks, decode, model.backend.name);
    const el = chartWithTable(CostChart(data, { width }),
      CostChartTable(data, { caption: `Each decode tick's cost, from the engine's tick records (the latest ${data.ticks.length})` }));
    el.prepend(h('p', { class: 'cell-caption' }, caption));
    el.classList.add('costs');
    el.dataset.ticks = String(data.ticks.length);
    el.dataset.indices = data.ticks.map((t) => t.index).join(' ');
    return el;
  });

  main.define('peakButton', [], () => h('button', { type: 'button', name: 'measure-peak' }, 'Measure this device’s peak'));
  main.variable(mount(mounts.peak)).define('peakView', ['peakButton'], (button: HTMLButtonElement) =>
    h('div', { class: 'peak-control' }, button));
  main.define('peak', ['engine', 'peakButton'], (engine: Engine, button: HTMLButtonElement) => observe<PeakResult | null>((change) => {
    change(null);
    const onClick = async () => {
      button.setAttribute('aria-busy', 'true');
      button.textContent = 'Measuring…';
      try {
        change(await engine.request({ type: 'matmulPeak' }));
        button.textContent = 'Measured: the peak is below';
      } catch (e) {
        button.textContent = `Measure this device’s peak (the last try failed: ${e instanceof Error ? e.message : String(e)})`;
      } finally {
        button.removeAttribute('aria-busy');
      }
    };
    button.addEventListener('click', onClick);
    return () => button.removeEventListener('click', onClick);
  }));

  main.variable(mount(mounts.speed)).define('speed', ['clockState', 'model', 'peak'], async (state: ClockState, model: ModelInfo, peak: PeakResult | null) => {
    await nearViewport(mounts.speed);
    const s = measuredSpeed(state.ticks, model.config);
    if (!s) return note('No decode tick yet: press Next token twice (the prefill, then a decode tick), or Play, to measure tokens per second.');
    const rows = [
      ['Tokens per second (decode)', formatRate(s.tokensPerSecond), `the mean of the last ${s.ticks} decode ticks: ${formatMs(s.msPerToken)} each`],
      ['Arithmetic done', `${formatDecimal(s.gflops, 3)} GFLOP/s`, 'the ticks’ FLOPs over their forward time'],
      ['Weights read', `${formatBytes(s.bytesPerSecond)}/s`, `${formatBytes(weightBytesPerToken(model.config))} a token`],
    ];
    if (peak) {
      rows.push(['This device’s matmul peak', `${formatDecimal(peak.gflops, 1)} GFLOP/s`, `one ${peak.n}×${peak.n} product on ${peak.backend}, the median of 8`]);
      rows.push(['Share of the peak', `${formatDecimal((100 * s.gflops) / peak.gflops, 1)}%`, 'decoding reads each weight for a single multiply-add']);
    }
    const el = h('div', {
      class: 'speed', 'data-ticks': s.ticks, 'data-ms-per-token': s.msPerToken, 'data-flops': s.flops,
      'data-tokens-per-second': s.tokensPerSecond, 'data-gflops': s.gflops,
      ...(peak ? { 'data-peak-gflops': peak.gflops } : {}),
    },
    table(`Measured in this browser on ${model.backend.name}`, ['Quantity', 'Value', 'How'], rows),
    peak ? null : note('Press “Measure this device’s peak” to set these against the fastest matrix product this device runs.'));
    return el;
  });

  main.variable(mount(mounts.gpt2)).define('gpt2', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.gpt2);
    const k = compare(model.config);
    const s = measuredSpeed(state.ticks, model.config);
    const rows = [
      ['Shape', modelName(model.config), modelName(GPT2_124M)],
      ['Parameters', formatCount(k.small.all), formatCount(k.big.all)],
      ['N (outside the embeddings)', formatCount(k.small.N), formatCount(k.big.N)],
      ['FLOPs per token (P = 0)', formatFlops(k.small.exact), formatFlops(k.big.exact)],
      ['Weights read per token', formatBytes(k.smallBytes), formatBytes(k.bigBytes)],
    ];
    if (s) rows.push(['Time per token at this page’s measured GFLOP/s', formatMs(s.msPerToken), `≈ ${formatMs((k.big.exact / s.gflops) / 1e6)} (an estimate)`]);
    return h('div', { class: 'compare', 'data-ratio': k.ratio, 'data-big-flops': k.big.exact, 'data-small-flops': k.small.exact },
      table('This model against GPT-2 124M, from their configs', ['Quantity', 'This model', 'GPT-2 124M'], rows),
      h('p', {}, `GPT-2 124M costs ${formatDecimal(k.ratio, 1)}× this model's arithmetic per token and reads ${formatDecimal(k.bigBytes / k.smallBytes, 1)}× its bytes.`));
  });
  definePredict(main, mounts.predict, timingQuestion);
  return main;
}
