import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KVCacheGrowth, KVCacheGrowthTable } from '../../components/kv-cache-growth.ts';
import type { KVCacheGrowthData } from '../../components/kv-cache-growth.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// GPT-2 124M's cache: 12 layers × 2 (k and v) × 768 numbers × 4 bytes = 73,728 bytes a position.
const per = 73728;
const data: KVCacheGrowthData = {
  ticks: [6, 7, 8, 9, 10].map((n, i) => ({ index: i, kind: i === 0 ? 'prefill' : 'decode', cacheLength: n, cacheBytes: n * per, flops: i === 0 ? 1.2e9 : 2.5e8 + n * 4e5 })),
};

test('KVCacheGrowth renders the same SVG every time (snapshot kv-cache-growth.svg)', () => {
  const { document } = dom();
  const a = KVCacheGrowth(data, { width: 480, document });
  assert.equal(pretty(a), pretty(KVCacheGrowth(data, { width: 480, document })));
  assertSnapshot(a, 'kv-cache-growth');
});

test('one bar per tick, its height proportional to the bytes, the prefill marked', () => {
  const { document } = dom();
  const svg = KVCacheGrowth(data, { width: 480, document });
  const bars = [...svg.querySelectorAll('rect.bar')];
  assert.equal(bars.length, 5);
  assert.equal(svg.querySelectorAll('rect.bar.prefill').length, 1);
  const h = bars.map((b) => Number(b.getAttribute('height')));
  for (let i = 1; i < h.length; i++) assert.ok(Math.abs(h[i] / h[0] - data.ticks[i].cacheBytes / data.ticks[0].cacheBytes) < 0.01);
  assert.match(svg.getAttribute('aria-label') ?? '', /10 positions, 720\.0 KiB after tick 4/);
});

test('the table alternative has a row per tick (snapshot kv-cache-growth-table.html)', () => {
  const { document } = dom();
  const t = KVCacheGrowthTable(data, { document });
  assert.equal(t.querySelectorAll('tbody tr').length, 5);
  assert.deepEqual([...t.querySelectorAll('tbody tr')[0].children].map((c) => c.textContent), ['0', 'prefill', '6', '432.0 KiB', '1.20 GFLOP']);
  assertSnapshot(t, 'kv-cache-growth-table');
});

test('no ticks: an empty chart that says so', () => {
  const { document } = dom();
  const svg = KVCacheGrowth({ ticks: [] }, { width: 300, document });
  assert.equal(svg.querySelectorAll('rect.bar').length, 0);
  assert.match(svg.getAttribute('aria-label') ?? '', /no ticks yet/);
});

test('the y-axis ticks are round numbers of a binary unit (20 KiB, not 19.5 KiB)', () => {
  const { document } = dom();
  // Chapter 7's case: a 4M model's cache, 64 positions of 1,000 bytes = 62.5 KiB at most.
  const small: KVCacheGrowthData = { ticks: [10, 30, 64].map((n, i) => ({ index: i, kind: i === 0 ? 'prefill' : 'decode', cacheLength: n, cacheBytes: n * 1000, flops: 1e6 })) };
  for (const d of [data, small]) {
    const labels = [...KVCacheGrowth(d, { width: 480, document }).querySelectorAll('.y-axis text')].map((t) => t.textContent ?? '');
    assert.ok(labels.length >= 3, labels.join(' | '));
    for (const l of labels) assert.match(l, /^\d+(,\d{3})* (B|KiB|MiB)$/, l);
  }
  const labels = [...KVCacheGrowth(small, { width: 480, document }).querySelectorAll('.y-axis text')].map((t) => t.textContent);
  assert.deepEqual(labels, ['0 KiB', '20 KiB', '40 KiB', '60 KiB', '80 KiB']);
});
