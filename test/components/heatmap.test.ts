import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heatmap, HeatmapTable, heatmapDomain, heatmapRamp, quantileDomain } from '../../components/heatmap.ts';
import type { HeatmapData } from '../../components/heatmap.ts';
import { diverging } from '../../components/color.ts';
import { formatValue } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// Three rows of 16 values: a fixed, seedless pattern with both signs and one exact zero.
const data: HeatmapData = {
  rows: ['The', ' cat', '<img src=x onerror=alert(1)>'],
  values: [0, 1, 2].map((r) => Array.from({ length: 16 }, (_, j) => (j === 0 ? 0 : Math.round(Math.sin(r * 16 + j) * 1000) / 500))),
};

test('Heatmap renders the same SVG every time (snapshot heatmap.svg)', () => {
  const { document } = dom();
  const a = Heatmap(data, { width: 400, document, modelRows: true });
  assert.equal(pretty(a), pretty(Heatmap(data, { width: 400, document, modelRows: true })));
  assertSnapshot(a, 'heatmap');
});

test('one cell per value; the scale is symmetric about 0', () => {
  const { document } = dom();
  const svg = Heatmap(data, { width: 400, document });
  assert.equal(svg.getAttribute('role'), 'img');
  assert.ok(svg.getAttribute('aria-label'));
  assert.equal(svg.querySelectorAll('g.row').length, 3);
  assert.equal(svg.querySelectorAll('rect.cell').length, 48);
  const m = heatmapDomain(data.values);
  assert.equal(m, Math.max(...data.values.flat().map(Math.abs)));
  const fills = Array.from(svg.querySelectorAll('g.row'), (g) => Array.from(g.querySelectorAll('rect.cell'), (c) => c.getAttribute('fill')));
  assert.equal(fills[0][0], diverging(0.5), 'zero is the middle of the scale');
  data.values.flat().forEach((v, i) => {
    if (Math.abs(v) === m) assert.equal(fills.flat()[i], diverging(v > 0 ? 1 : 0));
  });
  const fixed = Heatmap(data, { width: 400, document, domain: 2 * m });
  const zero = Array.from(fixed.querySelectorAll('rect.cell'), (c) => c.getAttribute('fill'));
  assert.ok(!zero.includes(diverging(1)) && !zero.includes(diverging(0)), 'a wider shared domain pales the cells');
});

test('row labels are text, not markup', () => {
  const { document } = dom();
  const svg = Heatmap(data, { width: 400, document });
  document.body.append(svg, HeatmapTable(data, { document }));
  assert.equal(document.querySelector('img'), null);
  assert.ok(svg.textContent?.includes('<img'));
});

test('HeatmapTable has the same values, formatted by components/format.ts', () => {
  const { document } = dom();
  const table = HeatmapTable(data, { document, modelRows: true });
  assertSnapshot(table, 'heatmap-table');
  const rows = Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent));
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1], ['␣cat', ...data.values[1].map(formatValue)]);
  assert.equal(table.querySelectorAll('thead th').length, 17);
});

test('a selected cell is outlined; none is drawn unless asked or when out of range', () => {
  const { document } = dom();
  assert.equal(Heatmap(data, { width: 400, document }).querySelectorAll('rect.selected').length, 0);
  assert.equal(Heatmap(data, { width: 400, document, selected: [3, 0] }).querySelectorAll('rect.selected').length, 0);
  const svg = Heatmap(data, { width: 400, document, selected: [1, 5] });
  const cell = svg.querySelectorAll('g.row')[1].querySelectorAll('rect.cell')[5];
  const outline = svg.querySelector('rect.selected')!;
  assert.equal(Number(outline.getAttribute('x')), Math.round((Number(cell.getAttribute('x')) - 1) * 100) / 100);
  assert.equal(Number(outline.getAttribute('y')), 18 - 1);
});

test('row labels: tokens show their spaces as ␣ (modelRows); the page’s own labels stay plain text', () => {
  const { document } = dom();
  const labels = (svg: SVGSVGElement) => Array.from(svg.querySelectorAll('g.labels text'), (t) => t.textContent);
  assert.equal(labels(Heatmap(data, { width: 400, document, modelRows: true }))[1], '␣cat');
  const page: HeatmapData = { rows: ['embedding', 'after block 0'], values: [[1, -1], [2, -2]] };
  const svg = Heatmap(page, { width: 400, document });
  assert.deepEqual(labels(svg), ['embedding', 'after block 0']);
  assert.equal(svg.querySelector('g.labels text')?.getAttribute('font-family'), null);
  assert.equal(HeatmapTable(page, { document }).querySelector('tbody tr:nth-child(2) th, tbody tr:nth-child(2) td')?.textContent, 'after block 0');
});

test('a square-root ramp: a value a hundredth of the largest still shows a tenth of the colour; the legend marks ±domain/4 halfway out', () => {
  const ramp = heatmapRamp(16, 'sqrt');
  assert.equal(ramp(0), 0.5);
  assert.ok(Math.abs(ramp(0.16) - (0.5 + 0.1 / 2)) < 1e-12);
  assert.equal(ramp(-16), 0);
  assert.equal(ramp(40), 1, 'beyond the domain: the end of the ramp');
  assert.equal(heatmapRamp(16)(8), 0.75, 'linear by default');
  const { document } = dom();
  const svg = Heatmap({ rows: ['a', 'b'], values: [[16, -4, 0.16], [0, 1, -16]] }, { width: 300, document, curve: 'sqrt' });
  const fills = [...svg.querySelectorAll('.cell')].map((c) => c.getAttribute('fill'));
  assert.equal(fills[2], diverging(0.55));
  const marks = [...svg.querySelectorAll('.legend text')].map((t) => [Number(t.getAttribute('data-value')), Number(t.getAttribute('x'))]);
  assert.deepEqual(marks.map(([v]) => v), [-16, -4, 0, 4, 16]);
  assert.equal(marks[3][1], 0.75 * marks[4][1], '+4 is a quarter of 16: halfway out on a square-root ramp');
});

test('cells overlap their right neighbour by half a pixel (no seams), and the axis title fits left of the plot', () => {
  const { document } = dom();
  const svg = Heatmap({ rows: ['x'], values: [[1, 2, 3]] }, { width: 300, document });
  const cells = [...svg.querySelectorAll('.cell')];
  const right = (c: Element) => Number(c.getAttribute('x')) + Number(c.getAttribute('width'));
  assert.ok(right(cells[0]) > Number(cells[1].getAttribute('x')));
  const title = svg.querySelector('.axis-title')!;
  assert.equal(title.textContent, 'dimension →');
  assert.ok(Number(title.getAttribute('x')) >= 'dimension →'.length * 5, 'the title starts inside the chart');
});

test('quantileDomain: a few huge values do not set the colours', () => {
  const values = [Array.from({ length: 99 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1) / 100), [500]];
  assert.equal(quantileDomain(values, 0.99), 0.99, 'the 99th of 100 sizes');
  assert.equal(quantileDomain(values, 1), 500);
  assert.equal(quantileDomain([[0, 0]], 0.99), 1, 'all zero: the default domain');
});
