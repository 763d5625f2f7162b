// Chapter 9's cell graph with a real (small, random) model in Node: the 2N equation's numbers come
// from countParams and its exact line is forwardFlops for the next tick; the bytes per token are
// the weights a tick reads; tokens per second come from the ticks; the peak and the bandwidth are
// measured on demand by the engine (engine/matmul-peak.ts, engine/bandwidth.ts); the cost chart
// shows each decode tick's record as the engine sent it over the measured floors; GPT-2 124M's
// costs come from its preset, its time's floor from the measured bandwidth.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/09-cost-speed/index.ts';
import { compare, COST_TICKS, costTerms, costTicks, GPT2_124M, weightBytesPerToken } from '../../notebooks/chapters/09-cost-speed/data.ts';
import { costTex } from '../../notebooks/chapters/09-cost-speed/figures.ts';
import type { Engine } from '../../engine/engine.ts';
import type { Request, TickSummary } from '../../engine/protocol.ts';
import { countParams, makeConfig, PRESETS } from '../../model/config.ts';
import { forwardFlops } from '../../model/gpt2.ts';
import { median } from 'd3';
import { formatBytes, formatFlops, formatMs } from '../../components/format.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

describe('chapter 9: cost and speed', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const cost = () => page.mounts.cost!.querySelector<HTMLElement>('.live-equation');
  const speed = () => page.mounts.speed!.querySelector<HTMLElement>('.speed');
  const costs = () => page.mounts.costs!.querySelector<HTMLElement>('.costs');
  // Every tick record the engine sends back, as the page receives it (a new session clears them).
  const records: TickSummary[] = [];

  before(async () => {
    e = await smallEngine();
    const recording: Engine = {
      request: (async (r: Request) => {
        const v = await e.engine.request(r);
        if (r.type === 'start') records.length = 0;
        if (r.type === 'tick') records.push(v as TickSummary);
        return v;
      }) as Engine['request'],
      cancel: () => e.engine.cancel(),
    };
    page = await openChapter(chapter, ['timeline', 'tokens', 'cost', 'bytes', 'costs', 'peak', 'speed', 'gpt2'], recording, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('the equation: N is the parameters outside the embeddings, and its last line is forwardFlops', async () => {
    await page.until('the equation', () => cost() !== null);
    const d = cost()!.dataset;
    const { n_embd: C, n_layer: L, vocab_size: V, n_positions: n } = smallConfig;
    assert.equal(Number(d.params), countParams(smallConfig));
    assert.equal(Number(d.params), e.info.params);
    assert.equal(Number(d.n), countParams(smallConfig) - (V + n) * C);
    assert.equal(Number(d.approx), 2 * Number(d.n) + 2 * C * V);
    assert.equal(Number(d.exact), forwardFlops(smallConfig, 1, Number(d.cached), 1));
    // 2N + 2CV and forwardFlops differ only by the biases, LayerNorms and attention, a small share.
    const exact0 = forwardFlops(smallConfig, 1, 0, 1);
    assert.equal(Number(d.approx) - exact0, 2 * (L * 13 * C + 2 * C) - 4 * L * C);
    const tex = [...cost()!.querySelectorAll('annotation')].map((a) => a.textContent);
    assert.deepEqual(tex, costTex(costTerms(smallConfig, Number(d.cached))));
  });

  it('the cached positions follow the ticks', async () => {
    page.control('next-token').click();
    await page.until('the prefill', () => page.ticks() === 1 && cost()?.dataset.cached === String(e.host.session!.cache.length));
    assert.equal(Number(cost()!.dataset.exact), forwardFlops(smallConfig, 1, e.host.session!.cache.length, 1));
  });

  it('bytes per token are the float32 weights a tick reads', async () => {
    const el = page.mounts.bytes!.querySelector<HTMLElement>('.weight-bytes')!;
    const t = costTerms(smallConfig);
    assert.equal(Number(el.dataset.bytes), weightBytesPerToken(smallConfig));
    assert.equal(Number(el.dataset.bytes), 4 * (countParams(smallConfig) - smallConfig.n_positions * smallConfig.n_embd + smallConfig.n_embd));
    assert.equal(Number(el.dataset.bytes), 4 * (t.N + t.V * t.C + t.C));
    assert.ok(el.querySelector('table caption'));
  });

  it('the cost chart waits for a decode tick (the prefill is not one)', async () => {
    assert.equal(page.ticks(), 1);
    await page.until('the note', () => page.mounts.costs!.dataset.state === 'ready');
    assert.match(page.mounts.costs!.textContent ?? '', /No decode tick yet/);
  });

  it('tokens per second come from the decode ticks; the peak is measured on demand', async () => {
    assert.match(page.mounts.speed!.textContent ?? '', /No decode tick yet/);
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i + 1);
    }
    await page.until('the speed', () => speed() !== null && speed()!.dataset.peakGflops === undefined);
    const d = speed()!.dataset;
    const prompt = e.host.session!.promptLength;
    const flops = [0, 1, 2].map((i) => forwardFlops(smallConfig, 1, prompt + i, 1));
    assert.equal(Number(d.ticks), 3);
    assert.equal(Number(d.flops), flops.reduce((a, b) => a + b) / 3);
    assert.ok(Number(d.msPerToken) > 0);
    assert.equal(Number(d.tokensPerSecond), 1000 / Number(d.msPerToken));
    assert.equal(Number(d.gflops), Number(d.flops) / Number(d.msPerToken) / 1e6);
    const button = page.control<HTMLButtonElement>('measure-peak');
    assert.equal(button.tagName, 'BUTTON');
    button.click();
    await page.until('the peak', () => speed()?.dataset.peakGflops !== undefined, 60_000);
    const peak = Number(speed()!.dataset.peakGflops);
    assert.ok(peak > 0);
    const bytes = weightBytesPerToken(smallConfig);
    const again = await e.engine.request({ type: 'matmulPeak', bytes, threads: e.info.backend.threads });
    assert.equal(again.gflops, peak, 'measured once');
    // The bandwidth: streaming this model's weights (what a tick reads), and a buffer past every cache.
    assert.equal(again.weights!.bytes, Math.max(64 * 1024, Math.ceil(bytes / 64) * 64)); // at least 64 KiB
    assert.equal(again.memory.bytes, 256 * 2 ** 20);
    assert.ok(again.weights!.gbps > 0 && again.memory.gbps > 0);
    assert.equal(Number(speed()!.dataset.gbps), again.weights!.gbps, 'the page asked for its own model’s bytes');
    assert.match(speed()!.textContent ?? '', /Share of the peak/);
    assert.match(speed()!.textContent ?? '', /This device reading memory/);
    // The floors under the cost chart and the bound on GPT-2 124M's time are the measured numbers.
    await page.until('the floors', () => costs()?.dataset.gbps !== undefined);
    const c = costs()!.dataset;
    const latest = records.filter((t) => t.kind === 'decode').at(-1)!;
    assert.equal(Number(c.readingMs), (bytes + latest.cacheBytes) / (again.weights!.gbps * 1e6));
    assert.equal(Number(c.arithmeticMs), latest.flops / (again.gflops * 1e6));
    assert.ok(['reading', 'arithmetic', 'overhead'].includes(c.verdict!));
    assert.match(costs()!.querySelectorAll('.cell-caption')[1]!.textContent ?? '', /at this device’s matmul peak/);
    await page.until('the bound', () => page.mounts.gpt2!.querySelector<HTMLElement>('.compare')?.dataset.bigFloorMs !== undefined);
    const floor = Number(page.mounts.gpt2!.querySelector<HTMLElement>('.compare')!.dataset.bigFloorMs);
    assert.equal(floor, (weightBytesPerToken(GPT2_124M) / (again.memory.gbps * 1e9)) * 1000);
    assert.match(page.mounts.gpt2!.textContent ?? '', /at least .* ms: reading its weights once/);
  });

  it('the cost chart shows each decode tick’s record: FLOPs, bytes read, forward time and tokens/s', async () => {
    const check = () => {
      const decode = records.filter((t) => t.kind === 'decode');
      assert.ok(decode.length >= 3);
      const el = costs()!;
      assert.equal(el.dataset.indices, decode.map((t) => t.index).join(' '));
      const rows = [...el.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
      const { n_layer: L, n_embd: C } = smallConfig;
      decode.forEach((t, i) => {
        // The engine's own numbers against the model's formulas: the chart is fed the real thing.
        assert.equal(t.flops, forwardFlops(smallConfig, 1, t.position, 1));
        assert.equal(t.cacheBytes, L * 2 * C * 4 * t.cacheLength);
        assert.deepEqual(rows[i].slice(0, 7), [String(t.index), String(t.cacheLength), formatFlops(t.flops), formatBytes(weightBytesPerToken(smallConfig)),
          formatBytes(t.cacheBytes), formatMs(t.ms.forward), (1000 / t.ms.forward).toFixed(1)]);
      });
      const svg = el.querySelector('svg')!;
      assert.equal(svg.querySelectorAll('g.tick').length, decode.length);
      assert.equal(svg.querySelectorAll('.dots.forward circle, .dots.forward .clipped').length, decode.length);
      const latest = decode.at(-1)!;
      assert.equal(svg.querySelector('g.tick[tabindex="0"]')!.getAttribute('data-index'), String(latest.index));
      assert.match(svg.querySelector('.readout')!.textContent ?? '', new RegExp(`^latest: tick ${latest.index}, context ${latest.cacheLength}: `));
      const caption = el.querySelector('.cell-caption')!.textContent ?? '';
      const mid = median(decode.map((t) => t.ms.forward));
      assert.match(caption, new RegExp(`^${decode.length} decode ticks on wasm: a median forward time of ${formatMs(mid!)}`));
      assert.match(caption, new RegExp(`From tick ${decode[0].index} \\(context ${decode[0].cacheLength}\\) to tick ${latest.index}`));
      assert.ok(caption.includes(`(${(1000 / mid!).toFixed(1)} tokens/s)`), caption);
    };
    await page.until('the cost chart', () => costs()?.dataset.ticks === '3');
    check();
    // It follows the clock: one more tick, one more column.
    page.control('next-token').click();
    await page.until('tick 5', () => page.ticks() === 5 && costs()?.dataset.ticks === '4');
    check();
    // Only the latest COST_TICKS decode ticks are drawn.
    const many = Array.from({ length: COST_TICKS + 5 }, (_, i) => ({ ...records[1], index: i + 1 }));
    assert.deepEqual(costTicks(many, smallConfig).map((t) => t.index), many.slice(5).map((t) => t.index));
  });

  it('GPT-2 124M’s cost comes from its preset', async () => {
    const el = page.mounts.gpt2!.querySelector<HTMLElement>('.compare')!;
    assert.deepEqual(GPT2_124M, makeConfig(PRESETS.gpt2));
    assert.equal(Number(el.dataset.bigFlops), forwardFlops(GPT2_124M, 1, 0, 1));
    assert.equal(Number(el.dataset.smallFlops), forwardFlops(smallConfig, 1, 0, 1));
    assert.equal(Number(el.dataset.ratio), compare(smallConfig).ratio);
    const big = costTerms(GPT2_124M);
    assert.equal(big.all, countParams(GPT2_124M));
    assert.ok(big.all > 124e6 && big.all < 125e6, String(big.all));
    assert.ok(Math.abs(big.approx / big.exact - 1) < 0.01, 'for GPT-2 124M, 2N + 2CV is within 1% of the exact count');
  });

});
