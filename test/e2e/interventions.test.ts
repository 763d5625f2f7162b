// The interventions in Chromium against the built site, with the real engine in its worker:
// chapter 4's "Switch off a head" runs the latest tick's text with one head off and shows the two
// runs side by side; every number on it is the one the engine sent (recorded as it arrived), the
// weights' checksum read back equals the one at load, and a new tick clears the result; chapter 5's
// "Skip a block" does the same for a block. From now on: the run goes back to the latest tick and
// goes on with the part removed; the marker says so (cell, status line, tick bar), both texts and
// the tick table show what the engine sent for each run, with the differing tokens marked where
// the engine's ids differ; Back gives the untouched run, Reset the model untouched. Axe clean, no
// console errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { formatProb } from '../../components/format.ts';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, nextToken, open, ticks } from './chapter-page.ts';

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

/** An init script: every tick answer (with the untouched run's tick beside it, while an intervention lasts) copied to `window.tickAnswers`. */
const RECORD_TICK_ANSWERS = `(() => {
  const Base = window.Worker;
  window.tickAnswers = [];
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (!v || typeof v !== 'object' || !('cacheBytes' in v) || !('sample' in v)) return;
        window.tickAnswers.push({ index: v.index, id: v.id, prob: v.prob, intervention: v.intervention || null,
          untouched: v.untouched ? { index: v.untouched.index, id: v.untouched.id, prob: v.untouched.prob } : null });
      });
    }
  };
})();`;

interface TickAnswer {
  index: number;
  id: number;
  prob: number;
  intervention: { heads: [number, number][]; skipBlocks: number[] } | null;
  untouched: { index: number; id: number; prob: number } | null;
}

const answers = (page: Page) => page.evaluate(() => (window as unknown as { tickAnswers: unknown[] }).tickAnswers) as Promise<TickAnswer[]>;
/**
 * The text a reader sees in `el`, read where the reader reads it: scrolled into view first, since
 * a chapter skips laying out the parts far from the window (content-visibility: auto,
 * ChapterPage.astro) and the text of a part not laid out is empty to innerText.
 */
const seen = async (el: Locator): Promise<string> => {
  await el.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  return el.innerText();
};
/** The status line under the controls. */
const status = (page: Page) => seen(page.locator('[data-cell="controls"] [data-role="status"]'));

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
      assert.match(await seen(result.locator('.iv-checksum')), /Equal: the switch acted on the computation/);
      // The intervened side's table is the engine's candidates, in order, with its probabilities.
      const rows = result.locator('table.iv-after tbody tr');
      assert.equal(await rows.count(), 5);
      for (let i = 0; i < 5; i++) {
        assert.equal(Number(await rows.nth(i).getAttribute('data-id')), r.sample.candidates[i].id);
        const shown = await seen(rows.nth(i).locator('td.num'));
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

  it('chapter 4: switch off a head from now on; the marker, both runs as the engine ran them, Back and Reset restore the untouched model', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/attention/`, RECORD_TICK_ANSWERS);
    try {
      await nextToken(page);
      await nextToken(page);
      const cell = page.locator('[data-cell="switch-off"]');
      await cell.scrollIntoViewIfNeeded();
      await cell.getByLabel('Layer to switch off', { exact: true }).selectOption('1');
      await cell.getByLabel('Head to switch off', { exact: true }).selectOption('1');
      await cell.getByLabel('The latest tick only, run again').focus();
      await page.keyboard.press('ArrowDown'); // the keyboard picks "From now on"
      assert.ok(await cell.getByLabel('From now on: the latest tick and every tick after').isChecked());
      await cell.getByRole('button', { name: 'Switch off this head' }).click();
      const lasting = cell.locator('.iv-lasting');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="switch-off"] .iv-lasting')?.dataset.ticks === '1');
      const marker = 'Layer 1, head 1 switched off from tick 1 on.';
      assert.equal(await seen(lasting.locator('.iv-marker [role="status"]')), marker);
      assert.ok((await status(page)).endsWith(marker), 'the status line says it');
      assert.equal(await page.locator('[data-tick-iv]').textContent(), marker, 'the tick bar says it');
      for (let i = 0; i < 3; i++) await nextToken(page);
      assert.equal(await ticks(page), 5);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="switch-off"] .iv-lasting')?.dataset.ticks === '4');

      // Every tick from 1 on: the engine's own answer, with the untouched run's tick beside it.
      const all = await answers(page);
      const branch = all.slice(-4);
      assert.deepEqual(branch.map((a) => a.index), [1, 2, 3, 4]);
      assert.ok(branch.every((a) => a.untouched?.index === a.index && JSON.stringify(a.intervention?.heads) === '[[1,1]]'));
      const first = all.slice(0, 2); // the run before: ticks 0 and 1, untouched
      assert.equal(branch[0].untouched!.id, first[1].id, 'the untouched run beside it starts as the run it left');
      assert.equal(branch[0].untouched!.prob, first[1].prob);
      const rows = lasting.locator('table.iv-ticks tbody tr');
      assert.equal(await rows.count(), 4);
      for (let i = 0; i < 4; i++) {
        const a = branch[i];
        const row = rows.nth(i);
        assert.equal(Number(await row.getAttribute('data-tick')), a.index);
        assert.equal(Number(await row.getAttribute('data-untouched')), a.untouched!.id);
        assert.equal(Number(await row.getAttribute('data-intervened')), a.id);
        await row.evaluate((e) => e.scrollIntoView({ block: 'center' }));
        assert.deepEqual(await row.locator('.iv-p').allInnerTexts(), [formatProb(a.untouched!.prob), formatProb(a.prob)]);
        assert.equal(await seen(row.locator('td').last()), a.id === a.untouched!.id ? 'same' : 'differs');
      }
      // The texts differ exactly where the engine's ids differ: those tokens are marked in both.
      const differ = branch.filter((a) => a.id !== a.untouched!.id).map((a) => a.index);
      assert.deepEqual(JSON.parse((await lasting.getAttribute('data-differ'))!), differ);
      for (const side of ['untouched', 'intervened']) {
        const marked = await lasting.locator(`.iv-text-${side} mark.iv-diff`).evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.tick)));
        assert.deepEqual(marked, differ, `${side}: the marked tokens`);
      }
      assert.equal(await lasting.locator('.iv-text-intervened [data-tick]').count(), 4);
      const checksum = lasting.locator('.iv-checksum[data-weights-verified]');
      await checksum.waitFor();
      assert.equal(await checksum.getAttribute('data-weights-verified'), await checksum.getAttribute('data-checksum'), 'the weights were never changed');
      await axeBoth(page);

      // Back: the untouched run, as far as it went beside the intervened one.
      await lasting.getByRole('button', { name: 'Back to the untouched model' }).click();
      await page.waitForFunction(() => !document.querySelector('[data-cell="switch-off"] .iv-lasting') && document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '5' &&
        document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock === 'idle');
      const replay = (await answers(page)).slice(-4);
      assert.deepEqual(replay.map((a) => [a.index, a.id, a.prob]), branch.map((a) => [a.index, a.untouched!.id, a.untouched!.prob]), 'Back recomputes the untouched run, the same ids and probabilities');
      assert.ok(replay.every((a) => !a.intervention && !a.untouched));
      assert.ok(!(await status(page)).includes('switched off'));

      // From now on again, then Reset: the model untouched, the form back with the picks.
      await cell.getByRole('button', { name: 'Switch off this head' }).click();
      await lasting.waitFor();
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.waitForFunction(() => !document.querySelector('[data-cell="switch-off"] .iv-lasting') && document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '0');
      assert.equal(await page.locator('[data-tick-iv]').textContent(), '');
      assert.ok(!(await status(page)).includes('switched off'));
      assert.equal(await cell.getByLabel('Layer to switch off', { exact: true }).inputValue(), '1');
      await nextToken(page);
      const fresh = (await answers(page)).at(-1)!;
      assert.deepEqual([fresh.id, fresh.prob, fresh.intervention], [first[0].id, first[0].prob, null], 'after Reset, tick 0 is the untouched one');
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });

  it('chapter 5: skip a block from now on; the marker and the tick table, Reset clears it', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/mlp-residual/`, RECORD_TICK_ANSWERS);
    try {
      await nextToken(page);
      const cell = page.locator('[data-cell="skip-block"]');
      await cell.scrollIntoViewIfNeeded();
      await cell.getByLabel('Block to skip', { exact: true }).selectOption('0');
      await cell.getByLabel('From now on: the latest tick and every tick after').check();
      await cell.getByRole('button', { name: 'Skip this block' }).click();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="skip-block"] .iv-lasting')?.dataset.ticks === '1');
      await nextToken(page);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="skip-block"] .iv-lasting')?.dataset.ticks === '2');
      const lasting = cell.locator('.iv-lasting');
      assert.equal(await seen(lasting.locator('.iv-marker [role="status"]')), 'Block 0 skipped from tick 0 on.');
      const branch = (await answers(page)).slice(-2);
      assert.deepEqual(branch.map((a) => a.intervention?.skipBlocks), [[0], [0]]);
      const rows = lasting.locator('table.iv-ticks tbody tr');
      for (let i = 0; i < 2; i++) {
        assert.equal(Number(await rows.nth(i).getAttribute('data-intervened')), branch[i].id);
        assert.equal(Number(await rows.nth(i).getAttribute('data-untouched')), branch[i].untouched!.id);
      }
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.waitForFunction(() => !document.querySelector('[data-cell="skip-block"] .iv-lasting'));
      assert.ok(!(await status(page)).includes('skipped'));
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});
