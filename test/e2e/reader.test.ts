// A reader's pass over the chapters (issue 16), in Chromium against the built site with the real
// engine: the printed worksheet keeps √d; the status line counts "1 tick"; chapter 6's dice and ◀
// marker; round KV-cache ticks; chapter 5's residual labels; wide equations fit or visibly scroll
// at 1280 and 390 px; the timeline's bars end before their ms labels.
// READER_SHOTS=<folder> also saves screenshots (desktop, phone, print) of what these tests look at.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { nextToken, open } from './chapter-page.ts';

const SHOTS = process.env.READER_SHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });
async function shot(page: Page, name: string, selector?: string): Promise<void> {
  if (!SHOTS) return;
  const path = join(SHOTS, `${name}.png`);
  if (selector) {
    await page.locator(selector).first().scrollIntoViewIfNeeded();
    await page.locator(selector).first().screenshot({ path });
  } else await page.screenshot({ path });
}

/** Pages in a PDF (its /Type /Page objects, not /Pages). */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

/**
 * Every display equation that is wider than its box: fine when it is a focusable scroll region
 * with a visible cue (the edge shadows); returned as a problem otherwise, or when the box itself
 * runs past its column.
 */
function equationProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    document.querySelectorAll<HTMLElement>('.chapter .katex-display').forEach((box, i) => {
      if (!box.getClientRects().length) return; // folded away (a closed <details>)
      const parent = box.parentElement!.getBoundingClientRect();
      const r = box.getBoundingClientRect();
      const name = `#${i} "${(box.textContent ?? '').slice(0, 40)}"`;
      if (r.right > parent.right + 1 || r.right > document.documentElement.clientWidth + 1) problems.push(`${name} runs past its column`);
      if (box.scrollWidth <= box.clientWidth + 1) return;
      const style = getComputedStyle(box);
      if (box.tabIndex !== 0 || box.dataset.scrollRegion === undefined) problems.push(`${name} overflows but is not a focusable scroll region`);
      else if (!style.backgroundImage.includes('gradient') || style.overflowX !== 'auto') problems.push(`${name} overflows with no visible cue`);
    });
    return problems;
  });
}

describe('a reader’s pass (issue 16)', () => {
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

  it('print: chapter 4’s worksheet keeps every square-root sign (KaTeX’s radical svgs keep their size)', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/attention/`);
    await nextToken(page);
    const screenPdf = await page.pdf({ format: 'A4' }); // page.pdf prints with print media
    await page.emulateMedia({ media: 'print' });
    const radicals = await page.locator('.chapter .katex .sqrt svg').evaluateAll((svgs) =>
      svgs.filter((s) => s.getClientRects().length).map((s) => { const r = s.getBoundingClientRect(); return { w: r.width, h: r.height }; }));
    assert.ok(radicals.length >= 1, 'chapter 4 has a √');
    for (const r of radicals) assert.ok(r.w > 1 && r.h > 4, `a radical printed at ${r.w}×${r.h} px`);
    const eq = page.locator('.chapter .katex-display', { has: page.locator('.sqrt') }).first();
    await shot(page, 'ch4-print-sqrt', '.chapter .katex-display:has(.sqrt)');
    assert.ok(await eq.count());
    console.log(`# chapter 4 worksheet: ${pdfPages(screenPdf)} A4 pages`);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('the status line and the timeline say "1 tick", not "1 ticks"', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/the-clock/`);
    await nextToken(page);
    const status = page.locator('[data-role="status"]');
    await page.waitForFunction(() => /so far/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''));
    assert.match(await status.innerText(), /\b1 tick so far;/);
    await nextToken(page);
    await page.waitForFunction(() => /\b2 ticks so far;/.test(document.querySelector('[data-role="status"]')?.textContent ?? ''));
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('chapter 6: grey only for what top-k/top-p removed; at T = 0 the ◀ marker stays inside the chart', async () => {
    // Filters off: no grey bar, and the dice's tail (kept tokens not listed) is blue, not grey.
    let { page, errors } = await open(browser, `${preview.url}/chapters/logits-to-token/`);
    await nextToken(page);
    const bars = '[data-cell="bars"] svg';
    await page.locator(`${bars} .dice`).waitFor();
    assert.equal(await page.locator(`${bars} .candidate.filtered`).count(), 0);
    const fills = await page.locator(`${bars} rect`).evaluateAll((rs) => rs.map((r) => r.getAttribute('fill')));
    assert.ok(!fills.includes('currentColor'), `a grey rect with the filters off: ${fills.join(' ')}`);
    assert.equal(await page.locator(`${bars} rect.rest`).getAttribute('fill'), '#2b6cb0');
    await shot(page, 'ch6-dice-desktop', '[data-cell="bars"]');
    await page.context().close();
    assert.deepEqual(errors, []);

    // Top-k 3: the rest of the listed tokens are grey bars.
    ({ page, errors } = await open(browser, `${preview.url}/chapters/logits-to-token/?topK=3`));
    await nextToken(page);
    await page.locator(`${bars} .dice`).waitFor();
    assert.ok(await page.locator(`${bars} .candidate.filtered`).count() >= 1);
    await page.context().close();

    // T = 0: the chosen token holds 100 %, its bar the longest; "100.0% ◀" ends inside the svg.
    ({ page, errors } = await open(browser, `${preview.url}/chapters/logits-to-token/?temperature=0`));
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(viewport);
      if (viewport.width === 1280) await nextToken(page);
      else await page.waitForFunction((s) => (document.querySelector(s)?.getBoundingClientRect().width ?? 999) < 390, bars);
      // Measured in one step in the page: a resize redraws the chart, and a label found in one
      // call can be gone by the next.
      const m = await (await page.waitForFunction((s) => {
        const svg = document.querySelector(s);
        const t = svg?.querySelector('.candidate.chosen text.value');
        if (!svg || !t || t.getBoundingClientRect().width === 0) return null;
        return { text: t.textContent ?? '', end: t.getBoundingClientRect().right, chart: svg.getBoundingClientRect().right };
      }, bars)).jsonValue() as { text: string; end: number; chart: number };
      assert.match(m.text, /◀$/);
      assert.ok(m.end <= m.chart, `◀ ends at ${m.end}, the chart at ${m.chart} (${viewport.width} px)`);
      await shot(page, `ch6-t0-${viewport.width}`, '[data-cell="bars"]');
    }
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('chapter 7: the KV cache axis reads round numbers; the FLOPs equation fits; the timeline’s bars end before their ms', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/kv-cache/`);
    for (let i = 0; i < 3; i++) await nextToken(page);
    await page.waitForFunction(() => document.querySelectorAll('[data-cell="growth"] rect.bar').length === 3);
    const ticks = await page.locator('[data-cell="growth"] .y-axis text').allTextContents();
    assert.ok(ticks.length >= 3, ticks.join(' | '));
    for (const t of ticks) assert.match(t, /^\d+(,\d{3})* (B|KiB|MiB|GiB)$/, `tick "${t}"`);
    await shot(page, 'ch7-kv-desktop', '[data-cell="growth"]');

    await page.locator('[data-cell="flops"] .katex-display').first().waitFor();
    // The page fits a display equation to its column a moment after a redraw (scroll-regions.ts
    // measures once per burst, 150 ms after its first change): wait for that, not the first draw.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('[data-cell="flops"] .katex-display')].every((b) => b.scrollWidth <= b.clientWidth + 1), null, { timeout: 5_000 }).catch(() => undefined);
    const flops = await page.locator('[data-cell="flops"] .katex-display').evaluateAll((bs) => bs.map((b) => ({ scroll: b.scrollWidth, client: b.clientWidth })));
    for (const f of flops) assert.ok(f.scroll <= f.client + 1, `the FLOPs equation is ${f.scroll} px in a ${f.client} px box`);
    assert.deepEqual(await equationProblems(page), []);
    await shot(page, 'ch7-flops-desktop', '[data-cell="flops"]');

    // The prefill's row (the longest time) included: no bar runs into its row's time.
    await page.waitForFunction(() => document.querySelectorAll('[data-cell="timeline"] g.tick-row, [data-cell="timeline"] g[role="option"], [data-cell="timeline"] .rows > g').length >= 3);
    const overlaps = await page.locator('[data-cell="timeline"] svg').first().evaluate((svg) => {
      const out: string[] = [];
      const rows = [...svg.querySelectorAll('g')].filter((g) => g.querySelector(':scope > rect.part'));
      for (const g of rows) {
        const parts = [...g.querySelectorAll(':scope > rect.part')].map((r) => r.getBoundingClientRect());
        const barEnd = Math.max(...parts.map((r) => r.right));
        const texts = [...g.querySelectorAll(':scope > text')].filter((t) => /ms$/.test(t.textContent ?? ''));
        for (const t of texts) {
          const r = t.getBoundingClientRect();
          if (r.left < barEnd + 2) out.push(`"${t.textContent}" starts at ${r.left.toFixed(1)}, its bar ends at ${barEnd.toFixed(1)}`);
        }
        if (!texts.length) out.push('a row without its ms');
      }
      return rows.length ? out : ['no timeline rows'];
    });
    assert.deepEqual(overlaps, []);
    await shot(page, 'ch7-timeline-desktop', '[data-cell="timeline"]');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await shot(page, 'ch7-timeline-phone', '[data-cell="timeline"]');
    await shot(page, 'ch7-flops-phone', '[data-cell="flops"]');
    assert.deepEqual(await equationProblems(page), []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('chapter 5: the residual stream’s rows read "after block 0", and the shared scale is stated with numbers (colours to the 99th percentile)', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/mlp-residual/`);
    await nextToken(page);
    const labels = page.locator('[data-cell="residual"] svg g.labels text');
    await labels.first().waitFor();
    const texts = await labels.allTextContents();
    assert.equal(texts[0], 'embedding');
    assert.equal(texts[1], 'after block 0');
    for (const t of texts) assert.doesNotMatch(t, /␣/);
    // Read where the reader reads it: far from the window the chapter skips laying it out (innerText is then empty).
    await page.locator('[data-cell="residual"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const note = await page.locator('[data-cell="residual"] .residual-scale').innerText();
    const m = /largest is (\d[\d.]*\d), the last block’s (\d[\d.]*\d).*ends at ±(\d[\d.]*\d) .*the largest is (\d[\d.]*\d)\)/.exec(note);
    assert.ok(m, note);
    const [first, last, domain, max] = m.slice(1).map(Number);
    assert.ok(first <= max && last <= max && domain <= max, note);
    const drawn = Number(await page.locator('[data-cell="residual"] .residual').getAttribute('data-domain'));
    assert.ok(Math.abs(drawn - domain) / drawn < 0.01, `the colours end where the note says: ${drawn} vs ${domain}`);
    await shot(page, 'ch5-residual-desktop', '[data-cell="residual"]');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  for (const chapter of ['logits-to-token', 'cost-speed']) {
    it(`chapter ${chapter}: no display equation is cut invisibly at 1280 or 390 px`, async () => {
      const { page, errors } = await open(browser, `${preview.url}/chapters/${chapter}/`);
      await nextToken(page);
      await nextToken(page);
      await page.waitForTimeout(300);
      assert.deepEqual(await equationProblems(page), [], '1280 px');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(300);
      assert.deepEqual(await equationProblems(page), [], '390 px');
      const scrolling = page.locator('.chapter .katex-display[data-scroll-region]');
      if (await scrolling.count()) {
        await shot(page, `${chapter}-equation-phone`, '.chapter .katex-display[data-scroll-region]');
        // The keyboard scrolls it.
        await scrolling.first().focus();
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction(() => (document.querySelector('.chapter .katex-display[data-scroll-region]')?.scrollLeft ?? 0) > 0);
      }
      assert.deepEqual(errors, []);
      await page.context().close();
    });
  }

  it('chapter 2 on a phone: the tables keep words whole and show they scroll sideways', async () => {
    const { page, errors } = await open(browser, `${preview.url}/chapters/tokens/`);
    await page.setViewportSize({ width: 390, height: 844 });
    for (const cell of ['words', 'compare']) {
      await page.locator(`[data-cell="${cell}"] table`).first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      const box = await page.locator(`[data-cell="${cell}"]`).evaluate((el) => {
        const m = el.closest<HTMLElement>('.mount') ?? el;
        const style = getComputedStyle(m);
        return { overflows: m.scrollWidth > m.clientWidth + 1, region: m.dataset.scrollRegion !== undefined, tab: m.tabIndex, cue: style.backgroundImage.includes('gradient') };
      });
      assert.ok(!box.overflows || (box.region && box.tab === 0 && box.cue), `${cell}: ${JSON.stringify(box)}`);
    }
    // The comparison's first column reads by words ("Your prompt: “The clock…”"), not a letter a line.
    const first = await page.locator('[data-cell="compare"] tbody tr:first-child > :first-child').boundingBox();
    assert.ok(first && first.width >= 60, `first column ${first?.width} px wide`);
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
