import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesRead, CostChart, CostChartTable, overallTokensPerSecond, tokensPerSecond } from '../../components/cost-chart.ts';
import type { CostChartData } from '../../components/cost-chart.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// Six decode ticks of GPT-2 124M after a 5-token prompt: FLOPs and cache from its shape
// (L 12, C 768, V 50257), weights as float32; forward times made up.
const [L, C, V] = [12, 768, 50257];
const N = 85_056_000;
const data: CostChartData = {
  flopsEstimate: 2 * N + 2 * C * V,
  ticks: [41.2, 39.8, 44.1, 40.3, 38.9, 47.5].map((ms, i) => {
    const P = 5 + i;
    return { index: i + 1, context: P + 1, flops: L * (24 * C * C + 4 * (P + 1) * C) + 2 * C * V, weightBytes: 4 * (N + V * C + C), cacheBytes: L * 2 * C * 4 * (P + 1), forwardMs: ms };
  }),
};

/** A panel's value → y map, read back from its first and last gridline labels. */
function yOf(svg: SVGSVGElement, panel: number): (v: number) => number {
  const ticks = [...svg.querySelectorAll(`.panel-${panel} .y-axis text`)].map((t) => ({ v: Number(t.getAttribute('data-value')), y: Number(t.getAttribute('y')) }));
  const [a, b] = [ticks[0], ticks.at(-1)!];
  return (v) => a.y + ((v - a.v) * (b.y - a.y)) / (b.v - a.v);
}
const num = (el: Element, name: string) => Number(el.getAttribute(name));

test('CostChart renders the same SVG every time (snapshot cost-chart.svg)', () => {
  const { document } = dom();
  const a = CostChart(data, { width: 560, document });
  assert.equal(pretty(a), pretty(CostChart(data, { width: 560, document })));
  assertSnapshot(a, 'cost-chart');
});

test('each tick’s bars and dot sit at its FLOPs, its bytes (weights, then cache on top) and its tokens/s', () => {
  const { document } = dom();
  const svg = CostChart(data, { width: 560, document });
  const [yf, yb, ys] = [0, 1, 2].map((p) => yOf(svg, p));
  const flops = [...svg.querySelectorAll('.bars.flops rect')];
  const weights = [...svg.querySelectorAll('.bars.bytes .weights rect')];
  const cache = [...svg.querySelectorAll('.bars.bytes .cache rect')];
  const dots = [...svg.querySelectorAll('.dots.speed circle')];
  assert.equal(flops.length, 6);
  data.ticks.forEach((t, i) => {
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.02, `tick ${t.index} ${what}: ${a} vs ${b}`);
    near(num(flops[i], 'y'), yf(t.flops), 'FLOPs');
    near(num(flops[i], 'y') + num(flops[i], 'height'), yf(0), 'FLOPs base');
    near(num(weights[i], 'y'), yb(t.weightBytes), 'weights');
    near(num(cache[i], 'y'), yb(bytesRead(t)), 'cache top');
    near(num(cache[i], 'y') + num(cache[i], 'height'), yb(t.weightBytes), 'cache base');
    near(num(dots[i], 'cy'), ys(tokensPerSecond(t)), 'tokens/s');
  });
  assert.ok(Math.abs(num(svg.querySelector('.estimate line')!, 'y1') - yf(data.flopsEstimate!)) < 0.02);
  assert.ok(Math.abs(num(svg.querySelector('.overall line')!, 'y1') - ys(overallTokensPerSecond(data.ticks))) < 0.02);
  assert.equal(svg.querySelector('.estimate text')!.textContent, '2N + 2CV = 247 MFLOP');
  assert.equal(svg.querySelector('.overall text')!.textContent, `6 ticks: ${(6000 / (41.2 + 39.8 + 44.1 + 40.3 + 38.9 + 47.5)).toFixed(1)} tokens/s`);
});

test('byte gridlines fall on round binary units', () => {
  const { document } = dom();
  const labels = [...CostChart(data, { width: 560, document }).querySelectorAll('.panel-1 .y-axis text')].map((t) => t.textContent);
  assert.deepEqual(labels, ['0 B', '200.0 MiB', '400.0 MiB', '600.0 MiB']);
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
    `forward 38.9 ms: ${(1000 / 38.9).toFixed(1)} tokens/s`,
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

test('the table alternative has a row per tick (snapshot cost-chart-table.html)', () => {
  const { document } = dom();
  const table = CostChartTable(data, { document });
  const rows = [...table.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[0], ['1', '6', `${(data.ticks[0].flops / 1e6).toPrecision(3)} MFLOP`, '471.7 MiB', '432.0 KiB', '41.2 ms', '24.3']);
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
