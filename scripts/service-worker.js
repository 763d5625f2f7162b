// @ts-check
// The site's service worker: after one visit, every page, script, font, wasm binary and the
// bundled model come from Cache Storage, so the site works with the network off.
//
// This file is a template. At build time scripts/precache.mjs writes it to <outDir>/sw.js with
// PRECACHE filled in: every file of the build, with its SHA-256, and a version hashed from that
// list. A new build therefore means a new sw.js, which the browser notices on its next update
// check (on navigation, and when a page calls registration.update()).
//
// Versions never mix:
// - install fills a cache named after the version, checking every file's hash; one missing or
//   different file fails the install, the cache is dropped, and the old version keeps serving;
// - there is no skipWaiting: the new version activates only when no page still runs the old
//   one (all the site's tabs closed), so a page and every file it asks for are of one version;
// - activate deletes the other versions' caches, never the readers' model store
//   ('tokenclock-models-v1', see notebooks/model-store.ts).
// Cross-origin requests (the Hugging Face Hub) are never touched, nor are same-origin requests
// for files outside the build; they go to the network as usual.

/** Filled in at build time: paths relative to sw.js, each file's SHA-256 (hex) and size. */
const PRECACHE = /* @precache */ { version: 'dev', files: /** @type {{ path: string, sha256: string, size: number }[]} */ ([]) };

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const PREFIX = 'tokenclock-site-';
const CACHE = `${PREFIX}${PRECACHE.version}`;
const HASH_HEADER = 'x-tokenclock-sha256';
const PARALLEL = 6;

/** Content types by extension, so wasm always streams as application/wasm whatever the host sends. */
const TYPES = /** @type {Record<string, string>} */ ({
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  wasm: 'application/wasm',
  safetensors: 'application/octet-stream',
  webmanifest: 'application/manifest+json',
});

/** Sent with every response from the cache: the pages stay cross-origin isolated (threaded wasm). */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The build's files by absolute URL (no query, no hash). */
const byUrl = new Map(PRECACHE.files.map((f) => [new URL(f.path, sw.location.href).href, f]));

/** @param {ArrayBuffer} buf */
async function sha256(buf) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The response to keep for a file: its bytes, with a content type from its extension, the
 * isolation headers and its hash. Built afresh, so no redirect flag or stray header is kept.
 * @param {string} path @param {ArrayBuffer} body @param {string} hash @param {string | null} serverType
 */
function cachedResponse(path, body, hash, serverType) {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const type = TYPES[ext] ?? serverType ?? 'application/octet-stream';
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': type, 'Content-Length': String(body.byteLength), [HASH_HEADER]: hash, ...ISOLATION },
  });
}

/**
 * A file as this version has it: from an older version's cache when the hash is the same (so an
 * update downloads only what changed), else from the network, bypassing the HTTP cache.
 * @param {{ path: string, sha256: string, size: number }} file @param {Cache[]} older
 */
async function fetchFile(file, older) {
  const url = new URL(file.path, sw.location.href).href;
  for (const cache of older) {
    const hit = await cache.match(url);
    if (hit && hit.headers.get(HASH_HEADER) === file.sha256) return hit;
  }
  // no-cache: revalidated, so a host with ETags answers 304 for what the page just loaded; the
  // hash below catches a stale copy either way.
  const res = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`precache: GET ${url} → ${res.status}`);
  const body = await res.arrayBuffer();
  const hash = await sha256(body);
  // A host in the middle of an upload can serve a file of another build: keep nothing then.
  if (hash !== file.sha256) throw new Error(`precache: ${url} is not the file this version lists (sha256 ${hash.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`);
  return cachedResponse(file.path, body, hash, res.headers.get('content-type'));
}

async function install() {
  const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
  const older = await Promise.all(names.map((n) => caches.open(n)));
  // A cache of this version left by an interrupted install is reused: its files were checked.
  const existed = await caches.has(CACHE);
  const cache = await caches.open(CACHE);
  older.unshift(cache);
  const queue = [...PRECACHE.files];
  try {
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          const res = await fetchFile(file, older);
          await cache.put(new URL(file.path, sw.location.href).href, res);
        }
      }),
    );
  } catch (e) {
    queue.length = 0; // the other lanes stop after their current file
    if (!existed) await caches.delete(CACHE); // (one that existed may be serving pages: keep it)
    throw e;
  }
}

sw.addEventListener('install', (event) => event.waitUntil(install()));

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Only this site's versioned caches: the model store and anything else stay.
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    })(),
  );
});

/**
 * The build's file for a URL, the way a static host maps paths: `a/` is `a/index.html`, and `a`
 * may be `a`, `a/index.html` or `a.html`.
 * @param {URL} url
 */
function lookup(url) {
  const path = url.origin + url.pathname;
  const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}/index.html`, `${path}.html`];
  for (const c of candidates) if (byUrl.has(c)) return c;
  return undefined;
}

/** @param {string} key */
async function fromCache(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

/** @param {Request} request */
async function respond(request) {
  const url = new URL(request.url);
  const key = lookup(url);
  if (key) {
    const hit = await fromCache(key);
    if (hit) return hit;
  }
  // Not in the build (or the cache was cleared under us): the network decides.
  try {
    return await fetch(request);
  } catch (e) {
    if (request.mode === 'navigate') {
      const notFound = byUrl.has(new URL('404.html', sw.location.href).href) ? await fromCache(new URL('404.html', sw.location.href).href) : undefined;
      if (notFound) return new Response(notFound.body, { status: 404, headers: notFound.headers });
    }
    throw e;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return; // the Hub and any other site: not ours
  if (!url.href.startsWith(sw.registration.scope)) return;
  if (!lookup(url) && request.mode !== 'navigate') return;
  event.respondWith(respond(request));
});
