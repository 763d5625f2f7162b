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
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';
import { loadChosenModel } from '../../notebooks/chosen-model.ts';
import { Clock, type ClockSettings, type ClockState } from '../../notebooks/clock.ts';
import { parseSeed, parseSpeed, parseTemperature } from '../../notebooks/controls.ts';
import { describeProgress } from '../../notebooks/load-progress.ts';
import { InputError, showInputError } from '../../notebooks/runtime.ts';
import { modelParam, PageLink } from '../../notebooks/url-link.ts';
import { DEFAULT_MODEL, WASM_PATH } from '../config.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const promptEl = $<HTMLTextAreaElement>('prompt');
const tempEl = $<HTMLInputElement>('temperature');
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
let settings: ClockSettings | null = null;
let starting = false; // a session is being started
let generation = 0; // bumped by Reset, so a session still starting then is dropped

// A shared link (url-link.ts): the inputs start from the page's URL, and the URL follows the run.
const link = PageLink.of(window);
link.fill('prompt', promptEl);
link.fill('temperature', tempEl);
link.fill('seed', seedEl);
link.use('model', 'tick');
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
  const seed = read(seedEl, parseSeed);
  return temperature === null || seed === null ? null : { sampling: { temperature, topK: 0, topP: 1 }, seed };
}

/** Whether the session is the inputs' as they are now. */
const current = (s: ClockSettings | null): boolean =>
  clock !== null && s !== null && clock.current.prompt === promptEl.value && settings?.seed === s.seed && settings.sampling.temperature === s.sampling.temperature;

/** Tell the link the run as it is now: the tick count holds only while the inputs are the session's. */
function syncLink() {
  const s = readSettings(true);
  const m = info ? modelParam(info) : undefined;
  link.update({
    ...(info ? { model: m } : {}),
    ...(promptEl.value.trim() !== '' ? { prompt: promptEl.value } : {}),
    ...(s ? { temperature: s.sampling.temperature, seed: s.seed } : {}),
    tick: current(s) ? clock!.current.ticks.length : 0,
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
  const last = s.ticks.at(-1);
  const pending = document.createElement('span');
  pending.className = 'pending';
  pending.title = t('landing.pendingTitle');
  pending.textContent = (last?.pendingBytes ?? []).map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  // The newest token is marked, so the eye finds what the tick added.
  const newest = document.createElement('mark');
  newest.className = 'newest';
  newest.title = t('landing.newest');
  newest.textContent = last?.text ?? '';
  const before = s.prompt + s.ticks.slice(0, -1).map((k) => k.text).join('');
  out.replaceChildren(before, ...(newest.textContent ? [newest] : []), ...(pending.textContent ? [pending] : []));
  if (s.error) status.textContent = t('landing.tickFailed', { error: s.error });
  else if (last) status.textContent = describeTick(last, [...s.ticks].reverse().find((k) => k.window));
  if (last && s.ticks.length !== shownTicks) bringIntoView();
  shownTicks = s.ticks.length;
  markStale();
  buttons();
  syncLink();
}

let shownTicks = 0;

/** Keep the newest token and the tick's line on screen (below the fold at 1280×900 otherwise). */
function bringIntoView() {
  const r = status.getBoundingClientRect();
  if (r.bottom <= window.innerHeight && r.top >= 0) return;
  const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches && !clock?.current.playing;
  status.scrollIntoView({ block: 'nearest', behavior: smooth ? 'smooth' : 'auto' });
}

/** Text written by a session the inputs no longer match looks it: dimmed, with a line saying what the next tick does. */
function markStale() {
  const stale = clock !== null && clock.current.ticks.length > 0 && !current(readSettings(true));
  out.classList.toggle('stale', stale);
  staleNote.hidden = !stale;
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
    const c = await Clock.create(engine, info, promptEl.value, () => s, { pace: () => parseSpeed(speedEl.value) });
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
  markStale();
  buttons();
  syncLink();
  if (info) status.textContent = t('landing.reset');
});
for (const el of [tempEl, seedEl, promptEl]) {
  el.addEventListener('input', () => {
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
    syncLink();
    const replay = link.takeReplay(); // the ticks a link asks for, as Play runs them (Pause stops it)
    if (replay > 0) void play(replay);
  })
  .catch((e: Error) => {
    status.textContent = t('landing.loadFailed', { error: e.message });
    document.body.dataset.engine = 'error';
  });
