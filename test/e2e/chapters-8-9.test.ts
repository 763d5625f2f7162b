// Chapters 8 (inference is not training) and 9 (cost and speed) in Chromium against the built
// site, with the real engine in its worker: pages load without console errors; KaTeX is rendered;
// inference's weights checksum stays put while the training demo's loss falls and its checksum
// changes every step; the bundled model's loss curve is its train-log.json, as served; chapter 9's
// equation is the engine's count, its cost chart is the engine's tick records, and its peak is
// measured on demand; axe is clean in light and dark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, nextToken, open, RECORD_TICKS, type RecordedTick } from './chapter-page.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { countParams, type GPT2Config } from '../../model/config.ts';
import { formatBytes, formatFlops, formatMs } from '../../components/format.ts';

/** Animations and transitions running in a cell's chart, with the reader asking for reduced motion. */
async function chartAnimations(page: Page, cell: string): Promise<number> {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  return page.evaluate((cell) => document.getAnimations().filter((a) => {
    const target = (a.effect as KeyframeEffect | null)?.target;
    return target instanceof Element && target.closest(`[data-cell="${cell}"]`) !== null;
  }).length, cell);
}

describe('chapters 8 and 9', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined); // E2E_DIST: a build elsewhere than dist/
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  describe('chapter 8, inference is not training', () => {
    let page: Page;
    let errors: string[];
    const data = (cell: string, sel: string) => page.locator(`[data-cell="${cell}"] ${sel}`).evaluate((el) => ({ ...(el as HTMLElement).dataset }));
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/not-training/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('inference keeps its checksum; the tiny model’s loss falls and its checksum changes every step', async () => {
      for (let i = 0; i < 3; i++) await nextToken(page);
      await page.waitForSelector('[data-cell="inference"] .inference-weights[data-ticks="3"][data-read="3"]'); // each tick's read-back follows it
      const inf = await data('inference', '.inference-weights');
      assert.equal(inf.checksums, inf.atLoad, 'one checksum for every tick, the one taken at load');
      const button = page.getByRole('button', { name: /^Train/ });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-cell="learning"] .learning[data-running="false"]', { timeout: 40_000 });
      const d = await data('learning', '.learning');
      assert.ok(Number(d.lastLoss) < Number(d.firstLoss), `${d.firstLoss} → ${d.lastLoss}`);
      const sums = [d.checksumBefore!, ...d.checksums!.split(' ')];
      assert.ok(sums.length > 10);
      for (let i = 1; i < sums.length; i++) assert.notEqual(sums[i], sums[i - 1], `step ${i}`);
      await nextToken(page);
      await page.waitForSelector('[data-cell="inference"] .inference-weights[data-ticks="4"][data-read="4"]');
      assert.equal((await data('inference', '.inference-weights')).checksums, inf.atLoad, 'still the same after training ran');
    });

    it('the loss curve and the prose quote the bundled model’s train-log.json, as the site serves it', async () => {
      const res = await fetch(`${preview.url}/models/${BUNDLED_MODEL}/train-log.json`);
      assert.equal(res.status, 200);
      const log = await res.json() as { config: { vocab_size: number }; train: { batch: number; ctx: number }; steps: { step: number; loss: number }[]; evals: { step: number; loss: number; bitsPerByte: number }[] };
      const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert.ok(fetched.includes(`/models/${BUNDLED_MODEL}/train-log.json`), 'the page fetched the log from the model folder');
      const cell = page.locator('[data-cell="lossCurve"] .loss-curve');
      await cell.waitFor();
      // The chart: a point per logged step, a focusable point per evaluation labelled with its numbers.
      const d = await cell.locator('svg path.train').getAttribute('d');
      assert.equal((d ?? '').split(/[ML]/).filter(Boolean).length, log.steps.length);
      const labels = await cell.locator('svg g.eval').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? ''));
      assert.deepEqual(labels.map((l) => l.split(',')[0]), log.evals.map((v) => `step ${v.step}: validation ${v.loss.toFixed(3)} (${v.bitsPerByte.toFixed(3)} bits/byte)`));
      // The table alternative: step 1, then each evaluation.
      await cell.locator('details summary').click();
      const rows = await cell.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
      assert.deepEqual(rows.map((r) => r[0]), ['1', ...log.evals.map((v) => String(v.step))]);
      assert.equal(rows[0][1], log.steps[0].loss.toFixed(3));
      assert.deepEqual(rows.slice(1).map((r) => [r[3], r[4]]), log.evals.map((v) => [v.loss.toFixed(3), v.bitsPerByte.toFixed(3)]));
      // The prose's numbers.
      const span = (name: string) => page.locator(`[data-cell="${name}"]`).textContent();
      const last = log.evals.at(-1)!;
      assert.equal(await span('runName'), BUNDLED_MODEL);
      assert.equal(await span('runSteps'), String(log.steps.at(-1)!.step));
      assert.equal(await span('runBatch'), `${log.train.batch} passages of ${log.train.ctx} tokens`);
      assert.equal(await span('runFirstLoss'), log.steps[0].loss.toFixed(3));
      assert.equal(await span('runUniform'), `ln ${log.config.vocab_size} = ${Math.log(log.config.vocab_size).toFixed(3)}`);
      assert.equal(await span('runLastEval'), `${last.loss.toFixed(3)} nats per token (${last.bitsPerByte.toFixed(3)} bits per byte)`);
      assert.match(await span('runAfter') ?? '', new RegExp(`^The weights this page runs are the ones saved after step ${log.steps.at(-1)!.step},`));
      // Keyboard: the last evaluation is the tab stop; Home goes to the first and shows its numbers.
      await cell.locator('svg g.eval[tabindex="0"]').focus();
      await page.keyboard.press('Home');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-index'));
      assert.equal(focused, String(log.evals[0].step));
      const readout = await cell.locator('svg .readout').evaluate((g) => ({ display: g.getAttribute('display'), text: [...g.querySelectorAll('text')].map((t) => t.textContent) }));
      assert.equal(readout.display, null);
      assert.equal(readout.text[0], `step ${log.evals[0].step}: validation ${log.evals[0].loss.toFixed(3)} (${log.evals[0].bitsPerByte.toFixed(3)} bits/byte)`);
      assert.equal(await chartAnimations(page, 'lossCurve'), 0, 'nothing in the chart animates');
    });

    it('no console errors; axe clean in light and dark', async () => {
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });

  describe('chapter 9, cost and speed', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/cost-speed/`, RECORD_TICKS));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the 2N equation is typeset with the loaded model’s numbers and the engine’s count', async () => {
      await page.waitForSelector('[data-cell="cost"] .live-equation .katex');
      const d = await page.locator('[data-cell="cost"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.ok(Number(d.n) > 0 && Number(d.n) < Number(d.params));
      assert.ok(Number(d.approx) > 2 * Number(d.n), 'the LM head adds 2CV');
      assert.ok(Math.abs(Number(d.exact) / Number(d.approx) - 1) < 0.2, `${d.exact} vs ${d.approx}`);
      assert.ok(await page.locator('.katex').count() >= 4, 'prose and live equations typeset');
    });

    it('tokens per second are measured from the ticks, and the peak button measures once', async () => {
      for (let i = 0; i < 3; i++) await nextToken(page);
      await page.waitForSelector('[data-cell="speed"] .speed[data-tokens-per-second]');
      const button = page.getByRole('button', { name: /Measure this device/ });
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-cell="speed"] .speed[data-peak-gflops]', { timeout: 30_000 });
      const d = await page.locator('[data-cell="speed"] .speed').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.ok(Number(d.tokensPerSecond) > 0 && Number(d.peakGflops) > 0 && Number(d.gflops) > 0);
      const ratio = Number(await page.locator('[data-cell="gpt2"] .compare').getAttribute('data-ratio'));
      assert.ok(ratio > 1, String(ratio));
      // The device's bandwidth, measured in the worker: the floors appear under the ticks, and 124M's time gets a floor.
      assert.ok(Number(d.gbps) > 0 && Number(d.memoryGbps) > 0, JSON.stringify(d));
      await page.waitForSelector('[data-cell="costs"] .costs[data-gbps] svg .floor.reading', { state: 'attached' });
      const c = await page.locator('[data-cell="costs"] .costs').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.equal(Number(c.gbps), Number(d.gbps));
      assert.ok(Number(c.readingMs) > 0 && Number(c.arithmeticMs) > 0);
      const floor = Number(await page.locator('[data-cell="gpt2"] .compare').getAttribute('data-big-floor-ms'));
      assert.ok(floor > 0, String(floor));
    });

    it('the cost chart shows each decode tick as the engine recorded it, and follows the clock', async () => {
      for (let i = 0; i < 2; i++) await nextToken(page);
      const config = await (await fetch(`${preview.url}/models/${BUNDLED_MODEL}/config.json`)).json() as GPT2Config;
      const { n_layer: L, n_embd: C, vocab_size: V, n_positions: n } = config;
      const weights = 4 * (countParams(config) - n * C + C); // every weight but wpe, and one wpe row, as float32
      const check = async () => {
        const records = (await page.evaluate(() => (window as unknown as { tickRecords: unknown[] }).tickRecords)) as RecordedTick[];
        const decode = records.filter((t) => t.kind === 'decode');
        await page.waitForSelector(`[data-cell="costs"] .costs[data-ticks="${decode.length}"]`);
        const cell = page.locator('[data-cell="costs"] .costs');
        assert.equal(await cell.getAttribute('data-indices'), decode.map((t) => t.index).join(' '));
        const rows = await cell.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
        assert.equal(rows.length, decode.length);
        decode.forEach((t, i) => {
          assert.equal(t.flops, L * (24 * C * C + 4 * (t.position + 1) * C) + 2 * C * V, 'the engine counts forwardFlops');
          assert.equal(t.cacheBytes, L * 2 * C * 4 * t.cacheLength);
          assert.deepEqual(rows[i].slice(0, 7), [String(t.index), String(t.cacheLength), formatFlops(t.flops), formatBytes(weights), formatBytes(t.cacheBytes),
            formatMs(t.forward), (1000 / t.forward).toFixed(1)]);
        });
        assert.equal(await cell.locator('svg g.tick').count(), decode.length);
        return decode;
      };
      const before = await check();
      await nextToken(page);
      const after = await check();
      assert.equal(after.length, before.length + 1, 'one more column for one more tick');
      // Keyboard: the latest tick is the tab stop; Home moves to the first and the readout follows.
      await page.locator('[data-cell="costs"] summary').click();
      await page.locator('[data-cell="costs"] svg g.tick[tabindex="0"]').focus();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), String(after.at(-1)!.index));
      await page.keyboard.press('Home');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), String(after[0].index));
      const line = await page.locator('[data-cell="costs"] svg .readout text').first().textContent();
      assert.equal(line, `tick ${after[0].index}, context ${after[0].cacheLength}: ${formatFlops(after[0].flops)}`);
      assert.equal(await chartAnimations(page, 'costs'), 0, 'nothing in the chart animates');
    });

    it('no console errors; axe clean in light and dark', async () => {
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });
});
