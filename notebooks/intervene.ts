/**
 * Causal experiments on the live model, shared by chapter 4 (switch off a head) and chapter 5
 * (skip a block): remove one part, run the latest tick's sequence again, and show what changed.
 * Or remove it from now on: the clock goes back to the latest tick and runs on with the part
 * removed (Clock.intervene), the engine running the untouched run beside it tick for tick; the
 * two texts and each tick's token and probability are shown side by side until Back or Reset.
 *
 * The engine's `intervene` request runs the sequence with the part removed on a fresh cache and
 * draws from it with the latest tick's own dice; the untouched side is the latest tick's own
 * record (its candidates, its chosen token and — when its trace has every layer — its logit lens).
 * A new tick or Reset changes the clock's state, which redraws the cell and clears the result.
 *
 *   interventionView (pure: the two runs side by side) → interventionFigure (DOM)
 *   lastingView (pure: the runs from the intervention's tick on) → lastingFigure (DOM)
 *   defineIntervention: the pick form, the request, the figure, in one cell
 */
import { formatDecimal, formatProb } from '../components/format.ts';
import { visibleText } from '../components/text.ts';
import type { Engine } from '../engine/engine.ts';
import type { InterventionResult, LensRows, ModelInfo, ProbChange, TickSummary, TokenGuess } from '../engine/protocol.ts';
import type { Clock, ClockIntervention, ClockState } from './clock.ts';
import { interventionMarker } from './cells.ts';
import { figure } from './chapter.ts';
import { h, note } from './dom.ts';
import { ui } from './intervene.strings.ts';
import { modelText, stringNodes } from './model-text.ts';
import type { Module } from './runtime.ts';

/** What is switched off: one head of one layer, or one whole block. */
export type Target = { kind: 'head'; layer: number; head: number } | { kind: 'block'; block: number };

/** For how long: the latest tick run again once, or every tick from the latest on. */
export type Span = 'once' | 'lasting';

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

/** One tick of both runs from the intervention's tick on: the token each chose, with its probability. */
export interface LastingRow {
  index: number;
  untouched: TokenGuess | null; // null: the untouched run has not reached this tick
  intervened: TokenGuess;
  differs: boolean; // the chosen tokens differ
}

/** The intervened run beside the untouched one, from the intervention's tick on (numbers from the engine). */
export interface LastingView {
  from: number;
  targets: Target[];
  marker: string; // as the status line and the tick bar say it
  rows: LastingRow[];
  differ: number[]; // the ticks whose chosen tokens differ
}

/** The parts an intervention removed, as targets. */
export const targetsOf = (iv: Pick<ClockIntervention, 'heads' | 'skipBlocks'>): Target[] => [
  ...(iv.heads ?? []).map(([layer, head]): Target => ({ kind: 'head', layer, head })),
  ...(iv.skipBlocks ?? []).map((block): Target => ({ kind: 'block', block })),
];

/** The two runs of a clock with an intervention, tick by tick from its first tick (null without one). */
export function lastingView(state: ClockState): LastingView | null {
  const iv = state.intervention;
  if (!iv) return null;
  const guess = (t: TickSummary): TokenGuess => ({ id: t.id, text: t.piece.text, prob: t.prob });
  const rows = state.ticks.slice(iv.from).map((t, i): LastingRow => {
    const u = iv.untouched[i];
    return { index: t.index, untouched: u ? guess(u) : null, intervened: guess(t), differs: !!u && u.id !== t.id };
  });
  return { from: iv.from, targets: targetsOf(iv), marker: interventionMarker(iv), rows, differ: rows.filter((r) => r.differs).map((r) => r.index) };
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

/** The weights' checksum line: at load, and read back from the backend (null: not yet). */
function checksumLine(atLoad: string, verified: string | null, idle: boolean): HTMLElement {
  if (verified === null) return h('p', { class: 'iv-checksum' }, ...stringNodes(ui, idle ? 'iv.verifying' : 'iv.checksumLater', { before: h('code', {}, atLoad) }));
  return h('p', { class: 'iv-checksum', 'data-checksum': atLoad, 'data-weights-verified': verified }, ...stringNodes(ui, 'iv.checksum', {
    before: h('code', {}, atLoad), after: h('code', {}, verified), verdict: ui(atLoad === verified ? 'iv.equal' : 'iv.differ'),
  }));
}

/** One run's text from the intervention's tick on, a span per token; the tokens where the runs differ marked. */
function runText(rows: LastingRow[], side: 'untouched' | 'intervened'): HTMLElement {
  return h('p', { class: `iv-text iv-text-${side}`, translate: 'no' }, ...rows.map((r) => {
    const g = r[side];
    return g ? h(r.differs ? 'mark' : 'span', { 'data-tick': r.index, class: r.differs ? 'iv-diff' : undefined }, visibleText(g.text)) : '';
  }));
}

/**
 * The intervention from now on, while it lasts: the marker and Back, how many ticks chose another
 * token, both texts with those tokens marked, and the table of every tick (the text alternative).
 */
export function lastingFigure(v: LastingView, opts: { idle: boolean; onBack: () => void; checksum: string; verified: string | null }): HTMLElement {
  const back = h('button', { type: 'button', class: 'iv-back', disabled: !opts.idle }, ui('iv.back'));
  back.addEventListener('click', opts.onBack);
  const whats = v.targets.map(what).join(', ');
  const cell = (g: TokenGuess | null) => h('td', {}, ...(g ? [token(g), ' ', h('span', { class: 'iv-p' }, formatProb(g.prob))] : [ui('iv.notYet')]));
  const compared = v.rows.filter((r) => r.untouched).length;
  return h('div', { class: 'iv-lasting', 'data-from': v.from, 'data-ticks': v.rows.length, 'data-differ': JSON.stringify(v.differ) },
    h('div', { class: 'iv-marker' }, h('p', { role: 'status' }, h('strong', {}, v.marker)), back),
    h('p', { class: 'iv-summary' }, v.differ.length
      ? ui('iv.summaryDiffer', { n: compared, d: v.differ.length, first: v.differ[0] })
      : ui('iv.summarySame', { n: compared })),
    h('div', { class: 'iv-texts' },
      h('p', { class: 'iv-label' }, ui('iv.untouchedFrom', { from: v.from })), runText(v.rows, 'untouched'),
      h('p', { class: 'iv-label' }, ui('iv.intervenedFrom', { what: whats, from: v.from })), runText(v.rows, 'intervened')),
    h('div', { class: 'table-scroll' }, h('table', { class: 'iv-ticks' },
      h('caption', {}, ui('iv.ticksCaption')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, ui('iv.tick')),
        h('th', { scope: 'col' }, ui('iv.untouched')),
        h('th', { scope: 'col' }, ui('iv.intervened')),
        h('th', { scope: 'col' }, ui('iv.sameToken')))),
      h('tbody', {}, ...v.rows.map((r) => h('tr', {
        'data-tick': r.index, 'data-untouched': r.untouched?.id ?? '', 'data-intervened': r.intervened.id, class: r.differs ? 'iv-changed' : undefined,
      },
      h('th', { scope: 'row' }, String(r.index)), cell(r.untouched), cell(r.intervened),
      h('td', {}, r.untouched ? ui(r.differs ? 'iv.differs' : 'iv.same') : '—')))))),
    checksumLine(opts.checksum, opts.verified, opts.idle));
}

/** A labelled select of 0 … n−1 (native: keyboard and screen readers work as everywhere). */
function numberSelect(label: string, name: string, n: number, value: number, onChange: (v: number) => void): HTMLDivElement {
  const id = `${name}-select`; // one cell of each kind on a page
  const select = h('select', { name, id }, ...Array.from({ length: n }, (_, i) => h('option', { value: i, selected: i === value }, String(i))));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return h('div', { class: 'iv-field' }, h('label', { for: id }, label), select);
}

/** The span radios: the latest tick once, or from now on (native radios: arrows move between them). */
function spanField(kind: Target['kind'], value: Span, onChange: (v: Span) => void): HTMLFieldSetElement {
  const name = `iv-span-${kind}`;
  const radio = (v: Span, key: 'iv.spanOnce' | 'iv.spanLasting') => {
    const input = h('input', { type: 'radio', name, value: v, checked: v === value });
    input.addEventListener('change', () => input.checked && onChange(v));
    return h('label', { class: 'iv-choice' }, input, ` ${ui(key)}`);
  };
  return h('fieldset', { class: 'iv-span' }, h('legend', {}, ui('iv.span')), radio('once', 'iv.spanOnce'), radio('lasting', 'iv.spanLasting'));
}

/**
 * The cell `name`: a form picking what to switch off (layer and head, or a block) and for how long,
 * and a button. Once: the engine runs the latest tick's sequence without the part, then the result
 * (redrawn, so cleared, by every change of the clock: a new tick, Reset). From now on: the clock
 * goes back to the latest tick and runs on without it; while that lasts the cell shows both runs
 * (lastingFigure) in place of the form, until Back or Reset. The picks survive redraws.
 */
export function defineIntervention(main: Module, el: HTMLElement | undefined, name: string, kind: Target['kind']): void {
  const picked = { layer: 0, head: 0, block: 0, span: 'once' as Span };
  let verified: { ticks: number; from: number; checksum: string } | null = null; // the weights read back while an intervention lasts
  figure(main, el, name, ['engine', 'model', 'clockState', 'clock'], (engine: Engine, model: ModelInfo, state: ClockState, clock: Clock) => {
    const { n_layer: L, n_head: H } = model.config;
    for (const k of ['layer', 'block'] as const) picked[k] = Math.min(picked[k], L - 1);
    picked.head = Math.min(picked.head, H - 1);
    const latest = state.ticks.at(-1);
    const idle = !state.playing && !state.busy;
    const lasting = lastingView(state);
    if (lasting) {
      const mine = verified && verified.from === lasting.from && verified.ticks === state.ticks.length ? verified.checksum : null;
      const shown = lastingFigure(lasting, { idle, onBack: () => void clock.back(), checksum: model.checksum, verified: mine });
      const wrap = h('div', { class: 'iv-cell', 'aria-live': 'polite' }, shown);
      if (idle && mine === null) {
        const ticks = state.ticks.length;
        void engine.request({ type: 'verifyChecksum' }).then(({ checksum }) => {
          verified = { ticks, from: lasting.from, checksum };
          shown.querySelector('.iv-checksum')?.replaceWith(checksumLine(model.checksum, checksum, true));
        }, () => undefined);
      }
      return wrap;
    }
    verified = null;
    const out = h('div', { class: 'iv-result', 'aria-live': 'polite' }, latest ? '' : note(ui('iv.noTick')));
    const fields = kind === 'head'
      ? [numberSelect(ui('iv.layer'), 'iv-layer', L, picked.layer, (v) => (picked.layer = v)), numberSelect(ui('iv.head'), 'iv-head', H, picked.head, (v) => (picked.head = v))]
      : [numberSelect(ui('iv.block'), 'iv-block', L, picked.block, (v) => (picked.block = v))];
    const button = h('button', { type: 'submit', disabled: !latest }, ui(kind === 'head' ? 'iv.switchOff' : 'iv.skip'));
    const form = h('form', { class: 'iv-form' }, ...fields, spanField(kind, picked.span, (v) => (picked.span = v)), button);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!latest) return;
      const target: Target = kind === 'head' ? { kind, layer: picked.layer, head: picked.head } : { kind, block: picked.block };
      const part = target.kind === 'head' ? { heads: [[target.layer, target.head]] as [number, number][] } : { skipBlocks: [target.block] };
      button.disabled = true;
      if (picked.span === 'lasting') {
        out.replaceChildren(note(ui('iv.starting', { tick: latest.index, what: what(target) })));
        try {
          await clock.intervene(latest.index, part); // the clock's new state redraws this cell
        } catch (err) {
          out.replaceChildren(note(ui('iv.failed', { message: (err as Error).message })));
          button.disabled = false;
        }
        return;
      }
      const own = tickLens(latest, L);
      out.replaceChildren(note(ui('iv.running', { n: latest.cacheLength, what: what(target) })));
      try {
        const r = await engine.request({ type: 'intervene', ...part, lens: IV_LENS, candidates: IV_TOP, untouchedLens: own === null });
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
