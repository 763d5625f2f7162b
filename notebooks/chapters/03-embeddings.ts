/**
 * Chapter 3, embeddings: each fed token's row of wte, its position's row of wpe, and their sum,
 * the residual stream entering block 0, all read from the engine's trace (trace.embeddings) of
 * every tick. The prefill traces every prompt position; each decode tick adds one row. A cell of
 * the heatmaps (or the Position and Dimension inputs) picks the numbers for the live equation
 * x_{t,c} = wte[id_t, c] + wpe[t, c].
 *
 *   inputs ─ clock ─ clockState ─ view ─┬─ heatmaps (wte rows, wpe rows, their sum)
 *   position, dimension ─ pick ─────────┴─ equation
 *   predict (which prompt token's wte row is closest to the last one's? the prefill's trace answers)
 */
import { Heatmap, HeatmapTable, heatmapDomain, type HeatmapData } from '../../components/heatmap.ts';
import { formatDecimal, formatInteger, formatValue } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer, PredictChoice } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import { controlElements, defineClock, defineInputs, stripTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { ModelInfo, TokenInfo } from '../../engine/protocol.ts';
import { modelText, tNodes } from '../model-text.ts';
import { definePredict, ticksFrom, type PredictSpec } from '../predict.ts';
import { input, InputError, mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { renderTex, texNumber, texText } from '../tex.ts';

/** How many rows (the latest positions) the heatmaps draw; their tables have the same rows. */
export const HEATMAP_ROWS = 32;

/** Every position fed so far, with its three vectors. */
export interface EmbeddingView {
  positions: number[]; // t of each row, ascending
  ids: number[]; // id_t
  texts: string[]; // the token's text
  dims: number; // C = n_embd
  token: Float32Array[]; // wte[id_t]
  position: Float32Array[]; // wpe[t]
  sum: Float32Array[]; // x_t = wte[id_t] + wpe[t]
}

/** The embeddings of every position the ticks so far have fed, from their traces. */
export function embeddingView(state: ClockState): EmbeddingView | null {
  const strip = stripTokens(state);
  const rows = new Map<number, { id: number; text: string; token: Float32Array; position: Float32Array; sum: Float32Array }>();
  let dims = 0;
  for (const t of state.ticks) {
    const e = t.trace?.embeddings;
    if (!e || !t.trace) continue;
    const [n, c] = e.shape;
    dims = c;
    for (let j = 0; j < n; j++) {
      const pos = t.trace.start + j;
      const id = t.trace.tokens[j];
      const s = strip[pos];
      rows.set(pos, {
        id,
        text: s && s.id === id ? s.text : `#${id}`,
        token: e.token.subarray(j * c, (j + 1) * c),
        position: e.position.subarray(j * c, (j + 1) * c),
        sum: e.sum.subarray(j * c, (j + 1) * c),
      });
    }
  }
  if (rows.size === 0) return null;
  const positions = [...rows.keys()].sort((a, b) => a - b);
  const at = positions.map((p) => rows.get(p)!);
  return {
    positions,
    ids: at.map((r) => r.id),
    texts: at.map((r) => r.text),
    dims,
    token: at.map((r) => r.token),
    position: at.map((r) => r.position),
    sum: at.map((r) => r.sum),
  };
}

/** The numbers of the live equation for position t and dimension c. */
export interface EmbeddingNumbers {
  position: number; // t
  dimension: number; // c
  id: number; // id_t
  text: string; // the token at t
  wte: number; // wte[id_t, c]
  wpe: number; // wpe[t, c]
  x: number; // x_{t,c}, as the engine added them (float32)
}

/** The equation's numbers, or null when position t has not been fed yet. */
export function embeddingNumbers(v: EmbeddingView, position: number, dimension: number): EmbeddingNumbers | null {
  const row = v.positions.indexOf(position);
  if (row < 0 || dimension < 0 || dimension >= v.dims) return null;
  return {
    position,
    dimension,
    id: v.ids[row],
    text: v.texts[row],
    wte: v.token[row][dimension],
    wpe: v.position[row][dimension],
    x: v.sum[row][dimension],
  };
}

const signed = (x: number) => (x < 0 ? `(${texNumber(x)})` : texNumber(x));

/** The equation lines: symbolic, the token at t, then the numbers substituted. */
export function embeddingTex(n: EmbeddingNumbers): string[] {
  const t = formatInteger(n.position);
  const c = formatInteger(n.dimension);
  return [
    String.raw`x_{t,c} = \mathrm{wte}[\mathrm{id}_t,\ c] + \mathrm{wpe}[t,\ c]`,
    String.raw`t = ${t}:\quad \mathrm{id}_{${t}} = ${formatInteger(n.id)}\ \ ${texText(`“${n.text}”`)},\qquad c = ${c}`,
    String.raw`x_{${t},${c}} = \mathrm{wte}[${formatInteger(n.id)},\ ${c}] + \mathrm{wpe}[${t},\ ${c}] = ${texNumber(n.wte)} + ${signed(n.wpe)} = ${texNumber(n.x)}`,
  ];
}

/** A whole number for Position or Dimension, below `count`. */
export function parsePick(what: 'Position' | 'Dimension', raw: string, count: number, badInput = false): number {
  const i = badInput || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new InputError(ui(what === 'Position' ? 'input.position' : 'input.dimension', { last: count - 1, count }));
  }
  return i;
}

/** The shown rows of the view (the latest HEATMAP_ROWS) as heatmap data, with labels "t: token". */
function heatmapData(v: EmbeddingView, which: 'token' | 'position' | 'sum', from: number): HeatmapData {
  return {
    rows: v.positions.slice(from).map((p, i) => `${p}:${v.texts[from + i]}`),
    values: v[which].slice(from).map((r) => Array.from(r)),
  };
}

const TITLES = {
  token: (c: number) => ui('ch3.title.token', { c }),
  position: (c: number) => ui('ch3.title.position', { c }),
  sum: (c: number) => ui('ch3.title.sum', { c }),
};

function heatmaps(v: EmbeddingView, pick: [number, number], width: number): HTMLElement {
  const from = Math.max(0, v.positions.length - HEATMAP_ROWS);
  const domain = heatmapDomain([...v.token, ...v.position, ...v.sum].map((r) => Array.from(r)));
  const row = v.positions.indexOf(pick[0]) - from;
  const el = h('div', { class: 'embeddings', 'data-rows': v.positions.length, 'data-dims': v.dims, 'data-first-position': v.positions[from] });
  for (const which of ['token', 'position', 'sum'] as const) {
    const data = heatmapData(v, which, from);
    const title = TITLES[which](v.dims);
    const caption = ui('ch3.heatmapCaption', { title, from: v.positions[from], to: v.positions.at(-1)!, lo: formatValue(-domain), hi: formatValue(domain) });
    const chart = chartWithTable(
      Heatmap(data, { width, domain, label: caption, selected: row >= 0 ? [row, pick[1]] : undefined, modelRows: true }),
      HeatmapTable(data, { caption, modelRows: true }));
    chart.dataset.which = which;
    el.append(h('h3', { class: 'heatmap-title' }, title), chart);
  }
  return el;
}

function equation(n: EmbeddingNumbers): HTMLElement {
  const el = h('div', {
    class: 'live-equation',
    'data-position': n.position,
    'data-dimension': n.dimension,
    'data-token-id': n.id,
    'data-wte': n.wte,
    'data-wpe': n.wpe,
    'data-x': n.x,
  });
  for (const line of embeddingTex(n)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ...tNodes('ch3.equationWords', {
    position: formatInteger(n.position), token: modelText(visibleText(n.text)), id: formatInteger(n.id), dimension: formatInteger(n.dimension),
    wte: formatValue(n.wte), wpe: formatValue(n.wpe), x: formatValue(n.x),
  })));
  return el;
}

/** Cosine similarity of two vectors: their dot product over the product of their lengths. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** The closest-embedding question's target (the prompt's last token) and its choices (the other distinct prompt tokens, at most `max`). */
export function closestChoices(prompt: TokenInfo[], max = 8): { target: TokenInfo; position: number; choices: PredictChoice[] } | null {
  const position = prompt.length - 1;
  const target = prompt[position];
  if (!target) return null;
  const seen = new Set([target.id]);
  const choices: PredictChoice[] = [];
  for (const tok of prompt) {
    if (seen.has(tok.id) || choices.length >= max) continue;
    seen.add(tok.id);
    choices.push({ value: String(tok.id), label: `“${visibleText(tok.text)}”` });
  }
  return choices.length >= 2 ? { target, position, choices } : null;
}

/** Each choice's cosine similarity to the target, by token id, from the prefill's token embeddings (wte rows). */
export function similarities(v: EmbeddingView, targetPosition: number, ids: number[]): { id: number; text: string; cosine: number }[] {
  const row = v.positions.indexOf(targetPosition);
  if (row < 0) return [];
  return ids.map((id) => {
    const r = v.ids.indexOf(id);
    return { id, text: v.texts[r] ?? `#${id}`, cosine: r < 0 ? NaN : cosine(v.token[row], v.token[r]) };
  }).filter((x) => Number.isFinite(x.cosine)).sort((a, b) => b.cosine - a.cosine);
}

/** The answer: the choice whose wte row points most nearly the same way as the target's. */
export function closestAnswer(guess: string, target: string, sims: { id: number; text: string; cosine: number }[]): PredictAnswer {
  const best = sims[0];
  return {
    label: `“${visibleText(best.text)}”`,
    value: String(best.id),
    match: guess === String(best.id),
    detail: ui('predict.ch3.detail', { target: visibleText(target), list: sims.map((s) => `“${visibleText(s.text)}” ${formatDecimal(s.cosine, 3)}`).join(', ') }),
  };
}

/** Which prompt token's token embedding is closest to the last prompt token's? Answered from the prefill's traced wte rows. */
export const closestQuestion: PredictSpec<{ position: number; target: string; ids: number[] }> = {
  ask: ({ state }) => {
    const c = closestChoices(state.promptTokens);
    if (!c) return ui('predict.ch3.short');
    return { choices: c.choices, context: ui('predict.ch3.context', { target: visibleText(c.target.text), position: c.position }), revealLabel: state.ticks.length ? undefined : ui('predict.runTick') };
  },
  commit: ({ state }) => {
    const c = closestChoices(state.promptTokens)!;
    return { position: c.position, target: c.target.text, ids: c.choices.map((x) => Number(x.value)) };
  },
  async reveal(guess, snap, live) {
    await ticksFrom(live().clock, 0, 1); // the prefill traces every prompt position's embeddings
    const v = embeddingView(live().clock.current);
    const sims = v ? similarities(v, snap.position, snap.ids) : [];
    if (!sims.length) throw new Error(ui('predict.noTrace'));
    return closestAnswer(guess, snap.target, sims);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c, { trace: { embeddings: true } });

  const form = mounts.pick as HTMLFormElement | undefined;
  form?.addEventListener('submit', (e) => e.preventDefault());
  const field = (name: string) => form?.querySelector<HTMLInputElement>(`[name="${name}"]`) ?? undefined;
  const positionEl = field('position');
  const dimensionEl = field('dimension');
  const numberOf = (what: 'Position' | 'Dimension', count: number) => (el: HTMLInputElement | HTMLTextAreaElement) =>
    parsePick(what, el.value, count, 'validity' in el && el.validity.badInput);
  main.define('position', ['model'], (model: ModelInfo) => (positionEl ? input(positionEl, numberOf('Position', model.config.n_positions)) : 0));
  main.define('dimension', ['model'], (model: ModelInfo) => (dimensionEl ? input(dimensionEl, numberOf('Dimension', model.config.n_embd)) : 0));
  main.define('pick', ['position', 'dimension'], (t: number, d: number): [number, number] => [t, d]);
  main.define('view', ['clockState'], (state: ClockState) => embeddingView(state));

  // Choosing a cell of any heatmap sets Position and Dimension, as if typed there.
  const set = (el: HTMLInputElement | undefined, value: number) => {
    if (!el) return;
    el.value = String(value);
    el.dispatchEvent(new (el.ownerDocument.defaultView!.Event)('input', { bubbles: true }));
  };
  let shown: EmbeddingView | null = null;
  mounts.heatmaps?.addEventListener('click', (e) => {
    const cell = (e.target as Element).closest('rect.cell');
    const row = cell?.parentElement;
    if (!cell || !row || !shown) return;
    const r = [...row.parentElement!.children].indexOf(row);
    const col = [...row.querySelectorAll('rect.cell')].indexOf(cell);
    const from = Math.max(0, shown.positions.length - HEATMAP_ROWS);
    set(positionEl, shown.positions[from + r]);
    set(dimensionEl, col);
  });

  const empty = (model: ModelInfo) => note(ui('ch3.empty', { n: model.config.n_embd }));
  main.variable(mount(mounts.heatmaps)).define('heatmaps', ['view', 'pick', 'width', 'model'], async (v: EmbeddingView | null, pick: [number, number], width: number, model: ModelInfo) => {
    await nearViewport(mounts.heatmaps);
    shown = v;
    return v ? heatmaps(v, pick, width) : empty(model);
  });
  main.variable(mount(mounts.equation)).define('equation', ['view', 'pick', 'model'], async (v: EmbeddingView | null, pick: [number, number], model: ModelInfo) => {
    await nearViewport(mounts.equation);
    if (!v) return empty(model);
    const n = embeddingNumbers(v, pick[0], pick[1]);
    if (!n) {
      return note(ui('ch3.notYet', { position: formatInteger(pick[0]), from: v.positions[0], to: v.positions.at(-1)! }));
    }
    return equation(n);
  });
  definePredict(main, mounts.predict, closestQuestion);
  return main;
}
