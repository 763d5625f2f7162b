import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gelu, geluBins, GeluCurve, GeluCurveTable } from '../../components/gelu-curve.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

const x = [-5, -3.5, -2, -1, -0.5, 0, 0.3, 1, 2.5, 4];
const data = { x, y: x.map(gelu) };

test('gelu is GPT-2’s tanh form: 0 at 0, ≈ x for large x, a dip of about −0.17 near −0.75', () => {
  assert.equal(gelu(0), 0);
  assert.ok(Math.abs(gelu(6) - 6) < 1e-6);
  assert.ok(Math.abs(gelu(-0.75) - -0.1699) < 1e-3);
  assert.ok(Math.abs(gelu(1) - 0.841192) < 1e-6); // 0.5·(1 + tanh(√(2/π)·1.044715))
});

test('GeluCurve renders the same SVG every time (snapshot gelu-curve.svg), one dot per input', () => {
  const { document } = dom();
  const a = GeluCurve(data, { width: 480, document });
  assert.equal(pretty(a), pretty(GeluCurve(data, { width: 480, document })));
  const d = a.querySelector('g.inputs path.dots')!.getAttribute('d')!;
  assert.equal(d.match(/M/g)!.length, x.length, 'a circle per input');
  assert.equal(Number(a.querySelector('path.dots')!.getAttribute('data-dots')), x.length);
  assertSnapshot(a, 'gelu-curve');
});

test('the table counts the inputs by range with the outputs’ extremes (snapshot gelu-curve-table.html)', () => {
  const { document } = dom();
  assert.deepEqual(geluBins(data).map((b) => b.count), [2, 1, 2, 2, 2, 1]);
  const t = GeluCurveTable(data, { document });
  assert.equal(t.querySelectorAll('tbody tr').length, 6);
  assertSnapshot(t, 'gelu-curve-table');
});
