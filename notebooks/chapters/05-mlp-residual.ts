/**
 * Chapter 5, the MLP, LayerNorm and the residual stream, for the newest position of the latest
 * tick, all read from the engine's trace: one MLP unit's GELU as a live equation (its input and
 * output from trace.layers[l].mlpIn / mlp), the residual stream entering block 0 and after each
 * block (a heatmap), and the logit lens (what the model would guess after each layer).
 *
 *   inputs ─ clock ─ clockState ─ view ─┬─ residual, lens
 *   layer, unit ─ pick ─────────────────┴─ equation
 *   predict (after which block does the final guess first come out on top? the next tick's lens answers)
 */
import { Heatmap, HeatmapTable, type HeatmapData } from '../../components/heatmap.ts';
import { formatInteger, formatProb, formatValue } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import { controlElements, defineClock, defineInputs, stripTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import { modelText, tNodes } from '../model-text.ts';
import type { ModelInfo, TokenGuess } from '../../engine/protocol.ts';
import { definePredict, ticksFrom, type PredictSpec } from '../predict.ts';
import { input, InputError, mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { renderTex, texNumber, texText } from '../tex.ts';

/** How many guesses per layer the logit lens reports. */
export const LENS_TOP = 5;

/** The newest position of the latest tick, layer by layer. */
export interface LayerView {
  tick: number;
  position: number; // t of the newest fed token
  id: number;
  text: string;
  dims: number; // C
  hidden: number; // 4C
  embedding: Float32Array; // the residual stream entering block 0
  residual: Float32Array[]; // after block l
  mlpIn: Float32Array[]; // GELU input of block l
  mlp: Float32Array[]; // GELU output of block l
  lens: TokenGuess[][]; // per layer, best first
}

/** The view of the latest traced tick, or null before any. */
export function layerView(state: ClockState): LayerView | null {
  const tick = [...state.ticks].reverse().find((t) => t.trace?.layers?.length && t.trace.embeddings);
  const tr = tick?.trace;
  if (!tick || !tr?.layers || !tr.embeddings) return null;
  const T = tr.tokens.length;
  const j = T - 1;
  const [, C] = tr.embeddings.shape;
  const row = (a: Float32Array | undefined, n: number) => (a ? a.subarray(j * (a.length / T), j * (a.length / T) + n) : new Float32Array(n));
  const hidden = tr.layers[0].mlp ? tr.layers[0].mlp.length / T : 4 * C;
  const position = tr.start + j;
  const id = tr.tokens[j];
  const s = stripTokens(state)[position];
  return {
    tick: tick.index,
    position,
    id,
    text: s && s.id === id ? s.text : `#${id}`,
    dims: C,
    hidden,
    embedding: tr.embeddings.sum.subarray(j * C, (j + 1) * C),
    residual: tr.layers.map((l) => row(l.residual, C)),
    mlpIn: tr.layers.map((l) => row(l.mlpIn, hidden)),
    mlp: tr.layers.map((l) => row(l.mlp, hidden)),
    lens: tr.lens.map((l) => l.positions[j] ?? []),
  };
}

/** The numbers of the live GELU equation for one unit of one layer's MLP. */
export interface GeluNumbers {
  layer: number;
  unit: number;
  position: number;
  text: string;
  x: number; // the unit's input, from the engine
  cube: number; // 0.044715·x³
  inner: number; // √(2/π)·(x + 0.044715·x³)
  tanh: number; // tanh(inner)
  y: number; // the engine's GELU output
}

/** GELU, tanh form, in float64: what the engine's float32 output is compared with. */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

export function geluNumbers(v: LayerView, layer: number, unit: number): GeluNumbers | null {
  if (layer < 0 || layer >= v.mlp.length || unit < 0 || unit >= v.hidden) return null;
  const x = v.mlpIn[layer][unit];
  const cube = 0.044715 * x ** 3;
  const inner = Math.sqrt(2 / Math.PI) * (x + cube);
  return { layer, unit, position: v.position, text: v.text, x, cube, inner, tanh: Math.tanh(inner), y: v.mlp[layer][unit] };
}

const signed = (x: number) => (x < 0 ? `(${texNumber(x)})` : texNumber(x));

/** The equation lines: symbolic, then this unit's numbers substituted. */
export function geluTex(n: GeluNumbers): string[] {
  return [
    String.raw`\operatorname{GELU}(x) = \tfrac12\,x\left(1 + \tanh\!\left(\sqrt{2/\pi}\,\bigl(x + 0.044715\,x^3\bigr)\right)\right)`,
    String.raw`${ui('ch5.tex.where', { layer: n.layer, unit: formatInteger(n.unit) })},\ t = ${formatInteger(n.position)}\ ${texText(`“${n.text}”`)}:\quad x = ${texNumber(n.x)}`,
    String.raw`\sqrt{2/\pi}\,\bigl(${texNumber(n.x)} + ${signed(n.cube)}\bigr) = ${texNumber(n.inner)},\qquad \tanh(${texNumber(n.inner)}) = ${texNumber(n.tanh)}`,
    String.raw`\operatorname{GELU}(${texNumber(n.x)}) = \tfrac12 \cdot ${signed(n.x)} \cdot \bigl(1 + ${signed(n.tanh)}\bigr) = ${texNumber(n.y)}`,
  ];
}

/** A whole number for Layer or Unit, below `count`. */
export function parsePick(what: 'Block' | 'Unit', raw: string, count: number, badInput = false): number {
  const i = badInput || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new InputError(ui(what === 'Block' ? 'ch5.pick.block' : 'ch5.pick.unit', { max: count - 1, count }));
  }
  return i;
}

/** The residual stream of the newest position as heatmap rows: entering block 0, then after each block. */
export function residualData(v: LayerView): HeatmapData {
  return {
    rows: [ui('ch5.row.embedding'), ...v.residual.map((_, l) => ui('ch5.row.after', { block: l }))],
    values: [Array.from(v.embedding), ...v.residual.map((r) => Array.from(r))],
  };
}

function residual(v: LayerView, width: number): HTMLElement {
  const data = residualData(v);
  const params = { position: v.position, token: visibleText(v.text), tick: v.tick, dims: v.dims, blocks: v.residual.length };
  const caption = ui('ch5.residual.caption', params);
  const el = chartWithTable(Heatmap(data, { width, label: caption }), HeatmapTable(data, { caption }));
  el.classList.add('residual');
  el.dataset.tick = String(v.tick);
  el.dataset.position = String(v.position);
  el.prepend(h('p', { class: 'cell-caption' }, ...tNodes('ch5.residual.caption', { ...params, token: modelText(params.token) })));
  return el;
}

function lens(v: LayerView): HTMLElement {
  const k = Math.max(0, ...v.lens.map((l) => l.length));
  const caption = tNodes('ch5.lens.caption', { position: v.position, token: modelText(visibleText(v.text)), tick: v.tick, k });
  return h('table', { class: 'lens', 'data-tick': v.tick, 'data-lens': JSON.stringify(v.lens.map((l) => l.map((c) => ({ id: c.id, prob: c.prob })))) },
    h('caption', {}, ...caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('ch5.lens.after')), ...Array.from({ length: k }, (_, r) => h('th', { scope: 'col' }, ui('ch5.lens.guess', { n: r + 1 }))))),
    h('tbody', {}, ...v.lens.map((l, i) => h('tr', {},
      h('th', { scope: 'row' }, String(i)),
      ...l.map((c) => h('td', {}, h('code', {}, `“${visibleText(c.text)}”`), ` ${formatProb(c.prob)}`))))));
}

function equation(n: GeluNumbers): HTMLElement {
  const el = h('div', {
    class: 'live-equation',
    'data-layer': n.layer,
    'data-unit': n.unit,
    'data-position': n.position,
    'data-x': n.x,
    'data-y': n.y,
  });
  for (const line of geluTex(n)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ...tNodes(n.x < 0 ? 'ch5.gelu.negative' : 'ch5.gelu.positive', {
    layer: n.layer, unit: formatInteger(n.unit), x: formatValue(n.x), token: modelText(visibleText(n.text)), y: formatValue(n.y),
  })));
  return el;
}

/** The first block after which the lens's top guess is already the final block's (null without a lens). */
export function firstOnTop(lens: TokenGuess[][]): number | null {
  const final = lens.at(-1)?.[0];
  if (!final) return null;
  const l = lens.findIndex((g) => g[0]?.id === final.id);
  return l < 0 ? null : l;
}

/** The answer: the first block whose top guess is the final one, with every block's top guess. */
export function lensAnswer(guess: string, v: LayerView): PredictAnswer | null {
  const first = firstOnTop(v.lens);
  if (first === null) return null;
  const final = v.lens.at(-1)![0];
  return {
    label: ui('predict.ch5.block', { block: first }),
    value: String(first),
    match: guess === String(first),
    detail: ui('predict.ch5.detail', {
      position: v.position, token: visibleText(v.text), final: visibleText(final.text), p: formatProb(final.prob),
      tops: v.lens.map((g, l) => `${l}: “${visibleText(g[0]?.text ?? '')}”`).join(', '),
    }),
  };
}

/** After which block does the model's final guess first come out on top in the logit lens? Answered from the next tick's lens. */
export const lensQuestion: PredictSpec<{ from: number }> = {
  ask: ({ model, state }) => ({
    choices: Array.from({ length: model.config.n_layer }, (_, l) => ({ value: String(l), label: ui('predict.ch5.block', { block: l }) })),
    context: state.ticks.length ? ui('predict.ch5.context', { tokens: state.promptTokens.length + state.ticks.length }) : ui('predict.ch5.contextPrefill'),
    revealLabel: ui('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    await ticksFrom(live().clock, from, 1);
    const state = live().clock.current;
    const v = layerView({ ...state, ticks: state.ticks.slice(0, from + 1) });
    const a = v && v.tick === state.ticks[from].index ? lensAnswer(guess, v) : null;
    if (!a) throw new Error(ui('predict.noTrace'));
    return a;
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c, { trace: { embeddings: true, mlp: true, residual: true, lens: LENS_TOP } });

  const form = mounts.pick as HTMLFormElement | undefined;
  form?.addEventListener('submit', (e) => e.preventDefault());
  const field = (name: string) => form?.querySelector<HTMLInputElement>(`[name="${name}"]`) ?? undefined;
  const layerEl = field('block');
  const unitEl = field('unit');
  const numberOf = (what: 'Block' | 'Unit', count: number) => (el: HTMLInputElement | HTMLTextAreaElement) =>
    parsePick(what, el.value, count, 'validity' in el && el.validity.badInput);
  main.define('block', ['model'], (model: ModelInfo) => (layerEl ? input(layerEl, numberOf('Block', model.config.n_layer)) : 0));
  main.define('unit', ['model'], (model: ModelInfo) => (unitEl ? input(unitEl, numberOf('Unit', 4 * model.config.n_embd)) : 0));
  main.define('view', ['clockState'], (state: ClockState) => layerView(state));

  const empty = () => note(ui('ch5.empty'));
  main.variable(mount(mounts.residual)).define('residual', ['view', 'width'], async (v: LayerView | null, width: number) => {
    await nearViewport(mounts.residual);
    return v ? residual(v, width) : empty();
  });
  main.variable(mount(mounts.lens)).define('lens', ['view'], async (v: LayerView | null) => {
    await nearViewport(mounts.lens);
    return v ? lens(v) : empty();
  });
  main.variable(mount(mounts.equation)).define('equation', ['view', 'block', 'unit'], async (v: LayerView | null, layer: number, unit: number) => {
    await nearViewport(mounts.equation);
    const n = v && geluNumbers(v, layer, unit);
    return n ? equation(n) : empty();
  });
  definePredict(main, mounts.predict, lensQuestion);
  return main;
}
