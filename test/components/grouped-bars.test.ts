import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupedBars, GroupedBarsTable } from '../../components/grouped-bars.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

const data = { groups: ['0', '1', '2'], series: [{ name: 'attention', values: [1, 4, 2] }, { name: 'MLP', values: [8, 2, 3] }] };

test('GroupedBars renders the same SVG every time (snapshot grouped-bars.svg); bar heights are proportional to the values', () => {
  const { document } = dom();
  const svg = GroupedBars(data, { width: 400, document, axis: 'length', groupAxis: 'block' });
  assert.equal(pretty(svg), pretty(GroupedBars(data, { width: 400, document, axis: 'length', groupAxis: 'block' })));
  const bars = [...svg.querySelectorAll('rect.bar')];
  assert.equal(bars.length, 6);
  const h = (g: number, s: number) => Number(svg.querySelector(`rect.series-${s}[data-group="${g}"]`)!.getAttribute('height'));
  assert.ok(Math.abs(h(0, 1) / h(0, 0) - 8) < 0.05);
  assert.ok(Math.abs(h(1, 0) / h(1, 1) - 2) < 0.05);
  assertSnapshot(svg, 'grouped-bars');
});

test('the table has a row per group and a column per series', () => {
  const { document } = dom();
  const t = GroupedBarsTable(data, { document, caption: 'c', corner: 'Block' });
  assert.deepEqual([...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent)), [['0', '1', '8'], ['1', '4', '2'], ['2', '2', '3']]);
});
