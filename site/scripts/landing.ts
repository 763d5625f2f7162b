/**
 * The landing page's clock: a prompt, sampling settings, and one tick per press of Next token,
 * on the chapters' Clock (notebooks/clock.ts) and input parsers (notebooks/controls.ts). A session
 * starts from the prompt at the first tick after the prompt, temperature or seed changed.
 * All model work happens in the engine worker; this file only reads inputs and writes text.
 * Model and user text are always written with textContent, never as HTML.
 */
import { formatBytes, formatCount, formatMs, formatProb } from '../../components/format.ts';
import { backendLabel, words } from '../../components/words.strings.ts';
import { strings as ui } from '../../notebooks/strings.ts';
import { t } from '../strings.ts';
import { EngineClient } from '../../engine/client.ts';
import type { DrawSummary, Forced, ModelInfo, TickSummary } from '../../engine/protocol.ts';
import { WholeTick, type WholeTickStage } from '../../components/whole-tick.ts';
import { ATTENTION_TRACE_LIMIT, WHOLE_TICK_TRACE, wholeTickData } from '../../notebooks/whole-tick.ts';
import { visibleText } from '../../components/text.ts';
import { loadChosenModel } from '../../notebooks/chosen-model.ts';
import { Clock, type ClockSettings, type ClockState } from '../../notebooks/clock.ts';
import { parseSeed, parseSpeed, parseTemperature, parseTopK, parseTopP } from '../../notebooks/controls.ts';
import { describeProgress } from '../../notebooks/load-progress.ts';
import { InputError, showInputError } from '../../notebooks/runtime.ts';
import { modelParam, PageLink } from '../../notebooks/url-link.ts';
import { DEFAULT_MODEL, WASM_PATH } from '../config.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const promptEl = $<HTMLTextAreaElement>('prompt');
const tempEl = $<HTMLInputElement>('temperature');
const topKEl = $<HTMLInputElement>('top-k');
const topPEl = $<HTMLInputElement>('top-p');
const seedEl = $<HTMLInputElement>('seed');
const speedEl = $<HTMLSelectElement>('speed');
const staleNote = $<HTMLParagraphElement>('stale');
const nextBtn = $<HTMLButtonElement>('next-token');
const playBtn = $<HTMLButtonElement>('play');
const out = $<HTMLOutputElement>('generated');
const status = $<HTMLParagraphElement>('status');

const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;
const engine = EngineClient.create();
let info: ModelInfo | null = null;
let clock: Clock | null = null; // the session, with the settings it started from
let linkedForced: Forced | undefined; // a link's forced tokens, checked against the model, until the first run takes them
let settings: ClockSettings | null = null;
let starting = false; // a session is being started
let generation = 0; // bumped by Reset, so a session still starting then is dropped

// A shared link (url-link.ts): the inputs start from the page's URL, and the URL follows the run.
const link = PageLink.of(window);
link.fill('prompt', promptEl);
link.fill('temperature', tempEl);
link.fill('topK', topKEl);
link.fill('topP', topPEl);
link.fill('seed', seedEl);
link.use('model', 'tick', 'forced');
link.attach(document, $<HTMLFormElement>('clock'));
link.settle();

/** The inputs' settings, or null; unless `quiet`, each field shows why it was refused (or nothing). */
function readSettings(quiet = false): ClockSettings | null {
  const read = (el: HTMLInputElement, parse: (raw: string, badInput: boolean) => number): number | null => {
    let message: string | null = null;
    try {
      return parse(el.value, el.validity.badInput);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.message;
      return null;
    } finally {
      if (!quiet) showInputError(el, message);
    }
  };
  const temperature = read(tempEl, parseTemperature);
  const topK = read(topKEl, (raw, bad) => parseTopK(raw, info?.config.vocab_size ?? Number.MAX_SAFE_INTEGER, bad));
  const topP = read(topPEl, parseTopP);
  const seed = read(seedEl, parseSeed);
  return temperature === null || topK === null || topP === null || seed === null ? null : { sampling: { temperature, topK, topP }, seed };
}

/** Whether the session is the inputs' as they are now. */
const current = (s: ClockSettings | null): boolean =>
  clock !== null && s !== null && clock.current.prompt === promptEl.value && settings?.seed === s.seed && settings.sampling.temperature === s.sampling.temperature &&
  settings.sampling.topK === s.sampling.topK && settings.sampling.topP === s.sampling.topP;

/** Tell the link the run as it is now: the tick count holds only while the inputs are the session's. */
function syncLink() {
  const s = readSettings(true);
  const m = info ? modelParam(info) : undefined;
  link.update({
    ...(info ? { model: m } : {}),
    ...(promptEl.value.trim() !== '' ? { prompt: promptEl.value } : {}),
    ...(s ? { temperature: s.sampling.temperature, topK: s.sampling.topK, topP: s.sampling.topP, seed: s.seed } : {}),
    tick: current(s) ? clock!.current.ticks.length : 0,
    forced: current(s) ? clock!.current.forced : (linkedForced ?? []), // a link's fork waits in the URL for the first Next token
  }, { local: info !== null && m === undefined });
}

function buttons() {
  const s = clock?.current;
  playBtn.textContent = ui(s?.playing ? 'controls.pause' : 'controls.play');
  nextBtn.disabled = !info || starting || !!s?.busy || !!s?.playing;
}

/** The latest tick, and the latest slide of the window (it stays in force: the dropped tokens are not read again). */
function describeTick(k: TickSummary, slid: TickSummary | undefined): string {
  const checksum = t(info && k.weightsChecksum === info.checksum ? 'landing.weightsSame' : 'landing.weights', { checksum: k.weightsChecksum });
  return [
    t('landing.tick', { index: k.index, kind: words(`kind.${k.kind}`), piece: k.piece.text, id: k.id, p: formatProb(k.prob), rank: k.rank + 1 }),
    `${formatMs(k.ms.total)}`,
    t(k.cacheLength === 1 ? 'landing.cache.one' : 'landing.cache', { positions: k.cacheLength, bytes: formatBytes(k.cacheBytes) }),
    checksum,
    ...(slid?.window ? [t('landing.window', { index: slid.index, dropped: slid.window.dropped, kept: slid.window.kept })] : []),
  ].join(' · ');
}

/** The prompt and every tick's text, then the latest tick's bytes that are not a whole character yet. */
function render(s: ClockState) {
  // A tick whose token is drawn shows in the text at once; the map waits for its trace (ClockState.drawn).
  const ticks = s.drawn ? [...s.ticks, s.drawn] : s.ticks;
  const last = ticks.at(-1);
  const pending = document.createElement('span');
  pending.className = 'pending';
  pending.title = t('landing.pendingTitle');
  pending.textContent = (last?.pendingBytes ?? []).map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  // The newest token is marked, so the eye finds what the tick added.
  const newest = document.createElement('mark');
  newest.className = 'newest';
  newest.title = t('landing.newest');
  newest.textContent = last?.text ?? '';
  // A forked run (here, or from a link): the tokens the reader forced are underlined, and the run
  // it left is shown beneath when this page made the fork.
  const forcedMark = (text: string) => {
    const m = document.createElement('span');
    m.className = 'forced';
    m.title = t('landing.forcedTitle');
    m.textContent = text;
    return m;
  };
  const before: (string | Node)[] = [s.prompt];
  for (const k of ticks.slice(0, -1)) {
    if (k.forced) before.push(forcedMark(k.text));
    else if (typeof before[before.length - 1] === 'string') before[before.length - 1] += k.text;
    else before.push(k.text);
  }
  if (last?.forced) newest.classList.add('forced');
  out.replaceChildren(...before, ...(newest.textContent ? [newest] : []), ...(pending.textContent ? [pending] : []));
  renderBranch(s);
  if (s.error) status.textContent = t('landing.tickFailed', { error: s.error });
  else if (last) status.textContent = describeTick(last, [...ticks].reverse().find((k) => k.window));
  if (last && ticks.length !== shownTicks) bringIntoView();
  shownTicks = ticks.length;
  markStale();
  buttons();
  syncLink();
  const grew = s.ticks.length !== mapTicks;
  if (grew || s.ticks !== mapState) {
    if (grew) view = null; // a new tick: the map follows the latest
    mapTicks = s.ticks.length;
    mapState = s.ticks;
    redraw = undefined;
    drawMap(grew && s.ticks.length > 0);
    if (!current(readSettings(true))) void resampleShown();
  }
}

let shownTicks = 0;

// The whole-tick map (components/whole-tick.ts): the latest tick, or a past one the reader picked.
const mapHost = $<HTMLDivElement>('whole-tick');
const mapLinks = JSON.parse(mapHost.dataset.links ?? '{}') as Record<WholeTickStage, string>;
const mapShowing = $<HTMLParagraphElement>('map-showing');
const mapNote = $<HTMLParagraphElement>('map-note');
const mapPrev = $<HTMLButtonElement>('map-prev');
const mapNext = $<HTMLButtonElement>('map-next');
let view: number | null = null; // the tick the map shows; null: the latest
let redraw: DrawSummary | undefined; // the shown tick re-drawn under the inputs' settings, when they are not the run's
let mapTicks = -1;
let mapState: TickSummary[] | null = null;
let resampling = 0;

/** The tick the map shows, or null before any. */
function shownTick(): number | null {
  const n = clock?.current.ticks.length ?? 0;
  return n === 0 ? null : Math.min(view ?? n - 1, n - 1);
}

function drawMap(flow = false) {
  if (!info) return;
  const s = clock?.current;
  const ticks = s?.ticks ?? [];
  const k = shownTick();
  const data = wholeTickData(info.config, info.checksum, s?.promptTokens ?? [], ticks, k, redraw);
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const canFork = !!s && !s.playing && !s.busy && !starting && current(readSettings(true));
  const onForce = canFork && !redraw && k !== null ? (id: number) => void fork(k, id) : undefined;
  const map = WholeTick(data, { links: mapLinks, flow: flow && !reduced, onForce });
  // Keep keyboard focus on the same control across a redraw.
  const focused = document.activeElement && mapHost.contains(document.activeElement) ? focusKey(document.activeElement) : null;
  mapHost.replaceChildren(map);
  if (focused) (mapHost.querySelector<HTMLElement>(focused) ?? mapHost.querySelector<HTMLElement>('.wt-probs button'))?.focus();
  mapShowing.textContent = k === null ? t('landing.mapNone')
    : k === ticks.length - 1 ? t('landing.mapShowingLatest', { index: k }) : t('landing.mapShowing', { index: k, count: ticks.length });
  mapPrev.disabled = k === null || k === 0;
  mapNext.disabled = k === null || k === ticks.length - 1;
  mapNote.hidden = !redraw;
  if (redraw) mapNote.textContent = t('landing.mapResampled', { index: redraw.index, text: visibleText(redraw.chosen.text) });
}

/** A selector that finds the same control in the redrawn map. */
function focusKey(el: Element): string | null {
  if (el.matches('.wt-probs button')) return `.wt-probs button[data-id="${(el as HTMLElement).dataset.id}"]`;
  if (el.matches('a.wt-name')) {
    const a = el as HTMLElement;
    return `a.wt-name[data-stage="${a.dataset.stage}"]${a.dataset.layer ? `[data-layer="${a.dataset.layer}"]` : ''}`;
  }
  return null;
}

/** The shown tick's probabilities and dice under the inputs' settings: a re-draw from its logits, no forward pass. */
async function resampleShown() {
  const k = shownTick();
  const s = readSettings(true);
  const mine = ++resampling;
  if (k === null || !s || !clock || current(s)) {
    if (redraw) {
      redraw = undefined;
      drawMap();
    }
    return;
  }
  try {
    const d = await engine.request({ type: 'resample', index: clock.current.ticks[k].index, sampling: s.sampling, seed: s.seed, candidates: 8 });
    if (mine !== resampling) return;
    redraw = d;
  } catch {
    redraw = undefined; // not kept any more (only the latest ticks are): the tick's own draw stays
  }
  drawMap();
}

function step(by: number) {
  const k = shownTick();
  const n = clock?.current.ticks.length ?? 0;
  if (k === null) return;
  const next = Math.max(0, Math.min(n - 1, k + by));
  view = next === n - 1 ? null : next;
  redraw = undefined;
  drawMap();
  void resampleShown();
}
mapPrev.addEventListener('click', () => step(-1));
mapNext.addEventListener('click', () => step(1));

/** Fork the run at tick `k`: the reader's token instead of the one the dice chose. */
async function fork(k: number, id: number) {
  const c = clock;
  if (!c || !current(readSettings(true))) {
    status.textContent = t('landing.forkStale');
    return;
  }
  const was = c.current.ticks[k];
  const cand = was?.sample.candidates.find((x) => x.id === id);
  status.textContent = t('landing.forking', { index: k, text: visibleText(cand?.text ?? String(id)), was: visibleText(was?.piece.text ?? '') });
  view = k;
  try {
    await c.fork(k, id);
  } catch (e) {
    status.textContent = t('landing.forkFailed', { error: (e as Error).message });
  }
}

const branch = $<HTMLDivElement>('branch');
/** The run the latest fork left, from the fork on, beside the branch; Back returns to it. */
function renderBranch(s: ClockState) {
  const left = s.left;
  branch.hidden = !left;
  if (!left) return;
  $('branch-title').textContent = t('landing.branchTitle', { index: left.at });
  $('branch-text').textContent = left.ticks.slice(left.at).map((k) => k.text).join('');
  $<HTMLButtonElement>('back').disabled = s.playing || s.busy;
}
$<HTMLButtonElement>('back').addEventListener('click', () => {
  view = null;
  void clock?.back();
});

/**
 * Keep the newest token and the tick's line on screen (below the fold at 1280×900 otherwise), but
 * never scroll the buttons out of the window: while the clock plays, the text grows tick by tick,
 * and following it all the way took Pause up out of sight (and from under the pointer).
 */
function bringIntoView() {
  const r = status.getBoundingClientRect();
  if (r.bottom <= window.innerHeight && r.top >= 0) return;
  const behavior = !window.matchMedia('(prefers-reduced-motion: reduce)').matches && !clock?.current.playing ? 'smooth' : 'auto';
  if (r.top < 0) return status.scrollIntoView({ block: 'nearest', behavior });
  const room = playBtn.getBoundingClientRect().top - 8; // how far the page can scroll with the buttons still in the window
  const by = Math.min(r.bottom - window.innerHeight, room);
  if (by > 0) window.scrollBy({ top: by, behavior });
}

/** Text written by a session the inputs no longer match looks it: dimmed, with a line saying what the next tick does. */
function markStale() {
  const stale = clock !== null && clock.current.ticks.length > 0 && !current(readSettings(true));
  out.classList.toggle('stale', stale);
  staleNote.hidden = !stale;
}


/** What a tick traces for the map (a long prompt's prefill skips the attention rows: they grow as T²). */
function traceFor() {
  const s = clock?.current;
  if (s && s.ticks.length === 0 && s.promptTokens.length > ATTENTION_TRACE_LIMIT) return { ...WHOLE_TICK_TRACE, attention: false };
  return WHOLE_TICK_TRACE;
}

/** The session for the inputs as they are: this one, or a new one from the prompt (null: refused inputs). */
async function session(): Promise<Clock | null> {
  const s = readSettings();
  if (!info || !s || starting) return null;
  if (current(s)) return clock;
  clock?.dispose();
  clock = null;
  starting = true;
  buttons();
  const mine = generation;
  try {
    const forced = linkedForced;
    linkedForced = undefined; // a link's fork holds for its first run only
    const c = await Clock.create(engine, info, promptEl.value, () => s, { pace: () => parseSpeed(speedEl.value), trace: traceFor, forced });
    if (mine !== generation) {
      c.dispose();
      return null;
    }
    [clock, settings] = [c, s];
    c.subscribe(render);
    return c;
  } catch (e) {
    status.textContent = t('landing.tickFailed', { error: (e as Error).message });
    return null;
  } finally {
    starting = false;
    buttons();
  }
}

/** Play, or with `until`, tick until the session has that many ticks (a link's replay). */
async function play(until?: number) {
  const c = await session();
  if (until === undefined) c?.play();
  else c?.playUntil(until);
}

nextBtn.addEventListener('click', () => void session().then((c) => c?.tick()));
playBtn.addEventListener('click', () => (clock?.current.playing ? void clock.pause() : void play()));
$<HTMLButtonElement>('reset').addEventListener('click', () => {
  generation++;
  clock?.dispose();
  clock = null;
  out.textContent = '';
  view = null;
  redraw = undefined;
  renderBranch({ left: null } as unknown as ClockState);
  drawMap();
  markStale();
  buttons();
  syncLink();
  if (info) status.textContent = t('landing.reset');
});
for (const el of [tempEl, topKEl, topPEl, seedEl, promptEl]) {
  el.addEventListener('input', () => {
    if (el !== promptEl) void resampleShown();
    if (el !== promptEl) readSettings();
    if (clock?.current.playing && !current(readSettings(true))) {
      void clock.pause(); // Play stops on refused inputs, and goes on from the prompt under new ones
      void play();
    }
    markStale();
    syncLink();
  });
}

buttons();
playBtn.disabled = true;
status.textContent = t('controls.loading');
loadChosenModel(engine, {
  bundled: { url: new URL(base + DEFAULT_MODEL.path, location.href).href, label: DEFAULT_MODEL.name },
  wasmPath: new URL(base + WASM_PATH, location.href).href,
  onProgress: (p) => (status.textContent = describeProgress(p)),
  linked: link.linked.model, // a Hub model a link names is only read from the store, never downloaded
})
  .then(({ info: m, notice, linkNotice }) => {
    info = m;
    if (linkNotice) link.setModelNotice({ ...linkNotice, running: m.label });
    const c = m.config;
    const fallback = m.backend.fallbacks.length ? t('landing.fallback', { names: m.backend.fallbacks.map((f) => f.name).join(', ') }) : '';
    const ready = t('landing.ready', {
      model: m.label, params: formatCount(m.params), layers: c.n_layer, heads: c.n_head, context: c.n_positions, backend: backendLabel(m.backend), fallback, checksum: m.checksum,
    });
    status.textContent = `${notice ? `${notice} ` : ''}${ready}`;
    buttons();
    playBtn.disabled = false;
    document.body.dataset.engine = 'ready';
    const f = link.linked.forced;
    if (f) {
      const bad = f.find(([, id]) => id >= c.vocab_size);
      if (bad) link.reject({ param: 'forced', reason: 'beyond-model', max: c.vocab_size - 1 });
      else linkedForced = f;
    }
    drawMap();
    syncLink();
    const replay = link.takeReplay(); // the ticks a link asks for, as Play runs them (Pause stops it)
    if (replay > 0) void play(replay);
  })
  .catch((e: Error) => {
    status.textContent = t('landing.loadFailed', { error: e.message });
    document.body.dataset.engine = 'error';
  });
