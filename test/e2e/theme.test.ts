// Dark mode (issue 5): pages follow the system's colour scheme until the reader presses the
// header's Dark theme toggle; the choice is kept in localStorage, applied before first paint on
// every page (no flash of the other theme), and the charts, their text and KaTeX's equations
// take the chosen colours. axe finds nothing with either theme forced against the system's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, startPreview, visitFigures } from './harness.ts';

type Scheme = 'light' | 'dark';
const KEY = 'tokenclock.theme';
// Base.astro's --bg and --fg in each theme.
const BG: Record<Scheme, string> = { light: 'rgb(251, 250, 247)', dark: 'rgb(22, 21, 20)' };
const FG: Record<Scheme, string> = { light: 'rgb(29, 28, 26)', dark: 'rgb(236, 232, 225)' };

// Runs in the page before its own scripts: note <html data-theme> at the moment <body> is parsed,
// before anything can be painted. (Source text: the test runner's transpiler would add helpers.)
const WATCH_FIRST_PAINT = `(() => {
  new MutationObserver((_, observer) => {
    if (!document.body) return;
    window.themeAtBody = document.documentElement.dataset.theme || 'system';
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
})();`;

/** A browser context whose system colour scheme is `system`, with `choice` already kept (as if chosen earlier). */
async function contextWith(browser: Browser, system: Scheme, choice?: Scheme): Promise<BrowserContext> {
  const context = await browser.newContext({ colorScheme: system });
  await context.addInitScript({ content: WATCH_FIRST_PAINT });
  if (choice) await context.addInitScript({ content: `localStorage.getItem('${KEY}') || localStorage.setItem('${KEY}', '${choice}')` });
  return context;
}

/** The colours the page shows now: the page background and text, a chart's text and marks' currentColor, KaTeX's text. */
function colours(page: Page) {
  return page.evaluate(() => {
    const svg = document.querySelector('[data-cell] svg[role]');
    const katex = document.querySelector('.katex');
    return {
      theme: document.documentElement.dataset.theme ?? null,
      themeAtBody: (window as unknown as { themeAtBody?: string }).themeAtBody,
      bg: getComputedStyle(document.body).backgroundColor,
      fg: getComputedStyle(document.body).color,
      chart: svg ? getComputedStyle(svg).color : null,
      katex: katex ? getComputedStyle(katex).color : null,
      scheme: getComputedStyle(document.documentElement).colorScheme,
      pressed: document.querySelector('[data-theme-toggle]')?.getAttribute('aria-pressed'),
      stored: localStorage.getItem('tokenclock.theme'),
    };
  });
}

const toggle = (page: Page) => page.getByRole('button', { name: 'Dark theme' });

/** Wait for a chapter's model, run one tick (the charts draw its trace) and wait for the attention matrix. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
  const ticks = Number((await page.locator('[data-cell="controls"]').getAttribute('data-ticks')) ?? 0);
  await page.getByRole('button', { name: 'Next token' }).click();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1, ticks, { timeout: 30_000 });
  await visitFigures(page);
  await page.locator('[data-cell="matrix"] svg[role]').waitFor({ timeout: 30_000 });
}

describe('dark mode', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('follows the system until the reader chooses: the toggle is a button with a state', async () => {
    for (const system of ['light', 'dark'] as const) {
      const context = await contextWith(browser, system);
      const page = await context.newPage();
      await page.goto(`${preview.url}/`);
      const c = await colours(page);
      assert.equal(c.theme, null);
      assert.equal(c.bg, BG[system], `${system} system`);
      assert.equal(c.fg, FG[system]);
      assert.equal(c.scheme, system);
      assert.equal(c.pressed, String(system === 'dark'));
      assert.equal(await toggle(page).isVisible(), true);
      assert.equal(await toggle(page).getAttribute('type'), 'button');
      await context.close();
    }
  });

  it('the toggle changes the colours, persists across reload and chapter navigation, before first paint', async () => {
    const context = await contextWith(browser, 'light');
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/`);
    await toggle(page).click();
    let c = await colours(page);
    assert.deepEqual([c.theme, c.bg, c.fg, c.scheme, c.pressed, c.stored], ['dark', BG.dark, FG.dark, 'dark', 'true', 'dark']);

    await page.reload();
    c = await colours(page);
    assert.deepEqual([c.themeAtBody, c.theme, c.bg, c.pressed], ['dark', 'dark', BG.dark, 'true'], 'after reload, dark from the first paint');
    assert.equal(await page.locator('meta[name="color-scheme"]').getAttribute('content'), 'dark');
    await page.emulateMedia({ media: 'print' });
    assert.equal((await colours(page)).fg, FG.light, 'paper stays light');
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Chapters' }).click();
    await page.waitForURL(/\/chapters\/$/);
    await page.getByRole('link', { name: 'Attention', exact: true }).click(); // chapter 4: charts and equations
    await page.waitForURL(/\/chapters\/[^/]+\/$/);
    await chartsDrawn(page);
    c = await colours(page);
    assert.deepEqual([c.themeAtBody, c.theme, c.bg, c.chart, c.katex, c.pressed], ['dark', 'dark', BG.dark, FG.dark, FG.dark, 'true'], 'on a chapter: page, chart and equations dark');

    // Back to light: the choice equals the system's, so the page follows the system again.
    await toggle(page).click();
    c = await colours(page);
    assert.deepEqual([c.theme, c.bg, c.chart, c.katex, c.pressed, c.stored], [null, BG.light, FG.light, FG.light, 'false', null]);
    await page.reload();
    c = await colours(page);
    assert.deepEqual([c.themeAtBody, c.bg], ['system', BG.light]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a light choice holds against a dark system, and a new tab gets it', async () => {
    const context = await contextWith(browser, 'dark');
    const page = await context.newPage();
    await page.goto(`${preview.url}/`);
    assert.equal((await colours(page)).bg, BG.dark);
    await toggle(page).click();
    let c = await colours(page);
    assert.deepEqual([c.theme, c.bg, c.scheme, c.pressed, c.stored], ['light', BG.light, 'light', 'false', 'light']);
    const other = await context.newPage();
    await other.goto(`${preview.url}/models/`);
    c = await colours(other);
    assert.deepEqual([c.themeAtBody, c.bg, c.pressed], ['light', BG.light, 'false']);
    await context.close();
  });

  for (const forced of ['light', 'dark'] as const) {
    const system = forced === 'dark' ? 'light' : 'dark';
    it(`axe finds nothing with ${forced} chosen on a ${system} system: the landing page and a chapter with charts`, async () => {
      const context = await contextWith(browser, system, forced);
      const failures: string[] = [];
      for (const path of ['/', '/chapters/attention/']) {
        const page = await context.newPage();
        await page.goto(preview.url + path);
        if (path !== '/') await chartsDrawn(page);
        const c = await colours(page);
        assert.deepEqual([c.theme, c.bg], [forced, BG[forced]], path);
        if (path !== '/') assert.deepEqual([c.chart, c.katex], [FG[forced], FG[forced]], path);
        const violations = await checkAxe(page);
        if (violations.length) failures.push(`${path}:\n${formatViolations(violations)}`);
        await page.close();
      }
      await context.close();
      assert.equal(failures.length, 0, failures.join('\n'));
    });
  }
});
