import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arithmeticMs, bytesRead, CostChart, CostChartTable, medianMs, overallTokensPerSecond, readingMs } from '../../components/cost-chart.ts';
import type { CostChartData } from '../../components/cost-chart.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// Six decode ticks of GPT-2 124M after a 5-token prompt: FLOPs and cache from its shape
// (L 12, C 768, V 50257), weights as float32; forward times and the device made up.
const [L, C, V] = [12, 768, 50257];
const N = 85_056_000;
const ticks = [41.2, 39.8, 44.1, 40.3, 38.9, 47.5].map((ms, i) => {
  const P = 5 + i;
  return { index: i + 1, context: P + 1, flops: L * (24 * C * C + 4 * (P + 1) * C) + 2 * C * V, weightBytes: 4 * (N + V * C + C), cacheBytes: L * 2 * C * 4 * (P + 1), forwardMs: ms };
});
const device = { gflops: 40, gbps: 18 };
const data: CostChartData = { ticks, device };

/** The plot's value → y map, read back from its first and last gridline labels. */
function yOf(svg: SVGSVGElement): (v: number) => number {
  const marks = [...svg.querySelectorAll('.y-axis text')].map((t) => ({ v: Number(t.getAttribute('data-value')), y: Number(t.getAttribute('y')) }));
  const [a, b] = [marks[0], marks.at(-1)!];
  return (v) => a.y + ((v - a.v) * (b.y - a.y)) / (b.v - a.v);
}
const num = (el: Element, name: string) => Number(el.getAttribute(name));
/** The y of each horizontal step of a floor's path ("M x,y H x L x,y H x …"). */
const stepYs = (d: string) => [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));

test('CostChart renders the same SVG every time (snapshot cost-chart.svg)', () => {
  const { document } = dom();
  const a = CostChart(data, { width: 560, document });
  assert.equal(pretty(a), pretty(CostChart(data, { width: 560, document })));
  assertSnapshot(a, 'cost-chart');
});

test('each tick’s dot sits at its forward time; the floors at its bytes over the bandwidth and its FLOPs over the peak; the line at the median', () => {
  const { document } = dom();
  const svg = CostChart(data, { width: 560, document });
  const y = yOf(svg);
  const dots = [...svg.querySelectorAll('.dots.forward circle')];
  const reading = stepYs(svg.querySelector('.floor.reading')!.getAttribute('d')!);
  const arithmetic = stepYs(svg.querySelector('.floor.arithmetic')!.getAttribute('d')!);
  assert.equal(dots.length, 6);
  const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.02, `${what}: ${a} vs ${b}`);
  ticks.forEach((t, i) => {
    near(num(dots[i], 'cy'), y(t.forwardMs), `tick ${t.index} forward`);
    near(reading[i], y(bytesRead(t) / 18e6), `tick ${t.index} reading`); // 18 GB/s = 18e6 bytes a ms
    near(arithmetic[i], y(t.flops / 40e6), `tick ${t.index} arithmetic`);
  });
  assert.equal(readingMs(ticks[0], device), bytesRead(ticks[0]) / 18e6);
  assert.equal(arithmeticMs(ticks[0], device), ticks[0].flops / 40e6);
  near(num(svg.querySelector('.median')!, 'y1'), y(medianMs(ticks)), 'median');
  assert.equal(medianMs(ticks), (40.3 + 41.2) / 2);
  assert.deepEqual([...svg.querySelectorAll('.legend text')].map((t) => t.textContent),
    ['forward time, measured', 'median 40.8 ms', 'reading its bytes alone (18.0 GB/s, measured)', 'its arithmetic alone (40.0 GFLOP/s, measured)']);
});

test('before the device is measured: no floors, and the legend says how to get them', () => {
  const { document } = dom();
  const svg = CostChart({ ticks }, { width: 560, document });
  assert.equal(svg.querySelectorAll('.floor').length, 0);
  assert.match(svg.querySelector('.legend')!.textContent ?? '', /Measure this device to draw the floors/);
  assert.match(svg.getAttribute('aria-label') ?? '', /median 40\.8 ms/);
});

test('a tick far slower than the rest sits on the top edge as a ▲, so the others keep their scale', () => {
  const { document } = dom();
  const slow = ticks.map((t, i) => (i === 2 ? { ...t, forwardMs: 900 } : t));
  const svg = CostChart({ ticks: slow, device }, { width: 560, document });
  assert.equal(svg.querySelectorAll('.dots.forward circle').length, 5);
  assert.equal(svg.querySelector('.dots.forward .clipped')!.getAttribute('data-index'), '3');
  const top = Math.max(...[...svg.querySelectorAll('.y-axis text')].map((t) => Number(t.getAttribute('data-value'))));
  assert.ok(top <= 3 * medianMs(slow) * 1.5, String(top));
});

test('the axis reads round milliseconds', () => {
  const { document } = dom();
  const labels = [...CostChart(data, { width: 560, document }).querySelectorAll('.y-axis text')].map((t) => t.textContent);
  assert.deepEqual(labels, ['0 ms', '10 ms', '20 ms', '30 ms', '40 ms', '50 ms']);
});

test('keyboard: the latest tick is in the tab order; arrows, Home and End move; the readout follows', () => {
  const { document, window } = dom();
  const svg = CostChart(data, { width: 560, document });
  document.body.append(svg);
  const cols = [...svg.querySelectorAll<SVGGElement>('g.tick')];
  const readout = () => [...svg.querySelectorAll('.readout text')].map((t) => t.textContent);
  assert.deepEqual(cols.map((c) => c.getAttribute('tabindex')), ['-1', '-1', '-1', '-1', '-1', '0']);
  assert.match(readout()[0]!, /^latest: tick 6, context 11: /);
  cols[5].focus();
  const key = (k: string) => document.activeElement!.dispatchEvent(new window.KeyboardEvent('keydown', { key: k, bubbles: true }));
  key('ArrowLeft');
  assert.equal(document.activeElement, cols[4]);
  assert.deepEqual(cols.map((c) => c.getAttribute('tabindex')), ['-1', '-1', '-1', '-1', '0', '-1']);
  const t = data.ticks[4];
  assert.deepEqual(readout(), [
    `tick 5, context 10: ${(t.flops / 1e6).toPrecision(3)} MFLOP`,
    `${(bytesRead(t) / 2 ** 20).toFixed(1)} MiB read: ${(t.weightBytes / 2 ** 20).toFixed(1)} MiB weights + ${(t.cacheBytes / 1024).toFixed(1)} KiB KV cache`,
    `forward 38.9 ms; reading alone ${(bytesRead(t) / 18e6).toFixed(1)} ms, arithmetic alone ${(t.flops / 40e6).toPrecision(3)} ms`,
  ]);
  assert.equal(cols[4].getAttribute('aria-label'), readout().join('; '));
  assert.equal(cols[4].querySelector('.focus-ring')!.getAttribute('display'), null);
  key('Home');
  assert.equal(document.activeElement, cols[0]);
  key('End');
  assert.equal(document.activeElement, cols[5]);
  cols[5].blur();
  assert.match(readout()[0]!, /^latest: /);
});

test('the table alternative has a row per tick, with the floors once measured (snapshot cost-chart-table.html)', () => {
  const { document } = dom();
  const table = CostChartTable(data, { document });
  const rows = [...table.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  assert.equal(rows.length, 6);
  const t = ticks[0];
  assert.deepEqual(rows[0], ['1', '6', `${(t.flops / 1e6).toPrecision(3)} MFLOP`, '471.7 MiB', '432.0 KiB', '41.2 ms', '24.3',
    `${(bytesRead(t) / 18e6).toFixed(1)} ms`, `${(t.flops / 40e6).toPrecision(3)} ms`]);
  assert.equal(CostChartTable({ ticks }, { document }).querySelector('tbody tr')!.children.length, 7, 'no floors before the device is measured');
  assertSnapshot(table, 'cost-chart-table');
});

test('no ticks: an empty chart that says what to do', () => {
  const { document } = dom();
  const svg = CostChart({ ticks: [] }, { width: 300, document });
  assert.equal(svg.querySelectorAll('g.tick').length, 0);
  assert.match(svg.getAttribute('aria-label') ?? '', /no decode tick yet/);
  assert.match(svg.querySelector('.readout')!.textContent ?? '', /Press Next token/);
  assert.ok(Number.isNaN(overallTokensPerSecond([])));
});
