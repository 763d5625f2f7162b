import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickTimeline, TickTimelineTable } from '../../components/tick-timeline.ts';
import type { TickTimelineData } from '../../components/tick-timeline.ts';
import { formatMs } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

const data: TickTimelineData = {
  ticks: [
    { index: 0, kind: 'prefill', text: ' the', ms: { forward: 42.5, sample: 1.8, total: 45.1 }, cacheLength: 5 },
    { index: 1, kind: 'decode', text: ' cat', ms: { forward: 11.2, sample: 1.7, total: 13.4 }, cacheLength: 6 },
    { index: 2, kind: 'decode', text: '<img src=x onerror=alert(1)>', ms: { forward: 11.9, sample: 1.6, total: 13.9 }, cacheLength: 7 },
    { index: 3, kind: 'decode', text: '\n', ms: { forward: 12.4, sample: 1.75, total: 14.6 }, cacheLength: 8 },
  ],
  selected: 1,
};

test('TickTimeline renders the same SVG every time (snapshot tick-timeline.svg)', () => {
  const { document } = dom();
  const a = TickTimeline(data, { width: 560, document });
  assert.equal(pretty(a), pretty(TickTimeline(data, { width: 560, document })));
  assertSnapshot(a, 'tick-timeline');
});

test('one button row per tick, phase and cache length shown, the selected one current and tabbable', () => {
  const { document } = dom();
  const svg = TickTimeline(data, { width: 560, document });
  assert.equal(svg.getAttribute('role'), 'group');
  const rows = Array.from(svg.querySelectorAll('g.tick'));
  assert.equal(rows.length, 4);
  for (const r of rows) {
    assert.equal(r.getAttribute('role'), 'button');
    assert.match(r.getAttribute('aria-label') ?? '', /^tick \d+, (prefill|decode), token “.*”, forward .* ms, sample .* ms, total .* ms, cache \d+ positions$/);
  }
  assert.equal(svg.querySelectorAll('g.tick.prefill').length, 1);
  assert.deepEqual(rows.map((r) => r.getAttribute('aria-current')), [null, 'true', null, null]);
  assert.deepEqual(rows.map((r) => r.getAttribute('tabindex')), ['-1', '0', '-1', '-1']);
  assert.deepEqual(rows.map((r) => r.lastElementChild?.previousElementSibling?.textContent), ['5', '6', '7', '8']);
});

test('each bar stacks forward, sample and the rest, and its length is the total time', () => {
  const { document } = dom();
  const svg = TickTimeline(data, { width: 560, document });
  const rows = Array.from(svg.querySelectorAll('g.tick'));
  const len = (r: Element) => Array.from(r.querySelectorAll('rect.part'), (p) => Number(p.getAttribute('width'))).reduce((a, b) => a + b, 0);
  assert.deepEqual(Array.from(rows[0].querySelectorAll('rect.part'), (p) => p.getAttribute('class')), ['part forward', 'part sample', 'part other']);
  const scale = len(rows[0]) / 45.1;
  rows.forEach((r, i) => assert.ok(Math.abs(len(r) - data.ticks[i].ms.total * scale) < 0.05));
});

test('Enter, Space or a click on a row dispatches select with its index; arrows move focus', () => {
  const { document, window } = dom();
  const svg = TickTimeline(data, { width: 560, document });
  document.body.append(svg);
  const got: number[] = [];
  svg.addEventListener('select', (e) => got.push((e as CustomEvent<number>).detail));
  const rows = Array.from(svg.querySelectorAll('g.tick')) as SVGGElement[];
  const key = (el: Element, k: string) => el.dispatchEvent(new window.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  assert.equal(key(rows[2], 'Enter'), false, 'Enter is handled (default prevented)');
  assert.deepEqual(got, [2]);
  assert.equal(rows[2].getAttribute('aria-current'), 'true');
  assert.equal(rows[1].getAttribute('aria-current'), null);
  key(rows[3], ' ');
  rows[0].dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
  assert.deepEqual(got, [2, 3, 0]);
  rows[1].focus();
  key(rows[1], 'ArrowDown');
  assert.equal(document.activeElement, rows[2]);
  key(rows[2], 'End');
  assert.equal(document.activeElement, rows[3]);
  assert.deepEqual(rows.map((r) => r.getAttribute('tabindex')), ['-1', '-1', '-1', '0']);
  assert.deepEqual(got, [2, 3, 0], 'moving focus does not select');
});

test('token text is drawn as text, not markup', () => {
  const { document } = dom();
  const svg = TickTimeline(data, { width: 560, document });
  document.body.append(svg, TickTimelineTable(data, { document }));
  assert.equal(document.querySelector('img'), null);
  assert.ok(svg.textContent?.includes('<img'));
});

test('TickTimelineTable has the same times, formatted by components/format.ts', () => {
  const { document } = dom();
  const table = TickTimelineTable(data, { document });
  assertSnapshot(table, 'tick-timeline-table');
  const rows = Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent));
  assert.deepEqual(rows[0], ['0', 'prefill', '␣the', formatMs(42.5), formatMs(1.8), formatMs(45.1), '5']);
  assert.equal(rows.length, 4);
});
