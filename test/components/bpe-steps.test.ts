import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpeSteps, BpeStepsTable, mergedIndices } from '../../components/bpe-steps.ts';
import type { BpeStepsData, BpeStepSymbol } from '../../components/bpe-steps.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// " the" as GPT-2 spells and merges it: Ġ t h e → Ġt h e → Ġt he → Ġthe.
const sym = (text: string, bytes: number[]): BpeStepSymbol => ({ text, bytes });
const data: BpeStepsData = {
  text: ' the',
  initial: [sym('Ġ', [0x20]), sym('t', [0x74]), sym('h', [0x68]), sym('e', [0x65])],
  steps: [
    { pair: ['Ġ', 't'], rank: 0, positions: [0], symbols: [sym('Ġt', [0x20, 0x74]), sym('h', [0x68]), sym('e', [0x65])] },
    { pair: ['h', 'e'], rank: 1, positions: [1], symbols: [sym('Ġt', [0x20, 0x74]), sym('he', [0x68, 0x65])] },
    { pair: ['Ġt', 'he'], rank: 7, positions: [0], symbols: [sym('Ġthe', [0x20, 0x74, 0x68, 0x65])] },
  ],
};

test('BpeSteps renders the same SVG every time (snapshot bpe-steps.svg)', () => {
  const { document } = dom();
  const a = BpeSteps(data, { width: 420, document });
  assert.equal(pretty(a), pretty(BpeSteps(data, { width: 420, document })));
  assertSnapshot(a, 'bpe-steps');
});

test('one row for the bytes and one per merge; the symbols each merge made are outlined', () => {
  const { document } = dom();
  const svg = BpeSteps(data, { width: 420, document });
  assert.equal(svg.getAttribute('role'), 'img');
  assert.match(svg.getAttribute('aria-label') ?? '', /4 bytes, 3 merges, 1 token/);
  const rows = svg.querySelectorAll('g.stage');
  assert.equal(rows.length, 4);
  const texts = Array.from(rows, (r) => Array.from(r.querySelectorAll('text.symbol-text'), (t) => t.textContent));
  assert.deepEqual(texts, [['Ġ', 't', 'h', 'e'], ['Ġt', 'h', 'e'], ['Ġt', 'he'], ['Ġthe']]);
  assert.deepEqual(Array.from(rows, (r) => r.querySelector('text.label')?.textContent), ['bytes', 'rank 0', 'rank 1', 'rank 7']);
  const merged = Array.from(rows, (r) => Array.from(r.querySelectorAll('g.symbol'), (g) => g.classList.contains('merged')));
  assert.deepEqual(merged, [[false, false, false, false], [true, false, false], [false, true], [true]]);
  assert.equal(rows[3].querySelector('text.bytes')?.textContent, '20 74 68 65');
});

test('a pair merged in several places at once outlines each new symbol', () => {
  // a a a a → aa aa: the pair started at 0 and 2 of the previous row, so the new symbols sit at 0 and 1.
  assert.deepEqual([...mergedIndices({ pair: ['a', 'a'], rank: 3, positions: [0, 2], symbols: [] })], [0, 1]);
});

test('a word too long for the width is scaled down to fit, and symbols are text, not markup', () => {
  const { document } = dom();
  const long: BpeStepsData = { text: '<img src=x onerror=alert(1)>', initial: Array.from('<img src=x onerror=alert(1)>', (c) => sym(c, [c.charCodeAt(0)])), steps: [] };
  const svg = BpeSteps(long, { width: 200, document });
  document.body.append(svg, BpeStepsTable(long, { document }));
  assert.equal(document.querySelector('img'), null);
  assert.match(svg.querySelector('g.stage > g')?.getAttribute('transform') ?? '', /scale\(0\.\d+\)/);
});

test('BpeStepsTable lists each merge with its pair, rank and the symbols after', () => {
  const { document } = dom();
  const table = BpeStepsTable(data, { document });
  assertSnapshot(table, 'bpe-steps-table');
  const rows = Array.from(table.querySelectorAll('tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent));
  assert.deepEqual(rows[0], ['bytes', '—', '—', 'Ġ · t · h · e', '4']);
  assert.deepEqual(rows[3], ['3', 'Ġt + he', '7', 'Ġthe', '1']);
});
