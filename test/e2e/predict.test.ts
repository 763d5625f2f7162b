// Predict, then reveal, in Chromium against the built site with the real engine in its worker:
// on chapter 4 a reader picks a guess with the keyboard, commits, and only then does the next
// tick run; the model's answer appears beside the guess and equals the attention matrix's own
// highlight of the new row; nothing of the answer is in the DOM or the accessibility tree before
// the commit; axe is clean before and after. On chapter 1 a typed guess commits on Enter.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, open, ticks } from './chapter-page.ts';

const form = '[data-cell="predict"] form.predict';

/** What the widget shows of an answer (nothing before the reveal). */
const answerShown = (page: Page) => page.evaluate((sel) => {
  const f = document.querySelector<HTMLElement>(sel)!;
  return f.querySelector('.predict-compare, .predict-verdict, .predict-answer') !== null || f.dataset.match !== undefined;
}, form);

describe('predict, then reveal', () => {
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

  describe('chapter 4: which earlier token will this head attend to most?', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/attention/`));
      await page.locator(form).waitFor();
    });
    after(async () => {
      await page?.context().close();
    });

    it('asks before any answer exists: choices are the prompt’s positions, nothing of the answer in the DOM or the accessibility tree', async () => {
      assert.equal(await ticks(page), 0, 'the tick that answers has not run');
      const group = page.getByRole('group', { name: 'Which earlier token will this head attend to most at the next tick?' });
      assert.equal(await group.count(), 1, 'the question names the group of choices');
      const radios = group.getByRole('radio');
      assert.ok(await radios.count() >= 2);
      assert.equal(await answerShown(page), false);
      const tree = await page.locator('[data-cell="predict"]').ariaSnapshot();
      assert.doesNotMatch(tree, /The model|Match|No match/);
      await axeBoth(page);
    });

    it('a keyboard guess, Commit, then Reveal: the answer (beside the guess) is the matrix’s highlight of the new row', async () => {
      const group = page.getByRole('group', { name: /attend to most/ });
      await group.getByRole('radio').first().focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowDown'); // the arrow keys move the choice within the group
      const chosen = await page.locator(`${form} input[type="radio"]:checked`).evaluate((r) => (r as HTMLInputElement).value);
      assert.equal(chosen, '1');
      await page.getByRole('button', { name: 'Commit my guess' }).click();
      await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.phase === 'committed', form);
      assert.equal(await ticks(page), 0, 'committing runs nothing');
      assert.equal(await answerShown(page), false);
      const reveal = page.getByRole('button', { name: 'Run the next tick and reveal' });
      assert.equal(await reveal.evaluate((b) => b === document.activeElement), true, 'focus moved to Reveal');
      await page.keyboard.press('Enter');
      await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.phase === 'revealed', form, { timeout: 30_000 });
      assert.equal(await ticks(page), 1);

      const status = page.locator(`${form} [role="status"]`);
      assert.match(await status.innerText(), /Your guess[\s\S]*The model/);
      assert.match(await page.locator(`${form} .predict-yours dd`).innerText(), /^1: /);
      assert.match(await page.locator(`${form} .predict-verdict`).innerText(), /^(✓ Match|✗ No match)/);
      const answer = await page.locator(`${form} label.predict-answer input`).evaluate((r) => (r as HTMLInputElement).value);
      const match = await page.locator(form).getAttribute('data-match');
      assert.equal(match, String(answer === '1'));

      // The matrix highlights the new row's largest weight; its equation says which cell that is.
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="matrix"] .chart')?.dataset.tick === '0');
      const rows = Number(await page.locator('[data-cell="matrix"] .chart').getAttribute('data-rows'));
      const eq = await page.locator('[data-cell="equation"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.equal(Number(eq.query), rows - 1);
      assert.equal(answer, eq.key);
      await axeBoth(page);
    });

    it('Ask again opens the next row’s question, one position longer', async () => {
      const before = await page.locator(`${form} input[type="radio"]`).count();
      await page.getByRole('button', { name: 'Ask again' }).click();
      await page.waitForFunction(([sel, n]) => document.querySelectorAll(`${sel} input[type="radio"]`).length === n, [form, before + 1] as const);
      assert.equal(await answerShown(page), false);
      assert.deepEqual(errors, []);
    });
  });

  describe('chapter 1: which token will the next tick write?', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/the-clock/`));
      await page.locator(form).waitFor();
    });
    after(async () => {
      await page?.context().close();
    });

    it('a typed guess commits on Enter; Reveal runs the tick and shows its token beside the guess', async () => {
      const strip = page.locator('[data-cell="tokens"] g.token');
      await strip.first().waitFor();
      const prompt = await strip.count();
      const input = page.getByLabel('The most likely next token, as text');
      await input.fill(' the');
      await input.press('Enter');
      await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.phase === 'committed', form);
      assert.equal(await ticks(page), 0);
      assert.equal(await answerShown(page), false);
      await page.keyboard.press('Enter'); // focus is on Reveal
      await page.waitForFunction((sel) => document.querySelector<HTMLElement>(sel)?.dataset.phase === 'revealed', form, { timeout: 30_000 });
      assert.equal(await ticks(page), 1);
      assert.equal(await page.locator(`${form} .predict-yours dd`).innerText(), '“ the”');
      const model = await page.locator(`${form} .predict-model dd`).innerText();
      // The token strip's last token is the one the tick wrote.
      await page.waitForFunction((n) => document.querySelectorAll('[data-cell="tokens"] g.token').length === n, prompt + 1);
      const last = await strip.last().locator('text').first().textContent();
      // The answer is the model's first choice; the result then says what the dice wrote (the strip's last token).
      const result = (await page.locator(`${form} .predict-result`).innerText()).replace(/\s+/g, ' ');
      if (model === `“${last}”`) assert.match(result, /The dice wrote it too\./);
      else assert.ok(result.includes(`The dice then wrote “${last}”`), result);
      await axeBoth(page);
      assert.deepEqual(errors, []);
    });
  });
});
