// Chapter 1's cell graph with a real (small, random) model in Node: each tick adds a timeline row
// and a token; tokens and the KV cache change between ticks while the weights' checksum (re-read
// from the backend after every tick) stays the one taken at load; Play/Pause and Reset work; the
// clock rate is the ticks' own measured time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/01-the-clock/index.ts';
import { clockRate, registerRows } from '../../notebooks/chapters/01-the-clock/data.ts';
import type { ClockState } from '../../notebooks/clock.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

describe('chapter 1: the clock', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const rows = () => page.mounts.timeline!.querySelectorAll('g.rows > g').length;
  const strip = () => page.mounts.tokens!.querySelectorAll('g.token').length;

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['timeline', 'tokens', 'cycle', 'registers', 'rate'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('Next token adds one timeline row and one token per tick', async () => {
    await page.until('the prompt tokens', () => strip() > 0);
    const prompt = strip();
    assert.equal(rows(), 0);
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i && rows() === i && strip() === prompt + i);
    }
    const first = page.mounts.timeline!.querySelector('g.rows > g')!;
    assert.match(first.getAttribute('class') ?? '', /prefill/);
    assert.match(page.mounts.timeline!.querySelectorAll('g.rows > g')[2].getAttribute('class') ?? '', /decode/);
  });

  it('between ticks the tokens and the KV cache change; the weights checksum stays the one taken at load', async () => {
    await page.until('the registers', () => page.mounts.registers!.querySelector('table')?.dataset.weightsNow !== undefined &&
      /tick 2/.test(page.mounts.registers!.textContent ?? ''));
    const table = page.mounts.registers!.querySelector('table')!;
    assert.equal(table.dataset.weightsAtLoad, e.info.checksum);
    assert.equal(table.dataset.weightsNow, e.info.checksum);
    const body = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    assert.deepEqual(body.map((r) => r[3]), ['yes', 'yes', 'yes', 'no']);
    assert.equal(body[3][1], body[3][2]);
  });

  it('the cycle table sets each stage of the latest tick beside a CPU stage', () => {
    const text = page.mounts.cycle!.textContent ?? '';
    for (const s of ['Fetch', 'Write back', 'Read the context', 'Run the layers', 'Logits → probabilities', 'Pick a token and append it']) assert.ok(text.includes(s), s);
    assert.match(text, /1 new token at position/);
  });

  it('the clock rate is 1000 / the mean measured decode tick', () => {
    const p = page.mounts.rate!.querySelector<HTMLElement>('.clock-rate')!;
    const rate = Number(p.dataset.ticksPerSecond);
    assert.ok(rate > 0 && Number.isFinite(rate));
  });

  it('Play ticks on its own and becomes Pause; Pause stops it', async () => {
    const play = page.control<HTMLButtonElement>('play');
    const n = page.ticks();
    play.click();
    await page.until('Pause', () => play.textContent === 'Pause');
    await page.until('ticks while playing', () => page.ticks() >= n + 3);
    assert.equal(page.control<HTMLButtonElement>('next-token').disabled, true);
    play.click();
    await page.until('Play again', () => play.textContent === 'Play' && page.mounts.controls!.dataset.clock === 'idle');
    const stopped = page.ticks();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(page.ticks(), stopped);
    assert.equal(e.host.session!.ticks, stopped, 'the page shows every tick the engine ran');
    assert.equal(rows(), Math.min(stopped, 40));
  });

  it('Reset starts over from the prompt, and the same seed gives the same tokens', async () => {
    const first = [...page.mounts.timeline!.querySelectorAll('g.rows > g')].slice(0, 3).map((g) => g.getAttribute('aria-label'));
    page.control('reset').click();
    await page.until('the reset', () => page.ticks() === 0 && rows() === 0);
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i && rows() === i);
    }
    const again = [...page.mounts.timeline!.querySelectorAll('g.rows > g')].map((g) => g.getAttribute('aria-label'));
    const token = (label: string | null) => /token “(.*)”/.exec(label ?? '')?.[1];
    assert.deepEqual(again.map(token), first.map(token));
  });
});

describe('chapter 1: pure computations', () => {
  const tick = (index: number, ms: number, extra: Partial<TickSummary> = {}) =>
    ({ index, kind: index === 0 ? 'prefill' : 'decode', ms: { forward: ms * 0.9, sample: ms * 0.1, trace: 0, total: ms }, cacheLength: 5 + index, cacheBytes: 100 * (5 + index), weightsChecksum: 'abcd1234', ...extra }) as TickSummary;
  const state = (ticks: TickSummary[], extra: Partial<ClockState> = {}): ClockState =>
    ({ prompt: 'x', promptTokens: [], ticks, wallMs: ticks.map((_, i) => 1000 + 50 * i), playing: false, playStart: null, busy: false, error: null, forced: [], left: null, verified: [], drawn: null, queued: 0, ...extra });

  it('clockRate is 1000 / the mean of the latest decode ticks, and the wall rate only over a Play run', () => {
    assert.equal(clockRate(state([tick(0, 30)])), null);
    const r = clockRate(state([tick(0, 30), tick(1, 4), tick(2, 6)]))!;
    assert.equal(r.msPerTick, 5);
    assert.equal(r.ticksPerSecond, 200);
    assert.equal(r.prefillMs, 30);
    assert.equal(r.wallTicksPerSecond, null);
    const played = clockRate(state([tick(0, 30), tick(1, 4), tick(2, 6), tick(3, 5)], { playStart: 1 }))!;
    assert.equal(played.wallTicksPerSecond, 20); // one tick every 50 ms
  });

  it('registerRows flags a weights checksum that differs from the one at load', () => {
    const model = { checksum: 'abcd1234', params: 10 } as Parameters<typeof registerRows>[1];
    assert.equal(registerRows(state([tick(0, 1), tick(1, 1)], { verified: ['abcd1234', 'abcd1234'] }), model)[3].changed, false);
    assert.equal(registerRows(state([tick(0, 1, { weightsVerified: 'ffff0000' })]), model)[3].changed, true);
    assert.equal(registerRows(state([tick(0, 1)], { verified: ['ffff0000'] }), model)[3].changed, true);
    // The read-back arrives after the tick: until then the row says so and does not claim a change.
    const pending = registerRows(state([tick(0, 1), tick(1, 1)], { verified: ['abcd1234'] }), model)[3];
    assert.deepEqual([pending.before, pending.after, pending.changed], ['abcd1234', 'reading back…', false]);
  });
});
