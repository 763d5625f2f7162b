// The chapters' tick controls at hand: while the chapter's own controls are scrolled away, a compact
// bar at the bottom of the screen runs the next tick and Play, and shows the tick count and the
// newest token; N runs the next tick outside presenter mode (never while typing); the Keys button
// turns the single-key shortcuts (N, P) off and on, and the choice is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview } from './harness.ts';
import { open, ticks } from './chapter-page.ts';

const bar = '[data-tick-bar]';

describe('the tick bar', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined);
    browser = await launchBrowser();
    ({ page, errors } = await open(browser, `${preview.url}/chapters/attention/`));
  });
  after(async () => {
    await page?.context().close();
    await browser?.close();
    await preview?.close();
  });

  const waitTicks = (n: number) => page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n, n);

  it('is hidden beside the controls, and shown with the figures', async () => {
    await page.evaluate(() => document.querySelector('[data-cell="controls"]')!.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)!.hidden, bar);
    await page.evaluate(() => document.querySelector('[data-cell="matrix"]')!.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => !document.querySelector<HTMLElement>(s)!.hidden, bar);
    assert.equal(await page.locator(`${bar} [data-tick-state]`).textContent(), 'No ticks yet');
  });

  it('its Next token runs a tick of the chapter and it shows the count and the newest token', async () => {
    const n = await ticks(page);
    await page.locator(bar).getByRole('button', { name: 'Next tick' }).click();
    await waitTicks(n + 1);
    const newest = await page.locator('[data-cell="controls"]').getAttribute('data-newest');
    assert.ok(newest !== null && newest.length > 0);
    await page.waitForFunction(([s, n]) => document.querySelector(`${s} [data-tick-state]`)?.textContent?.startsWith(`${n} tick`), [bar, n + 1] as const);
    assert.equal(await page.locator(`${bar} [data-tick-state]`).textContent(), `${n + 1} tick${n + 1 === 1 ? '' : 's'} · newest “${newest!.replace(/\n/g, '↵')}”`);
    await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.tick === String(0), '[data-cell="matrix"] .chart');
    assert.equal(await page.locator(bar).isVisible(), true, 'the figure stays in view: the bar did not scroll the page');
  });

  it('N runs the next tick outside presenter mode, but not while typing in a field', async () => {
    const n = await ticks(page);
    await page.locator('body').focus();
    await page.keyboard.press('n');
    await waitTicks(n + 1);
    await page.getByLabel('Head', { exact: true }).focus();
    await page.keyboard.press('n');
    await page.waitForTimeout(500);
    assert.equal(await ticks(page), n + 1, 'an n typed into a field is the field’s');
  });

  it('the Keys button turns N and P off, keeps the choice, and turns them on again', async () => {
    await page.evaluate(() => document.querySelector('[data-cell="matrix"]')!.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => !document.querySelector<HTMLElement>(s)!.hidden, bar);
    const keys = page.locator(bar).getByRole('button', { name: 'Keys N and P' });
    assert.equal(await keys.getAttribute('aria-pressed'), 'true');
    await keys.click();
    assert.equal(await keys.getAttribute('aria-pressed'), 'false');
    const n = await ticks(page);
    await page.locator('body').focus();
    await page.keyboard.press('n');
    await page.keyboard.press('p');
    await page.waitForTimeout(500);
    assert.equal(await ticks(page), n, 'N is off');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('presenting')), false, 'P is off');
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 30_000 });
    assert.equal(await page.locator(`${bar} [data-keys]`).getAttribute('aria-pressed'), 'false', 'kept in this browser');
    await page.evaluate(() => document.querySelector('[data-cell="matrix"]')!.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => !document.querySelector<HTMLElement>(s)!.hidden, bar);
    await page.locator(`${bar} [data-keys]`).click();
    assert.equal(await page.locator(`${bar} [data-keys]`).getAttribute('aria-pressed'), 'true');
  });

  it('the "you are here" map lights this chapter’s stage, links every stage to its chapter, and follows the ticks', async () => {
    const map = page.locator('[data-tick-map]');
    assert.equal(await map.getAttribute('aria-label'), 'One tick, stage by stage');
    const stages = await map.locator('li').evaluateAll((lis) => lis.map((li) => {
      const a = li.querySelector('a')!;
      return [(li as HTMLElement).dataset.stage, a.textContent, new URL(a.href).pathname, a.getAttribute('aria-current')];
    }));
    assert.deepEqual(stages, [
      ['tokens', 'Tokens', '/chapters/tokens/', null],
      ['embeddings', 'Embeddings', '/chapters/embeddings/', null],
      ['attention', 'Attention', '/chapters/attention/', 'step'],
      ['mlp', 'MLP', '/chapters/mlp-residual/', null],
      ['logits', 'Logits', '/chapters/logits-to-token/', null],
      ['sample', 'Dice → token', '/chapters/logits-to-token/', null],
    ]);
    // The model's block count, and the latest tick with the token it appended, as the engine sent them.
    await page.evaluate(() => document.querySelector('[data-cell="controls"]')!.scrollIntoView({ block: 'center' })); // the clock starts in view
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')!.dataset.layers !== undefined);
    const layers = await page.evaluate(() => document.querySelector<HTMLElement>('[data-cell="controls"]')!.dataset.layers);
    // The reload above replays the link's ticks first (Next token waits while it plays).
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')!.dataset.clock === 'idle', null, { timeout: 30_000 });
    assert.equal(await map.locator('[data-tick-map-blocks]').textContent(), `Attention and MLP (dashed) run once in each of this model’s ${layers} blocks, in turn.`);
    const n = await ticks(page);
    await page.locator('[data-cell="controls"] [name="next-token"]').click();
    await waitTicks(n + 1);
    const newest = await page.evaluate(() => document.querySelector<HTMLElement>('[data-cell="controls"]')!.dataset.newest);
    assert.equal(await map.locator('[data-tick-map-live]').textContent(),
      `Latest: tick ${n} (${n === 0 ? 'prefill' : 'decode'}) appended “${newest}”; the next tick starts from the text with it.`);
  });

  it('at the top of chapter 1, with the controls below the fold, its Next tick runs a tick without scrolling', async () => {
    const top = await openPage(browser);
    const topErrors = collectConsoleErrors(top);
    try {
      await top.goto(`${preview.url}/chapters/the-clock/`, { waitUntil: 'load' });
      await top.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
      assert.ok(await top.evaluate(() => document.querySelector('[data-cell="controls"]')!.getBoundingClientRect().top > innerHeight + 200), 'the controls start below the fold');
      await top.locator(bar).getByRole('button', { name: 'Next tick' }).click();
      await top.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '1', null, { timeout: 60_000 });
      await top.waitForFunction((s) => document.querySelector(`${s} [data-tick-state]`)?.textContent?.startsWith('1 tick'), bar);
      assert.equal(await top.evaluate(() => scrollY), 0, 'the page did not scroll');
      assert.deepEqual(topErrors, []);
    } finally {
      await top.context().close();
    }
  });

  it('has no axe violations with the bar shown, and no console errors', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const violations = await checkAxe(page);
      assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
    }
    assert.deepEqual(errors, []);
  });
});
