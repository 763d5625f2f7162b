/**
 * Causal experiments on the live model, shared by chapter 4 (switch off a head) and chapter 5
 * (skip a block): remove one part, run the latest tick's sequence again, and show what changed.
 *
 * The engine's `intervene` request runs the sequence with the part removed on a fresh cache and
 * draws from it with the latest tick's own dice; the untouched side is the latest tick's own
 * record (its candidates, its chosen token and — when its trace has every layer — its logit lens).
 * A new tick or Reset changes the clock's state, which redraws the cell and clears the result.
 *
 *   interventionView (pure: the two runs side by side) → interventionFigure (DOM)
 *   defineIntervention: the pick form, the request, the figure, in one cell
 */
import { formatDecimal, formatProb } from '../components/format.ts';
import { visibleText } from '../components/text.ts';
import type { Engine } from '../engine/engine.ts';
import type { InterventionResult, LensRows, ModelInfo, ProbChange, TickSummary, TokenGuess } from '../engine/protocol.ts';
import type { ClockState } from './clock.ts';
import { figure } from './chapter.ts';
import { h, note } from './dom.ts';
import { ui } from './intervene.strings.ts';
import { modelText, stringNodes } from './model-text.ts';
import type { Module } from './runtime.ts';

/** What is switched off: one head of one layer, or one whole block. */
export type Target = { kind: 'head'; layer: number; head: number } | { kind: 'block'; block: number };

/** How many candidates each side lists. */
export const IV_TOP = 5;
/** How many guesses per layer the lens compares (the top one is shown). */
export const IV_LENS = 5;

/** One layer where the two runs' logit lens puts a different token on top. */
export interface LensDiff {
  layer: number;
  before: TokenGuess | null;
  after: TokenGuess | null;
}

/** The untouched run beside the intervened one, all numbers from the engine. */
export interface InterventionView {
  tick: number;
  target: Target;
  draw: number | null; // the shared dice (null when greedy)
  before: { top: TokenGuess[]; chosen: TokenGuess };
  after: { top: TokenGuess[]; chosen: TokenGuess };
  changed: boolean; // the chosen token differs
  changes: ProbChange[]; // largest |Δp| first
  lens: LensDiff[]; // only the layers whose top guess differs
  layers: number; // layers compared
  checksum: string; // at load
  weightsVerified: string; // read back after the intervened run
}

/** The last position's guesses of each layer of a lens. */
const lastGuesses = (rows: LensRows[]): TokenGuess[][] => rows.map((r) => r.positions.at(-1) ?? []);

/** The latest tick's own lens at its last position, when its trace has every layer (else null: ask the engine). */
export function tickLens(latest: TickSummary, nLayer: number): TokenGuess[][] | null {
  const lens = latest.trace?.lens ?? [];
  return lens.length === nLayer ? lastGuesses(lens) : null;
}

/** The two runs side by side: the latest tick (untouched) and the engine's intervened run of its sequence. */
export function interventionView(latest: TickSummary, r: InterventionResult, target: Target, untouchedLens: TokenGuess[][]): InterventionView {
  const guess = (c: TokenGuess): TokenGuess => ({ id: c.id, text: c.text, prob: c.prob });
  const after = lastGuesses(r.lens);
  const lens: LensDiff[] = [];
  after.forEach((a, l) => {
    const b = untouchedLens[l]?.[0] ?? null;
    if (b?.id !== a[0]?.id) lens.push({ layer: r.lens[l].layer, before: b, after: a[0] ?? null });
  });
  return {
    tick: r.tick,
    target,
    draw: r.sample.draw,
    before: { top: latest.sample.candidates.slice(0, IV_TOP).map(guess), chosen: guess(latest.sample.chosen) },
    after: { top: r.sample.candidates.slice(0, IV_TOP).map(guess), chosen: guess(r.sample.chosen) },
    changed: latest.sample.id !== r.sample.id,
    changes: r.changes,
    lens,
    layers: r.lens.length,
    checksum: r.checksum,
    weightsVerified: r.weightsVerified,
  };
}

const what = (t: Target) => (t.kind === 'head' ? ui('iv.whatHead', { layer: t.layer, head: t.head }) : ui('iv.whatBlock', { block: t.block }));
const token = (g: Pick<TokenGuess, 'text'> | null) => h('code', {}, g ? modelText(`“${visibleText(g.text)}”`) : '—');
const signedProb = (d: number) => (d > 0 ? `+${formatProb(d)}` : d < 0 ? `−${formatProb(-d)}` : formatProb(0));

/** One side's most likely tokens as a small table. */
function topTable(side: string, top: TokenGuess[], cls: string): HTMLTableElement {
  return h('table', { class: `iv-top ${cls}` },
    h('caption', {}, ui('iv.topCaption', { side })),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('iv.rank')), h('th', { scope: 'col' }, ui('iv.token')), h('th', { scope: 'col' }, ui('iv.prob')))),
    h('tbody', {}, ...top.map((c, i) => h('tr', { 'data-id': c.id }, h('th', { scope: 'row' }, String(i + 1)), h('td', {}, token(c)), h('td', { class: 'num' }, formatProb(c.prob))))));
}

/** The experiment's result: the chosen token under the same dice, both top lists, Δp, the lens, the checksum. */
export function interventionFigure(v: InterventionView): HTMLElement {
  const draw = v.draw === null ? ui('iv.greedy') : ui('iv.draw', { u: formatDecimal(v.draw, 4) });
  const el = h('div', {
    class: 'intervention',
    'data-tick': v.tick,
    'data-changed': String(v.changed),
    'data-before': v.before.chosen.id,
    'data-after': v.after.chosen.id,
    'data-checksum': v.checksum,
    'data-weights-verified': v.weightsVerified,
  },
  h('p', { class: 'iv-heading' }, ui('iv.heading', { tick: v.tick, what: what(v.target) })),
  h('p', { class: `iv-chosen${v.changed ? ' iv-changed' : ''}` },
    ...stringNodes(ui, v.changed ? 'iv.chosenChanged' : 'iv.chosenSame', { draw, before: token(v.before.chosen), after: token(v.after.chosen) })),
  h('div', { class: 'iv-side' }, topTable(ui('iv.untouched'), v.before.top, 'iv-before'), topTable(ui('iv.intervened'), v.after.top, 'iv-after')),
  h('table', { class: 'iv-changes' },
    h('caption', {}, ui('iv.changesCaption')),
    h('thead', {}, h('tr', {}, ...[ui('iv.token'), ui('iv.untouched'), ui('iv.intervened'), ui('iv.delta')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...v.changes.map((c) => h('tr', { 'data-id': c.id, 'data-delta': c.delta },
      h('th', { scope: 'row' }, token(c)), h('td', { class: 'num' }, formatProb(c.before)), h('td', { class: 'num' }, formatProb(c.after)),
      h('td', { class: 'num' }, signedProb(c.delta)))))),
  v.lens.length
    ? h('table', { class: 'iv-lens' },
      h('caption', {}, ui('iv.lensCaption')),
      h('thead', {}, h('tr', {}, ...[ui('iv.lensAfter'), ui('iv.untouched'), ui('iv.intervened')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...v.lens.map((d) => h('tr', { 'data-layer': d.layer },
        h('th', { scope: 'row' }, String(d.layer)),
        h('td', {}, token(d.before), d.before ? ` ${formatProb(d.before.prob)}` : ''),
        h('td', {}, token(d.after), d.after ? ` ${formatProb(d.after.prob)}` : '')))))
    : h('p', { class: 'iv-lens-same' }, ui('iv.lensSame', { n: v.layers })),
  h('p', { class: 'iv-checksum' }, ...stringNodes(ui, 'iv.checksum', {
    before: h('code', {}, v.checksum), after: h('code', {}, v.weightsVerified), verdict: ui(v.checksum === v.weightsVerified ? 'iv.equal' : 'iv.differ'),
  })));
  return el;
}

/** A labelled select of 0 … n−1 (native: keyboard and screen readers work as everywhere). */
function numberSelect(label: string, name: string, n: number, value: number, onChange: (v: number) => void): HTMLDivElement {
  const id = `${name}-select`; // one cell of each kind on a page
  const select = h('select', { name, id }, ...Array.from({ length: n }, (_, i) => h('option', { value: i, selected: i === value }, String(i))));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return h('div', { class: 'iv-field' }, h('label', { for: id }, label), select);
}

/**
 * The cell `name`: a form picking what to switch off (layer and head, or a block) and a button
 * that asks the engine to run the latest tick's sequence without it, then the result. Redrawn
 * (so cleared) by every change of the clock: a new tick, Reset. The pick survives redraws.
 */
export function defineIntervention(main: Module, el: HTMLElement | undefined, name: string, kind: Target['kind']): void {
  const picked = { layer: 0, head: 0, block: 0 };
  figure(main, el, name, ['engine', 'model', 'clockState'], (engine: Engine, model: ModelInfo, state: ClockState) => {
    const { n_layer: L, n_head: H } = model.config;
    for (const k of ['layer', 'block'] as const) picked[k] = Math.min(picked[k], L - 1);
    picked.head = Math.min(picked.head, H - 1);
    const latest = state.ticks.at(-1);
    const out = h('div', { class: 'iv-result', 'aria-live': 'polite' }, latest ? '' : note(ui('iv.noTick')));
    const fields = kind === 'head'
      ? [numberSelect(ui('iv.layer'), 'iv-layer', L, picked.layer, (v) => (picked.layer = v)), numberSelect(ui('iv.head'), 'iv-head', H, picked.head, (v) => (picked.head = v))]
      : [numberSelect(ui('iv.block'), 'iv-block', L, picked.block, (v) => (picked.block = v))];
    const button = h('button', { type: 'submit', disabled: !latest }, ui(kind === 'head' ? 'iv.switchOff' : 'iv.skip'));
    const form = h('form', { class: 'iv-form' }, ...fields, button);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!latest) return;
      const target: Target = kind === 'head' ? { kind, layer: picked.layer, head: picked.head } : { kind, block: picked.block };
      const own = tickLens(latest, L);
      out.replaceChildren(note(ui('iv.running', { n: latest.cacheLength, what: what(target) })));
      button.disabled = true;
      try {
        const r = await engine.request({
          type: 'intervene',
          ...(target.kind === 'head' ? { heads: [[target.layer, target.head]] } : { skipBlocks: [target.block] }),
          lens: IV_LENS,
          candidates: IV_TOP,
          untouchedLens: own === null,
        });
        if (r.tick !== latest.index) return; // a newer tick came first: this cell is being redrawn
        out.replaceChildren(interventionFigure(interventionView(latest, r, target, own ?? lastGuesses(r.untouchedLens ?? []))));
      } catch (err) {
        out.replaceChildren(note(ui('iv.failed', { message: (err as Error).message })));
      } finally {
        button.disabled = false;
      }
    });
    return h('div', { class: 'iv-cell' }, form, out);
  });
}
