// Chapter 7's cell graph with a real (small, random) model in Node: prefill then decode ticks; the
// recompute is a real forward pass over exactly the cached sequence, leaving the session as it was; the
// cache grows a position (and a fixed number of bytes) a tick; the FLOPs equation's numbers are
// the engine's and its formula recomputes the tick's own FLOPs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/07-kv-cache/index.ts';
import { bytesPerPosition, cacheBudget, cumulativeSeries, flopsTerms, GPT2_124M } from '../../notebooks/chapters/07-kv-cache/data.ts';
import { countParams } from '../../model/config.ts';
import { flopsTex } from '../../notebooks/chapters/07-kv-cache/figures.ts';
import { forwardFlops } from '../../model/gpt2.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

describe('chapter 7: the loop and the KV cache', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const versus = () => page.mounts.recompute!.querySelector<HTMLElement>('.recompute');
  const growth = () => page.mounts.growth!.querySelector<HTMLElement>('.chart');
  const flops = () => page.mounts.flops!.querySelector<HTMLElement>('.live-equation');

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['timeline', 'tokens', 'phases', 'recompute', 'cumulative', 'growth', 'budget', 'flops'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('the prefill fills the cache; the recompute waits for a decode tick', async () => {
    page.control('next-token').click();
    await page.until('the prefill', () => page.ticks() === 1 && growth()?.dataset.cacheLength !== undefined);
    const prompt = e.host.session!.promptLength;
    assert.equal(Number(growth()!.dataset.cacheLength), prompt);
    assert.match(page.mounts.recompute!.textContent ?? '', /decode tick to measure/);
    assert.match(page.mounts.phases!.textContent ?? '', /prefill/);
  });

  it('a decode tick is measured against a recompute of the whole sequence: both positive, FLOPs from forwardFlops', async () => {
    page.control('next-token').click();
    await page.until('the measurement', () => versus()?.dataset.tick === '1');
    const d = versus()!.dataset;
    const n = e.host.session!.cache.length;
    assert.equal(Number(d.positions), n);
    assert.ok(Number(d.decodeMs) > 0 && Number(d.recomputeMs) > 0);
    assert.equal(Number(d.recomputeFlops), forwardFlops(smallConfig, n, 0, 1));
    assert.equal(Number(d.decodeFlops), forwardFlops(smallConfig, 1, n - 1, 1));
    assert.ok(Number(d.recomputeFlops) > Number(d.decodeFlops));
    assert.match(page.mounts.phases!.textContent ?? '', /decode/);
    assert.equal(e.host.session!.ticks, 2, 'the recompute is not a tick');
  });

  it('the recompute runs exactly the cached sequence, from position 0, and leaves the session as it was', async () => {
    const s = e.host.session!;
    const [n, ticks] = [s.cache.length, s.ticks];
    const res = await e.engine.request({ type: 'recompute', trace: { attention: true, layers: [0] } });
    assert.equal(res.trace!.start, 0);
    assert.deepEqual(res.trace!.tokens, s.ids.slice(0, n));
    assert.equal(res.tick, ticks - 1);
    assert.deepEqual([s.cache.length, s.ticks], [n, ticks]);
  });

  it('the cache grows one position and a fixed number of bytes a tick', async () => {
    for (let i = 2; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i + 1 && growth()?.querySelectorAll('rect.bar').length === i + 1);
    }
    const rows = [...growth()!.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    const lens = rows.map((r) => Number(r[2]));
    for (let i = 1; i < lens.length; i++) assert.equal(lens[i], lens[i - 1] + 1);
    assert.equal(Number(growth()!.dataset.bytesPerPosition), bytesPerPosition(smallConfig));
    assert.equal(Number(growth()!.dataset.cacheBytes), Number(growth()!.dataset.cacheLength) * bytesPerPosition(smallConfig));
    assert.equal(Number(growth()!.dataset.cacheBytes), e.host.session!.cache.bytes);
  });

  it('the cache budget: a position costs L·2·C numbers, the weights every parameter; the work counts the engine’s own ticks', async () => {
    const el = page.mounts.budget!.querySelector<HTMLElement>('.cache-budget')!;
    assert.equal(Number(el.dataset.perPosition), e.host.session!.cache.bytes / e.host.session!.cache.length, 'the engine’s cache: bytes over positions');
    assert.equal(Number(el.dataset.weights), 4 * countParams(smallConfig));
    assert.equal(Number(el.dataset.bigPerPosition), 12 * 2 * 768 * 4, 'GPT-2 124M: 72 KiB a position');
    const big = cacheBudget(GPT2_124M);
    assert.equal(big.fullContext.f32, 1024 * 73_728);
    assert.equal(big.perPosition.f16 * 2, big.perPosition.f32);
    // GPT-2 124M's 498 MB of F32 weights take 6,752 positions of one text's cache: past its 1,024; 8 texts at once pass them at 844 tokens each.
    assert.deepEqual(big.outgrows.map((o) => [o.batch, o.tokens, o.within]), [[1, 6752, false], [8, 844, true], [64, 106, true]]);
    // With the cache each tick ran what it fed; without, its whole text.
    await page.until('the work', () => Number(page.mounts.budget!.querySelector<HTMLElement>('.cache-budget')?.dataset.withCache) === e.host.session!.ids.length - 1);
    const done = page.mounts.budget!.querySelector<HTMLElement>('.cache-budget')!;
    const n = e.host.session!.ids.length - 1; // positions fed so far (the last chosen token is not fed yet)
    const prompt = n - (page.ticks() - 1);
    let without = 0;
    for (let len = prompt; len <= n; len++) without += len;
    assert.equal(Number(done.dataset.without), without);
    assert.match(done.textContent ?? '', new RegExp(`ran ${n} token-positions with the cache`));
  });

  it('the FLOPs equation’s numbers are the tick’s, and its formula recomputes the engine’s FLOPs', async () => {
    await page.until('the equation for tick 3', () => flops()?.dataset.tick === '3');
    const d = flops()!.dataset;
    const [L, C, V, T, P] = [d.layers, d.width, d.vocab, d.fed, d.cached].map(Number);
    assert.deepEqual([L, C, V], [smallConfig.n_layer, smallConfig.n_embd, smallConfig.vocab_size]);
    assert.equal(T, 1);
    assert.equal(P, e.host.session!.cache.length - 1);
    const byHand = L * (24 * T * C * C + 4 * T * (P + T) * C) + 2 * C * V;
    assert.equal(Number(d.flops), byHand);
    assert.equal(Number(d.flops), forwardFlops(smallConfig, T, P, 1));
    const tex = [...flops()!.querySelectorAll('annotation')].map((a) => a.textContent);
    assert.deepEqual(tex, flopsTex(flopsTerms(smallConfig, T, P)));
    assert.ok(tex[1]!.endsWith(String(byHand).replace(/\B(?=(\d{3})+(?!\d))/g, '{,}')), tex[1]!);
    // Each tick's cost grows with the context by 4·L·C.
    assert.equal(flopsTerms(smallConfig, 1, P + 1).total - flopsTerms(smallConfig, 1, P).total, 4 * L * C);
  });

  it('while playing, the recompute waits; after Pause it measures the newest tick', async () => {
    page.control('play').click();
    await page.until('playing', () => page.ticks() >= 6);
    page.control('play').click();
    await page.until('paused and measured', () => page.mounts.controls!.dataset.clock === 'idle' && versus()?.dataset.tick === String(page.ticks() - 1));
    assert.ok(Number(versus()!.dataset.recomputeMs) > 0);
  });

  it('a recompute of the first k cached positions runs exactly them (what tick k’s whole text was); out of range is refused', async () => {
    const s = e.host.session!;
    const res = await e.engine.request({ type: 'recompute', positions: 3, trace: { attention: true, layers: [0] } });
    assert.equal(res.positions, 3);
    assert.deepEqual(res.trace!.tokens, s.ids.slice(0, 3));
    assert.equal(res.flops, forwardFlops(smallConfig, 3, 0, 1));
    await assert.rejects(e.engine.request({ type: 'recompute', positions: s.cache.length + 1 }), /can recompute 1 to/);
    await assert.rejects(e.engine.request({ type: 'recompute', positions: 0 }), /can recompute 1 to/);
  });

  it('the running totals: token-positions Σ fed against Σ cache length, time Σ forward ms against a measured recompute of every decode tick', async () => {
    const el = () => page.mounts.cumulative!.querySelector<HTMLElement>('.cumulative');
    await page.until('every decode tick measured', () => Number(el()?.dataset.measured) === page.ticks() && Number(el()?.dataset.ticks) === page.ticks(), 30_000);
    const d = el()!.dataset;
    const n = e.host.session!.ids.length - 1;
    const prompt = n - (page.ticks() - 1);
    let without = 0;
    for (let len = prompt; len <= n; len++) without += len;
    assert.equal(Number(d.withPositions), n);
    assert.equal(Number(d.withoutPositions), without);
    assert.ok(Number(d.withoutMs) > 0 && Number(d.withMs) > 0);
    assert.equal(page.mounts.cumulative!.querySelectorAll('svg').length, 2, 'positions and measured time');
    // The pure function, on made-up ticks: a prefill counts its own time without the cache; totals stop at the first unmeasured tick.
    const t = (kind: 'prefill' | 'decode', fed: number, cacheLength: number, forward: number) => ({ index: 0, kind, fed, cacheLength, ms: { forward } }) as unknown as TickSummary;
    const c = cumulativeSeries([t('prefill', 4, 4, 10), t('decode', 1, 5, 2), t('decode', 1, 6, 2), t('decode', 1, 7, 2)], [null, 11, null, 13]);
    assert.deepEqual(c.positions, { withCache: [4, 5, 6, 7], without: [4, 9, 15, 22] });
    assert.deepEqual(c.ms, { withCache: [10, 12, 14, 16], without: [10, 21, null, null] });
    assert.equal(c.measured, 2);
  });
});
