// The interventions in Chromium against the built site, with the real engine in its worker:
// chapter 4's "Switch off a head" runs the latest tick's text with one head off and shows the two
// runs side by side; every number on it is the one the engine sent (recorded as it arrived), the
// weights' checksum read back equals the one at load, and a new tick clears the result; chapter 5's
// "Skip a block" does the same for a block. Axe clean, no console errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { formatProb } from '../../components/format.ts';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, nextToken, open } from './chapter-page.ts';

/**
 * An init script: every intervene answer the engine worker posts is copied to `window.interventions`
 * before the page sees it (source text, not a function: the runner's transpiler would add helpers).
 */
const RECORD_INTERVENTIONS = `(() => {
  const Base = window.Worker;
  window.interventions = [];
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (v && typeof v === 'object' && 'weightsVerified' in v && 'changes' in v && 'lens' in v) window.interventions.push(v);
      });
    }
  };
})();`;

interface Recorded {
  tick: number;
  intervention: { heads: [number, number][]; skipBlocks: number[] };
  sample: { id: number; draw: number | null; candidates: { id: number; prob: number }[] };
  changes: { id: number; before: number; after: number; delta: number }[];
  checksum: string;
  weightsVerified: string;
}

describe('interventions', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('chapter 4: switch off a head; the two runs side by side, the engine\'s numbers, the checksum equal; a new tick clears it', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/attention/`, RECORD_INTERVENTIONS);
    try {
      const cell = page.locator('[data-cell="switch-off"]');
      await cell.scrollIntoViewIfNeeded();
      assert.ok(await cell.getByRole('button', { name: 'Switch off this head' }).isDisabled(), 'nothing to intervene on before a tick');
      await nextToken(page);
      await nextToken(page);
      await cell.getByLabel('Layer to switch off', { exact: true }).selectOption('1');
      await cell.getByLabel('Head to switch off', { exact: true }).focus();
      await page.keyboard.press('ArrowDown'); // the keyboard picks head 1
      await cell.getByRole('button', { name: 'Switch off this head' }).click();
      const result = cell.locator('.intervention');
      await result.waitFor({ timeout: 30_000 });
      const r = (await page.evaluate(() => (window as unknown as { interventions: unknown[] }).interventions.at(-1))) as Recorded;
      assert.deepEqual(r.intervention.heads, [[1, 1]]);
      assert.equal(r.tick, 1);
      assert.equal(r.weightsVerified, r.checksum, 'the weights read back after the run are the weights loaded');
      assert.equal(await result.getAttribute('data-checksum'), r.checksum);
      assert.equal(await result.getAttribute('data-weights-verified'), r.weightsVerified);
      assert.match(await result.locator('.iv-checksum').innerText(), /Equal: the switch acted on the computation/);
      // The intervened side's table is the engine's candidates, in order, with its probabilities.
      const rows = result.locator('table.iv-after tbody tr');
      assert.equal(await rows.count(), 5);
      for (let i = 0; i < 5; i++) {
        assert.equal(Number(await rows.nth(i).getAttribute('data-id')), r.sample.candidates[i].id);
        const shown = await rows.nth(i).locator('td.num').innerText();
        assert.equal(shown, formatProb(r.sample.candidates[i].prob), `row ${i}`);
      }
      // Δp as the engine computed it.
      const changes = result.locator('table.iv-changes tbody tr');
      assert.equal(await changes.count(), r.changes.length);
      for (let i = 0; i < r.changes.length; i++) {
        assert.equal(Number(await changes.nth(i).getAttribute('data-id')), r.changes[i].id);
        assert.equal(Number(await changes.nth(i).getAttribute('data-delta')), r.changes[i].delta);
      }
      assert.equal(Number(await result.getAttribute('data-after')), r.sample.id, 'the chosen token under the same dice');
      const latest = await page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks));
      assert.equal(latest, 2);
      await axeBoth(page);
      await nextToken(page);
      await page.waitForFunction(() => !document.querySelector('[data-cell="switch-off"] .intervention'));
      assert.equal(await cell.getByLabel('Layer to switch off', { exact: true }).inputValue(), '1', 'the pick survives a new tick');
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('chapter 5: skip a block; the result shows and the checksum is equal', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/mlp-residual/`, RECORD_INTERVENTIONS);
    try {
      await nextToken(page);
      const cell = page.locator('[data-cell="skip-block"]');
      await cell.scrollIntoViewIfNeeded();
      await cell.getByLabel('Block to skip', { exact: true }).selectOption('0');
      await cell.getByRole('button', { name: 'Skip this block' }).click();
      const result = cell.locator('.intervention');
      await result.waitFor({ timeout: 30_000 });
      const r = (await page.evaluate(() => (window as unknown as { interventions: unknown[] }).interventions.at(-1))) as Recorded;
      assert.deepEqual(r.intervention.skipBlocks, [0]);
      assert.equal(r.weightsVerified, r.checksum);
      assert.equal(Number(await result.getAttribute('data-after')), r.sample.id);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
