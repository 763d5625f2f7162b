// A 1,000-tick soak in Chromium: the landing page plays the bundled model for 1,000 ticks (the
// context slides several times on the way). Between tick ~300 (the KV cache has reached its
// largest size by then) and tick 1,000, nothing may grow but what the page keeps on purpose: the
// engine's live tensors and backend buffers stay the same, its tensor bytes change only with the
// KV cache, the wasm heap does not grow, and the page's and the worker's JavaScript heaps (after a
// garbage collection) grow by less than a stated bound per tick.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, Worker } from 'playwright-core';
import type { EngineMemory } from '../../engine/protocol.ts';
import { collectConsoleErrors, launchBrowser, openPage, startPreview } from './harness.ts';

const TICKS = 1000;
const FIRST = 300;
// What the page keeps per tick on purpose (its summary: token, timings, 20 candidates; the text),
// with room to spare; a leak of a tick's logits or trace would be ≥ 16 KB per tick.
const PAGE_BYTES_PER_TICK = 8 * 1024;
const WORKER_BYTES_PER_TICK = 2 * 1024; // the worker keeps only the ids and the last 64 ticks' logits

const tickOf = async (page: Page) => Number(/^Tick (\d+) /.exec((await page.locator('#status').textContent()) ?? '')?.[1] ?? -1);

interface Reading {
  tick: number;
  engine: EngineMemory;
  pageHeap: number;
  workerHeap: number;
}

describe('a 1,000-tick soak', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;

  before(async () => {
    preview = await startPreview(process.env.E2E_DIST || undefined);
    browser = await launchBrowser(['--js-flags=--expose-gc', '--enable-blink-features=ForceEagerMeasureMemory']);
  });
  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it(`the landing page plays ${TICKS} ticks with the engine's memory and both heaps flat`, { timeout: 15 * 60_000 }, async () => {
    const page = await openPage(browser);
    const errors = collectConsoleErrors(page);
    try {
      await page.goto(`${preview.url}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => !(document.getElementById('play') as HTMLButtonElement | null)?.disabled, null, { timeout: 60_000 });
      await page.getByLabel('Play speed').selectOption('0'); // as fast as it runs
      const worker = await waitForEngineWorker(page);
      const cdp = await page.context().newCDPSession(page);

      /** Play until the status shows tick ≥ n, pause, and read everything once the tick in flight is done. */
      const playTo = async (n: number): Promise<Reading> => {
        await page.getByRole('button', { name: 'Play' }).click();
        await page.waitForFunction((n) => Number(/^Tick (\d+) /.exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1) >= n, n, { timeout: 10 * 60_000, polling: 250 });
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('button', { name: 'Play' }).waitFor();
        await page.waitForFunction(() => !(document.getElementById('next-token') as HTMLButtonElement).disabled);
        const tick = await tickOf(page);
        await cdp.send('HeapProfiler.collectGarbage');
        const { usedSize } = await cdp.send('Runtime.getHeapUsage');
        await worker.evaluate(() => (globalThis as unknown as { gc: () => void }).gc());
        // The page's measurement attributes memory to its dedicated workers too (cross-origin isolated pages only).
        const workerHeap = await page.evaluate(async () => {
          type Breakdown = { bytes: number; attribution: { scope: string }[] };
          const m = await (performance as unknown as { measureUserAgentSpecificMemory: () => Promise<{ breakdown: Breakdown[] }> }).measureUserAgentSpecificMemory();
          return m.breakdown.filter((b) => b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')).reduce((s, b) => s + b.bytes, 0);
        });
        const engine = await worker.evaluate(() => (globalThis as unknown as { tokenClockMemory: () => Promise<EngineMemory> }).tokenClockMemory());
        return { tick, engine, pageHeap: usedSize, workerHeap };
      };

      const a = await playTo(FIRST);
      const b = await playTo(TICKS);
      const ticks = b.tick - a.tick;
      const mb = (x: number) => `${(x / 2 ** 20).toFixed(2)} MB`;
      console.log(`soak: ticks ${a.tick} → ${b.tick}; engine tensors ${a.engine.tensors} → ${b.engine.tensors}, buffers ${a.engine.dataBuffers} → ${b.engine.dataBuffers}, ` +
        `bytes−cache ${mb(a.engine.bytes - a.engine.cacheBytes)} → ${mb(b.engine.bytes - b.engine.cacheBytes)}, wasm heap ${mb(a.engine.heapBytes ?? 0)} → ${mb(b.engine.heapBytes ?? 0)}, ` +
        `page heap ${mb(a.pageHeap)} → ${mb(b.pageHeap)}, worker heap ${mb(a.workerHeap)} → ${mb(b.workerHeap)}`);

      assert.ok(b.tick >= TICKS, `reached tick ${b.tick}`);
      assert.equal(b.engine.tensors, a.engine.tensors, 'live tensors');
      assert.equal(b.engine.dataBuffers, a.engine.dataBuffers, 'backend data buffers');
      assert.equal(b.engine.bytes - b.engine.cacheBytes, a.engine.bytes - a.engine.cacheBytes, 'tensor bytes other than the KV cache');
      if (a.engine.heapBytes !== undefined) assert.ok(b.engine.heapBytes! <= a.engine.heapBytes, `wasm heap grew: ${mb(a.engine.heapBytes)} → ${mb(b.engine.heapBytes!)}`);
      assert.ok(b.pageHeap - a.pageHeap < PAGE_BYTES_PER_TICK * ticks, `page heap grew ${mb(b.pageHeap - a.pageHeap)} over ${ticks} ticks`);
      assert.ok(a.workerHeap > 0, 'the worker\'s heap was measured');
      assert.ok(b.workerHeap - a.workerHeap < WORKER_BYTES_PER_TICK * ticks, `worker heap grew ${mb(b.workerHeap - a.workerHeap)} over ${ticks} ticks`);
      assert.deepEqual(errors, []);
    } finally {
      await page.context().close();
    }
  });
});

/** The page's engine worker (the one that answers tokenClockMemory). */
async function waitForEngineWorker(page: Page): Promise<Worker> {
  const end = Date.now() + 30_000;
  for (;;) {
    for (const w of page.workers()) {
      if (await w.evaluate(() => typeof (globalThis as { tokenClockMemory?: unknown }).tokenClockMemory === 'function').catch(() => false)) return w;
    }
    if (Date.now() > end) throw new Error(`no engine worker among ${page.workers().length} workers`);
    await page.waitForTimeout(200);
  }
}
