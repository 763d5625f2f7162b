import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinePair, LinePairTable } from '../../components/line-pair.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

const data = { x: [0, 1, 2, 3], lines: [{ name: 'with', values: [4, 5, 6, 7] }, { name: 'without', values: [4, 9, 15, null] }] };

test('LinePair renders the same SVG every time (snapshot line-pair.svg); an unmeasured point is left out', () => {
  const { document } = dom();
  const svg = LinePair(data, { width: 400, document, xAxis: 'tick', yAxis: 'total' });
  assert.equal(pretty(svg), pretty(LinePair(data, { width: 400, document, xAxis: 'tick', yAxis: 'total' })));
  assert.equal(svg.querySelectorAll('circle.line-0').length, 4);
  assert.equal(svg.querySelectorAll('circle.line-1').length, 3);
  assert.equal((svg.querySelector('path.line-1')!.getAttribute('d')!.match(/[ML]/g) ?? []).length, 3);
  assertSnapshot(svg, 'line-pair');
});

test('the table has a row per x, a dash where a line has no value', () => {
  const { document } = dom();
  const t = LinePairTable(data, { document, corner: 'Tick' });
  assert.deepEqual([...t.querySelectorAll('tbody tr')].at(-1)!.textContent, '37—');
});
