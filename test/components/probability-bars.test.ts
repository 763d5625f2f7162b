import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbabilityBars, ProbabilityBarsTable, diceIntervals } from '../../components/probability-bars.ts';
import type { ProbabilityBarsData } from '../../components/probability-bars.ts';
import { ORANGE } from '../../components/color.ts';
import { formatProb } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// Top-p kept the first four; u = 0.62 lands in " a" ([0.5625, 0.8125) after renormalising by 0.8).
const data: ProbabilityBarsData = {
  candidates: [
    { id: 257, text: ' a', prob: 0.2, kept: true },
    { id: 262, text: ' the', prob: 0.45, kept: true },
    { id: 27, text: '<img src=x onerror=alert(1)>', prob: 0.1, kept: true },
    { id: 290, text: ' and', prob: 0.05, kept: true },
    { id: 13, text: '.', prob: 0.04, kept: false },
    { id: 198, text: '\n', prob: 0.01, kept: false },
  ],
  chosen: 257,
  draw: 0.62,
  keptMass: 0.8,
};

test('ProbabilityBars renders the same SVG every time (snapshot probability-bars.svg)', () => {
  const { document } = dom();
  const a = ProbabilityBars(data, { width: 520, document });
  assert.equal(pretty(a), pretty(ProbabilityBars(data, { width: 520, document })));
  assertSnapshot(a, 'probability-bars');
});

test('ProbabilityBars draws one bar per candidate, best first, chosen in orange, filtered greyed', () => {
  const { document } = dom();
  const svg = ProbabilityBars(data, { width: 520, document });
  assert.equal(svg.getAttribute('role'), 'img');
  assert.match(svg.getAttribute('aria-label') ?? '', /chosen “␣a” at 20\.0%/);
  const rows = Array.from(svg.querySelectorAll('g.candidate'));
  assert.equal(rows.length, 6);
  // Long labels are cut to 30% of the width; the row's <title> keeps the whole text.
  assert.deepEqual(rows.map((r) => r.querySelector('text')?.textContent), ['␣the', '␣a', '<img␣src=x␣onerror=a…', '␣and', '.', '↵']);
  assert.match(rows[2].querySelector('title')?.textContent ?? '', /“<img␣src=x␣onerror=alert\(1\)>” \(id 27\)/);
  const widths = rows.map((r) => Number(r.querySelector('rect')?.getAttribute('width')));
  assert.deepEqual([...widths].sort((a, b) => b - a), widths, 'bars shrink down the list');
  const chosen = svg.querySelectorAll('g.candidate.chosen');
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0].querySelector('rect')?.getAttribute('fill'), ORANGE);
  assert.equal(chosen[0].querySelector('text.value')?.textContent, `${formatProb(0.2)} ◀`);
  assert.equal(svg.querySelectorAll('g.candidate.filtered').length, 2);
  for (const r of Array.from(svg.querySelectorAll('g.candidate.filtered'))) assert.equal(r.getAttribute('opacity'), '0.55');
});

test('the dice strip lays kept tokens on [0, 1) renormalised, and u lands in the chosen interval', () => {
  const iv = diceIntervals(data);
  assert.deepEqual(iv.map((d) => d.id), [262, 257, 27, 290]);
  assert.ok(Math.abs(iv[1].start - 0.5625) < 1e-12 && Math.abs(iv[1].end - 0.8125) < 1e-12);
  assert.ok(iv[1].start <= 0.62 && 0.62 < iv[1].end);
  const { document } = dom();
  const svg = ProbabilityBars(data, { width: 520, document });
  const seg = svg.querySelector('rect.interval.chosen');
  const x = Number(svg.querySelector('g.draw')?.getAttribute('transform')?.match(/translate\(([\d.]+)/)?.[1]);
  const x0 = Number(seg?.getAttribute('x'));
  assert.ok(x0 <= x && x < x0 + Number(seg?.getAttribute('width')), 'the draw marker sits inside the chosen interval');
  assert.equal(svg.querySelector('g.draw text')?.textContent, 'u = 0.6200');
  assert.equal(svg.querySelectorAll('rect.interval').length, 4);
});

test('greedy shows the strip without a draw; no draw at all leaves the strip out', () => {
  const { document } = dom();
  const greedy = ProbabilityBars({ ...data, draw: null }, { width: 520, document });
  assert.ok(greedy.querySelector('text.greedy'));
  assert.equal(greedy.querySelector('g.draw'), null);
  assert.equal(ProbabilityBars({ ...data, draw: undefined }, { width: 520, document }).querySelector('g.dice'), null);
});

test('a token that looks like HTML is drawn as text', () => {
  const { document } = dom();
  const svg = ProbabilityBars(data, { width: 520, document });
  document.body.append(svg, ProbabilityBarsTable(data, { document }));
  assert.equal(document.querySelector('img'), null);
  assert.ok(svg.textContent?.includes('<img'));
});

test('ProbabilityBarsTable has the same numbers, formatted by components/format.ts', () => {
  const { document } = dom();
  const table = ProbabilityBarsTable(data, { document });
  assertSnapshot(table, 'probability-bars-table');
  assert.match(table.caption?.textContent ?? '', /u = 0\.6200/);
  const rows = Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent));
  assert.equal(rows.length, 6);
  assert.deepEqual(rows.map((r) => r[3]), [0.45, 0.2, 0.1, 0.05, 0.04, 0.01].map(formatProb));
  assert.deepEqual(rows[1], ['2', '␣a', '257', '20.0%', 'yes', '[0.5625, 0.8125)', 'chosen']);
  assert.deepEqual(rows[4].slice(4), ['no', '', '']);
});
