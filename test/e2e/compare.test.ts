// Chapter 6's "two models, one prompt" in Chromium. With nothing stored, the cell says so and
// links to the Models page, and no second engine or download starts. Then a second model is
// stored the way a reader does it (the Models page, from the stand-in Hub: a small GPT-2-shaped
// checkpoint with GPT-2's real vocabulary, under DistilGPT-2's name), the reader goes back to the
// bundled model, opens chapter 6 and compares: each tick of both models shows the chosen token
// and top probability of the same model, prompt, seed and settings run in Node. Close ends the
// second engine's worker. The filled cell is axe clean and fits a 390 px phone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeConfig } from '../../model/config.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { localEngine } from '../../engine/local.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import type { SideTick } from '../../notebooks/chapters/06-logits-to-token/compare.ts';
import { writeRandomGpt2VocabCheckpoint } from '../../train/random-checkpoint.ts';
import { startHubServer, type HubServer } from '../hub-server.ts';
import { axeBoth } from './chapter-page.ts';
import { browserArgs, chromiumPath, collectConsoleErrors, distDir, showControls, startPreview } from './harness.ts';
import { pickHubModel, useModel } from './models-page.ts';

// Not .tmp/hub: models.test.ts keeps a full-size DistilGPT-2 there under the same name.
const hubDir = resolve('.tmp', 'hub-compare');
const REPO = 'distilbert/distilgpt2';
const SMALL = makeConfig({ n_layer: 2, n_head: 2, n_embd: 64, n_positions: 128, vocab_size: 50257 });
const TICKS = 3;

async function writeHub(): Promise<string> {
  const dir = join(hubDir, ...REPO.split('/'));
  if (!['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'].every((f) => existsSync(join(dir, f)))) {
    await writeRandomGpt2VocabCheckpoint(dir, { config: SMALL, dtype: 'F32', seed: 6 });
  }
  return dir;
}

/** Both within `tol` (a browser and Node may differ in the last bits of a float32 forward pass). */
const near = (a: number, b: number, what: string, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} on the page, ${b} in Node`);

describe('chapter 6: two models, one prompt', { timeout: 600_000 }, () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let hub: HubServer;
  let context: BrowserContext;
  let profile: string;
  let repoDir: string;
  const dist = process.env.E2E_DIST || distDir;

  before(async () => {
    repoDir = await writeHub();
    hub = await startHubServer(hubDir);
    preview = await startPreview(dist, { connect: [hub.url] });
    profile = await mkdtemp(join(tmpdir(), 'tokenclock-profile-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: browserArgs, viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close();
    await preview?.close();
    await hub?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Open chapter 6, wait for its model, and bring the comparison cell into view. */
  const openChapter6 = async (): Promise<{ page: Page; errors: string[]; workers: () => number; closed: () => number }> => {
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);
    // Engine workers only (the first one, the page's, names the script): the wasm backend starts
    // threads of its own, workers too.
    let engineUrl = '';
    let workers = 0;
    let closed = 0;
    page.on('worker', (w) => {
      engineUrl ||= w.url();
      if (w.url() !== engineUrl) return;
      workers++;
      w.on('close', () => void closed++);
    });
    await page.goto(`${preview.url}/chapters/logits-to-token/`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
    await showControls(page);
    await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.locator('[data-cell="compare"]').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('[data-cell="compare"] .compare') !== null, null, { timeout: 30_000 });
    return { page, errors, workers: () => workers, closed: () => closed };
  };

  it('with no second model stored: a plain notice and a link to the Models page, and no download or second engine', async () => {
    hub.requests.length = 0;
    const { page, errors, workers } = await openChapter6();
    const cell = page.locator('[data-cell="compare"] .compare');
    assert.equal(await cell.getAttribute('data-state'), 'none');
    assert.match((await cell.textContent()) ?? '', /No second model is stored in this browser yet.*never downloads anything/);
    const link = cell.getByRole('link', { name: 'Models page' });
    assert.equal(new URL((await link.getAttribute('href'))!, page.url()).pathname, '/models/');
    assert.equal(await cell.getByRole('button').count(), 0);
    assert.deepEqual(hub.requests, []);
    assert.equal(workers(), 1, 'only the page’s own engine');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('stores a second model on the Models page, then goes back to the bundled one', async () => {
    const models = await context.newPage();
    await models.goto(`${preview.url}/models/`, { waitUntil: 'load' });
    await models.waitForFunction(() => document.body.dataset.picker === 'ready' && document.body.dataset.stored === 'ready');
    await pickHubModel(models, hub.url, /DistilGPT-2/);
    assert.match(await useModel(models), /^hub:http:\/\/127\.0\.0\.1:\d+\/distilbert\/distilgpt2$/);
    await models.waitForFunction(() => /distilbert\/distilgpt2/.test(document.getElementById('stored')?.textContent ?? ''));
    await models.getByRole('radio', { name: new RegExp(BUNDLED_MODEL) }).check();
    assert.match(await useModel(models), /^url:/);
    assert.match((await models.locator('#current').textContent()) ?? '', new RegExp(`runs ${BUNDLED_MODEL}`));
    await models.close();
  });

  it('Compare runs the stored model beside the page’s, tick for tick: each side equals Node’s run of that model', async () => {
    hub.requests.length = 0;
    const { page, errors, workers, closed } = await openChapter6();
    const cell = page.locator('[data-cell="compare"] .compare');
    assert.equal(await cell.getAttribute('data-state'), 'idle');
    assert.equal(workers(), 1, 'no second engine before the reader asks');
    const button = cell.getByRole('button', { name: /^Compare with distilbert\/distilgpt2/ });
    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-cell="compare"] .compare-body')?.getAttribute('data-phase') === 'ready', null, { timeout: 120_000 });
    assert.equal(workers(), 2, 'one second engine');
    assert.deepEqual(hub.requests.filter((r) => r.method === 'GET'), [], 'read from the store, not downloaded');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'compare-close');

    const values = await page.locator('[data-cell="controls"]').evaluate((form) =>
      Object.fromEntries(['prompt', 'temperature', 'top-k', 'top-p', 'seed'].map((n) => [n, form.querySelector<HTMLInputElement>(`[name="${n}"]`)!.value])));
    const settings = { prompt: values.prompt, temperature: Number(values.temperature), topK: Number(values['top-k']), topP: Number(values['top-p']), seed: Number(values.seed) };
    for (let k = 1; k <= TICKS; k++) {
      await page.getByRole('button', { name: 'Next token' }).click();
      await page.waitForFunction((n) => {
        const b = document.querySelector('[data-cell="compare"] .compare-body');
        return b?.getAttribute('data-ticks') === String(n) && b.getAttribute('data-page-ticks') === String(n);
      }, k, { timeout: 120_000 });
    }
    await page.locator('[data-cell="compare"]').scrollIntoViewIfNeeded();
    const rows = await page.locator('table.compare-table tbody').evaluateAll((trs) => trs.map((tr) => ({
      tick: Number((tr as HTMLElement).dataset.tick), a: JSON.parse((tr as HTMLElement).dataset.a!), b: JSON.parse((tr as HTMLElement).dataset.b!),
    })));
    assert.equal(rows.length, TICKS);

    // Node: each model alone, on the same prompt, seed and settings.
    const sampling = { temperature: settings.temperature, topK: settings.topK, topP: settings.topP };
    const run = async (url: string): Promise<TickSummary[]> => {
      const node = localEngine();
      try {
        await node.request({ type: 'load', source: { kind: 'url', url, label: url }, backend: 'wasm' });
        await node.request({ type: 'start', prompt: settings.prompt, seed: settings.seed, sampling });
        const out: TickSummary[] = [];
        for (let i = 0; i < TICKS; i++) out.push(await node.request({ type: 'tick', candidates: 8 }));
        return out;
      } finally {
        node.host.session?.dispose();
        node.host.model?.dispose();
      }
    };
    const wantA = await run(join(dist, 'models', BUNDLED_MODEL));
    const wantB = await run(repoDir);
    for (let k = 0; k < TICKS; k++) {
      const [a, b] = [rows[k].a as SideTick, rows[k].b as SideTick];
      assert.equal(rows[k].tick, k);
      assert.equal(a.text, wantA[k].piece.text, `tick ${k}: the page's model's token`);
      assert.equal(b.text, wantB[k].piece.text, `tick ${k}: the second model's token`);
      near(a.prob, wantA[k].sample.chosen.prob, `tick ${k}: the page's model's chosen probability`);
      near(b.prob, wantB[k].sample.chosen.prob, `tick ${k}: the second model's chosen probability`);
      near(a.top[0].prob, wantA[k].sample.candidates[0].prob, `tick ${k}: the page's model's top probability`);
      near(b.top[0].prob, wantB[k].sample.candidates[0].prob, `tick ${k}: the second model's top probability`);
      assert.equal(b.top[0].text, wantB[k].sample.candidates[0].text);
      assert.ok(a.ms > 0 && b.ms > 0);
    }
    assert.equal(await page.locator('[data-cell="compare"] [data-side="b"] strong').textContent(), wantB.map((t) => t.text).join(''));
    assert.equal(await page.locator('[data-cell="compare"] [data-side="a"] strong').textContent(), wantA.map((t) => t.text).join(''));

    await axeBoth(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll on a phone');
    const small = await page.locator('[data-cell="compare"] button[name="compare-close"]').boundingBox();
    assert.ok(small && small.height >= 44, 'Close is a 44 px target');

    await page.getByRole('button', { name: 'Close the comparison' }).click();
    assert.equal(await cell.getAttribute('data-state'), 'closed');
    assert.equal(await page.locator('[data-cell="compare"] .compare-body').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'compare');
    for (let i = 0; i < 50 && closed() < 1; i++) await page.waitForTimeout(100);
    assert.equal(closed(), 1, 'the second engine’s worker ended');
    assert.equal(await page.locator('[data-cell="controls"]').getAttribute('data-clock'), 'idle', 'the page’s own engine goes on');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
