// Helpers shared by the chapter e2e files: open a chapter as a reader would, tick, check axe.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, openPage, showControls, visitFigures } from './harness.ts';

/** Ticks the page's clock has run (the controls' data-ticks). */
export const ticks = (page: Page) => page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0));

/**
 * Open a chapter, wait for the model, and scroll past every figure once so its cells start.
 * `init` (JavaScript source) runs in the page before its own scripts, e.g. to watch the engine.
 */
export async function open(browser: Browser, url: string, init?: string): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(browser);
  if (init) await page.addInitScript({ content: init });
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  // The model loads at once; the clock (and its "Model ready") starts when the controls come near
  // the viewport, and the figures start near it once there is a clock: controls first, then figures.
  await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 30_000 });
  await showControls(page);
  await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 30_000 });
  await visitFigures(page);
  await showControls(page);
  return { page, errors };
}

/**
 * Press Next token and wait for the tick to be counted. Once in CI (stop 24) the click waited 30 s
 * for the button to be "visible, enabled and stable" and never learned which it was not: if the
 * click does not happen in 10 s, print what the page says of the button and of its frames, then
 * press once more without the stability check (a disabled button still ignores it, and the test
 * still fails on the tick it waits for).
 */
export async function nextToken(page: Page): Promise<void> {
  const n = await ticks(page);
  const button = page.getByRole('button', { name: 'Next token' });
  try {
    await button.click({ timeout: 10_000 });
  } catch (e) {
    if ((e as Error).name !== 'TimeoutError') throw e;
    const said = await Promise.race([
      page.evaluate(BUTTON_STATE),
      new Promise((done) => setTimeout(() => done('the page did not answer in 5 s'), 5_000)),
    ]);
    console.error(`Next token: no click in 10 s; the page says ${JSON.stringify(said)}`);
    await button.click({ force: true, timeout: 10_000 });
  }
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1, n);
}

/** What the page says of Next token and of its own frames (source text, run in the page). */
const BUTTON_STATE = `(async () => {
  const b = document.querySelector('button[name="next-token"]');
  const form = document.querySelector('[data-cell="controls"]');
  const r = b ? b.getBoundingClientRect() : null;
  const frame = await Promise.race([
    new Promise((done) => requestAnimationFrame(() => done('a frame came'))),
    new Promise((done) => setTimeout(() => done('no frame in 2 s'), 2000)),
  ]);
  return { disabled: b ? b.disabled : 'no button', clock: form && form.dataset.clock, ticks: form && form.dataset.ticks,
    rect: r && [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)],
    visibility: document.visibilityState, frame };
})()`;

/** No axe violations in the light and the dark colour scheme. */
export async function axeBoth(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
  }
}

/** A tick record as the engine worker sent it to the page (the fields the charts draw). */
export interface RecordedTick {
  index: number;
  kind: 'prefill' | 'decode';
  position: number;
  cacheLength: number;
  cacheBytes: number;
  flops: number;
  forward: number; // ms.forward
}

/**
 * An init script for `open`: every tick record the engine worker posts to the page is copied to
 * `window.tickRecords` as it arrives, before the notebook sees it, so a test can check what a
 * chart shows against what the engine sent. (Source text, not a function: the test runner's
 * transpiler would add helpers the page does not have.)
 */
export const RECORD_TICKS = `(() => {
  const Base = window.Worker;
  window.tickRecords = [];
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (!v || typeof v !== 'object' || !('cacheBytes' in v) || !('kind' in v) || !('flops' in v)) return;
        window.tickRecords.push({ index: v.index, kind: v.kind, position: v.position, cacheLength: v.cacheLength,
          cacheBytes: v.cacheBytes, flops: v.flops, forward: v.ms.forward });
      });
    }
  };
})();`;
