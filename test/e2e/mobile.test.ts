// Phones and tablets (issue 5): every page at 390×844 (a phone) and 820×1180 (a tablet) as a touch
// device. The page never scrolls sideways (a wide table or equation scrolls inside its own box),
// charts are drawn for the width they get and redrawn when it changes, controls are targets a
// finger can hit (44 × 44 CSS px), a tap on Next token runs a real tick on the bundled model, no
// console errors, and axe finds nothing on the phone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, startPreview } from './harness.ts';

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 820, height: 1180 };
type Viewport = typeof PHONE;

/** A touch device's browser context: its viewport, mobile meta-viewport handling and touch events. */
const touchContext = (browser: Browser, viewport: Viewport): Promise<BrowserContext> =>
  browser.newContext({ viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

const isChapter = (path: string) => /\/chapters\/[^/]+\/$/.test(path);

/**
 * Open a page as a reader would. On a chapter: wait for the model, tap Next token once (the
 * charts draw that tick's trace) and scroll through the page so every live cell starts and draws.
 * Returns the console errors, which keep filling.
 */
async function visit(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  if (isChapter(new URL(url).pathname)) {
    await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', `${url}: the model did not load`);
    await page.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
    await tapNextToken(page);
    for (const cell of await page.locator('figure [data-cell]').all()) {
      await cell.scrollIntoViewIfNeeded();
      // A cell that waits for the reader (a button to press) stays pending: move on after a while.
      // (No named functions in the page: the test runner's transpiler would wrap them in a helper the page lacks.)
      await cell.evaluate((el) => new Promise<void>((done) => {
        if (el.dataset.state === 'ready' || el.dataset.state === 'error') return done();
        const observer = new MutationObserver(() => {
          if (el.dataset.state !== 'ready' && el.dataset.state !== 'error') return;
          observer.disconnect();
          done();
        });
        observer.observe(el, { attributes: true, attributeFilter: ['data-state'] });
        setTimeout(() => (observer.disconnect(), done()), 5_000);
      }));
    }
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return { page, errors };
}

/** What the page gets wrong at this width: sideways scrolling, charts wider than their box or squeezed, a failed cell, tiny text. */
async function layoutProblems(page: Page, viewport: Viewport): Promise<string[]> {
  // No named functions inside (see visit).
  const found = await page.evaluate((width) => {
    // Every part laid out as it is when the reader scrolls to it: a chapter skips the layout of
    // parts far from the window (content-visibility: auto, ChapterPage.astro), and a skipped box
    // measures 0 px wide.
    const whole = document.createElement('style');
    whole.textContent = '.chapter > * { content-visibility: visible !important; }';
    document.head.append(whole);
    const problems: [Element | null, string][] = [];
    // On a phone the browser widens the layout viewport to fit content that overflows, so compare with the device's width.
    if (innerWidth !== width) problems.push([null, `the layout viewport is ${innerWidth} px wide, not ${width}: something is too wide`]);
    if (document.documentElement.scrollWidth > width) problems.push([null, `the page scrolls sideways: ${document.documentElement.scrollWidth} px of content in ${width}`]);
    for (const svg of document.querySelectorAll<SVGSVGElement>('main svg[role]')) {
      if (svg.closest('.katex')) continue;
      const box = svg.parentElement!.clientWidth;
      const drawn = Number(svg.getAttribute('width'));
      const shown = svg.getBoundingClientRect().width;
      if (shown > box + 1) problems.push([svg, `${shown} px wide in a ${box} px box`]);
      // Drawn for its width: not squeezed by max-width (which would shrink its text below 12 px).
      if (drawn > box + 1) problems.push([svg, `drawn ${drawn} px wide for a ${box} px box`]);
    }
    for (const cell of document.querySelectorAll('[data-cell][data-state="error"]')) problems.push([cell, `the cell failed: ${cell.textContent?.trim()}`]);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || el.closest('svg, .katex, .visually-hidden, [hidden]') || !el.getClientRects().length) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 12) problems.push([el, `text at ${size} px ("${n.textContent.trim().slice(0, 30)}")`]);
    }
    whole.remove();
    return problems.map(([el, what]) => {
      if (!el) return what;
      const cell = el.closest<HTMLElement>('[data-cell]');
      const cls = el.getAttribute('class')?.split(' ')[0];
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls ? `.${cls}` : ''}${cell ? ` in cell ${cell.dataset.cell}` : ''}: ${what}`;
    });
  }, viewport.width);
  return [...new Set(found)];
}

/**
 * Controls smaller than 44 × 44 CSS px: buttons, fields, lists, summaries, the header's and the
 * chapter navigation's links (a check box or radio button counts its label, the target a finger
 * hits). Links inside prose are exempt, as WCAG 2.5.8 allows for inline targets.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>('button, select, textarea, input:not([type="hidden"]), summary, .site-header a, .chapter-nav a, .chapters a');
    for (const el of controls) {
      if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
      const input = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? el : null;
      const target = input?.labels?.[0] ?? el;
      const r = target.getBoundingClientRect();
      if (r.width < 44 - 0.5 || r.height < 44 - 0.5) {
        const what = el.getAttribute('aria-label') ?? el.getAttribute('name') ?? el.id ?? el.textContent?.trim().slice(0, 30);
        small.push(`${el.tagName.toLowerCase()} "${what}": ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return small;
  });
}

/** Tap Next token on a chapter and wait for the tick to be counted. */
async function tapNextToken(page: Page): Promise<number> {
  const controls = page.locator('[data-cell="controls"]');
  const before = Number(await controls.getAttribute('data-ticks') ?? 0);
  // The first button of the controls is Next token, in either language.
  await controls.locator('button[name="next-token"]').tap();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1, before, { timeout: 30_000 });
  return before + 1;
}

describe('phones and tablets', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let pages: string[]; // paths: landing, chapter list, Model page, benchmark, every chapter

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
    const context = await browser.newContext();
    const list = await context.newPage();
    await list.goto(`${preview.url}/chapters/`);
    const chapters = await list.locator('main a[href*="/chapters/"]').evaluateAll((as) => [...new Set(as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))]);
    await context.close();
    assert.ok(chapters.length >= 11, `the chapter list links ${chapters.length} chapters`);
    pages = ['/', '/chapters/', '/models/', '/bench/', ...chapters];
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  for (const [device, viewport] of [['phone', PHONE], ['tablet', TABLET]] as const) {
    it(`every page fits a ${device} (${viewport.width}×${viewport.height}): no sideways scrolling, charts drawn for their width, readable text, 44 px targets, no console errors`, async () => {
      const context = await touchContext(browser, viewport);
      const failures: string[] = [];
      for (const path of pages) {
        const { page, errors } = await visit(context, preview.url + path);
        const problems = [...(await layoutProblems(page, viewport)), ...(await smallTargets(page)).map((s) => `small target: ${s}`), ...errors.map((e) => `console: ${e}`)];
        failures.push(...problems.map((p) => `${path}: ${p}`));
        await page.close();
      }
      await context.close();
      assert.deepEqual(failures, []);
    });
  }

  it('on a phone, a tap on Next token on the landing page runs a real tick', async () => {
    const context = await touchContext(browser, PHONE);
    const { page, errors } = await visit(context, `${preview.url}/`);
    await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 }).catch(() => undefined);
    const prompt = await page.locator('#generated').textContent();
    await page.getByRole('button', { name: 'Next token' }).tap();
    await page.waitForFunction(() => /^Tick 0 \(prefill\)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Next token' }).tap();
    await page.waitForFunction(() => /^Tick 1 \(decode\)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 30_000 });
    const text = (await page.locator('#generated').textContent()) ?? '';
    assert.ok(text.length > (prompt ?? '').length, `the generated text grew: "${text}"`);
    assert.deepEqual(await layoutProblems(page, PHONE), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('on a phone, a tap on Next token in a chapter runs a real tick and the charts redraw for it; turned sideways, they redraw for the new width', async () => {
    const context = await touchContext(browser, PHONE);
    const { page, errors } = await visit(context, `${preview.url}/chapters/attention/`);
    const matrix = page.locator('[data-cell="matrix"] svg[role]').first();
    await page.locator('[data-cell="controls"]').scrollIntoViewIfNeeded();
    await tapNextToken(page);
    const last = (await tapNextToken(page)) - 1; // the matrix's caption names the last tick
    await page.waitForFunction((n) => new RegExp(`tick ${n}\\b`).test(document.querySelector('[data-cell="matrix"]')?.textContent ?? ''), last, { timeout: 30_000 });
    const portrait = Number(await matrix.getAttribute('width'));
    assert.ok(portrait <= PHONE.width - 2 * 16, `the attention matrix fits the phone: ${portrait} px`);
    assert.deepEqual(await layoutProblems(page, PHONE), []);

    const landscape = { width: PHONE.height, height: PHONE.width };
    await page.setViewportSize(landscape);
    await page.waitForFunction((w) => Number(document.querySelector('[data-cell="matrix"] svg[role]')?.getAttribute('width')) !== w, portrait, { timeout: 10_000 });
    assert.deepEqual(await layoutProblems(page, landscape), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('on a phone, the main controls are at least 44 × 44 CSS px', async () => {
    const context = await touchContext(browser, PHONE);
    for (const path of ['/', '/chapters/the-clock/']) {
      const { page } = await visit(context, preview.url + path);
      for (const name of ['Next token', 'Play', 'Reset']) {
        const box = await page.getByRole('button', { name, exact: true }).boundingBox();
        assert.ok(box && box.width >= 44 && box.height >= 44, `${path} ${name}: ${box?.width}×${box?.height}`);
      }
      for (const label of ['Prompt', 'Temperature', 'Seed']) {
        const box = await page.getByLabel(label, { exact: true }).boundingBox();
        assert.ok(box && box.width >= 44 && box.height >= 44, `${path} ${label}: ${box?.width}×${box?.height}`);
      }
      for (const link of await page.locator('.site-header a, .site-header button').all()) {
        const box = await link.boundingBox();
        assert.ok(box && box.height >= 44 && box.width >= 44, `${path} header ${await link.textContent()}: ${box?.width}×${box?.height}`);
      }
      await page.close();
    }
    await context.close();
  });

  it('the Chinese edition on a phone: the landing page, the Model page and three chapters fit, and axe finds nothing', async () => {
    const context = await touchContext(browser, PHONE);
    const failures: string[] = [];
    for (const path of ['/zh-cn/', '/zh-cn/models/', '/zh-cn/chapters/tokens/', '/zh-cn/chapters/attention/', '/zh-cn/chapters/cost-speed/']) {
      const { page, errors } = await visit(context, preview.url + path);
      const problems = [...(await layoutProblems(page, PHONE)), ...(await smallTargets(page)).map((s) => `small target: ${s}`), ...errors.map((e) => `console: ${e}`)];
      const violations = await checkAxe(page);
      if (violations.length) problems.push(formatViolations(violations));
      failures.push(...problems.map((p) => `${path}: ${p}`));
      await page.close();
    }
    await context.close();
    assert.deepEqual(failures, []);
  });

  it('on a phone, axe finds nothing on any page', async () => {
    const context = await touchContext(browser, PHONE);
    const failures: string[] = [];
    for (const path of pages) {
      const { page } = await visit(context, preview.url + path);
      const violations = await checkAxe(page);
      if (violations.length) failures.push(`${path}:\n${formatViolations(violations)}`);
      await page.close();
    }
    await context.close();
    assert.equal(failures.length, 0, failures.join('\n'));
  });
});
