/**
 * The Models page: picks the model and backend every page runs, downloads a Hub model with
 * progress (cancel, resume on retry), loads files from disk, and lists what the browser stores.
 * All text from files, servers and storage is written with textContent, never as HTML.
 */
import { formatBytes, formatCount } from '../../components/format.ts';
import { backendLabel } from '../../components/words.strings.ts';
import { t } from '../strings.ts';
import { EngineClient } from '../../engine/client.ts';
import type { LoadProgress, ModelInfo } from '../../engine/protocol.ts';
import { describeProgress, progressPercent } from '../../notebooks/load-progress.ts';
import {
  BACKENDS, choiceLabel, cleanName, fileUrls, pageStorage, parseHubUrl, readBackend, readChoice, storeKey, writeBackend, writeChoice, type LoadSource, type ModelChoice,
} from '../../engine/model-source.ts';
import { ModelStore } from '../../engine/model-store.ts';
import { MODEL_FILES } from '../../model/download.ts';
import type { BackendName } from '../../model/backend.ts';
import { DEFAULT_MODEL, WASM_PATH } from '../config.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const current = $<HTMLParagraphElement>('current');
const hubEl = $<HTMLInputElement>('hub');
const estimateEl = $<HTMLParagraphElement>('estimate');
const loadBtn = $<HTMLButtonElement>('load');
const cancelBtn = $<HTMLButtonElement>('cancel');
const progressEl = $<HTMLProgressElement>('progress');
const loadStatus = $<HTMLParagraphElement>('load-status');
const filesEl = $<HTMLInputElement>('files');
const nameEl = $<HTMLInputElement>('local-name');
const dropEl = $<HTMLDivElement>('drop');
const loadFilesBtn = $<HTMLButtonElement>('load-files');
const localStatus = $<HTMLParagraphElement>('local-status');
const backendStatus = $<HTMLParagraphElement>('backend-status');
const storedBody = document.querySelector<HTMLTableSectionElement>('#stored tbody')!;
const usage = $<HTMLParagraphElement>('storage-usage');
const clearBtn = $<HTMLButtonElement>('clear');

const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;
const bundled = { url: new URL(base + DEFAULT_MODEL.path, location.href).href, label: DEFAULT_MODEL.name };
const wasmPath = new URL(base + WASM_PATH, location.href).href;
const store = ModelStore.open();
const storage = pageStorage();

let engine: EngineClient | null = null; // started on the first load: a worker only when needed
let loading = false;
let picked: Record<string, File> = {};
let estimateFor = '';
let estimating = false; // an estimate request is waiting for its answer

const radios = (name: string) => [...document.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)];

function showCurrent() {
  const { choice, notice } = readChoice(storage);
  const label = choiceLabel(choice, DEFAULT_MODEL.name);
  current.textContent = `${notice ? `${notice} ` : ''}${t('models.current', { model: label, backend: readBackend(storage) })}`;
}

function fieldError(input: HTMLInputElement, message: string | null): boolean {
  const slot = document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = message ?? '';
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  return !message;
}

/** The source the picker points at now, or null when the Hub address is not valid. */
function selectedSource(): LoadSource | null {
  const value = radios('model').find((r) => r.checked)?.value ?? 'bundled';
  if (value === 'bundled') return { kind: 'url', url: bundled.url, label: bundled.label };
  let hub: string;
  try {
    hub = parseHubUrl(hubEl.value);
  } catch (e) {
    fieldError(hubEl, (e as Error).message);
    return null;
  }
  fieldError(hubEl, null);
  return { kind: 'hub', hub, repo: value };
}

function choiceOf(source: LoadSource): ModelChoice {
  if (source.kind === 'hub') return { kind: 'hub', hub: source.hub, repo: source.repo };
  if (source.kind === 'files' || source.kind === 'local') return { kind: 'local', name: source.name };
  return { kind: 'bundled' };
}

function getEngine(): EngineClient {
  engine ??= EngineClient.create();
  return engine;
}

/** Stop an estimate still waiting on its Hub (the engine answers requests in turn). */
function stopEstimate() {
  if (estimating && !loading) void engine?.request({ type: 'cancelLoad' });
  estimating = false;
}

/** Tell the download size and memory need of the selected Hub model, before anything big starts. */
async function estimate() {
  const source = selectedSource();
  if (!source) return;
  if (source.kind !== 'hub') {
    $('elsewhere').hidden = true;
    estimateEl.textContent = t('models.shipped');
    return;
  }
  const key = storeKey(source);
  $('elsewhere').hidden = true;
  stopEstimate(); // a slow Hub's answer for the previous choice must not hold this one up
  estimateFor = key;
  estimateEl.textContent = t('models.asking', { host: new URL(source.hub).host, repo: source.repo });
  estimating = true;
  try {
    const e = await getEngine().request({ type: 'estimate', source }).finally(() => { if (estimateFor === key) estimating = false; });
    if (estimateFor !== key) return;
    const c = e.config;
    const shape = t('models.shape', { params: formatCount(e.params), layers: c.n_layer, heads: c.n_head, width: c.n_embd, context: c.n_positions });
    const memory = t('models.memory', { memory: formatBytes(e.memoryBytes) }) + (e.peakBytes ? t('models.peak', { peak: formatBytes(e.peakBytes) }) : '');
    estimateEl.textContent = e.stored
      ? t('models.estimateStored', { shape, memory })
      : t('models.estimate', { shape, memory, download: e.downloadBytes === undefined ? t('models.sizeUnknown') : formatBytes(e.downloadBytes) });
    document.body.dataset.estimate = 'ready';
  } catch (err) {
    if (estimateFor !== key) return;
    if (!unreachable(source, err as Error)) estimateEl.textContent = t('models.estimateFailed', { error: (err as Error).message });
    document.body.dataset.estimate = 'error';
  }
}

/**
 * When the Hub cannot be reached (the device offline, or the host not answering), say so plainly,
 * put the picker back on the model the pages run (nothing changed), and list the four files to
 * fetch on a machine that is online and bring in by the file picker. False for other failures.
 */
function unreachable(source: Extract<LoadSource, { kind: 'hub' }>, err: Error): boolean {
  const offline = navigator.onLine === false;
  if (!offline && !/could not reach /.test(err.message)) return false; // not a broken download: that one resumes
  const { choice } = readChoice(storage);
  const model = choiceLabel(choice, DEFAULT_MODEL.name);
  const host = new URL(source.hub).host;
  estimateEl.textContent = offline
    ? t('models.offline', { repo: source.repo, model })
    : t('models.unreachable', { host, repo: source.repo, model, error: err.message.replace(/\.$/, '') });
  const urls = fileUrls(source, location.origin);
  $('elsewhere-intro').textContent = t('models.elsewhere', { repo: source.repo, section: t('models.local') });
  $('elsewhere-files').replaceChildren(...MODEL_FILES.map((f) => {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = urls[f];
    li.append(code);
    return li;
  }));
  $('elsewhere').hidden = false;
  // The picker shows what the pages run, not a model that did not load.
  const running = choice.kind === 'hub' ? choice.repo : 'bundled';
  const radio = radios('model').find((r) => r.value === running);
  if (radio) radio.checked = true;
  return true;
}

function setLoading(on: boolean) {
  loading = on;
  loadBtn.disabled = on;
  loadFilesBtn.disabled = on;
  cancelBtn.hidden = !on;
  progressEl.hidden = !on;
  if (on) progressEl.removeAttribute('value');
}

function onProgress(p: LoadProgress, statusEl: HTMLElement) {
  const pct = progressPercent(p);
  if (pct === undefined || p.phase !== 'download') progressEl.removeAttribute('value');
  else progressEl.value = pct;
  statusEl.textContent = describeProgress(p);
}

function describeLoaded(info: ModelInfo): string {
  const from = t(info.from === 'store' ? 'models.fromStore' : info.from === 'files' ? 'models.fromFiles' : 'models.fromNetwork');
  const kept = info.stored ? t('models.kept') : info.storeError ? t('models.notKept', { error: info.storeError }) : '';
  return t('models.loaded', { model: info.label, from, params: formatCount(info.params), checksum: info.checksum, backend: backendLabel(info.backend), kept });
}

async function load(source: LoadSource, statusEl: HTMLElement) {
  if (loading) return;
  stopEstimate();
  setLoading(true);
  const backend = readBackend(storage);
  try {
    const info = await getEngine().request({ type: 'load', source, backend, wasmPath }, { onProgress: (p) => onProgress(p, statusEl) });
    writeChoice(storage, choiceOf(source));
    statusEl.textContent = describeLoaded(info);
    document.body.dataset.model = info.key;
  } catch (e) {
    if (source.kind === 'hub' && statusEl === loadStatus) unreachable(source, e as Error);
    statusEl.textContent = t(source.kind === 'hub' ? 'models.failedResume' : 'models.failed', { error: (e as Error).message.replace(/\.$/, '') });
    document.body.dataset.model = 'error';
  } finally {
    setLoading(false);
    showCurrent();
    void listStored();
  }
}

loadBtn.addEventListener('click', () => {
  const source = selectedSource();
  if (source) void load(source, loadStatus);
});
cancelBtn.addEventListener('click', () => void engine?.request({ type: 'cancelLoad' }));
for (const r of radios('model')) r.addEventListener('change', () => void estimate());
hubEl.addEventListener('change', () => void estimate());

// Files from disk: the picker, or a drop (files, or a folder's files).
function takeFiles(files: Iterable<File>, folder?: string) {
  picked = {};
  for (const f of files) picked[f.webkitRelativePath || f.name] = f;
  if (folder && nameEl.value === 'my-gpt2') nameEl.value = cleanName(folder);
  const names = Object.keys(picked).map((k) => k.split(/[/\\]/).pop());
  localStatus.textContent = names.length ? t('models.picked', { n: names.length, names: names.join(', ') }) : '';
}
filesEl.addEventListener('change', () => takeFiles(filesEl.files ?? []));
dropEl.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropEl.classList.add('over');
});
dropEl.addEventListener('dragleave', () => dropEl.classList.remove('over'));
dropEl.addEventListener('drop', (e) => {
  e.preventDefault();
  dropEl.classList.remove('over');
  void (async () => {
    const items = [...(e.dataTransfer?.items ?? [])];
    const entry = items.length === 1 ? items[0].webkitGetAsEntry?.() : null;
    if (entry?.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      const entries = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
      const files = await Promise.all(entries.filter((x) => x.isFile).map((x) => new Promise<File>((ok, fail) => (x as FileSystemFileEntry).file(ok, fail))));
      takeFiles(files, entry.name);
    } else takeFiles(e.dataTransfer?.files ?? []);
  })();
});
loadFilesBtn.addEventListener('click', () => {
  if (Object.keys(picked).length === 0) {
    localStatus.textContent = t('models.pickFirst');
    return;
  }
  void load({ kind: 'files', name: cleanName(nameEl.value), files: picked }, localStatus);
});

// Backend.
async function checkBackends() {
  for (const r of radios('backend')) {
    const name = r.value as BackendName;
    r.checked = name === readBackend(storage);
    let missing = '';
    if (name === 'webgpu' && !('gpu' in navigator)) missing = t('models.noWebgpu');
    if (name === 'webgl' && !document.createElement('canvas').getContext('webgl2')) missing = t('models.noWebgl');
    if (missing) {
      r.disabled = true;
      r.closest('label')?.append(Object.assign(document.createElement('span'), { className: 'status', textContent: ` (${missing})` }));
    }
    r.addEventListener('change', () => {
      if (!BACKENDS.includes(name)) return;
      writeBackend(storage, name);
      backendStatus.textContent = t('models.backendSet', { backend: name });
      showCurrent();
    });
  }
}

// What the browser stores.
async function listStored() {
  storedBody.replaceChildren();
  if (!store) {
    usage.textContent = t('models.noStore');
    clearBtn.disabled = true;
    return;
  }
  const models = await store.list().catch(() => []);
  if (models.length === 0) {
    const row = storedBody.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 5;
    cell.textContent = t('models.nothing');
  }
  for (const m of models) {
    const row = storedBody.insertRow();
    row.insertCell().textContent = m.label;
    row.insertCell().textContent = String(m.files);
    row.insertCell().textContent = formatBytes(m.bytes);
    row.insertCell().textContent = m.storedAt ? new Date(m.storedAt).toLocaleString(document.documentElement.lang || undefined) : '';
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = t('models.remove');
    btn.setAttribute('aria-label', t('models.removeOne', { model: m.label }));
    btn.addEventListener('click', () => {
      void store.delete(m.key).then(() => {
        if (storeKey(readChoice(storage).choice) === m.key) writeChoice(storage, { kind: 'bundled' });
        showCurrent();
        return listStored();
      });
    });
    row.insertCell().append(btn);
  }
  clearBtn.disabled = models.length === 0;
  const est = await navigator.storage?.estimate?.().catch(() => undefined);
  usage.textContent = est?.usage === undefined ? '' : t(est.quota ? 'models.usageQuota' : 'models.usage', { usage: formatBytes(est.usage), quota: formatBytes(est.quota ?? 0) });
}
clearBtn.addEventListener('click', () => {
  if (!store) return;
  void store.clear().then(() => {
    writeChoice(storage, { kind: 'bundled' });
    showCurrent();
    return listStored();
  });
});

// Show the saved choice as selected.
const saved = readChoice(storage).choice;
if (saved.kind === 'hub') {
  const radio = radios('model').find((r) => r.value === saved.repo);
  if (radio) radio.checked = true;
  hubEl.value = saved.hub;
}
void checkBackends();
showCurrent();
void listStored().then(() => (document.body.dataset.stored = 'ready'));
document.body.dataset.picker = 'ready';
