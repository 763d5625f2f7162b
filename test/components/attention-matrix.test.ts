import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttentionMatrix, AttentionMatrixTable } from '../../components/attention-matrix.ts';
import type { AttentionCell, AttentionMatrixData } from '../../components/attention-matrix.ts';
import { formatDecimal } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

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

test('a full n×n matrix has n(n+1)/2 weight cells and n(n-1)/2 masked ones', () => {
  const { document } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  const n = tokens.length;
  const outlined = (state: string) => svg.querySelector(`path.outlines.${state}`)!;
  assert.equal(svg.querySelectorAll('rect.cell').length, (n * (n + 1)) / 2, 'an element for each weight, none for the mask');
  assert.equal(svg.querySelectorAll('rect.cell.value').length, (n * (n + 1)) / 2);
  assert.equal(Number(outlined('masked').getAttribute('data-cells')), (n * (n - 1)) / 2);
  assert.equal((outlined('masked').getAttribute('d')!.match(/M/g) ?? []).length, (n * (n - 1)) / 2, 'a square outlined per masked cell');
  assert.equal(Number(outlined('pending').getAttribute('data-cells')), 0);
  assert.equal((svg.querySelector('path.mask')?.getAttribute('d')?.match(/M/g) ?? []).length, (n * (n - 1)) / 2, 'each masked cell hatched');
});

test('weight cells are focusable and named "query X attends to key Y with weight w"; one is in the tab order', () => {
  const { document } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  assert.equal(svg.getAttribute('role'), 'group');
  assert.ok(svg.getAttribute('aria-label'));
  const cells = Array.from(svg.querySelectorAll('rect.cell.value'));
  for (const c of cells) {
    assert.match(c.getAttribute('aria-label') ?? '', /^query \d+ “.*” attends to key \d+ “.*” with weight \d\.\d{3}$/);
    assert.ok(c.hasAttribute('tabindex'));
  }
  assert.equal(svg.querySelector('rect.cell[data-query="2"][data-key="1"]')?.getAttribute('aria-label'),
    `query 2 “␣sat” attends to key 1 “␣cat” with weight ${formatDecimal(0.5, 3)}`);
  const tabbable = svg.querySelectorAll('[tabindex="0"]');
  assert.equal(tabbable.length, 1);
  assert.equal(tabbable[0].getAttribute('data-query'), '2');
  assert.equal(tabbable[0].getAttribute('data-key'), '1');
  assert.equal(svg.querySelectorAll('.masked[tabindex]').length, 0);
  const outline = svg.querySelector('rect.highlight');
  assert.equal(outline?.getAttribute('display'), null);
  assert.equal(outline?.getAttribute('x'), tabbable[0].getAttribute('x'));
});

test('the matrix fills one row per tick: rows not computed yet are pending, the mask is always drawn', () => {
  const { document } = dom();
  const svg = AttentionMatrix({ tokens, weights: weights.slice(0, 2) }, { width: 360, document });
  assert.equal(svg.querySelectorAll('rect.cell.value').length, 3);
  assert.equal(Number(svg.querySelector('path.outlines.pending')!.getAttribute('data-cells')), 7);
  assert.equal(Number(svg.querySelector('path.outlines.masked')!.getAttribute('data-cells')), 6);
  assert.equal(svg.querySelector('rect.highlight')?.getAttribute('display'), 'none', 'no outline without a highlight');
});

test('arrow keys move focus among weight cells and focus announces the cell', () => {
  const { document, window } = dom();
  const svg = AttentionMatrix(full, { width: 360, document });
  document.body.append(svg);
  const seen: AttentionCell[] = [];
  svg.addEventListener('highlight', (e) => seen.push((e as CustomEvent<AttentionCell>).detail));
  const at = (q: number, k: number) => svg.querySelector(`rect.cell[data-query="${q}"][data-key="${k}"]`) as SVGRectElement;
  at(2, 1).focus();
  const press = (key: string) => document.activeElement?.dispatchEvent(new window.KeyboardEvent('keydown', { key, bubbles: true }));
  press('ArrowRight');
  assert.equal(document.activeElement, at(2, 2));
  press('ArrowRight');
  assert.equal(document.activeElement, at(2, 2), 'the future is not reachable');
  press('ArrowDown');
  assert.equal(document.activeElement, at(3, 2));
  press('Home');
  assert.equal(document.activeElement, at(3, 0));
  assert.deepEqual(seen.at(-1), { query: 3, key: 0, weight: 0.1 });
  assert.equal(svg.querySelectorAll('[tabindex="0"]').length, 1);
  assert.equal(at(3, 0).getAttribute('tabindex'), '0');
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
