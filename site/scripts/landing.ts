/**
 * The landing page's clock: a prompt, sampling settings, and one tick per press of Next token.
 * All model work happens in the engine worker; this file only reads inputs and writes text.
 * Model and user text are always written with textContent, never as HTML.
 */
import { formatBytes, formatCount, formatMs, formatProb } from '../../components/format.ts';
import { t } from '../../components/i18n/index.ts';
import { loadChosenModel } from '../../notebooks/chosen-model.ts';
import { EngineClient } from '../../engine/client.ts';
import { describeProgress } from '../../notebooks/load-progress.ts';
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';
import { modelParam, PageLink } from '../../notebooks/url-link.ts';
import { DEFAULT_MODEL, WASM_PATH } from '../config.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const promptEl = $<HTMLTextAreaElement>('prompt');
const tempEl = $<HTMLInputElement>('temperature');
const seedEl = $<HTMLInputElement>('seed');
const nextBtn = $<HTMLButtonElement>('next-token');
const playBtn = $<HTMLButtonElement>('play');
const resetBtn = $<HTMLButtonElement>('reset');
const out = $<HTMLOutputElement>('generated');
const status = $<HTMLParagraphElement>('status');

const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;
const engine = EngineClient.create();
let info: ModelInfo | null = null;
let started: { prompt: string; seed: number; temperature: number } | null = null;
let busy = false;
let playing = false;
let playRun = 0; // which Play loop is current, so Pause then Play never leaves two running
let epoch = 0; // bumped by Reset, so a tick still running then is dropped, not shown
let ticksRun = 0; // ticks of the current session (since its prompt, temperature and seed were set)

// A shared link (url-link.ts): the inputs start from the page's URL, and the URL follows the run.
const link = PageLink.of(window);
link.fill('prompt', promptEl);
link.fill('temperature', tempEl);
link.fill('seed', seedEl);
link.use('model', 'tick');
link.attach(document, $<HTMLFormElement>('clock'));
link.settle();

/** Tell the link the run as it is now: the tick count holds only while the inputs are the session's. */
function syncLink() {
  const settings = readSettings(false);
  const same = started && settings && started.prompt === promptEl.value && started.seed === settings.seed && started.temperature === settings.temperature;
  const m = info ? modelParam(info) : undefined;
  link.update({
    ...(info ? { model: m } : {}),
    ...(promptEl.value.trim() !== '' ? { prompt: promptEl.value } : {}),
    ...(settings ?? {}),
    tick: same ? ticksRun : 0,
  }, { local: info !== null && m === undefined });
}

/** Show or clear the message beside an input; returns whether the input is valid. */
function fieldError(input: HTMLInputElement, message: string | null): boolean {
  const slot = document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = message ?? '';
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  return !message;
}

function readSettings(show = true): { temperature: number; seed: number } | null {
  const temp = tempEl.value.trim() === '' ? NaN : Number(tempEl.value);
  const s = seedEl.value.trim() === '' ? NaN : Number(seedEl.value);
  const okT = Number.isFinite(temp) && temp >= 0 && temp <= 100;
  const okS = Number.isInteger(s) && s >= 0 && s <= 4294967295;
  if (show) {
    fieldError(tempEl, okT ? null : t('field.temperature'));
    fieldError(seedEl, okS ? null : t('field.seed'));
  }
  return okT && okS ? { temperature: temp, seed: s } : null;
}

function renderPending(bytes: number[]) {
  out.querySelector('.pending')?.remove();
  if (bytes.length === 0) return;
  const span = document.createElement('span');
  span.className = 'pending';
  span.title = t('landing.pendingTitle');
  span.textContent = bytes.map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  out.append(span);
}

function describeTick(k: TickSummary): string {
  const checksum = t(info && k.weightsChecksum === info.checksum ? 'landing.weightsSame' : 'landing.weights', { checksum: k.weightsChecksum });
  return [
    t('landing.tick', { index: k.index, kind: t(`landing.kind.${k.kind}`), piece: k.piece.text, id: k.id, p: formatProb(k.prob), rank: k.rank + 1 }),
    `${formatMs(k.ms.total)}`,
    t('landing.cache', { positions: k.cacheLength, bytes: formatBytes(k.cacheBytes) }),
    checksum,
    ...(k.window ? [t('landing.window', { dropped: k.window.dropped, kept: k.window.kept })] : []),
  ].join(' · ');
}

async function startSession(settings: { temperature: number; seed: number }) {
  const prompt = promptEl.value;
  await engine.request({ type: 'start', prompt, seed: settings.seed, sampling: { temperature: settings.temperature, topK: 0, topP: 1 } });
  started = { prompt, ...settings };
  ticksRun = 0;
  out.textContent = prompt;
}

/** Run one tick; resolves to whether it produced a token. */
async function nextToken(): Promise<boolean> {
  if (busy || !info) return false;
  const settings = readSettings();
  if (!settings) return false;
  busy = true;
  nextBtn.disabled = true;
  const myEpoch = epoch;
  try {
    if (!started || started.prompt !== promptEl.value || started.seed !== settings.seed || started.temperature !== settings.temperature) {
      await startSession(settings);
    }
    const t = await engine.request({ type: 'tick' });
    if (myEpoch !== epoch) {
      started = null; // Reset came while this tick ran: the next one starts from the prompt again
      return false;
    }
    out.querySelector('.pending')?.remove();
    out.append(document.createTextNode(t.text));
    renderPending(t.pendingBytes);
    status.textContent = describeTick(t);
    ticksRun++;
    syncLink();
    return true;
  } catch (e) {
    status.textContent = t('landing.tickFailed', { error: (e as Error).message });
    return false;
  } finally {
    busy = false;
    nextBtn.disabled = playing;
  }
}

/** Play ticks back to back until Pause, Reset, bad input or an error; the button shows which. */
function setPlaying(on: boolean) {
  playing = on;
  playBtn.textContent = t(on ? 'controls.pause' : 'controls.play');
  nextBtn.disabled = on || busy || !info;
}

/** Play, or with `until`, tick until the session has that many ticks (a link's replay). */
async function play(until?: number) {
  if (playing || !info) return;
  const run = ++playRun;
  setPlaying(true);
  while (playing && run === playRun) {
    if (until !== undefined && ticksRun >= until) break;
    if (busy) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (!(await nextToken())) break;
    // Let the browser paint the new token before the next tick starts.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  }
  if (run === playRun) setPlaying(false);
}

nextBtn.addEventListener('click', () => void nextToken());
playBtn.addEventListener('click', () => (playing ? setPlaying(false) : void play()));
resetBtn.addEventListener('click', () => {
  setPlaying(false);
  epoch++;
  started = null;
  out.textContent = '';
  ticksRun = 0;
  syncLink();
  if (info) status.textContent = t('landing.reset');
});
tempEl.addEventListener('input', () => {
  readSettings();
  syncLink();
});
seedEl.addEventListener('input', () => {
  readSettings();
  syncLink();
});
promptEl.addEventListener('input', () => syncLink());

nextBtn.disabled = true;
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
      model: m.label, params: formatCount(m.params), layers: c.n_layer, heads: c.n_head, context: c.n_positions, backend: m.backend.name, fallback, checksum: m.checksum,
    });
    status.textContent = `${notice ? `${notice} ` : ''}${ready}`;
    nextBtn.disabled = false;
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
