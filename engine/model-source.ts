/**
 * Which model the notebook runs, and where its files come from: the bundled model the site
 * serves, a GPT-2 from the Hugging Face Hub (or a mirror of it), or files a reader picked from
 * disk. The reader's choice is kept in localStorage so every chapter loads the same model; a
 * downloaded or picked model is read back from the browser's store (model-store.ts).
 */
import { t } from './strings.ts';
import type { BackendName } from '../model/backend.ts';
import { HUB_URL, hubFileUrl, MODEL_FILES, type ModelFileName } from '../model/download.ts';

/** What a reader picked, as kept between pages. */
export type ModelChoice =
  | { kind: 'bundled' } // the small model the site ships
  | { kind: 'hub'; hub: string; repo: string } // a Hub repository, downloaded once, then stored
  | { kind: 'local'; name: string }; // files picked from disk, stored under this name

/** What the engine is asked to load. */
export type LoadSource =
  | { kind: 'url'; url: string; label: string } // a model folder served over HTTP (the bundled model)
  | { kind: 'hub'; hub: string; repo: string; storedOnly?: boolean } // from the store when there, else downloaded (resuming a failed try) unless storedOnly
  | { kind: 'files'; name: string; files: Record<string, Blob | ArrayBuffer> } // picked now; stored under `name` once it loads
  | { kind: 'local'; name: string }; // picked earlier, from the store

/** The GPT-2 checkpoints a reader can download (any other Hub repository of GPT-2 shape works too). */
export const HUB_MODELS: readonly { repo: string; title: string; about: string }[] = [
  { repo: 'openai-community/gpt2', title: 'GPT-2 (124M)', about: 'OpenAI’s smallest GPT-2, the model this site explains: 12 layers × 12 heads.' },
  { repo: 'distilbert/distilgpt2', title: 'DistilGPT-2', about: 'GPT-2 distilled to 6 layers by Hugging Face: half the depth, nearly the same vocabulary and output.' },
];

const KEY = 'tokenclock.model';
const BACKEND_KEY = 'tokenclock.backend';

/** The backends a reader can pick; wasm is the default (fast on CPUs, the same numbers everywhere). */
export const BACKENDS: readonly BackendName[] = ['wasm', 'webgl', 'webgpu'];

/** The reader's backend, wasm unless they picked another. */
export function readBackend(storage: Pick<Storage, 'getItem'> | undefined): BackendName {
  let v: string | null = null;
  try {
    v = storage?.getItem(BACKEND_KEY) ?? null;
  } catch {
    // no storage: the default
  }
  return (BACKENDS as readonly string[]).includes(v ?? '') ? (v as BackendName) : 'wasm';
}

/** Keep the reader's backend for every page. */
export function writeBackend(storage: Pick<Storage, 'setItem'> | undefined, backend: BackendName): void {
  try {
    storage?.setItem(BACKEND_KEY, backend);
  } catch {
    // the choice lasts for this page only
  }
}

/** The store's key for a model: which model a stored file belongs to. */
export function storeKey(s: ModelChoice | LoadSource): string {
  if (s.kind === 'hub') return `hub:${s.hub.replace(/\/+$/, '')}/${s.repo}`;
  if (s.kind === 'local' || s.kind === 'files') return `local:${s.name}`;
  if (s.kind === 'url') return `url:${s.url}`;
  return 'bundled';
}

/** What a reader calls a model. */
export function choiceLabel(s: ModelChoice | LoadSource, bundledName: string): string {
  if (s.kind === 'hub') return s.hub.replace(/\/+$/, '') === HUB_URL ? s.repo : t('models.fromHub', { repo: s.repo, hub: s.hub });
  if (s.kind === 'local' || s.kind === 'files') return t('models.yourFiles', { name: s.name });
  if (s.kind === 'url') return s.label;
  return bundledName;
}

/** The URL each file of a stored model is kept under (a local model's URLs are never fetched). */
export function fileUrls(s: { kind: 'hub'; hub: string; repo: string } | { kind: 'local' | 'files'; name: string }, origin: string): Record<ModelFileName, string> {
  const out = {} as Record<ModelFileName, string>;
  for (const f of MODEL_FILES) {
    out[f] = s.kind === 'hub' ? hubFileUrl(s.hub, s.repo, f) : `${origin}/local-models/${encodeURIComponent(s.name)}/${f}`;
  }
  return out;
}

/** A Hub address typed by a reader, checked: http(s) only, no credentials, no query. */
export function parseHubUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new Error(`“${text}” is not a web address (like ${HUB_URL})`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('the Hub address must start with https:// (or http:// for a mirror on your network)');
  if (u.username || u.password || u.search || u.hash) throw new Error('the Hub address must not carry a user name, a query or a #fragment');
  return u.href.replace(/\/+$/, '');
}

/** A name for picked files: letters, digits, dot, dash and underscore, at most 64. */
export function cleanName(text: string): string {
  const name = text.trim().replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return name || 'my-model';
}

/** This page's localStorage, or undefined where the browser blocks it (the choices then last for the page). */
export function pageStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The reader's choice from storage; anything malformed reads as the bundled model, with a notice. */
export function readChoice(storage: Pick<Storage, 'getItem'> | undefined): { choice: ModelChoice; notice?: string } {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(KEY) ?? null;
  } catch {
    return { choice: { kind: 'bundled' } };
  }
  if (raw === null) return { choice: { kind: 'bundled' } };
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (v.kind === 'bundled') return { choice: { kind: 'bundled' } };
    if (v.kind === 'hub' && typeof v.hub === 'string' && typeof v.repo === 'string') {
      const hub = parseHubUrl(v.hub);
      hubFileUrl(hub, v.repo, 'config.json'); // throws on a bad repository name
      return { choice: { kind: 'hub', hub, repo: v.repo } };
    }
    if (v.kind === 'local' && typeof v.name === 'string' && v.name === cleanName(v.name)) return { choice: { kind: 'local', name: v.name } };
  } catch {
    // fall through
  }
  return { choice: { kind: 'bundled' }, notice: t('models.notUnderstood') };
}

/** Keep the reader's choice for every page. */
export function writeChoice(storage: Pick<Storage, 'setItem'> | undefined, choice: ModelChoice): void {
  try {
    storage?.setItem(KEY, JSON.stringify(choice));
  } catch {
    // storage full or disabled: the choice lasts for this page only
  }
}

/** What to ask the engine to load for a choice, on a page that reads (never downloads) a chosen Hub model. */
export function loadSourceFor(choice: ModelChoice, bundled: { url: string; label: string }): LoadSource {
  if (choice.kind === 'hub') return { kind: 'hub', hub: choice.hub, repo: choice.repo, storedOnly: true };
  if (choice.kind === 'local') return { kind: 'local', name: choice.name };
  return { kind: 'url', url: bundled.url, label: bundled.label };
}
