import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heatmap, HeatmapTable, heatmapCellAt, heatmapDomain, heatmapRamp, quantileDomain } from '../../components/heatmap.ts';
import type { HeatmapData } from '../../components/heatmap.ts';
import { diverging } from '../../components/color.ts';
import { formatValue } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';
import { rgb } from 'd3';
import { decodePng } from './png-decode.ts';

/** Each row's cells as [r, g, b, a], read back from the row's PNG (one or a few pixels per cell). */
function cells(svg: Element): [number, number, number, number][][] {
  return Array.from(svg.querySelectorAll('image.row'), (img) => {
    const png = decodePng(img.getAttribute('href')!);
    const n = Number(img.getAttribute('data-cells'));
    assert.equal(png.width % n, 0, 'whole pixels per cell');
    const scale = png.width / n;
    return Array.from({ length: n }, (_, j) => {
      const first = png.pixel(j * scale, 0);
      for (let k = 1; k < scale; k++) assert.deepEqual(png.pixel(j * scale + k, 0), first, 'a cell is one colour');
      return first;
    });
  });
}

/** The colour a cell shows is the CSS colour asked for, to within one step of 255 per channel (the ramp is tabled). */
function sameColour(got: [number, number, number, number], css: string, what = ''): void {
  const c = rgb(css);
  assert.ok(got[3] === 255 && Math.abs(got[0] - c.r) <= 1 && Math.abs(got[1] - c.g) <= 1 && Math.abs(got[2] - c.b) <= 1, `${what} ${got} vs ${css}`);
}

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

test('one cell per value, a row an image; the scale is symmetric about 0', () => {
  const { document } = dom();
  const svg = Heatmap(data, { width: 400, document });
  assert.equal(svg.getAttribute('role'), 'img');
  assert.ok(svg.getAttribute('aria-label'));
  assert.equal(svg.querySelectorAll('image.row').length, 3);
  const fills = cells(svg);
  assert.deepEqual(fills.map((r) => r.length), [16, 16, 16]);
  const m = heatmapDomain(data.values);
  assert.equal(m, Math.max(...data.values.flat().map(Math.abs)));
  sameColour(fills[0][0], diverging(0.5), 'zero is the middle of the scale');
  data.values.forEach((row, i) => row.forEach((v, j) => sameColour(fills[i][j], diverging(heatmapRamp(m)(v)), `[${i}][${j}] = ${v}`)));
  data.values.flat().forEach((v, i) => {
    if (Math.abs(v) === m) sameColour(fills.flat()[i], diverging(v > 0 ? 1 : 0));
  });
  const fixed = cells(Heatmap(data, { width: 400, document, domain: 2 * m })).flat();
  const ends = [rgb(diverging(0)), rgb(diverging(1))];
  assert.ok(!fixed.some((c) => ends.some((e) => Math.abs(c[0] - e.r) + Math.abs(c[1] - e.g) + Math.abs(c[2] - e.b) <= 3)), 'a wider shared domain pales the cells');
});

test('ragged rows: a row is as long as its values, and a value that is not a number is left transparent', () => {
  const { document } = dom();
  const svg = Heatmap({ rows: ['a', 'b', 'c'], values: [[1, NaN, -1], [2], []] }, { width: 300, document });
  const imgs = [...svg.querySelectorAll('image.row')];
  assert.deepEqual(imgs.map((i) => i.getAttribute('data-row')), ['0', '1'], 'an empty row has no image');
  assert.ok(Number(imgs[1].getAttribute('width')) < Number(imgs[0].getAttribute('width')) / 2);
  const c = cells(svg);
  assert.equal(c[0][1][3], 0, 'NaN is transparent');
  sameColour(c[1][0], diverging(1));
});

test('heatmapCellAt: a point on a row image is the cell under it', () => {
  const { document } = dom();
  const svg = Heatmap(data, { width: 400, document });
  const img = svg.querySelectorAll('image.row')[2] as SVGImageElement;
  img.getBoundingClientRect = () => ({ left: 100, width: 320, top: 0, height: 17, right: 420, bottom: 17, x: 100, y: 0, toJSON: () => ({}) });
  assert.deepEqual(heatmapCellAt(img, 100), [2, 0]);
  assert.deepEqual(heatmapCellAt(img, 100 + 20 * 5.5), [2, 5]);
  assert.deepEqual(heatmapCellAt(img, 419.9), [2, 15]);
  assert.equal(heatmapCellAt(img, 99), null);
  assert.equal(heatmapCellAt(img, 420), null);
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
  const row = svg.querySelectorAll('image.row')[1];
  const cw = Number(row.getAttribute('width')) / 16;
  const outline = svg.querySelector('rect.selected')!;
  assert.ok(Math.abs(Number(outline.getAttribute('x')) - (5 * cw - 1)) < 0.01);
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
  sameColour(cells(svg)[0][2], diverging(0.55));
  const marks = [...svg.querySelectorAll('.legend text')].map((t) => [Number(t.getAttribute('data-value')), Number(t.getAttribute('x'))]);
  assert.deepEqual(marks.map(([v]) => v), [-16, -4, 0, 4, 16]);
  assert.equal(marks[3][1], 0.75 * marks[4][1], '+4 is a quarter of 16: halfway out on a square-root ramp');
});

test('rows are drawn unsmoothed at the plot’s width, and the axis title fits left of the plot', () => {
  const { document } = dom();
  const svg = Heatmap({ rows: ['x'], values: [[1, 2, 3]] }, { width: 300, document });
  const img = svg.querySelector('image.row')!;
  assert.equal(img.getAttribute('preserveAspectRatio'), 'none');
  assert.match(img.getAttribute('style') ?? '', /image-rendering: pixelated/);
  const plot = svg.querySelector('g.rows')!.parentElement!;
  const left = Number(/translate\(([\d.]+)/.exec(plot.getAttribute('transform')!)![1]);
  assert.ok(Math.abs(left + Number(img.getAttribute('width')) - 298) < 0.02, 'the row ends 2 px inside the chart');
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

test('the legend’s ramp is one image: blue at −domain, grey at 0, orange at +domain', () => {
  const { document } = dom();
  const svg = Heatmap(data, { width: 400, document });
  const img = svg.querySelector('.legend image.ramp')!;
  const png = decodePng(img.getAttribute('href')!);
  assert.equal(png.width % 33, 0, '33 steps');
  const step = png.width / 33;
  sameColour(png.pixel(0, 0), diverging(0));
  sameColour(png.pixel(16 * step, 0), diverging(0.5));
  sameColour(png.pixel(png.width - 1, 0), diverging(1));
  assert.equal(svg.querySelectorAll('.legend rect').length, 0);
});
