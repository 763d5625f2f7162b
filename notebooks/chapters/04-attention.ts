/**
 * Chapter 4, attention: in every block, each position asks a question (q), every position so far
 * offers a key (k) and a value (v). QKᵀ → ÷√d → causal mask → softmax gives one row of weights per
 * query; the weights mix the values. The matrix of the chosen Layer and Head fills one row per
 * tick: the prefill fills every prompt row, each Next token adds one.
 *
 * Ticks trace only the chosen layer (q, k, scores, weights). When the reader picks another layer,
 * the rows of earlier ticks for it are filled by one `recompute` of the cached sequence, traced
 * at that layer: the weights never change, so it is the same arithmetic the ticks did.
 *
 *   inputs ─ clock ─ clockState ─┬─ rows (layer) ─┬─ matrix (head, stage)
 *   layer ───────────────────────┘                └─ highlight ─ equation (head)
 *   (its own four inputs) ─ softmaxExample
 *   layer, head ─ predict (which earlier token will this head attend to most at the next tick?)
 */
import { AttentionMatrix, AttentionMatrixTable, type AttentionCell } from '../../components/attention-matrix.ts';
import { strings as attentionStrings } from '../../components/attention-matrix.strings.ts';
import { formatDecimal, formatInteger, formatValue } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer, PredictChoice } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import type { TraceOptions } from '../../model/gpt2.ts';
import { controlElements, defineClock, defineInputs, defineLayerHead, defineSelection, defineTimeline, defineTokens, stripTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { Engine } from '../../engine/engine.ts';
import type { TickSummary, TickTrace } from '../../engine/protocol.ts';
import { modelText, tNodes } from '../model-text.ts';
import { definePredict, ticksFrom, type PredictSpec } from '../predict.ts';
import { InputError, mount, nearViewport, observe, run, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { renderTex, texNumber } from '../tex.ts';
import { SEED_LOGITS, softmaxOf } from '../softmax.ts';

/** The three stages of the matrix a reader can pick (each label read in the page's language). */
export type Stage = 'scores' | 'scaled' | 'softmax';
export const STAGES: { id: Stage; readonly label: string }[] = (['scores', 'scaled', 'softmax'] as const).map((id) => ({
  id,
  get label() {
    return ui(`ch4.stage.${id}`);
  },
}));

/** One query position of one layer, every head: its q and k, and its row of the matrix at each stage. */
export interface AttnRow {
  position: number;
  heads: number;
  keys: number; // positions 0 … position (the row's length)
  headDim: number;
  q: Float32Array; // (H, d)
  k: Float32Array; // (H, d)
  scores: Float32Array; // (H, keys) q·kᵀ
  scaled: Float32Array; // (H, keys) q·kᵀ/√d (the mask has nothing to hide up to the diagonal)
  weights: Float32Array; // (H, keys) softmax
}

/** The rows a trace holds for `layer`, one per fed position (trimmed to the causal part). */
export function rowsFromTrace(trace: TickTrace, layer: number): AttnRow[] {
  const d = trace.detail?.find((x) => x.layer === layer);
  const a = trace.attention.find((x) => x.layer === layer);
  if (!d || !a || !d.q || !d.k || !d.scores || !d.scaledMasked) return [];
  const [H, T, K] = d.shape;
  const hd = d.headDim;
  const out: AttnRow[] = [];
  for (let t = 0; t < T; t++) {
    const position = trace.start + t;
    const keys = position + 1;
    const per = (src: Float32Array, width: number, n: number) => {
      const o = new Float32Array(H * n);
      for (let hh = 0; hh < H; hh++) o.set(src.subarray((hh * T + t) * width, (hh * T + t) * width + n), hh * n);
      return o;
    };
    out.push({
      position, heads: H, keys, headDim: hd,
      q: per(d.q, hd, hd), k: per(d.k, hd, hd),
      scores: per(d.scores, K, keys), scaled: per(d.scaledMasked, K, keys), weights: per(a.data, a.shape[2], keys),
    });
  }
  return out;
}

/** The ticks of the current window: from the latest prefill (a new session, or a slide of the context) on. */
export function windowTicks(ticks: TickSummary[]): TickSummary[] {
  let from = -1;
  for (let i = ticks.length - 1; i >= 0 && from < 0; i--) if (ticks[i].kind === 'prefill') from = i;
  return from < 0 ? [] : ticks.slice(from);
}

/** Rows of `layer` from the ticks' own traces, by position; `null` where a tick did not trace that layer. */
export function rowsFromTicks(ticks: TickSummary[], layer: number): (AttnRow | null)[] {
  const win = windowTicks(ticks);
  const n = win.at(-1)?.cacheLength ?? 0;
  const rows: (AttnRow | null)[] = new Array(n).fill(null);
  for (const t of win) if (t.trace) for (const r of rowsFromTrace(t.trace, layer)) if (r.position < n) rows[r.position] = r;
  return rows;
}

/** What the matrix and the equation draw: the chosen layer's rows over the window's tokens. */
export interface AttentionView {
  tick: number; // the latest tick
  layer: number;
  tokens: string[]; // one per position (the cached ones)
  rows: AttnRow[]; // one per position
  recomputed: number; // rows that came from a recompute rather than a tick
}

/** One row of one head at one stage, as the matrix draws it. */
export function stageRow(r: AttnRow, head: number, stage: Stage): number[] {
  const src = stage === 'scores' ? r.scores : stage === 'scaled' ? r.scaled : r.weights;
  return Array.from(src.subarray(head * r.keys, (head + 1) * r.keys));
}

/** The numbers of the cell equation for query i, key j of one head — all read from the engine's trace. */
export interface CellNumbers {
  layer: number;
  head: number;
  query: number; // i
  key: number; // j
  headDim: number; // d
  q: number[]; // q_i
  k: number[]; // k_j
  score: number; // q_i·k_j, as the engine computed it
  scaled: number; // s_ij = q_i·k_j/√d, as the engine computed it
  row: number[]; // s_i0 … s_ii
  sum: number; // Σ_{k≤i} exp(s_ik), float64 over the engine's row
  weight: number; // a_ij, the engine's softmax
}

export function cellNumbers(view: AttentionView, head: number, query: number, key: number): CellNumbers {
  const ri = view.rows[query];
  const rj = view.rows[key];
  const d = ri.headDim;
  const row = stageRow(ri, head, 'scaled');
  let sum = 0;
  for (const s of row) sum += Math.exp(s);
  return {
    layer: view.layer, head, query, key, headDim: d,
    q: Array.from(ri.q.subarray(head * d, (head + 1) * d)),
    k: Array.from(rj.k.subarray(head * d, (head + 1) * d)),
    score: ri.scores[head * ri.keys + key],
    scaled: row[key],
    row,
    sum,
    weight: ri.weights[head * ri.keys + key],
  };
}

/** The equation lines: symbolic, then s_ij and a_ij with the numbers substituted. */
export function cellTex(n: CellNumbers): string[] {
  const i = formatInteger(n.query);
  const j = formatInteger(n.key);
  const sqrt = Math.sqrt(n.headDim);
  return [
    String.raw`a_{ij} = \frac{e^{s_{ij}}}{\sum_{k \le i} e^{s_{ik}}},\qquad s_{ij} = \frac{q_i \cdot k_j}{\sqrt{d}}`,
    String.raw`s_{${i},${j}} = \frac{q_{${i}} \cdot k_{${j}}}{\sqrt{${n.headDim}}} = \frac{${texNumber(n.score)}}{${texNumber(sqrt)}} = ${texNumber(n.scaled)}`,
    String.raw`a_{${i},${j}} = \frac{e^{${texNumber(n.scaled)}}}{\sum_{k=0}^{${i}} e^{s_{${i},k}}} = \frac{${texNumber(Math.exp(n.scaled))}}{${texNumber(n.sum)}} = ${texNumber(n.weight)}`,
  ];
}

/** The matrix's default highlight: the newest row, at the key it attends to most. */
export function defaultCell(view: AttentionView, head: number): [number, number] {
  const q = view.rows.length - 1;
  const w = stageRow(view.rows[q], head, 'softmax');
  let best = 0;
  for (let k = 1; k < w.length; k++) if (w[k] > w[best]) best = k;
  return [q, best];
}

/** The trace a tick needs for the matrix of `layer`. */
export const traceFor = (layer: number): TraceOptions => ({ qkv: true, scores: true, attention: true, layers: [layer] });

/** A refused input of the worked softmax: `index` says which one (0 … 3). */
export class SoftmaxInputError extends InputError {
  constructor(readonly index: number) {
    super(ui('input.softmax', { n: index + 1 }));
  }
}

/** softmax of the reader's four numbers, by the same sampler that picks tokens (T = 1). */
export function parseInputs(raw: string[]): number[] {
  const xs = raw.map((s) => (s.trim() === '' ? NaN : Number(s)));
  const bad = xs.findIndex((x) => !Number.isFinite(x) || Math.abs(x) > 1000);
  if (bad >= 0) throw new SoftmaxInputError(bad);
  return xs;
}

function matrixFigure(view: AttentionView, head: number, stage: Stage, width: number): HTMLElement {
  const weights = view.rows.map((r) => stageRow(r, head, stage));
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of weights) for (const x of row) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  const softmax = stage === 'softmax';
  const data = { tokens: view.tokens, weights, highlight: defaultCell(view, head) };
  const name = STAGES.find((s) => s.id === stage)!.label;
  const caption = ui('ch4.matrixCaption', { layer: view.layer, head, stage: name, rows: view.rows.length, tick: view.tick });
  const el = chartWithTable(
    AttentionMatrix(data, { width, label: caption, ...(softmax ? {} : { domain: [lo, hi] as [number, number], valueName: attentionStrings('chart.attention.score') }) }),
    AttentionMatrixTable(data, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, caption +
    (view.recomputed ? ui('ch4.recomputed', { n: view.recomputed }) : ui('ch4.captionEnd'))));
  el.dataset.layer = String(view.layer);
  el.dataset.head = String(head);
  el.dataset.stage = stage;
  el.dataset.rows = String(view.rows.length);
  el.dataset.tick = String(view.tick);
  return el;
}

function equationFigure(view: AttentionView, head: number, [i, j]: [number, number]): HTMLElement {
  const n = cellNumbers(view, head, i, j);
  const el = h('div', {
    class: 'live-equation',
    'data-layer': n.layer, 'data-head': n.head, 'data-query': n.query, 'data-key': n.key, 'data-head-dim': n.headDim,
    'data-score': n.score, 'data-scaled': n.scaled, 'data-sum': n.sum, 'data-weight': n.weight,
    'data-q': JSON.stringify(n.q), 'data-k': JSON.stringify(n.k), 'data-row': JSON.stringify(n.row),
  });
  for (const line of cellTex(n)) el.append(renderTex(line));
  const who = (p: number) => modelText(`“${visibleText(view.tokens[p])}”`);
  el.append(h('p', { class: 'equation-words' }, ...tNodes('ch4.equationWords', {
    query: i, queryToken: who(i), key: j, keyToken: who(j), layer: n.layer, head: n.head, d: n.headDim,
    score: formatValue(n.score), scaled: formatValue(n.scaled), keys: i + 1, weight: formatDecimal(n.weight, 4),
  })));
  return el;
}

/** The stage picker: three radio buttons, built once; the chosen stage is a cell. */
function stagePicker(): HTMLFieldSetElement {
  return h('fieldset', { class: 'stage-picker' }, h('legend', {}, ui('ch4.stageLegend')),
    ...STAGES.map((s) => h('label', {}, h('input', { type: 'radio', name: 'attention-stage', value: s.id, checked: s.id === 'softmax' }), ` ${s.label}`)));
}

/** The worked softmax: four inputs the reader edits, the result by the sampler's softmax. */
function softmaxExample(): HTMLElement {
  const fields = SEED_LOGITS.map((x, i) => {
    const id = `softmax-input-${i + 1}`;
    return h('span', { class: 'field' }, h('label', { for: id }, ui('ch4.input', { n: i + 1 })),
      h('input', { id, type: 'number', step: '0.1', value: String(x), inputmode: 'decimal', 'aria-describedby': 'softmax-input-error' }));
  });
  const inputs = fields.map((f) => f.querySelector('input')!);
  const error = h('p', { class: 'error', id: 'softmax-input-error', 'aria-live': 'polite' });
  const out = h('div', { class: 'softmax-result' });
  const show = (xs: number[]) => {
    const p = softmaxOf(xs, 1);
    const list = (v: number[], f: (x: number) => string) => `[${v.map(f).join(',\\ ')}]`;
    out.dataset.inputs = JSON.stringify(xs);
    out.dataset.probs = JSON.stringify(p);
    out.replaceChildren(renderTex(String.raw`\operatorname{softmax}(${list(xs, (x) => texNumber(x))}) = ${list(p, (x) => formatDecimal(x, 3))}`),
      h('table', {}, h('caption', {}, ui('ch4.softmaxCaption')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('ch4.col.input')), h('th', { scope: 'col' }, ui('ch4.col.value')), h('th', { scope: 'col' }, 'e^x / Σ e^x'))),
        h('tbody', {}, ...xs.map((x, i) => h('tr', {}, h('th', { scope: 'row' }, ui('ch4.input', { n: i + 1 })), h('td', {}, formatValue(x)), h('td', {}, formatDecimal(p[i], 4)))))));
  };
  const update = () => {
    try {
      const xs = parseInputs(inputs.map((i) => (i.validity?.badInput ? 'x' : i.value)));
      for (const i of inputs) i.removeAttribute('aria-invalid');
      error.textContent = '';
      show(xs);
    } catch (e) {
      if (!(e instanceof SoftmaxInputError)) throw e;
      error.textContent = e.message; // the result keeps its last good state
      const bad = e.index;
      inputs.forEach((inp, k) => (k === bad ? inp.setAttribute('aria-invalid', 'true') : inp.removeAttribute('aria-invalid')));
    }
  };
  for (const i of inputs) i.addEventListener('input', update);
  update();
  return h('div', { class: 'softmax-example' }, h('div', { class: 'row' }, ...fields), error, out);
}

/** The most positions the attention question lists one by one; beyond it the middle ones share a choice. */
export const PREDICT_KEYS = 12;

/** The next tick's newest query position and the tokens it may attend to (the current window: prompt and generated). */
export function attentionKeys(state: ClockState): { query: number; tokens: string[] } {
  const win = windowTicks(state.ticks);
  const dropped = win[0]?.window?.dropped ?? 0;
  const tokens = stripTokens(state).slice(dropped).map((t) => t.text);
  return { query: tokens.length - 1, tokens };
}

const keyLabel = (tokens: string[], k: number, query: number) => {
  const label = `${formatInteger(k)}: “${visibleText(tokens[k] ?? '')}”`;
  return k === query ? ui('predict.ch4.self', { label }) : label;
};

/** The choices: every position up to the query, or the first, the latest ones and "another" when there are many. */
export function attentionChoices(tokens: string[], query: number, max = PREDICT_KEYS): PredictChoice[] {
  const all = (k: number) => ({ value: String(k), label: keyLabel(tokens, k, query) });
  if (query + 1 <= max) return Array.from({ length: query + 1 }, (_, k) => all(k));
  const from = query - (max - 3);
  return [all(0), { value: 'other', label: ui('predict.ch4.other', { from: 1, to: from - 1 }) }, ...Array.from({ length: query - from + 1 }, (_, i) => all(from + i))];
}

/** One head's weights in the newest row a trace holds for `layer` (null when that layer was not traced). */
export function newestRow(trace: TickTrace, layer: number, head: number): number[] | null {
  const a = trace.attention.find((x) => x.layer === layer);
  if (!a) return null;
  const [, T, K] = a.shape;
  const t = T - 1;
  const keys = trace.start + T;
  return Array.from(a.data.subarray((head * T + t) * K, (head * T + t) * K + keys));
}

/** The answer: the key with the largest weight in the row (and the runner-up, for the detail). */
export function attentionAnswer(guess: string, row: number[], tokens: string[], layer: number, head: number, listed: PredictChoice[]): PredictAnswer {
  const order = row.map((w, k) => [w, k] as const).sort((a, b) => b[0] - a[0]);
  const [w, k] = order[0];
  const query = row.length - 1;
  const value = listed.some((c) => c.value === String(k)) ? String(k) : 'other';
  const second = order[1];
  return {
    label: keyLabel(tokens, k, query),
    value,
    match: guess === value,
    detail: ui('predict.ch4.detail', {
      layer, head, query, token: visibleText(tokens[query] ?? ''), weight: formatDecimal(w, 3), key: k,
      next: second ? ui('predict.ch4.next', { key: keyLabel(tokens, second[1], query), weight: formatDecimal(second[0], 3) }) : '',
    }),
  };
}

/** Which earlier token will head h of layer l attend to most at the next tick? Answered from that tick's attention row. */
export const attentionQuestion: PredictSpec<{ from: number; layer: number; head: number; tokens: string[]; choices: PredictChoice[] }> = {
  extra: ['layer', 'head'],
  ask: ({ state, values }) => {
    const { query, tokens } = attentionKeys(state);
    const layer = values.layer as number;
    const head = values.head as number;
    return {
      choices: attentionChoices(tokens, query),
      context: ui(state.ticks.length ? 'predict.ch4.context' : 'predict.ch4.contextPrefill', { layer, head, query, token: visibleText(tokens[query] ?? '') }),
      revealLabel: ui('predict.runTick'),
    };
  },
  commit: ({ state, values }) => {
    const { query, tokens } = attentionKeys(state);
    return { from: state.ticks.length, layer: values.layer as number, head: values.head as number, tokens, choices: attentionChoices(tokens, query) };
  },
  async reveal(guess, snap, live) {
    const [tick] = await ticksFrom(live().clock, snap.from, 1);
    let row = tick.trace ? newestRow(tick.trace, snap.layer, snap.head) : null;
    if (!row) {
      // The tick traced another layer (Layer changed after the commit): the same arithmetic again, traced at this one.
      const r = await live().engine.request({ type: 'recompute', trace: { attention: true, layers: [snap.layer] } });
      row = r.trace ? newestRow(r.trace, snap.layer, snap.head) : null;
    }
    if (!row) throw new Error(ui('predict.noTrace'));
    const { tokens } = attentionKeys(live().clock.current);
    return attentionAnswer(guess, row, tokens.length >= row.length ? tokens : snap.tokens, snap.layer, snap.head, snap.choices);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  const traced = { layer: 0 }; // the layer ticks trace: the latest valid Layer
  defineInputs(main, c);
  defineLayerHead(main, c);
  defineClock(main, c, { trace: () => traceFor(traced.layer) });
  defineSelection(main, mounts.timeline);
  defineTimeline(main, mounts.timeline);
  defineTokens(main, mounts.tokens);
  main.variable(run).define('applyLayer', ['layer'], (layer: number) => {
    traced.layer = layer;
  });

  // Rows the ticks did not trace (another layer was chosen then), from one recompute per window and layer.
  const recomputed = new WeakMap<TickSummary, Map<number, AttnRow[]>>();
  main.define('view', ['engine', 'clockState', 'layer'], async (engine: Engine, state: ClockState, layer: number): Promise<AttentionView | null> => {
    const win = windowTicks(state.ticks);
    const last = win.at(-1);
    if (!last) return null;
    const rows = rowsFromTicks(state.ticks, layer);
    let extra = 0;
    if (rows.some((r) => r === null)) {
      const byLayer = recomputed.get(win[0]) ?? new Map<number, AttnRow[]>();
      recomputed.set(win[0], byLayer);
      let got = byLayer.get(layer) ?? [];
      if (rows.some((r, p) => r === null && !got[p])) {
        const res = await engine.request({ type: 'recompute', trace: traceFor(layer) });
        got = res.trace ? rowsFromTrace(res.trace, layer) : [];
        byLayer.set(layer, got);
      }
      rows.forEach((r, p) => {
        if (r === null && got[p]) {
          rows[p] = got[p];
          extra++;
        }
      });
    }
    const seq = stripTokens(state).map((t) => t.text);
    const dropped = win[0].window?.dropped ?? 0;
    const filled = rows.filter((r): r is AttnRow => r !== null);
    return { tick: last.index, layer, tokens: seq.slice(dropped, dropped + filled.length), rows: filled, recomputed: extra };
  });

  const picker = mounts['attention-stage'];
  main.define('stage', [], () => observe<Stage>((change) => {
    change('softmax');
    if (!picker) return;
    const form = stagePicker();
    picker.replaceChildren(form);
    const onChange = () => change((form.querySelector<HTMLInputElement>('input:checked')?.value ?? 'softmax') as Stage);
    form.addEventListener('change', onChange);
    return () => form.removeEventListener('change', onChange);
  }));

  const empty = () => note(ui('ch4.empty'));
  main.variable(mount(mounts.matrix)).define('matrix', ['view', 'head', 'stage', 'width'], async (view: AttentionView | null, head: number, stage: Stage, width: number) => {
    await nearViewport(mounts.matrix);
    return view ? matrixFigure(view, head, stage, width) : empty();
  });
  main.define('highlight', ['view', 'head'], (view: AttentionView | null, head: number) => observe<[number, number] | null>((change) => {
    change(view ? defaultCell(view, head) : null);
    const el = mounts.matrix;
    if (!el || !view) return;
    // The matrix's 'highlight' does not bubble; a capturing listener on the mount hears it.
    const on = (e: Event) => {
      const d = (e as CustomEvent<AttentionCell>).detail;
      if (d.query < view.rows.length && d.key <= d.query) change([d.query, d.key]);
    };
    el.addEventListener('highlight', on, { capture: true });
    return () => el.removeEventListener('highlight', on, { capture: true });
  }));
  main.variable(mount(mounts.equation)).define('equation', ['view', 'head', 'highlight'], async (view: AttentionView | null, head: number, cell: [number, number] | null) => {
    await nearViewport(mounts.equation);
    return view && cell ? equationFigure(view, head, cell) : empty();
  });
  main.variable(mount(mounts['softmax-example'])).define('softmaxExample', [], async () => {
    await nearViewport(mounts['softmax-example']);
    return softmaxExample();
  });
  definePredict(main, mounts.predict, attentionQuestion);
  return main;
}
