/**
 * A run's whole state in the page's URL, so a link reproduces it: model, prompt, sampling
 * settings, seed, layer, head, and how many ticks were run. Pure: URLSearchParams in, checked
 * values and the refusals out, and back. Nothing from a URL is trusted: each parameter is checked
 * strictly (a number must be written as a plain decimal and lie in range, a prompt is capped and
 * has no control characters, a model is "bundled" or a Hub repository's name, never an address),
 * and anything else is refused with a reason the page shows as text.
 *
 * The checks here need no model; those that do (the prompt's token count, top-k against the
 * vocabulary, layer and head against the model's shape) are made by the page once it has loaded.
 */
import type { KeyOf } from '../components/i18n/index.ts';
import { strings as t } from './strings.ts';

/** The parameters, in the order a link writes them. */
export const PARAMS = ['model', 'prompt', 'temperature', 'topK', 'topP', 'seed', 'layer', 'head', 'tick', 'forced'] as const;
export type Param = (typeof PARAMS)[number];

/** A model a link may name: the site's own, or a Hugging Face Hub repository (loaded only if stored). */
export type UrlModel = { kind: 'bundled' } | { kind: 'hub'; repo: string };

export interface UrlState {
  model: UrlModel;
  prompt: string;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  layer: number;
  head: number;
  tick: number; // ticks run: opening the link runs this many
  forced: [number, number][]; // tokens a reader forced, [tick, token id], ticks rising (written "3:262,5:11")
}

export type RejectReason =
  | 'duplicate' // given more than once
  | 'empty'
  | 'too-long'
  | 'not-a-number'
  | 'not-whole'
  | 'out-of-range'
  | 'control-character'
  | 'not-a-model' // not "bundled" and not a Hub repository name (an address, say)
  | 'not-forced-list' // not tick:id pairs with rising ticks
  | 'beyond-model' // valid, but beyond what the loaded model has (checked by the page)
  | 'not-on-page'; // valid, but this page has no such input

export interface Rejection {
  param: Param;
  reason: RejectReason;
  min?: number;
  max?: number;
  minExclusive?: boolean; // min itself is not allowed (top-p > 0)
}

export interface ParsedUrlState {
  state: Partial<UrlState>;
  rejected: Rejection[];
}

/** The limits a link is held to. */
export const LIMITS = {
  promptChars: 2000, // UTF-16 code units; the longest context here is 1024 tokens
  numberChars: 32, // the longest number text read
  modelChars: 96,
  temperature: { min: 0, max: 100 },
  topK: { min: 0, max: 1_000_000 }, // then checked against the model's vocabulary
  topP: { min: 0, max: 1, minExclusive: true },
  seed: { min: 0, max: 4294967295 },
  layer: { min: 0, max: 63 }, // then checked against the model's n_layer
  head: { min: 0, max: 63 }, // then checked against the model's n_head
  tick: { min: 0, max: 1024 }, // a link replays at most this many ticks
  forced: 64, // forced tokens a link carries at most
} as const;

// C0 and C1 controls other than tab, newline and carriage return; DEL; the bidirectional
// embeddings, overrides and isolates (they can make a prompt read differently from what it is);
// unpaired surrogates.
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// A plain decimal, optionally signed and with an exponent: what String(number) writes. No hex, no spaces, no "Infinity".
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// A Hub repository, owner/name, as model/download.ts's hubFileUrl accepts it. No scheme, host or path.
const REPO = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

type NumberParam = 'temperature' | 'topK' | 'topP' | 'seed' | 'layer' | 'head' | 'tick';
const WHOLE: ReadonlySet<NumberParam> = new Set(['topK', 'seed', 'layer', 'head', 'tick']);

function parseNumber(param: NumberParam, raw: string): number | Omit<Rejection, 'param'> {
  const lim: { min: number; max: number; minExclusive?: boolean } = LIMITS[param];
  if (raw.length > LIMITS.numberChars) return { reason: 'too-long', max: LIMITS.numberChars };
  if (raw === '') return { reason: 'empty' };
  if (!DECIMAL.test(raw)) return { reason: 'not-a-number' };
  const n = Number(raw);
  const range = { min: lim.min, max: lim.max, ...(lim.minExclusive ? { minExclusive: true } : {}) };
  if (!Number.isFinite(n)) return { reason: 'out-of-range', ...range };
  if (WHOLE.has(param) && !Number.isInteger(n)) return { reason: 'not-whole' };
  if (n < lim.min || n > lim.max || (lim.minExclusive && n === lim.min)) return { reason: 'out-of-range', ...range };
  return n === 0 ? 0 : n; // no -0
}

/** A prompt from a link, or why not. */
export function checkLinkedPrompt(raw: string): string | Omit<Rejection, 'param'> {
  if (raw.length > LIMITS.promptChars) return { reason: 'too-long', max: LIMITS.promptChars };
  if (raw.trim() === '') return { reason: 'empty' };
  if (BAD_CHARS.test(raw)) return { reason: 'control-character' };
  return raw;
}

/** A model from a link, or why not. */
export function checkLinkedModel(raw: string): UrlModel | Omit<Rejection, 'param'> {
  if (raw.length > LIMITS.modelChars) return { reason: 'too-long', max: LIMITS.modelChars };
  if (raw === '') return { reason: 'empty' };
  if (raw === 'bundled') return { kind: 'bundled' };
  if (REPO.test(raw) && !raw.includes('..')) return { kind: 'hub', repo: raw };
  return { reason: 'not-a-model' };
}

/** Forced tokens from a link ("3:262,5:11": tick 3 appends token 262, tick 5 token 11), or why not. Ids are checked against the vocabulary by the page. */
export function checkLinkedForced(raw: string): [number, number][] | Omit<Rejection, 'param'> {
  if (raw.length > LIMITS.forced * 14) return { reason: 'too-long', max: LIMITS.forced * 14 };
  if (raw === '') return { reason: 'empty' };
  if (!/^\d{1,4}:\d{1,7}(?:,\d{1,4}:\d{1,7})*$/.test(raw)) return { reason: 'not-forced-list' };
  const pairs = raw.split(',').map((p) => p.split(':').map(Number) as [number, number]);
  if (pairs.length > LIMITS.forced) return { reason: 'too-long', max: LIMITS.forced * 14 };
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i][0] >= LIMITS.tick.max) return { reason: 'out-of-range', min: 0, max: LIMITS.tick.max - 1 };
    if (i > 0 && pairs[i][0] <= pairs[i - 1][0]) return { reason: 'not-forced-list' };
  }
  return pairs;
}

/**
 * The state a query string carries, each parameter checked on its own; parameters that are not
 * ours are left alone (not read, not refused). A parameter given twice is refused: which copy
 * counts would be a guess.
 */
export function parseUrlState(query: URLSearchParams | string): ParsedUrlState {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const state: Partial<UrlState> = {};
  const rejected: Rejection[] = [];
  const put = <K extends Param>(param: K, v: UrlState[K] | Omit<Rejection, 'param'>, isValue: (v: unknown) => boolean) => {
    if (isValue(v)) state[param] = v as UrlState[K];
    else rejected.push({ param, ...(v as Omit<Rejection, 'param'>) });
  };
  for (const param of PARAMS) {
    const all = params.getAll(param);
    if (all.length === 0) continue;
    if (all.length > 1) {
      rejected.push({ param, reason: 'duplicate' });
      continue;
    }
    const raw = all[0];
    if (param === 'prompt') put(param, checkLinkedPrompt(raw), (v) => typeof v === 'string');
    else if (param === 'model') put(param, checkLinkedModel(raw), (v) => typeof v === 'object' && v !== null && 'kind' in v);
    else if (param === 'forced') put(param, checkLinkedForced(raw), Array.isArray);
    else put(param, parseNumber(param, raw), (v) => typeof v === 'number');
  }
  return { state, rejected };
}

/** How a state value is written in a link. */
function formatParam<K extends Param>(param: K, v: UrlState[K]): string {
  if (param === 'model') {
    const m = v as UrlModel;
    return m.kind === 'bundled' ? 'bundled' : m.repo;
  }
  if (param === 'forced') return (v as [number, number][]).map(([k, id]) => `${k}:${id}`).join(',');
  return String(v);
}

/**
 * The query string for `state`: the parameters of `keep` that are not ours first (another
 * tool's, say), then ours in PARAMS order. A tick count of 0 is left out; a count over the limit
 * is written as the limit (the link replays that many, the start of the same run).
 */
export function serializeUrlState(state: Partial<UrlState>, keep: URLSearchParams | string = ''): URLSearchParams {
  const out = new URLSearchParams(keep);
  for (const p of PARAMS) out.delete(p);
  for (const p of PARAMS) {
    const v = state[p];
    if (v === undefined) continue;
    if (p === 'tick') {
      const n = Math.min(v as number, LIMITS.tick.max);
      if (n > 0) out.set(p, String(n));
      continue;
    }
    if (p === 'forced' && (v as [number, number][]).length === 0) continue;
    out.set(p, formatParam(p, v));
  }
  return out;
}

/** `href` with its query replaced by `state` (other parameters and the #fragment kept). */
export function hrefWithState(href: string, state: Partial<UrlState>): string {
  const u = new URL(href);
  const q = serializeUrlState(state, u.search).toString();
  u.search = q ? `?${q}` : '';
  return u.href;
}

/** Whether a query string names any parameter of ours. */
export function hasStateParams(query: URLSearchParams | string): boolean {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return PARAMS.some((p) => params.has(p));
}

const PARAM_KEYS: Record<Param, KeyOf<typeof t>> = {
  model: 'url.param.model',
  prompt: 'url.param.prompt',
  temperature: 'url.param.temperature',
  topK: 'url.param.topK',
  topP: 'url.param.topP',
  seed: 'url.param.seed',
  layer: 'url.param.layer',
  head: 'url.param.head',
  tick: 'url.param.tick',
  forced: 'url.param.forced',
};

const REASON_KEYS: Record<RejectReason, KeyOf<typeof t>> = {
  duplicate: 'url.reason.duplicate',
  empty: 'url.reason.empty',
  'too-long': 'url.reason.tooLong',
  'not-a-number': 'url.reason.notANumber',
  'not-whole': 'url.reason.notWhole',
  'out-of-range': 'url.reason.outOfRange',
  'control-character': 'url.reason.controlCharacter',
  'not-a-model': 'url.reason.notAModel',
  'not-forced-list': 'url.reason.notForcedList',
  'beyond-model': 'url.reason.beyondModel',
  'not-on-page': 'url.reason.notOnPage',
};

/** One refusal as a line of text, e.g. "Temperature (temperature): not a number". */
export function describeRejection(r: Rejection): string {
  const reason =
    r.reason === 'out-of-range' && r.minExclusive
      ? t('url.reason.outOfRangeAbove', { min: r.min ?? 0, max: r.max ?? 0 })
      : t(REASON_KEYS[r.reason], { min: r.min ?? 0, max: r.max ?? 0 });
  return t('url.rejection', { label: t(PARAM_KEYS[r.param]), param: r.param, reason });
}
