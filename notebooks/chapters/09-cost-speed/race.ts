/**
 * Chapter 9's class race: one device's measured speed as a short line of text a teacher can
 * collect from every device in a room (a chat, a form, a shared document), and the class's lines
 * read back and set side by side. Pure: numbers in, a line out, and back; every line read is
 * checked strictly and refused with a reason, never trusted (it is shown as text only).
 *
 * A line: `tokenclock-race 1 model=gutenberg-4m backend=wasm decode=34.5 prefill=812 recompute=9.1 context=12 name=Ana's laptop`
 *   decode: tokens per second over the latest decode ticks (forward time, median)
 *   prefill: prompt tokens per second of the prefill tick
 *   recompute: how many times longer the latest text takes without the KV cache (one timed
 *     recompute of the cached positions ÷ the decode ticks' median forward time), at `context` positions
 *   name: whatever the reader typed (the rest of the line), for the teacher to tell devices apart
 */
import type { TickSummary } from '../../../engine/protocol.ts';

export const RACE_TAG = 'tokenclock-race';
export const RACE_VERSION = 1;
export const RACE_NAME_CHARS = 40;
export const RACE_LINES = 200; // lines read at most from one paste

export interface RaceResult {
  model: string;
  backend: string;
  decode: number; // tokens per second
  prefill: number; // tokens per second
  recompute: number; // × longer without the cache
  context: number; // positions the recompute ran
  name: string;
}

/** The median of some numbers (NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The decode ticks' median forward ms and the prefill's tokens per second, from a run's ticks (null before a decode tick). */
export function raceTimes(ticks: readonly TickSummary[], window = 16): { decodeMs: number; decode: number; prefill: number } | null {
  const decode = ticks.filter((t) => t.kind === 'decode').slice(-window);
  const prefill = ticks.find((t) => t.kind === 'prefill');
  if (decode.length === 0 || !prefill) return null;
  const decodeMs = median(decode.map((t) => t.ms.forward));
  return { decodeMs, decode: 1000 / decodeMs, prefill: (prefill.fed * 1000) / prefill.ms.forward };
}

/** A reader's name for the line: no control characters, single spaces, at most RACE_NAME_CHARS. */
export function cleanName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, RACE_NAME_CHARS).trim();
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The line for one device. */
export function formatRace(r: RaceResult): string {
  const fields = [
    RACE_TAG, String(RACE_VERSION), `model=${r.model}`, `backend=${r.backend}`,
    `decode=${round(r.decode, 1)}`, `prefill=${round(r.prefill, 0)}`, `recompute=${round(r.recompute, 2)}`, `context=${r.context}`,
  ];
  const name = cleanName(r.name);
  return (name ? [...fields, `name=${name}`] : fields).join(' ');
}

export type RaceRefusal = 'not-a-race-line' | 'version' | 'missing' | 'not-a-number' | 'out-of-range' | 'bad-name';

const WORD = /^[A-Za-z0-9][\w.\-/:+]{0,95}$/; // a model or backend name: no spaces, no markup
const NUMBER = /^\d+(?:\.\d+)?$/;

/** One line, or why it is refused. */
export function parseRace(line: string): RaceResult | { refused: RaceRefusal; field?: string } {
  const text = line.trim();
  const [tag, version, ...rest] = text.split(' ');
  if (tag !== RACE_TAG) return { refused: 'not-a-race-line' };
  if (version !== String(RACE_VERSION)) return { refused: 'version' };
  const nameAt = rest.findIndex((f) => f.startsWith('name='));
  const fields = nameAt >= 0 ? rest.slice(0, nameAt) : rest;
  const name = nameAt >= 0 ? rest.slice(nameAt).join(' ').slice('name='.length) : '';
  if (name !== cleanName(name)) return { refused: 'bad-name', field: 'name' };
  const kv = new Map<string, string>();
  for (const f of fields) {
    const i = f.indexOf('=');
    if (i <= 0 || kv.has(f.slice(0, i))) return { refused: 'not-a-race-line' };
    kv.set(f.slice(0, i), f.slice(i + 1));
  }
  for (const k of ['model', 'backend']) {
    const v = kv.get(k);
    if (v === undefined) return { refused: 'missing', field: k };
    if (!WORD.test(v)) return { refused: 'not-a-race-line', field: k };
  }
  const num: Record<string, [number, number]> = { decode: [0.001, 1e6], prefill: [0.001, 1e7], recompute: [0.01, 1e5], context: [1, 1e6] };
  const out: Record<string, number> = {};
  for (const [k, [lo, hi]] of Object.entries(num)) {
    const v = kv.get(k);
    if (v === undefined) return { refused: 'missing', field: k };
    if (!NUMBER.test(v) || v.length > 16) return { refused: 'not-a-number', field: k };
    const n = Number(v);
    if (n < lo || n > hi || (k === 'context' && !Number.isInteger(n))) return { refused: 'out-of-range', field: k };
    out[k] = n;
  }
  return { model: kv.get('model')!, backend: kv.get('backend')!, decode: out.decode, prefill: out.prefill, recompute: out.recompute, context: out.context, name };
}

/** A paste of many lines: the results (in order, each line once) and the refused lines with their reasons. Blank lines are skipped. */
export function parseRaceLines(text: string): { results: RaceResult[]; refused: { line: number; text: string; refused: RaceRefusal; field?: string }[] } {
  const results: RaceResult[] = [];
  const refused: { line: number; text: string; refused: RaceRefusal; field?: string }[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).slice(0, RACE_LINES).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const r = parseRace(raw);
    if ('refused' in r) refused.push({ line: i + 1, text: raw.slice(0, 80), ...r });
    else if (!seen.has(formatRace(r))) {
      seen.add(formatRace(r));
      results.push(r);
    }
  });
  return { results, refused };
}

/** The class at a glance: how many devices, the decode range and median, the fewest times the cache saves. */
export function raceSummary(rs: readonly RaceResult[]): { devices: number; slowest: number; fastest: number; median: number; spread: number; minRecompute: number } | null {
  if (rs.length === 0) return null;
  const d = rs.map((r) => r.decode);
  const lo = Math.min(...d);
  const hi = Math.max(...d);
  return { devices: rs.length, slowest: lo, fastest: hi, median: median(d), spread: hi / lo, minRecompute: Math.min(...rs.map((r) => r.recompute)) };
}
