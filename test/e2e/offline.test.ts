// Offline, in Chromium against a copy of the built site: one visit installs the service worker
// (sw.js, written by scripts/precache.mjs), then with the browser offline and the server
// stopped every page still loads, cross-origin isolated, and the model still generates. A new
// build is picked up on the next visit and never mixed with the old one: a half-uploaded build
// fails to install and the old version keeps serving; a complete one waits until no page runs
// the old version, then takes over whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { writeServiceWorker } from '../../scripts/precache.mjs';
import { collectConsoleErrors, distDir, launchBrowser, startPreview, visitFigures } from './harness.ts';

type Preview = Awaited<ReturnType<typeof startPreview>>;

/** Every page of the build, as URL paths ('', 'chapters/', 'chapters/tokens/', 'zh-cn/', …). */
const pages = (readdirSync(distDir, { recursive: true }) as string[])
  .map((f) => f.split(sep).join('/'))
  .filter((f) => f === 'index.html' || f.endsWith('/index.html'))
  .map((f) => f.slice(0, -'index.html'.length))
  .sort();
/** A chapter page (in any language), where the model runs and figures draw. */
const isChapter = (path: string) => /(^|\/)chapters\/[^/]+\/$/.test(path);

/** Resolves once the page's service worker registration has an activated worker. */
async function swActivated(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const w = reg.active!;
    if (w.state === 'activated') return;
    await new Promise<void>((ok) => w.addEventListener('statechange', () => w.state === 'activated' && ok()));
  });
}

/** Wait for the page's engine to finish loading its model; fails with the status line if it could not. */
async function engineReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
  const status = await page.locator('[data-role="status"], #status').first().textContent();
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', `${page.url()}: ${status}`);
}

/** Which build the page came from (the update test marks build 2's pages), and its model card's last line. */
async function served(page: Page): Promise<{ page: string; card: string }> {
  return page.evaluate(async () => {
    const card = await (await fetch('models/gutenberg-4m/MODEL_CARD.md')).text();
    return {
      page: document.querySelector<HTMLMetaElement>('meta[name="tokenclock-build"]')?.content ?? 'build 1',
      card: card.includes('Build 2.') ? 'build 2' : 'build 1',
    };
  });
}

describe('offline', { timeout: 300_000 }, () => {
  let browser: Browser;
  const work = mkdtempSync(join(tmpdir(), 'tokenclock-offline-'));
  const servers: Preview[] = [];
  const serve = async (root: string) => {
    const p = await startPreview(root);
    servers.push(p);
    return p;
  };

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  it('after one visit, every page loads and generates with the network off and the server stopped', async () => {
    const site = join(work, 'site');
    cpSync(distDir, site, { recursive: true });
    assert.ok(existsSync(join(site, 'sw.js')), 'the build has no sw.js');
    const preview = await serve(site);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);

    // The one visit: the page loads (and the service worker installs) from the network.
    await page.goto(`${preview.url}/`, { waitUntil: 'load' });
    await engineReady(page);
    await swActivated(page);

    // The network is gone: the browser is offline and the server stopped.
    await context.setOffline(true);
    await preview.close();

    const res = await page.reload({ waitUntil: 'load' });
    assert.equal(res?.status(), 200);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is not controlled by the service worker');
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'not cross-origin isolated when served from the cache');
    await engineReady(page);
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => /^Tick 0 /.test(document.getElementById('status')?.textContent ?? ''));
    const wasm = await page.evaluate(async () => {
      const r = await fetch('tfjs/tfjs-backend-wasm-simd.wasm');
      return { status: r.status, type: r.headers.get('content-type'), corp: r.headers.get('cross-origin-resource-policy') };
    });
    assert.deepEqual(wasm, { status: 200, type: 'application/wasm', corp: 'same-origin' });
    assert.deepEqual(errors, [], 'landing page');

    // Every page of the site, as a reader going through it with no network.
    const chapters = pages.filter(isChapter);
    assert.ok(chapters.length >= 11, `chapters found: ${chapters.join(' ')}`);
    for (const path of pages) {
      errors.length = 0;
      const r = await page.goto(`${preview.url}/${path}`, { waitUntil: 'load' });
      assert.equal(r?.status(), 200, path);
      assert.ok(await page.evaluate(() => globalThis.crossOriginIsolated), `${path}: not cross-origin isolated`);
      if (!isChapter(path) && (await page.locator('#next-token').count()) > 0) await engineReady(page); // a landing page
      if (isChapter(path)) {
        await engineReady(page);
        assert.ok((await page.locator('.katex').count()) > 0, `${path}: no KaTeX`);
        // The clock starts near the controls; each figure's cells start near the viewport once it
        // exists (and may load code): the controls first, then scroll past each figure once.
        await page.evaluate(() => document.querySelector('[data-cell="controls"]')?.scrollIntoView({ block: 'nearest' }));
        await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock !== undefined, null, { timeout: 30_000 });
        await visitFigures(page);
        await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('figure [data-cell]')].every((c) => c.dataset.state === 'ready'), null, { timeout: 30_000 })
          .catch(() => assert.fail(`${path}: figures not ready: ${errors.join('\n')}`));
        if (path === chapters[0]) {
          await page.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
          await page.getByRole('button', { name: 'Next token' }).click();
          await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === 1);
        }
      }
      assert.deepEqual(errors, [], path);
    }
    // A shared link carries its state in the query: the same cached page serves it.
    const linked = await page.goto(`${preview.url}/${chapters[0]}?seed=7`, { waitUntil: 'load' });
    assert.equal(linked?.status(), 200);
    await engineReady(page);
    await context.close();
  });

  it('a new build is picked up on the next visit, whole: never half-installed, never mixed with the old one', async () => {
    const site = join(work, 'update-site');
    const next = join(work, 'update-next');
    cpSync(distDir, site, { recursive: true });
    // Build 2: a page and a file outside _astro/ (same name, new bytes) changed, and its own sw.js
    // (the build's sw.js with the list of files and version made again for the changed copy).
    cpSync(distDir, next, { recursive: true });
    const index = join(next, 'index.html');
    writeFileSync(index, readFileSync(index, 'utf8').replace('</head>', '<meta name="tokenclock-build" content="build 2"></head>'));
    appendFileSync(join(next, 'models/gutenberg-4m/MODEL_CARD.md'), '\nBuild 2.\n');
    const v2 = writeServiceWorker(next, join(next, 'sw.js'));
    const preview = await serve(site);

    const context: BrowserContext = await browser.newContext();
    let page = await context.newPage();
    await page.goto(`${preview.url}/`, { waitUntil: 'load' });
    await swActivated(page);
    await page.reload({ waitUntil: 'load' });
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));
    assert.deepEqual(await served(page), { page: 'build 1', card: 'build 1' });
    // A model a reader downloaded lives in its own cache, which no version of the site may drop.
    await page.evaluate(async () => (await caches.open('tokenclock-models-v1')).put('/stored-model-probe', new Response('kept')));

    const update = () =>
      page.evaluate(async () => {
        const reg = (await navigator.serviceWorker.getRegistration())!;
        await reg.update();
        const w = reg.installing ?? reg.waiting;
        if (!w) return 'no update';
        if (w.state === 'installed' || w.state === 'redundant') return w.state;
        return new Promise<string>((ok) => w.addEventListener('statechange', () => (w.state === 'installed' || w.state === 'redundant') && ok(w.state)));
      });

    // Half uploaded: build 2's sw.js is there, its changed files are not yet. The install checks
    // every file's hash, fails, and build 1 keeps serving everything.
    cpSync(join(next, 'sw.js'), join(site, 'sw.js'));
    assert.equal(await update(), 'redundant');
    await page.reload({ waitUntil: 'load' });
    assert.deepEqual(await served(page), { page: 'build 1', card: 'build 1' });

    // Fully uploaded: build 2 installs, and waits while a page of build 1 is open, which keeps
    // getting build 1's files (not the server's new ones) even across a reload.
    cpSync(next, site, { recursive: true });
    assert.equal(await update(), 'installed');
    assert.deepEqual(await served(page), { page: 'build 1', card: 'build 1' });
    await page.reload({ waitUntil: 'load' });
    assert.deepEqual(await served(page), { page: 'build 1', card: 'build 1' });

    // The next visit (every page of the site closed, then one opened) gets build 2, whole, and
    // only build 2 is kept, beside the readers' models.
    await page.close();
    page = await context.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/`, { waitUntil: 'load' });
    assert.deepEqual(await served(page), { page: 'build 2', card: 'build 2' });
    const kept = await page.evaluate(async () => ({
      site: (await caches.keys()).filter((n) => n.startsWith('tokenclock-site-')),
      probe: await (await caches.match('/stored-model-probe'))?.text(),
    }));
    assert.deepEqual(kept, { site: [`tokenclock-site-${v2.version}`], probe: 'kept' });

    // Build 2 works offline too.
    await context.setOffline(true);
    await preview.close();
    await page.reload({ waitUntil: 'load' });
    assert.deepEqual(await served(page), { page: 'build 2', card: 'build 2' });
    await engineReady(page);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
