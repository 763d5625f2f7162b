/**
 * Chapter 1's data: the latest tick stage by stage beside a CPU's instruction cycle, what the clock
 * carries from tick to tick, and the clock rate, all shaped from the clock's state (no DOM).
 */
import { formatBytes, formatCount, formatDecimal, formatFlops, formatInteger, formatMs } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import type { ClockState } from '../../clock.ts';
import type { ModelInfo, TickSummary } from '../../../engine/protocol.ts';
import { strings as shared } from '../../strings.ts';
import { ui } from './strings.ts';

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
      cpu: ui('ch1.cpu.none'),
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
 * The read-back arrives after the tick: until then its cell says so, and the row is not "changed".
 */
export function registerRows(state: ClockState, model: ModelInfo): RegisterRow[] {
  const t = state.ticks.at(-1);
  if (!t) return [];
  const prev = state.ticks.at(-2);
  const read = (k: TickSummary) => state.verified[k.index] ?? k.weightsVerified;
  const tokensAfter = state.promptTokens.length + state.ticks.length;
  const cacheBefore = prev ? prev.cacheLength : 0;
  const bytesBefore = prev ? prev.cacheBytes : 0;
  const weightsBefore = prev ? (read(prev) ?? prev.weightsChecksum) : model.checksum;
  const weightsAfter = read(t);
  return [
    { what: ui('ch1.reg.tokens'), before: formatInteger(tokensAfter - 1), after: formatInteger(tokensAfter), changed: true },
    { what: ui('ch1.reg.cachePositions'), before: formatInteger(cacheBefore), after: formatInteger(t.cacheLength), changed: cacheBefore !== t.cacheLength },
    { what: ui('ch1.reg.cacheMemory'), before: formatBytes(bytesBefore), after: formatBytes(t.cacheBytes), changed: bytesBefore !== t.cacheBytes },
    { what: ui('ch1.reg.weights', { n: formatCount(model.params) }), before: weightsBefore, after: weightsAfter ?? shared('cells.readingBack'), changed: weightsAfter !== undefined && weightsBefore !== weightsAfter },
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
