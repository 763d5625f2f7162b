// Presenter mode and the printed worksheet, in Chromium against the built site with the real
// engine. Presenter mode (site/scripts/presenter.ts): P or the Present button enters it on the same
// page; → and Space go on, ← back; N runs a tick through the notebook's own Next token, and the
// chart on the slide follows; the cells of a slide start when it is shown; Escape leaves with the
// prompt, the ticks and the charts as they were; #slide-k survives a reload; keys typed into the
// prompt are the prompt's; axe is clean; the Chinese page too. The worksheet (print media): no
// navigation or buttons, inputs as their values, ruled lines under a question and not its answer,
// the page's address at the end, and a PDF that renders; Print worksheet draws every figure
// before it prints. A slide is not animated for a reader
// who asks for less motion.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { collectConsoleErrors, launchBrowser, openPage, startPreview, visitFigures } from './harness.ts';
import { axeBoth, ticks } from './chapter-page.ts';

const rows = (page: Page) => page.locator('[data-cell="timeline"] g.rows > g').count();
const presenting = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('presenting'));
const slide = (page: Page) => page.evaluate(() => Number(document.documentElement.dataset.presentSlide ?? 0));
/** The slides the blocks are cut into, and the slide of the block holding `selector`. */
const slideOf = (page: Page, selector: string) => page.evaluate((sel) => {
  const block = document.querySelector(sel)?.closest<HTMLElement>('article.chapter > [data-slide]');
  return Number(block?.dataset.slide ?? 0);
}, selector);
const total = (page: Page) => page.evaluate(() => Math.max(...[...document.querySelectorAll<HTMLElement>('article.chapter > [data-slide]')].map((b) => Number(b.dataset.slide))));
/** The slides of the article's blocks that can be seen now. */
const shownSlides = (page: Page) => page.evaluate(() => [...new Set([...document.querySelectorAll<HTMLElement>('article.chapter > [data-slide]')]
  .filter((b) => b.checkVisibility() && b.getBoundingClientRect().width > 4).map((b) => Number(b.dataset.slide)))]);

/** Open a chapter and wait for the model (the controls are on the first screen, so the clock starts). */
async function openChapter(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = collectConsoleErrors(page);
  const res = await page.goto(url, { waitUntil: 'load' });
  assert.equal(res?.status(), 200, url);
  await page.evaluate(() => document.querySelector('[data-cell="controls"]')?.scrollIntoView({ block: 'nearest' })); // the clock starts near the viewport
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks !== undefined, null, { timeout: 30_000 });
  return { page, errors };
}

/** Press a key with focus on the page itself (not on a field). */
async function pressOnPage(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

/** Count the presses of the notebook's Next token from now on (window.nextClicks). */
async function countNextTokenClicks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { nextClicks: number };
    w.nextClicks = 0;
    document.querySelector('[data-cell="controls"] button[name="next-token"]')!.addEventListener('click', () => w.nextClicks++);
  });
}

async function goToSlide(page: Page, k: number): Promise<void> {
  for (let i = 0; i < 40 && (await slide(page)) !== k; i++) await page.keyboard.press((await slide(page)) < k ? 'ArrowRight' : 'ArrowLeft');
  assert.equal(await slide(page), k);
}

describe('presenter mode and the worksheet', { timeout: 600_000 }, () => {
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

  describe('chapter 1 in presenter mode', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await openChapter(browser, `${preview.url}/chapters/the-clock/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('runs a tick before presenting', async () => {
      await page.locator('#prompt').fill('The dog ran');
      // The URL follows once the clock for this prompt exists (its buttons are wired then).
      await page.waitForFunction(() => new URL(location.href).searchParams.get('prompt') === 'The dog ran', null, { timeout: 30_000 });
      await page.getByRole('button', { name: 'Next token' }).click();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '1', null, { timeout: 30_000 });
    });

    it('P enters presenter mode on the same page: one slide, large type, the slide in the URL and announced', async () => {
      await pressOnPage(page, 'p');
      assert.equal(await presenting(page), true);
      assert.equal(await slide(page), 1);
      assert.match(page.url(), /#slide-1$/);
      assert.equal(await page.locator('.site-header').isVisible(), false, 'the site header is hidden');
      const n = await total(page);
      assert.ok(n >= 6, `chapter 1 has ${n} slides`);
      assert.deepEqual(await shownSlides(page), [1]);
      const bar = page.getByRole('region', { name: 'Presenter controls' });
      assert.equal(await bar.isVisible(), true);
      assert.match(await bar.innerText(), new RegExp(`1 / ${n}`));
      assert.match(await page.locator('[data-present-live]').innerText(), new RegExp(`Slide 1 of ${n}: The clock`));
      const zoom = await page.evaluate(() => Number(getComputedStyle(document.querySelector('article.chapter')!).zoom));
      assert.ok(zoom > 1.2, `the article is scaled up (${zoom})`);
      assert.equal(await page.evaluate(() => document.activeElement?.closest('article') !== null), true, 'focus is on the slide');
    });

    it('→ and Space go on, ← goes back, and the URL follows', async () => {
      await page.keyboard.press('ArrowRight');
      assert.equal(await slide(page), 2);
      await page.keyboard.press('Space');
      assert.equal(await slide(page), 3);
      assert.deepEqual(await shownSlides(page), [3]);
      assert.match(page.url(), /#slide-3$/);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await slide(page), 2);
      await page.getByRole('button', { name: 'Next slide' }).click();
      assert.equal(await slide(page), 3);
      await page.getByRole('button', { name: 'Previous slide' }).click();
      assert.equal(await slide(page), 2);
      assert.match(await page.locator('[data-present-live]').innerText(), /^Slide 2 of/);
    });

    it('the cells of a slide start when it is shown, and N runs a tick that its chart shows', async () => {
      const k = await slideOf(page, '[data-cell="timeline"]');
      assert.ok(k > 2);
      await goToSlide(page, k);
      assert.equal(await page.locator('[data-cell="timeline"]').isVisible(), true);
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === 1, null, { timeout: 30_000 });
      assert.equal(await page.locator('[data-cell="controls"]').evaluate((f) => (f as HTMLElement).inert && f.getBoundingClientRect().width < 4), true, 'the controls are not on this slide (parked)');
      await page.keyboard.press('n');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '2', null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === 2, null, { timeout: 30_000 });
      // The bar's Next token presses the notebook's.
      await page.getByRole('region', { name: 'Presenter controls' }).getByRole('button', { name: 'Next token' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="timeline"] g.rows > g').length === 3, null, { timeout: 30_000 });
      assert.equal(await ticks(page), 3);
      assert.match(await page.locator('[data-present-ticks]').innerText(), /Ticks: 3/);
    });

    it('is clean for axe while presenting, in both colour schemes', async () => {
      await axeBoth(page);
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('Escape leaves: the prompt, the ticks and the charts are as they were, and focus stays in the chapter', async () => {
      const before = await page.evaluate(() => document.querySelector('[data-cell="timeline"] svg')?.outerHTML);
      await page.keyboard.press('Escape');
      assert.equal(await presenting(page), false);
      assert.doesNotMatch(page.url(), /#slide/);
      assert.equal(await page.locator('.site-header').isVisible(), true);
      assert.equal(await page.locator('[data-present-bar]').isVisible(), false);
      assert.equal(await page.locator('#prompt').inputValue(), 'The dog ran');
      assert.equal(await ticks(page), 3);
      assert.equal(await rows(page), 3);
      assert.equal(await page.evaluate(() => document.querySelector('[data-cell="timeline"] svg')?.outerHTML), before, 'the chart is as it was');
      // A cell not shown while presenting starts now that it is in view, with the same run.
      await page.waitForFunction(() => /3 generated/.test(document.querySelector('[data-cell="tokens"] svg')?.getAttribute('aria-label') ?? ''), null, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.closest('article') !== null), true);
      assert.equal(await page.locator('[data-cell="timeline"]').isVisible(), true);
      // And back in: the same slide, the same run.
      await pressOnPage(page, 'p');
      assert.equal(await slide(page), await slideOf(page, '[data-cell="timeline"]'));
      assert.equal(await ticks(page), 3);
    });

    it('a reload with #slide-k opens presenter mode on that slide, the run replayed from the URL', async () => {
      const k = await slideOf(page, '[data-cell="tokens"]');
      await goToSlide(page, k);
      await page.waitForFunction(() => /[?&]tick=3/.test(location.search));
      assert.match(page.url(), new RegExp(`#slide-${k}$`));
      await page.reload({ waitUntil: 'load' });
      assert.equal(await presenting(page), true);
      assert.equal(await slide(page), k);
      assert.deepEqual(await shownSlides(page), [k]);
      // The controls are parked off this slide, yet their clock runs: the link's three ticks replay.
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '3', null, { timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('[data-cell="tokens"]')?.getAttribute('data-state') === 'ready', null, { timeout: 30_000 });
      assert.equal(await page.locator('#prompt').inputValue(), 'The dog ran');
    });

    it('keys typed into the prompt are the prompt’s, presenting or not', async () => {
      const k = await slideOf(page, '[data-cell="controls"]');
      await goToSlide(page, k);
      const prompt = page.locator('#prompt');
      await countNextTokenClicks(page);
      await prompt.focus();
      await prompt.press('End');
      for (const key of ['n', 'p', 'Space', 'ArrowRight', 'ArrowLeft', 'Escape']) await prompt.press(key);
      assert.equal(await presenting(page), true);
      assert.equal(await slide(page), k);
      assert.equal(await prompt.inputValue(), 'The dog rannp ');
      await page.getByRole('button', { name: 'Leave' }).click();
      assert.equal(await presenting(page), false);
      await prompt.press('End');
      await prompt.pressSequentially('pn');
      assert.equal(await presenting(page), false);
      assert.equal(await prompt.inputValue(), 'The dog rannp pn');
      assert.equal(await page.evaluate(() => (window as unknown as { nextClicks: number }).nextClicks), 0, 'N did not press Next token');
      assert.deepEqual(errors, []);
    });
  });

  describe('every slide fits the screen it is shown on', () => {
    for (const [width, height] of [[1280, 900], [1024, 768]]) {
      it(`chapter 4 (attention) at ${width}×${height}, after three ticks: no slide runs under the bar`, async () => {
        const { page, errors } = await openChapter(browser, `${preview.url}/chapters/attention/`);
        try {
          await page.setViewportSize({ width, height });
          await pressOnPage(page, 'p');
          assert.equal(await presenting(page), true);
          for (let i = 1; i <= 3; i++) {
            await page.keyboard.press('n');
            await page.waitForFunction((n) => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === String(n), i, { timeout: 30_000 });
          }
          const n = await total(page);
          const over: string[] = [];
          for (let k = 1; k <= n; k++) {
            await goToSlide(page, k);
            // A cell on the slide starts as it comes into view and may grow; the slide refits when it does.
            await page.waitForTimeout(400);
            await page.waitForFunction(() => document.getAnimations().length === 0);
            const m = await page.evaluate(() => {
              const bar = document.querySelector<HTMLElement>('[data-present-bar]')!.getBoundingClientRect().top;
              const on = [...document.querySelectorAll<HTMLElement>('article.chapter > .present-on')];
              return { bottom: Math.max(...on.map((b) => b.getBoundingClientRect().bottom)), bar, zoom: getComputedStyle(document.documentElement).getPropertyValue('--present-zoom') };
            });
            if (m.bottom > m.bar + 1) over.push(`slide ${k}: bottom ${Math.round(m.bottom)} > bar ${Math.round(m.bar)} (zoom ${m.zoom})`);
          }
          assert.deepEqual(over, []);
          assert.deepEqual(errors, []);
        } finally {
          await page.context().close();
        }
      });
    }
  });

  describe("chapter 1's whole tick is one slide, drawn wider than the column so it reads large", () => {
    // The map's text is 13 px in the article; the slide widens the figure (presenter.ts fitWide)
    // so its stages sit side by side and the slide zooms larger. In the column it was 11 px on a
    // 1280×900 screen and 13 px at 1920×1080.
    for (const [width, height, least] of [[1280, 900, 15], [1920, 1080, 20]]) {
      it(`at ${width}×${height}, after three ticks: the slide fits, nothing runs off the sides, the map's type is at least ${least} px`, async () => {
        const { page, errors } = await openChapter(browser, `${preview.url}/chapters/the-clock/`);
        try {
          await page.setViewportSize({ width, height });
          await pressOnPage(page, 'p');
          for (let i = 1; i <= 3; i++) {
            await page.keyboard.press('n');
            await page.waitForFunction((n) => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === String(n), i, { timeout: 30_000 });
          }
          await goToSlide(page, await slideOf(page, '[data-cell="whole"]'));
          await page.waitForFunction(() => document.querySelector('[data-cell="whole"] .whole-tick')?.getAttribute('data-tick') === '2', null, { timeout: 30_000 });
          await page.waitForTimeout(400);
          await page.waitForFunction(() => document.getAnimations().length === 0);
          const m = await page.evaluate(() => {
            const fig = document.querySelector<HTMLElement>('[data-cell="whole"]')!.closest('figure')!.getBoundingClientRect();
            const bar = document.querySelector<HTMLElement>('[data-present-bar]')!.getBoundingClientRect().top;
            const zoom = Number(getComputedStyle(document.documentElement).getPropertyValue('--present-zoom'));
            const sizes = [...document.querySelectorAll<HTMLElement>('[data-cell="whole"] .whole-tick .wt-stage *')]
              .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== ''))
              .map((e) => parseFloat(getComputedStyle(e).fontSize) * zoom).sort((a, b) => a - b);
            return { left: fig.left, right: fig.right, bottom: fig.bottom, bar, inner: innerWidth, scroll: document.documentElement.scrollWidth, zoom, median: sizes[sizes.length >> 1] };
          });
          assert.ok(m.bottom <= m.bar + 1, `the slide ends above the bar: ${JSON.stringify(m)}`);
          assert.ok(m.left >= 0 && m.right <= m.inner, `the figure stays on screen: ${JSON.stringify(m)}`);
          assert.ok(m.scroll <= m.inner, `no sideways scroll: ${JSON.stringify(m)}`);
          assert.ok(m.median >= least, `the map's median type on screen is ${m.median.toFixed(1)} px (zoom ${m.zoom})`);
          assert.deepEqual(errors, []);
        } finally {
          await page.context().close();
        }
      });
    }
  });

  describe('a Chinese chapter in presenter mode', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await openChapter(browser, `${preview.url}/zh-cn/chapters/the-clock/`));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the Present button enters it; → goes on; N ticks; axe is clean; Escape leaves', async () => {
      await page.getByRole('button', { name: '演示', exact: true }).click();
      assert.equal(await presenting(page), true);
      const n = await total(page);
      assert.match(await page.locator('[data-present-live]').innerText(), new RegExp(`第 1 页，共 ${n} 页`));
      assert.equal(await page.getByRole('region', { name: '演示控制' }).isVisible(), true);
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.waitForFunction(() => document.getAnimations().length === 0); // the first slide's, when it came in
      await page.keyboard.press('ArrowRight');
      assert.equal(await slide(page), 2);
      assert.equal(await page.evaluate(() => document.getAnimations().length), 0, 'no slide animation when the reader asks for less motion');
      await page.keyboard.press('n');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '1', null, { timeout: 30_000 });
      assert.match(await page.locator('[data-present-ticks]').innerText(), /已走 1 拍/);
      await axeBoth(page);
      await page.keyboard.press('Escape');
      assert.equal(await presenting(page), false);
      assert.equal(await ticks(page), 1);
      assert.deepEqual(errors, []);
    });
  });

  describe('Print worksheet', () => {
    it('first draws every figure (cells start only near the viewport), then prints, the reader left where they were', async () => {
      const { page, errors } = await openChapter(browser, `${preview.url}/chapters/the-clock/`);
      try {
        await page.evaluate(() => {
          const w = window as unknown as { printed: string[] | null };
          w.printed = null;
          window.print = () => {
            w.printed = [...document.querySelectorAll<HTMLElement>('figure [data-cell]')].map((m) => `${m.dataset.cell}:${m.dataset.state}`);
          };
        });
        assert.equal(await page.locator('[data-cell="registers"]').getAttribute('data-state') === 'ready', false, 'a figure below the fold has not been drawn');
        const button = page.getByRole('button', { name: 'Print worksheet' });
        await button.click();
        await page.waitForFunction(() => (window as unknown as { printed: string[] | null }).printed !== null, null, { timeout: 60_000 });
        const states = await page.evaluate(() => (window as unknown as { printed: string[] }).printed);
        assert.deepEqual(states.filter((s) => !s.endsWith(':ready')), [], 'every figure was drawn before printing');
        assert.equal(await page.evaluate(() => scrollY), 0, 'back where the reader was');
        assert.equal(await button.evaluate((b) => b === document.activeElement), true);
        assert.equal(await page.locator('#prompt + .print-value').count(), 1, 'the print-only copies are filled');
        assert.deepEqual(errors, []);
      } finally {
        await page.context().close();
      }
    });
  });

  describe('chapter 1 printed as a worksheet', () => {
    let page: Page;
    let errors: string[];
    let answer = '';
    before(async () => {
      ({ page, errors } = await openChapter(browser, `${preview.url}/chapters/the-clock/`));
      await page.waitForFunction(() => /Model ready/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''), null, { timeout: 30_000 });
      // A question answered on screen: its answer is in the page, and must not be printed.
      const form = page.locator('[data-cell="predict"] form.predict');
      await page.locator('[data-cell="predict"]').scrollIntoViewIfNeeded();
      await form.waitFor();
      await form.getByRole('textbox').fill(' the');
      await form.getByRole('textbox').press('Enter');
      await form.getByRole('button', { name: /reveal/i }).click();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="predict"] form.predict')?.dataset.phase === 'revealed', null, { timeout: 30_000 });
      answer = (await form.locator('.predict-model dd').innerText()).trim();
      await visitFigures(page);
      await page.waitForFunction(() => document.querySelector('[data-cell="timeline"]')?.getAttribute('data-state') === 'ready', null, { timeout: 30_000 });
      await page.emulateMedia({ media: 'print' });
    });
    after(async () => {
      await page?.context().close();
    });

    it('hides the navigation, the skip link and every button', async () => {
      for (const sel of ['.site-header', '.skip-link', '.chapter-nav', '.site-footer', '.present-tools']) {
        assert.equal(await page.locator(sel).isVisible(), false, sel);
      }
      // The whole tick's candidates are buttons on screen (a press forks the run); on paper they are its probabilities, printed as rows.
      assert.equal(await page.locator('button:visible:not(.wt-cand)').count(), 0);
    });

    it('shows each input as its value, as text', async () => {
      assert.equal(await page.locator('#prompt').isVisible(), false);
      const value = page.locator('#prompt + .print-value');
      assert.equal(await value.isVisible(), true);
      assert.equal(await value.innerText(), 'The clock struck one, and');
      assert.equal(await page.locator('#temperature + .print-value').innerText(), '0.8');
      assert.equal(await page.locator('#seed + .print-value').innerText(), '42');
    });

    it('keeps the charts as they are', async () => {
      assert.equal(await page.locator('[data-cell="timeline"] svg').isVisible(), true);
      assert.equal(await rows(page), 1);
      const breaks = await page.locator('figure.cell').first().evaluate((f) => getComputedStyle(f).breakInside);
      assert.equal(breaks, 'avoid');
    });

    it('asks the question with ruled space to write, and does not print the answer', async () => {
      const cell = page.locator('figure.predict-cell');
      assert.match(await cell.innerText(), /Which token will the model find most likely next\?/);
      const lines = cell.locator('.worksheet-answer .worksheet-line');
      assert.ok(await lines.count() >= 3);
      for (const line of await lines.all()) {
        const box = await line.boundingBox();
        assert.ok(box && box.height >= 20 && box.width > 200, 'a line to write on');
        assert.notEqual(await line.evaluate((l) => getComputedStyle(l).borderBottomStyle), 'none');
      }
      assert.match(await cell.locator('.worksheet-answer').innerText(), /Your answer/);
      for (const sel of ['.predict-result', '.predict-compare', '.predict-verdict', '.predict-actions', '.predict-field']) {
        assert.equal(await cell.locator(sel).first().isVisible(), false, sel);
      }
      assert.ok(answer.length > 0, 'the answer is in the page');
      assert.doesNotMatch(await cell.innerText(), /The model|Match|No match/);
    });

    it('prints the page’s address at the end, and renders to PDF', async () => {
      const source = page.locator('.worksheet-source');
      assert.equal(await source.isVisible(), true);
      assert.match(await source.innerText(), /Printed from http:\/\/127\.0\.0\.1:\d+\/chapters\/the-clock\/\?/);
      const pdf = await page.pdf({ format: 'A4' });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.length > 20_000, `${pdf.length} bytes`);
      assert.deepEqual(errors, []);
    });
  });
});
