import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadGrid, HeadGridTable, type HeadCell, type HeadGridData } from '../../components/head-grid.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// Two layers of three heads over three keys: a first-token head, a previous-token head, a self head…
const data: HeadGridData = {
  tokens: ['The', ' cat', '<b>sat</b>'],
  rows: [
    [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9]],
    [[0.3, 0.3, 0.4], [0.5, 0.25, 0.25], [0, 0, 1]],
  ],
  selected: [1, 2],
};

test('HeadGrid renders the same SVG every time (snapshot head-grid.svg)', () => {
  const { document } = dom();
  const a = HeadGrid(data, { width: 360, document });
  assert.equal(pretty(a), pretty(HeadGrid(data, { width: 360, document })));
  assertSnapshot(a, 'head-grid');
});

test('one focusable cell per layer and head, named by where its weight goes; the selected one in the tab order', () => {
  const { document } = dom();
  const svg = HeadGrid(data, { width: 360, document });
  assert.equal(svg.getAttribute('role'), 'group');
  const cells = [...svg.querySelectorAll('rect.cell')];
  assert.equal(cells.length, 6);
  assert.equal(svg.querySelector('rect.cell[data-layer="0"][data-head="1"]')?.getAttribute('aria-label'), 'Layer 0, head 1: weight 0.800 on position 1 “␣cat”, 0.100 on itself');
  const tabbable = svg.querySelectorAll('[tabindex="0"]');
  assert.equal(tabbable.length, 1);
  assert.equal(tabbable[0].getAttribute('data-layer'), '1');
  assert.equal(tabbable[0].getAttribute('data-head'), '2');
  // A bar per key with weight: the [0, 0, 1] head draws one.
  assert.equal((svg.querySelectorAll('path.bars')[5].getAttribute('d')?.match(/M/g) ?? []).length, 1);
});

test('arrow keys, Home and End move between heads and layers, and focus announces the cell', () => {
  const { document, window } = dom();
  const svg = HeadGrid(data, { width: 360, document });
  document.body.append(svg);
  const seen: HeadCell[] = [];
  svg.addEventListener('highlight', (e) => seen.push((e as CustomEvent<HeadCell>).detail));
  const at = (l: number, h: number) => svg.querySelector(`rect.cell[data-layer="${l}"][data-head="${h}"]`) as SVGRectElement;
  at(0, 0).focus();
  const press = (key: string) => document.activeElement?.dispatchEvent(new window.KeyboardEvent('keydown', { key, bubbles: true }));
  press('ArrowRight');
  assert.equal(document.activeElement, at(0, 1));
  press('ArrowDown');
  assert.equal(document.activeElement, at(1, 1));
  press('End');
  assert.equal(document.activeElement, at(1, 2));
  press('ArrowRight');
  assert.equal(document.activeElement, at(1, 2), 'no head past the last');
  press('Home');
  assert.equal(document.activeElement, at(1, 0));
  assert.deepEqual(seen.at(-1), { layer: 1, head: 0 });
  assert.equal(svg.querySelectorAll('[tabindex="0"]').length, 1);
});

test('HeadGridTable: one row per layer and head, one column per key, tokens as text', () => {
  const { document } = dom();
  const tb = HeadGridTable(data, { document });
  const rows = [...tb.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[1], ['layer 0, head 1', '0.100', '0.800', '0.100']);
  assert.equal(tb.querySelectorAll('thead th')[3].textContent, '2 <b>sat</b>');
  assert.equal(tb.querySelector('b'), null, 'the model’s text is text, never HTML');
});
