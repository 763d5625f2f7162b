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
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo, PeakResult, TickSummary } from '../../engine/protocol.ts';
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
    String.raw`F(T{=}1,\ P{=}${int(t.P)}) = ${int(t.exact)} \quad (${ui('ch9.tex.exact')})`,
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
  return ui('ch9.costs.caption', {
    ticks: ui(decodeTicks === 1 ? 'ch9.costs.ticks.one' : 'ch9.costs.ticks.other', { n: decodeTicks }),
    drawn: decodeTicks > shown.length ? ui('ch9.costs.drawn', { n: shown.length }) : '',
    backend,
    first: first.index, firstContext: first.context, last: last.index, lastContext: last.context,
    flopsFirst: formatFlops(first.flops), flopsLast: formatFlops(last.flops), flopsPct: pct(first.flops, last.flops),
    bytesFirst: formatBytes(bytesRead(first)), bytesLast: formatBytes(bytesRead(last)), bytesPct: pct(bytesRead(first), bytesRead(last)),
    weights: formatBytes(last.weightBytes),
    min: formatRate(Math.min(...rates)), max: formatRate(Math.max(...rates)), overall: formatRate(overallTokensPerSecond(shown)),
  });
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
    el.append(h('p', { class: 'equation-words' }, ui('ch9.cost.words', {
      all: formatInteger(t.all), embeddings: formatInteger(t.embeddings), n: formatCount(t.N), twoN: formatFlops(t.twoN), head: formatFlops(t.head),
      cached: formatInteger(P), exact: formatFlops(t.exact), ratio: formatDecimal(t.exact / t.approx, 3),
    })));
    return el;
  });

  main.variable(mount(mounts.bytes)).define('bytes', ['model'], async (model: ModelInfo) => {
    await nearViewport(mounts.bytes);
    const cfg = model.config;
    const t = costTerms(cfg);
    const bytes = weightBytesPerToken(cfg);
    const el = table(ui('ch9.bytes.caption'),
      [ui('ch9.bytes.part'), ui('ch9.bytes.numbers'), ui('ch9.bytes.bytes')],
      [
        [ui('ch9.bytes.blocks'), formatInteger(t.N), formatBytes(4 * t.N)],
        [ui('ch9.bytes.wte'), formatInteger(t.V * t.C), formatBytes(4 * t.V * t.C)],
        [ui('ch9.bytes.wpe'), formatInteger(t.C), formatBytes(4 * t.C)],
        [ui('ch9.bytes.total'), formatInteger(bytes / 4), formatBytes(bytes)],
      ]);
    const wrap = h('div', { class: 'weight-bytes', 'data-bytes': bytes },
      el,
      h('p', {}, ui('ch9.bytes.words', { flops: formatFlops(t.exact), bytes: formatBytes(bytes), ratio: formatDecimal(t.exact / bytes, 2) })));
    return wrap;
  });

  main.variable(mount(mounts.costs)).define('costs', ['clockState', 'model', 'width'], async (state: ClockState, model: ModelInfo, width: number) => {
    await nearViewport(mounts.costs);
    const decode = state.ticks.filter((t) => t.kind === 'decode').length;
    if (decode === 0) return note(ui('ch9.costs.empty'));
    const data = { ticks: costTicks(state.ticks, model.config), flopsEstimate: costTerms(model.config).approx };
    const caption = costCaption(data.ticks, decode, model.backend.name);
    const el = chartWithTable(CostChart(data, { width }),
      CostChartTable(data, { caption: ui('ch9.costs.tableCaption', { n: data.ticks.length }) }));
    el.prepend(h('p', { class: 'cell-caption' }, caption));
    el.classList.add('costs');
    el.dataset.ticks = String(data.ticks.length);
    el.dataset.indices = data.ticks.map((t) => t.index).join(' ');
    return el;
  });

  main.define('peakButton', [], () => h('button', { type: 'button', name: 'measure-peak' }, ui('ch9.peak.button')));
  main.variable(mount(mounts.peak)).define('peakView', ['peakButton'], (button: HTMLButtonElement) =>
    h('div', { class: 'peak-control' }, button));
  main.define('peak', ['engine', 'peakButton'], (engine: Engine, button: HTMLButtonElement) => observe<PeakResult | null>((change) => {
    change(null);
    const onClick = async () => {
      button.setAttribute('aria-busy', 'true');
      button.textContent = ui('ch9.peak.measuring');
      try {
        change(await engine.request({ type: 'matmulPeak' }));
        button.textContent = ui('ch9.peak.measured');
      } catch (e) {
        button.textContent = ui('ch9.peak.failed', { error: e instanceof Error ? e.message : String(e) });
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
    if (!s) return note(ui('ch9.speed.empty'));
    const rows = [
      [ui('ch9.speed.tokens'), formatRate(s.tokensPerSecond), ui('ch9.speed.tokensHow', { n: s.ticks, ms: formatMs(s.msPerToken) })],
      [ui('ch9.speed.arithmetic'), `${formatDecimal(s.gflops, 3)} GFLOP/s`, ui('ch9.speed.arithmeticHow')],
      [ui('ch9.speed.weights'), `${formatBytes(s.bytesPerSecond)}/s`, ui('ch9.speed.weightsHow', { bytes: formatBytes(weightBytesPerToken(model.config)) })],
    ];
    if (peak) {
      rows.push([ui('ch9.speed.peak'), `${formatDecimal(peak.gflops, 1)} GFLOP/s`, ui('ch9.speed.peakHow', { n: peak.n, backend: peak.backend })]);
      rows.push([ui('ch9.speed.share'), `${formatDecimal((100 * s.gflops) / peak.gflops, 1)}%`, ui('ch9.speed.shareHow')]);
    }
    const el = h('div', {
      class: 'speed', 'data-ticks': s.ticks, 'data-ms-per-token': s.msPerToken, 'data-flops': s.flops,
      'data-tokens-per-second': s.tokensPerSecond, 'data-gflops': s.gflops,
      ...(peak ? { 'data-peak-gflops': peak.gflops } : {}),
    },
    table(ui('ch9.speed.caption', { backend: model.backend.name }), [ui('ch9.speed.quantity'), ui('ch9.speed.value'), ui('ch9.speed.how')], rows),
    peak ? null : note(ui('ch9.speed.press')));
    return el;
  });

  main.variable(mount(mounts.gpt2)).define('gpt2', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.gpt2);
    const k = compare(model.config);
    const s = measuredSpeed(state.ticks, model.config);
    const rows = [
      [ui('ch9.gpt2.shape'), modelName(model.config), modelName(GPT2_124M)],
      [ui('ch9.gpt2.params'), formatCount(k.small.all), formatCount(k.big.all)],
      [ui('ch9.gpt2.n'), formatCount(k.small.N), formatCount(k.big.N)],
      [ui('ch9.gpt2.flops'), formatFlops(k.small.exact), formatFlops(k.big.exact)],
      [ui('ch9.gpt2.bytes'), formatBytes(k.smallBytes), formatBytes(k.bigBytes)],
    ];
    if (s) rows.push([ui('ch9.gpt2.time'), formatMs(s.msPerToken), ui('ch9.gpt2.estimate', { ms: formatMs((k.big.exact / s.gflops) / 1e6) })]);
    return h('div', { class: 'compare', 'data-ratio': k.ratio, 'data-big-flops': k.big.exact, 'data-small-flops': k.small.exact },
      table(ui('ch9.gpt2.caption'), [ui('ch9.gpt2.quantity'), ui('ch9.gpt2.this'), ui('ch9.gpt2.big')], rows),
      h('p', {}, ui('ch9.gpt2.words', { ratio: formatDecimal(k.ratio, 1), bytes: formatDecimal(k.bigBytes / k.smallBytes, 1) })));
  });
  definePredict(main, mounts.predict, timingQuestion);
  return main;
}
