/**
 * Chapter 1, the clock: inference as a loop of ticks. Each tick reads the context, runs the
 * layers, turns logits into probabilities and appends one token — like a CPU's fetch, decode,
 * execute, write back. Between ticks the token sequence and the KV cache change; the weights do
 * not (their checksum is re-read from the backend after every tick). The clock rate is measured.
 *
 *   inputs ─ clock ─ clockState ─┬─ timeline, tokens
 *                                ├─ cycle (the latest tick, stage by stage)
 *                                ├─ registers (what changed, what did not)
 *                                ├─ rate (ticks per second)
 *                                └─ predict (guess the next token, then run the tick)
 */
import { formatBytes, formatCount, formatDecimal, formatFlops, formatInteger, formatMs, formatProb } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import { withModelText, type PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import { words } from '../../components/words.strings.ts';
import { controlElements, defineClock, defineInputs, defineSelection, defineTimeline, defineTokens, kindName } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { h, note } from '../dom.ts';
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';
import { definePredict, sameText, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** One row of the side-by-side: a CPU stage, the tick's stage, and what this tick did there. */
export interface CycleRow {
  cpu: string;
  tick: string;
  measured: string;
}

/** The latest tick, stage by stage, beside a CPU's instruction cycle. */
export function cycleRows(t: TickSummary, model: ModelInfo, contextTokens: number): CycleRow[] {
  const c = model.config;
  const s = t.sample;
  const settings = s.sampling.temperature === 0 ? ui('ch1.greedy') : `T = ${s.sampling.temperature}`;
  return [
    {
      cpu: ui('ch1.cpu.fetch'),
      tick: ui('ch1.tick.fetch'),
      measured: ui(t.fed === 1 ? 'ch1.measured.fetch.one' : 'ch1.measured.fetch.other', { fed: formatInteger(t.fed), position: formatInteger(t.position) }),
    },
    {
      cpu: ui('ch1.cpu.execute'),
      tick: ui('ch1.tick.layers'),
      measured: ui('ch1.measured.layers', { layers: c.n_layer, heads: c.n_head, flops: formatFlops(t.flops), ms: formatMs(t.ms.forward) }),
    },
    {
      cpu: ui('ch1.cpu.result'),
      tick: ui('ch1.tick.probs'),
      measured: ui('ch1.measured.probs', { vocab: formatInteger(s.vocabSize), settings, kept: formatInteger(s.keptTopP), ms: formatMs(t.ms.sample) }),
    },
    {
      cpu: ui('ch1.cpu.writeBack'),
      tick: ui('ch1.tick.pick'),
      measured: ui('ch1.measured.pick', {
        draw: t.draw === null ? ui('ch1.noDraw') : `u = ${formatDecimal(t.draw, 4)}`, token: visibleText(t.piece.text), id: formatInteger(t.id), n: formatInteger(contextTokens),
      }),
    },
  ];
}

/** One row of "what the clock carries": a quantity before and after the latest tick. */
export interface RegisterRow {
  what: string;
  before: string;
  after: string;
  changed: boolean;
}

/**
 * What changed during the latest tick and what did not: tokens and the KV cache grow; the
 * weights' checksum after the tick (re-read from the backend) equals the one taken at load.
 */
export function registerRows(state: ClockState, model: ModelInfo): RegisterRow[] {
  const t = state.ticks.at(-1);
  if (!t) return [];
  const prev = state.ticks.at(-2);
  const tokensAfter = state.promptTokens.length + state.ticks.length;
  const cacheBefore = prev ? prev.cacheLength : 0;
  const bytesBefore = prev ? prev.cacheBytes : 0;
  const weightsBefore = prev ? (prev.weightsVerified ?? prev.weightsChecksum) : model.checksum;
  const weightsAfter = t.weightsVerified ?? t.weightsChecksum;
  return [
    { what: ui('ch1.reg.tokens'), before: formatInteger(tokensAfter - 1), after: formatInteger(tokensAfter), changed: true },
    { what: ui('ch1.reg.cachePositions'), before: formatInteger(cacheBefore), after: formatInteger(t.cacheLength), changed: cacheBefore !== t.cacheLength },
    { what: ui('ch1.reg.cacheMemory'), before: formatBytes(bytesBefore), after: formatBytes(t.cacheBytes), changed: bytesBefore !== t.cacheBytes },
    { what: ui('ch1.reg.weights', { n: formatCount(model.params) }), before: weightsBefore, after: weightsAfter, changed: weightsBefore !== weightsAfter },
  ];
}

/** The clock rate, measured. */
export interface ClockRate {
  decodeTicks: number; // decode ticks measured (the latest, up to `window`)
  msPerTick: number; // their mean engine time
  ticksPerSecond: number; // 1000 / msPerTick
  prefillMs: number | null; // the prefill tick's time, when it is in the session
  wallTicksPerSecond: number | null; // end to end (worker round trip and drawing included), over the latest Play run
}

/** Ticks per second from the ticks' own measured times, and from the page's clock while playing. */
export function clockRate(state: ClockState, window = 16): ClockRate | null {
  const decode = state.ticks.filter((t) => t.kind === 'decode').slice(-window);
  const prefill = state.ticks.find((t) => t.kind === 'prefill');
  if (decode.length === 0) return null;
  const msPerTick = decode.reduce((a, t) => a + t.ms.total, 0) / decode.length;
  let wallTicksPerSecond: number | null = null;
  const run = state.playStart;
  if (run !== null && state.ticks.length - run >= 3) {
    const wall = state.wallMs.slice(run).slice(-window);
    wallTicksPerSecond = ((wall.length - 1) * 1000) / (wall[wall.length - 1] - wall[0]);
  }
  return { decodeTicks: decode.length, msPerTick, ticksPerSecond: 1000 / msPerTick, prefillMs: prefill ? prefill.ms.total : null, wallTicksPerSecond };
}

/** The end of the text so far (prompt and generated), as the next-token question quotes it. */
export function textTail(state: ClockState, chars = 48): string {
  const text = [...(state.prompt + state.ticks.map((t) => t.text).join(''))];
  return (text.length > chars ? '…' : '') + text.slice(-chars).join('');
}

/** The answer to "which token comes next?": the token tick `t` wrote, and where the reader's guess stood among its candidates. */
export function nextTokenAnswer(guess: string, t: TickSummary): PredictAnswer {
  const match = sameText(guess, t.piece.text);
  const mine = t.sample.candidates.find((c) => sameText(c.text, guess));
  const parts = [ui('predict.ch1.picked', { index: t.index, rank: formatInteger(t.rank + 1), p: formatProb(t.sample.chosen.prob) })];
  if (!match) {
    parts.push(mine
      ? ui('predict.ch1.yoursRanked', { guess: visibleText(mine.text), rank: formatInteger(mine.rank + 1), p: formatProb(mine.prob) })
      : ui('predict.ch1.yoursMissing', { n: t.sample.candidates.length }));
  }
  return { label: `“${visibleText(t.piece.text)}”`, match, detail: parts.join(' ') };
}

/** Which token will the next tick write? The reader types it; the answer is the tick run after the commit. */
export const nextTokenQuestion: PredictSpec<{ from: number }> = {
  ask: ({ state }) => ({
    input: { type: 'text', label: ui('predict.ch1.label') },
    context: withModelText(ui('predict.ch1.context'), { tail: textTail(state) }), // the tail is the model's text (and the reader's prompt)
    revealLabel: ui('predict.runTick'),
  }),
  commit: ({ state }) => ({ from: state.ticks.length }),
  async reveal(guess, { from }, live) {
    const [t] = await ticksFrom(live().clock, from, 1);
    return nextTokenAnswer(guess, t);
  },
};

function table(caption: string, head: string[], rows: (string | Node)[][], rowClass?: (i: number) => string | null): HTMLTableElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r, i) => h('tr', { class: rowClass?.(i) ?? null }, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, x))))));
}

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c, { verifyWeights: true });
  defineSelection(main, mounts.timeline);
  defineTimeline(main, mounts.timeline);
  defineTokens(main, mounts.tokens);

  main.variable(mount(mounts.cycle)).define('cycle', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.cycle);
    const t = state.ticks.at(-1);
    if (!t) return note(ui('ch1.cycleEmpty'));
    const rows = cycleRows(t, model, state.promptTokens.length + state.ticks.length);
    return table(ui('ch1.cycleCaption', { index: t.index, kind: kindName(t.kind) }),
      [ui('ch1.col.cpu'), ui('ch1.col.tick'), ui('ch1.col.did', { index: t.index })], rows.map((r) => [r.cpu, r.tick, r.measured]));
  });
  main.variable(mount(mounts.registers)).define('registers', ['clockState', 'model'], async (state: ClockState, model: ModelInfo) => {
    await nearViewport(mounts.registers);
    const rows = registerRows(state, model);
    const t = state.ticks.at(-1);
    if (!t) return note(ui('ch1.registersEmpty', { checksum: model.checksum }));
    const el = table(ui('ch1.registersCaption', { index: t.index }), [ui('ch1.col.quantity'), ui('ch1.col.before'), ui('ch1.col.after'), ui('ch1.col.changed')],
      rows.map((r) => [r.what, r.before, r.after, words(r.changed ? 'common.yes' : 'common.no')]), (i) => (rows[i].changed ? 'changed' : 'unchanged'));
    el.dataset.weightsAtLoad = model.checksum;
    el.dataset.weightsNow = t.weightsVerified ?? t.weightsChecksum;
    return el;
  });
  main.variable(mount(mounts.rate)).define('rate', ['clockState'], async (state: ClockState) => {
    await nearViewport(mounts.rate);
    const r = clockRate(state);
    if (!r) return note(ui('ch1.rateEmpty'));
    const p = h('p', { class: 'clock-rate', 'data-ticks-per-second': r.ticksPerSecond },
      h('strong', {}, ui('ch1.rate.perSecond', { n: formatCount(Math.round(r.ticksPerSecond)) })),
      ui('ch1.rate.mean', { ms: formatMs(r.msPerTick), n: r.decodeTicks }),
      r.prefillMs === null ? '' : ui('ch1.rate.prefill', { ms: formatMs(r.prefillMs) }),
      r.wallTicksPerSecond === null ? '' : ui('ch1.rate.wall', { n: formatCount(Math.round(r.wallTicksPerSecond)) }));
    return p;
  });
  definePredict(main, mounts.predict, nextTokenQuestion);
  return main;
}
