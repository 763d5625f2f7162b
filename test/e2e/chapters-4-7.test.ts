// Chapters 4 (attention), 5 (LayerNorm, the GELU curve, what each block adds) and 7 (the KV cache) in Chromium against the built site, with the real
// engine in its worker: Next token adds an attention row; Layer and Head change the matrix; the
// cell equation's numbers match the q, k and scores the page exposes; the recompute-vs-cache
// timings appear and are positive; no console errors; axe clean in light and dark.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startPreview } from './harness.ts';
import { axeBoth, nextToken, open, RECORD_TICKS, type RecordedTick } from './chapter-page.ts';

/** An init script: the attention weights of the latest tick the engine worker posts, every layer, kept as window.lastAttention. */
const RECORD_ATTENTION = `(() => {
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const v = e.data && e.data.value;
        if (!v || typeof v !== 'object' || !('cacheBytes' in v) || !v.trace) return;
        window.lastAttention = { index: v.index, start: v.trace.start, layers: v.trace.attention.map((a) => ({ layer: a.layer, shape: a.shape, data: Array.from(a.data) })) };
      });
    }
  };
})();`;

interface RecordedAttention {
  index: number;
  start: number;
  layers: { layer: number; shape: [number, number, number]; data: number[] }[];
}

describe('chapters 4, 5 and 7', () => {
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

  describe('chapter 4, attention', () => {
    let page: Page;
    let errors: string[];
    const chart = '[data-cell="matrix"] .chart';
    const attr = (sel: string, name: string) => page.locator(sel).getAttribute(name);
    /** The box of matrix cell (q, k) on screen, from the weights' image (an image, not an element per cell). */
    const cellBox = async (q: number, k: number) => {
      const img = page.locator('[data-cell="matrix"] image.values');
      const b = (await img.boundingBox())!;
      const [rows, cols] = [Number(await img.getAttribute('data-rows')), Number(await img.getAttribute('data-cells'))];
      return { x: b.x + (k * b.width) / cols, y: b.y + (q * b.height) / rows, width: b.width / cols, height: b.height / rows };
    };
    const hoverCell = async (q: number, k: number) => {
      const c = await cellBox(q, k);
      await page.mouse.move(c.x + c.width / 2, c.y + c.height / 2);
      return c;
    };
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/attention/`, RECORD_ATTENTION));
    });
    after(async () => {
      await page?.context().close();
    });

    it('Layer and Head have visible labels; the prefill fills the prompt rows and Next token adds a row', async () => {
      for (const label of ['Prompt', 'Layer', 'Head']) assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
      await nextToken(page);
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.tick === '0', chart);
      const rows = Number(await attr(chart, 'data-rows'));
      assert.ok(rows >= 1);
      await nextToken(page);
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.tick === '1', chart);
      assert.equal(Number(await attr(chart, 'data-rows')), rows + 1);
      assert.equal(Number(await attr('[data-cell="matrix"] image.values', 'data-rows')), rows + 1, 'an image row per query');
    });

    it('the highlighted cell’s equation matches the q, k and row the page exposes', async () => {
      await page.locator('[data-cell="matrix"] image.values').scrollIntoViewIfNeeded();
      await hoverCell(1, 0);
      await page.waitForFunction(() => {
        const d = document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset;
        return d?.query === '1' && d.key === '0';
      });
      const d = await page.locator('[data-cell="equation"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const q = JSON.parse(d.q!) as number[];
      const k = JSON.parse(d.k!) as number[];
      const row = JSON.parse(d.row!) as number[];
      const dot = q.reduce((s, x, m) => s + x * k[m], 0);
      const hd = Number(d.headDim);
      assert.equal(q.length, hd);
      assert.ok(Math.abs(Number(d.score) - dot) < 1e-4 * Math.max(1, Math.abs(dot)), `${d.score} vs ${dot}`);
      assert.ok(Math.abs(Number(d.scaled) - dot / Math.sqrt(hd)) < 1e-4 * Math.max(1, Math.abs(dot)));
      const z = row.reduce((s, x) => s + Math.exp(x), 0);
      assert.ok(Math.abs(Number(d.weight) - Math.exp(row[0]) / z) < 1e-5);
      assert.equal(await page.locator('[data-cell="equation"] .katex').count(), 3);
      // Keyboard: click the cell (the keyboard's cell moves there and takes the focus), then move right along the row.
      const c = await cellBox(1, 0);
      await page.mouse.click(c.x + c.width / 2, c.y + c.height / 2);
      const focused = () => page.evaluate(() => [document.activeElement?.getAttribute('data-query'), document.activeElement?.getAttribute('data-key')]);
      assert.deepEqual(await focused(), ['1', '0']);
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset.key === '1');
      assert.deepEqual(await focused(), ['1', '1']);
      assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', /^query 1 .* attends to key 1 .* with weight \d\.\d{3}$/);
    });

    it('hovering a cell shows its numbers at the cell, the same as the equation’s', async () => {
      await page.mouse.move(0, 0);
      const c = await hoverCell(1, 1);
      const tip = page.locator('[data-cell="matrix"] .cell-tip');
      await tip.waitFor();
      assert.equal(await tip.getAttribute('data-query'), '1');
      assert.equal(await tip.getAttribute('data-key'), '1');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="equation"] .live-equation')?.dataset.key === '1');
      assert.equal(await tip.getAttribute('data-weight'), await page.locator('[data-cell="equation"] .live-equation').getAttribute('data-weight'));
      assert.match((await tip.textContent()) ?? '', /q·k = .*÷ √\d+ = .*weight \d\.\d{4}/);
      const t = await tip.boundingBox();
      assert.ok(c && t && Math.abs(t.y + t.height / 2 - (c.y + c.height / 2)) < t.height + c.height, `the tip sits by the cell: ${JSON.stringify({ c, t })}`);
      await page.mouse.move(0, 0);
      await page.waitForFunction(() => !document.querySelector('[data-cell="matrix"] .cell-tip'));
    });

    it('every head at once and the head habits: the latest tick’s traced weights, every layer; a focused cell reads its numbers', async () => {
      await page.locator('[data-cell="habits"]').scrollIntoViewIfNeeded();
      const rec = (await page.evaluate(() => (window as unknown as { lastAttention: unknown }).lastAttention)) as RecordedAttention;
      const tick = String(rec.index);
      await page.waitForFunction((t) => document.querySelector<HTMLElement>('.heads-overview')?.dataset.tick === t && document.querySelector<HTMLElement>('.head-habits')?.dataset.tick === t, tick);
      const layers = [...rec.layers].sort((a, b) => a.layer - b.layer);
      const [H, T, K] = layers[0].shape;
      const p = rec.start + T - 1;
      const row = (l: number, h: number, t = T - 1) => layers[l].data.slice((h * T + t) * K, (h * T + t) * K + rec.start + t + 1);
      const argmax = (r: number[]) => r.indexOf(Math.max(...r));
      const top = JSON.parse((await page.locator('.heads-overview').getAttribute('data-top'))!) as number[][];
      assert.deepEqual(top, layers.map((_, l) => Array.from({ length: H }, (_, h) => argmax(row(l, h)))));
      assert.equal(await page.locator('[data-cell="overview"] rect.cell').count(), layers.length * H);
      // Habits over the tick's rows from position 2 on: the mean weight on key 0, p − 1 and p.
      const habits = JSON.parse((await page.locator('.head-habits').getAttribute('data-habits'))!) as [number, number, number, number, number, string | null][];
      const ts = Array.from({ length: T }, (_, t) => t).filter((t) => rec.start + t >= 2);
      for (const [l, h, first, previous, self] of habits) {
        const mean = (f: (r: number[], q: number) => number) => ts.reduce((s, t) => s + f(row(l, h, t), rec.start + t), 0) / ts.length;
        assert.ok(Math.abs(first - mean((r) => r[0])) < 1e-6 && Math.abs(previous - mean((r, q) => r[q - 1])) < 1e-6 && Math.abs(self - mean((r, q) => r[q])) < 1e-6, `layer ${l} head ${h}`);
      }
      const named = await page.locator('.head-habits li[data-habit="first"]').getAttribute('data-count');
      assert.equal(Number(named), habits.filter((x) => x[5] === 'first').length);
      // Keyboard: Tab to the chart's cell, move with the arrows; the readout says the cell's numbers.
      await page.locator('[data-cell="overview"] rect.cell[tabindex="0"]').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      const readout = page.locator('.overview-readout');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.overview-readout')?.dataset.head === '1');
      const l = Number(await readout.getAttribute('data-layer'));
      const self = row(l, 1)[p];
      assert.match((await readout.textContent()) ?? '', new RegExp(`^Layer ${l}, head 1: .*itself ${self.toFixed(3)}\\.$`));
      // Each head's output: the layer chosen, the newest position.
      const outs = page.locator('[data-cell="outputs"] .head-outputs');
      assert.equal(await outs.getAttribute('data-position'), String(p));
      assert.equal(await page.locator('[data-cell="outputs"] .outputs-table tbody tr').count(), H);
    });

    it('changing Head and Layer changes the matrix', async () => {
      const labels = () => page.locator('[data-cell="matrix"] rect.cell.value').evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label')).join('|'));
      const before = await labels();
      await page.getByLabel('Head', { exact: true }).fill('1');
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.head === '1', chart);
      const head1 = await labels();
      assert.notEqual(head1, before);
      await page.getByLabel('Layer', { exact: true }).fill('1');
      await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.layer === '1', chart);
      assert.notEqual(await labels(), head1);
      await page.getByLabel('Layer', { exact: true }).fill('99');
      await page.waitForFunction(() => /Layer must be/.test(document.getElementById('layer-error')?.textContent ?? ''));
      assert.equal(await attr(chart, 'data-layer'), '1');
    });

    it('the worked softmax recomputes from the reader’s inputs', async () => {
      await page.getByLabel('Input 4', { exact: true }).fill('2');
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.softmax-result')?.dataset.inputs === '[0.1,0.2,0.3,2]');
      const p = JSON.parse((await page.locator('.softmax-result').getAttribute('data-probs'))!) as number[];
      const e = [0.1, 0.2, 0.3, 2].map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      p.forEach((x, i) => assert.ok(Math.abs(x - e[i] / s) < 1e-12));
    });

    it('has no console errors and no axe violations, light and dark', async () => {
      await page.getByLabel('Layer', { exact: true }).fill('0');
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });

  describe('chapter 5, LayerNorm, GELU and what each block adds', () => {
    let page: Page;
    let errors: string[];
    // Every trace the engine worker posts to the page, kept before the notebook sees it.
    const RECORD_TRACE = `(() => {
      const Base = window.Worker;
      window.Worker = class extends Base {
        constructor(url, options) {
          super(url, options);
          this.addEventListener('message', (e) => {
            const v = e.data && e.data.value;
            if (v && typeof v === 'object' && v.trace && v.trace.layers) window.lastTrace = v.trace;
          });
        }
      };
    })();`;
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/mlp-residual/`, RECORD_TRACE));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the LayerNorm, GELU-curve and block-adds cells draw, and their numbers are the engine’s trace', async () => {
      await nextToken(page);
      await nextToken(page);
      await page.getByLabel('Block', { exact: true }).fill('1');
      await page.waitForFunction(() => {
        const ln = document.querySelector<HTMLElement>('[data-cell="layer-norm"] .layer-norm');
        return ln?.dataset.tick === '1' && ln.dataset.layer === '1' && document.querySelector<HTMLElement>('[data-cell="gelu-curve"] .gelu-curve')?.dataset.layer === '1'
          && document.querySelector<HTMLElement>('[data-cell="adds"] .block-adds')?.dataset.tick === '1';
      }, null, { timeout: 30_000 });
      // The page's numbers and the trace, read out as plain data and checked here.
      const got = await page.evaluate(() => {
        const tr = (window as unknown as { lastTrace: { tokens: number[]; embeddings: { sum: Float32Array }; layers: Record<string, Float32Array>[] } }).lastTrace;
        return {
          tokens: tr.tokens.length,
          C: tr.embeddings.sum.length / tr.tokens.length,
          layers: tr.layers.map((l) => ({ residual: Array.from(l.residual), ln1: Array.from(l.ln1), mlpIn: Array.from(l.mlpIn), attnOut: Array.from(l.attnOut), mlpOut: Array.from(l.mlpOut) })),
          ln: { ...document.querySelector<HTMLElement>('[data-cell="layer-norm"] .layer-norm')!.dataset },
          gelu: { ...document.querySelector<HTMLElement>('[data-cell="gelu-curve"] .gelu-curve')!.dataset },
          adds: document.querySelector<HTMLElement>('[data-cell="adds"] .block-adds')!.dataset.adds!,
          dots: (document.querySelector('[data-cell="gelu-curve"] svg g.inputs path.dots')?.getAttribute('d') ?? '').split('M').length - 1,
          equations: document.querySelectorAll('[data-cell="layer-norm"] .live-equation .katex').length,
          bars: document.querySelectorAll('[data-cell="adds"] rect.bar').length,
        };
      });
      const C = got.C;
      assert.equal(got.tokens, 1, 'the decode tick’s trace');
      const x = got.layers[0].residual.slice(-C); // the stream entering block 1
      const mean = x.reduce((a, v) => a + v, 0) / C;
      const sigma = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / C);
      assert.ok(Math.abs(Number(got.ln.mean) - mean) < 1e-12 && Math.abs(Number(got.ln.sigma) - sigma) < 1e-12, JSON.stringify(got.ln));
      assert.equal(Number(got.ln.y), got.layers[1].ln1.slice(-C)[Number(got.ln.i)], 'the equation’s y is the engine’s ln_1 output');
      assert.equal(got.equations, 5);
      assert.equal(got.dots, 4 * C);
      assert.equal(Number(got.gelu.negative), got.layers[1].mlpIn.slice(-4 * C).filter((v) => v < 0).length);
      const len = (a: number[]) => Math.sqrt(a.slice(-C).reduce((s, v) => s + v * v, 0));
      const adds = JSON.parse(got.adds) as [number, number][];
      adds.forEach(([a, m], l) => assert.ok(Math.abs(a - len(got.layers[l].attnOut)) < 1e-9 && Math.abs(m - len(got.layers[l].mlpOut)) < 1e-9, `block ${l}`));
      assert.equal(got.bars, 2 * adds.length);
    });

    it('has no console errors and no axe violations, light and dark', async () => {
      assert.deepEqual(errors, []);
      await axeBoth(page);
    });
  });

  describe('chapter 7, the KV cache', () => {
    let page: Page;
    let errors: string[];
    before(async () => {
      ({ page, errors } = await open(browser, `${preview.url}/chapters/kv-cache/`, RECORD_TICKS));
    });
    after(async () => {
      await page?.context().close();
    });

    it('the recompute-vs-cache numbers appear and are positive; the cache grows a bar a tick', async () => {
      await nextToken(page);
      await nextToken(page);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="recompute"] .recompute')?.dataset.tick === '1', null, { timeout: 30_000 });
      const d = await page.locator('[data-cell="recompute"] .recompute').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.ok(Number(d.decodeMs) > 0 && Number(d.recomputeMs) > 0, JSON.stringify(d));
      assert.ok(Number(d.recomputeFlops) > Number(d.decodeFlops));
      await page.waitForFunction(() => document.querySelectorAll('[data-cell="growth"] rect.bar').length === 2);
      const f = await page.locator('[data-cell="flops"] .live-equation').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const [L, C, V, T, P] = [f.layers, f.width, f.vocab, f.fed, f.cached].map(Number);
      assert.equal(Number(f.flops), L * (24 * T * C * C + 4 * T * (P + T) * C) + 2 * C * V);
    });

    it('the running totals with and without the cache are the engine’s ticks: Σ cache length, Σ forward ms, and a measured recompute per decode tick', async () => {
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="cumulative"] .cumulative')?.dataset.measured === '2', null, { timeout: 30_000 });
      const d = await page.locator('[data-cell="cumulative"] .cumulative').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      const recs = await page.evaluate(() => (window as unknown as { tickRecords: RecordedTick[] }).tickRecords);
      assert.equal(recs.length, 2);
      assert.equal(Number(d.withoutPositions), recs[0].cacheLength + recs[1].cacheLength);
      assert.equal(Number(d.withPositions), recs[1].cacheLength);
      assert.ok(Math.abs(Number(d.withMs) - (recs[0].forward + recs[1].forward)) < 1e-9);
      assert.ok(Number(d.withoutMs) > recs[0].forward, JSON.stringify(d));
      assert.equal(await page.locator('[data-cell="cumulative"] svg').count(), 2);
    });

    it('has no console errors and no axe violations, light and dark', async () => {
      assert.deepEqual(errors, []);
      await page.locator('[data-cell="growth"] details summary').click();
      await axeBoth(page);
    });
  });
});
