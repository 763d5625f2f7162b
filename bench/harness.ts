// Serve the built site and drive Debian's Chromium: shared by the browser benchmarks and the
// end-to-end tests (test/e2e/harness.ts adds axe). Needs `astro build` to have produced dist/ first.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { siteHeaders } from '../scripts/headers.mjs';

/** The built site that the tests serve: dist/, or $E2E_DIST (a build made with `astro build --outDir`). */
export const distDir = process.env.E2E_DIST ? resolve(process.env.E2E_DIST) : resolve(fileURLToPath(new URL('../dist', import.meta.url)));

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.webmanifest': 'application/manifest+json',
};

// The same headers as astro.config.mjs gives preview (scripts/headers.mjs): cross-origin isolation
// for threaded wasm, and the Content-Security-Policy, nosniff and Referrer-Policy every e2e test
// thereby checks the pages pass. The CSP's script hashes are read from the served build.
const baseHeaders = { 'Cross-Origin-Resource-Policy': 'same-origin' };

/** The MIME type the static server sends for a file name. */
export function mimeType(path: string): string {
  return mimeTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

// Text the page needs before it can draw is sent gzipped when the browser asks, as every static
// host does: Lighthouse's simulated slow 4G charges each uncompressed byte (chapter 1's HTML is
// 92 KB, 16 KB gzipped). Model files (config, vocab, merges, weights) are sent as they are, so a
// loader's progress (bytes read of Content-Length) stays the file's own size.
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.webmanifest']);
const gzipCache = new Map<string, { mtimeMs: number; size: number; body: Buffer }>();

/** The gzipped bytes of `file` (read as `body`), kept while the file is unchanged (same mtime and size). */
async function gzipped(file: string, body: Buffer): Promise<Buffer> {
  const { mtimeMs } = await stat(file);
  const hit = gzipCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs && hit.size === body.byteLength) return hit.body;
  const zipped = gzipSync(body, { level: 6 });
  gzipCache.set(file, { mtimeMs, size: body.byteLength, body: zipped });
  return zipped;
}

/** Map a URL path to a file in `root`, the way a static host does; undefined if none. */
async function resolveFile(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined; // no ../ escapes
  const candidates = decoded.endsWith('/') ? [join(path, 'index.html')] : [path, join(path, 'index.html'), `${path}.html`];
  for (const file of candidates) {
    const s = await stat(file).catch(() => undefined);
    if (s?.isFile()) return file;
  }
  return undefined;
}

/**
 * Serve `root` (the built dist/ by default) from 127.0.0.1 on a free port, with correct MIME
 * types, the site's headers (CSP included) and 404s (dist/404.html when the site has one).
 * `opts.connect`: hosts to add to the CSP's connect-src, as a host must for a Hub mirror (the
 * Models page's tests use a stand-in Hub on 127.0.0.1).
 */
export async function startPreview(root: string = distDir, opts: { connect?: string[]; port?: number } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root}/index.html is missing: run \`npm run build\` before the e2e tests`);
  }
  const isolationHeaders = { ...baseHeaders, ...siteHeaders({ dist: root, connect: opts.connect }) };
  const server = createServer((req, res) => {
    void (async () => {
      const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', ...isolationHeaders }).end();
        return;
      }
      const file = await resolveFile(root, pathname);
      const status = file ? 200 : 404;
      const body = file
        ? await readFile(file)
        : await readFile(join(root, '404.html')).catch(() => Buffer.from(`404 Not Found: ${pathname}\n`));
      const type = file ? mimeType(file) : existsSync(join(root, '404.html')) ? mimeTypes['.html'] : mimeTypes['.txt'];
      const gzip = file !== undefined && compressible.has(extname(file).toLowerCase()) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const sent = gzip ? await gzipped(file, body) : body;
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': sent.byteLength,
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        ...(file && compressible.has(extname(file).toLowerCase()) ? { Vary: 'Accept-Encoding' } : {}),
        'Cache-Control': 'no-store',
        ...isolationHeaders,
      });
      res.end(req.method === 'HEAD' ? undefined : sent);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': mimeTypes['.txt'] });
      res.end(String(error));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : ok()));
      }),
  };
}

/** Path of the Chromium binary the tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The Chromium flags that work on these machines (see DESIGN.md). */
export const browserArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch headless Chromium with the flags that work on these machines (and `extraArgs`). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: chromiumPath, args: [...browserArgs, ...extraArgs] });
}

/**
 * A fresh page in its own browser context (axe needs a page made from a context; a context also
 * keeps storage apart between tests). Closing the page's context: `page.context().close()`.
 */
export async function openPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/**
 * Start recording the page's console errors and uncaught exceptions; the returned array fills
 * as they happen, so attach it before navigating.
 */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      errors.push(url ? `${message.text()} (${url}:${lineNumber})` : message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  return errors;
}

/**
 * Scroll every figure's cell into view once, a frame at a time, so the cells that wait for the
 * reader start. Playwright's scrollIntoViewIfNeeded would wait for each cell to stop moving, and a
 * run that is still ticking above it (a shared link's replay) moves it with every new row.
 */
export async function visitFigures(page: Page): Promise<void> {
  await page.evaluate(async () => {
    // (No named functions in the page: tsx's transpiler would wrap them in a helper the page lacks.)
    for (const cell of document.querySelectorAll('figure [data-cell]')) {
      cell.scrollIntoView({ block: 'center' });
      // Two frames (the cell's IntersectionObserver fires after one), or 200 ms where frames stall.
      for (let i = 0; i < 2; i++) await new Promise((done) => { requestAnimationFrame(() => done(null)); setTimeout(() => done(null), 200); });
    }
  });
}

/**
 * Bring the chapter's controls into view (block: 'nearest'), without Playwright's wait for them to
 * stop moving: a shared link's replay rewrites their status line at every tick.
 */
export async function showControls(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelector('[data-cell="controls"]')?.scrollIntoView({ block: 'nearest' }));
}
