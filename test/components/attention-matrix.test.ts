import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rgb } from 'd3';
import { AttentionMatrix, AttentionMatrixTable, focusAttentionCell } from '../../components/attention-matrix.ts';
import { sequential } from '../../components/color.ts';
import type { AttentionCell, AttentionMatrixData } from '../../components/attention-matrix.ts';
import { formatDecimal } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';
import { decodePng } from './png-decode.ts';

/** The weights' image read back: [r, g, b, a] per cell (rows × cells), each cell checked to be one colour. */
function cellColours(svg: Element): [number, number, number, number][][] {
  const img = svg.querySelector('image.values')!;
  const png = decodePng(img.getAttribute('href')!);
  const rows = Number(img.getAttribute('data-rows'));
  const cols = Number(img.getAttribute('data-cells'));
  assert.equal(png.width % cols, 0, 'whole pixels per cell across');
  assert.equal(png.height % rows, 0, 'whole pixels per cell down');
  const sx = png.width / cols;
  const sy = png.height / rows;
  return Array.from({ length: rows }, (_, q) => Array.from({ length: cols }, (_, k) => {
    const first = png.pixel(k * sx, q * sy);
    for (let y = 0; y < sy; y++) for (let x = 0; x < sx; x++) assert.deepEqual(png.pixel(k * sx + x, q * sy + y), first, `cell ${q},${k} is one colour`);
    return first;
  }));
}

const sameColour = (got: number[], css: string, what: string) => {
  const c = rgb(css);
  assert.ok(got[3] === 255 && Math.abs(got[0] - c.r) <= 1 && Math.abs(got[1] - c.g) <= 1 && Math.abs(got[2] - c.b) <= 1, `${what}: ${got} vs ${css}`);
};

const tokens = ['The', ' cat', ' sat', '<img src=x onerror=alert(1)>'];
const weights = [
  [1],
  [0.7, 0.3],
  [0.2, 0.5, 0.3],
  [0.1, 0.2, 0.3, 0.4],
];
const full: AttentionMatrixData = { tokens, weights, highlight: [2, 1] };

test('AttentionMatrix renders the same SVG every time (snapshot attention-matrix.svg)', () => {
  const { document } = dom();
  const a = AttentionMatrix(full, { width: 360, document });
  assert.equal(pretty(a), pretty(AttentionMatrix(full, { width: 360, document })));
  assertSnapshot(a, 'attention-matrix');
});

test('a full n×n matrix shows n(n+1)/2 weights in one image, each its colour, and outlines n(n-1)/2 masked cells', () => {
  const { document } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  const n = tokens.length;
  const outlined = (state: string) => svg.querySelector(`path.outlines.${state}`)!;
  const colours = cellColours(svg);
  assert.equal(colours.length, n);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      if (k <= q) sameColour(colours[q][k], sequential(weights[q][k]), `weight ${q},${k}`);
      else assert.equal(colours[q][k][3], 0, `the future ${q},${k} is transparent`);
    }
  }
  assert.equal(svg.querySelectorAll('rect.cell').length, 1, 'one element for the keyboard, none per weight');
  assert.equal(Number(outlined('masked').getAttribute('data-cells')), (n * (n - 1)) / 2);
  assert.equal((outlined('masked').getAttribute('d')!.match(/M/g) ?? []).length, (n * (n - 1)) / 2, 'a square outlined per masked cell');
  assert.equal(Number(outlined('pending').getAttribute('data-cells')), 0);
  assert.equal((svg.querySelector('path.mask')?.getAttribute('d')?.match(/M/g) ?? []).length, (n * (n - 1)) / 2, 'each masked cell hatched');
  // A domain other than [0, 1] (scores): its ends are the ramp's ends, values outside are clamped.
  const scores = AttentionMatrix({ tokens, weights: [[-2], [0, 2], [5, -9, 1]] }, { width: 360, document, domain: [-2, 2], valueName: 'score' });
  const sc = cellColours(scores);
  sameColour(sc[0][0], sequential(0), 'the domain’s start');
  sameColour(sc[1][0], sequential(0.5), 'its middle');
  sameColour(sc[1][1], sequential(1), 'its end');
  sameColour(sc[2][0], sequential(1), 'above: clamped');
  sameColour(sc[2][1], sequential(0), 'below: clamped');
});

test('the keyboard’s cell is named "query X attends to key Y with weight w" and is the one in the tab order', () => {
  const { document } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  assert.equal(svg.getAttribute('role'), 'group');
  assert.ok(svg.getAttribute('aria-label'));
  const cells = Array.from(svg.querySelectorAll('rect.cell.value'));
  assert.equal(cells.length, 1);
  assert.equal(cells[0].getAttribute('role'), 'img');
  assert.equal(cells[0].getAttribute('aria-label'), `query 2 “␣sat” attends to key 1 “␣cat” with weight ${formatDecimal(0.5, 3)}`);
  const tabbable = svg.querySelectorAll('[tabindex="0"]');
  assert.equal(tabbable.length, 1);
  assert.equal(tabbable[0], cells[0]);
  assert.equal(cells[0].getAttribute('data-query'), '2');
  assert.equal(cells[0].getAttribute('data-key'), '1');
  const outline = svg.querySelector('rect.highlight');
  assert.equal(outline?.getAttribute('display'), null);
  assert.equal(outline?.getAttribute('x'), cells[0].getAttribute('x'));
  assert.equal(outline?.getAttribute('y'), cells[0].getAttribute('y'));
});

test('the matrix fills one row per tick: rows not computed yet are pending, the mask is always drawn', () => {
  const { document } = dom();
  const svg = AttentionMatrix({ tokens, weights: weights.slice(0, 2) }, { width: 360, document });
  const colours = cellColours(svg);
  assert.equal(colours.length, 2, 'an image row per computed query');
  assert.equal(colours[1].filter((c) => c[3] === 255).length, 2);
  assert.equal(Number(svg.querySelector('path.outlines.pending')!.getAttribute('data-cells')), 7);
  assert.equal(Number(svg.querySelector('path.outlines.masked')!.getAttribute('data-cells')), 6);
  assert.equal(svg.querySelector('rect.highlight')?.getAttribute('display'), 'none', 'no outline without a highlight');
  const empty = AttentionMatrix({ tokens, weights: [] }, { width: 360, document });
  assert.equal(empty.querySelector('image.values'), null);
  assert.equal(empty.querySelectorAll('[tabindex]').length, 0, 'nothing to focus before the first row');
});

test('arrow keys, Home and End move the keyboard’s cell within the computed weights; each move is announced as a newly focused cell', () => {
  const { document, window } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  document.body.append(svg);
  const seen: AttentionCell[] = [];
  svg.addEventListener('highlight', (e) => seen.push((e as CustomEvent<AttentionCell>).detail));
  const focused = () => {
    const el = document.activeElement!;
    assert.ok(el.matches('rect.cell.value'), 'the focus is on the keyboard’s cell');
    assert.equal(svg.querySelectorAll('rect.cell.value').length, 1);
    return [Number(el.getAttribute('data-query')), Number(el.getAttribute('data-key'))];
  };
  (svg.querySelector('rect.cell.value') as SVGRectElement).focus();
  const before = document.activeElement;
  const press = (key: string) => document.activeElement?.dispatchEvent(new window.KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  press('ArrowRight');
  assert.deepEqual(focused(), [2, 2]);
  assert.notEqual(document.activeElement, before, 'a new element, so a screen reader reads it');
  assert.match(document.activeElement!.getAttribute('aria-label')!, /^query 2 “␣sat” attends to key 2 “␣sat” with weight 0\.300$/);
  press('ArrowRight');
  assert.deepEqual(focused(), [2, 2], 'the future is not reachable');
  press('ArrowDown');
  assert.deepEqual(focused(), [3, 2]);
  press('ArrowDown');
  assert.deepEqual(focused(), [3, 2], 'no row below the last computed one');
  press('Home');
  assert.deepEqual(focused(), [3, 0]);
  assert.deepEqual(seen.at(-1), { query: 3, key: 0, weight: 0.1 });
  press('End');
  assert.deepEqual(focused(), [3, 3]);
  press('ArrowUp');
  assert.deepEqual(focused(), [2, 2], 'up from the diagonal stays on or below it');
  press('ArrowLeft');
  press('ArrowLeft');
  press('ArrowLeft');
  assert.deepEqual(focused(), [2, 0]);
  assert.equal(svg.querySelectorAll('[tabindex="0"]').length, 1);
  assert.equal(svg.querySelector('rect.highlight')!.getAttribute('x'), document.activeElement!.getAttribute('x'));
  assert.ok(focusAttentionCell(svg, 1, 1));
  assert.deepEqual(focused(), [1, 1]);
  assert.deepEqual(seen.at(-1), { query: 1, key: 1, weight: 0.3 });
  assert.equal(focusAttentionCell(svg, 1, 2), false, 'the future cannot be focused');
});

test('token labels are text, not markup', () => {
  const { document } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  document.body.append(svg, AttentionMatrixTable(full, { document }));
  assert.equal(document.querySelector('img'), null);
  assert.ok(svg.textContent?.includes('<img'));
});

test('AttentionMatrixTable has the same weights formatted, and marks the mask', () => {
  const { document } = dom();
  const table = AttentionMatrixTable(full, { document });
  assertSnapshot(table, 'attention-matrix-table');
  const rows = Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent));
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[2], ['2 ␣sat', '0.200', '0.500', '0.300', 'masked']);
  assert.equal(AttentionMatrixTable({ tokens, weights: weights.slice(0, 1) }, { document }).querySelectorAll('tbody tr').length, 1);
});
