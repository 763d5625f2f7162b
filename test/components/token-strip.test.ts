import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenStrip, TokenStripTable } from '../../components/token-strip.ts';
import type { TokenStripData } from '../../components/token-strip.ts';
import { formatInteger } from '../../components/format.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
// "Hello world\n", then 你 (E4 BD A0) split across two byte tokens, then a token that looks like HTML.
const data: TokenStripData = {
  tokens: [
    { id: 15496, text: 'Hello', bytes: bytes('Hello'), complete: true },
    { id: 995, text: ' world', bytes: bytes(' world'), complete: true },
    { id: 198, text: '\n', bytes: [10], complete: true },
    { id: 19526, text: '<0xE4><0xBD>', bytes: [0xe4, 0xbd], complete: false },
    { id: 254, text: '<0xA0>', bytes: [0xa0], complete: false },
    { id: 27, text: '<img src=x onerror=alert(1)>', bytes: bytes('<img src=x onerror=alert(1)>'), complete: true },
  ],
};

test('TokenStrip renders the same SVG every time (snapshot token-strip.svg)', () => {
  const { document } = dom();
  const a = TokenStrip(data, { width: 480, document, showBytes: true });
  assert.equal(pretty(a), pretty(TokenStrip(data, { width: 480, document, showBytes: true })));
  assertSnapshot(a, 'token-strip');
});

test('TokenStrip draws one box per token with its text (whitespace visible) and its id', () => {
  const { document } = dom();
  const svg = TokenStrip(data, { width: 480, document });
  const boxes = svg.querySelectorAll('g.token');
  assert.equal(boxes.length, data.tokens.length);
  assert.equal(svg.getAttribute('role'), 'img');
  assert.ok(svg.getAttribute('aria-label'));
  assert.equal(svg.querySelector('title')?.textContent, svg.getAttribute('aria-label'));
  const texts = Array.from(boxes, (g) => g.querySelector('text')?.textContent);
  assert.deepEqual(texts.slice(0, 3), ['Hello', '␣world', '↵']);
  assert.deepEqual(Array.from(svg.querySelectorAll('text.id'), (t) => t.textContent), data.tokens.map((t) => formatInteger(t.id)));
  assert.equal(svg.querySelectorAll('text.bytes').length, 0, 'bytes only when asked for');
});

test('TokenStrip shows incomplete UTF-8 as <0xE4> bytes in their own style, never as �', () => {
  const { document } = dom();
  const svg = TokenStrip(data, { width: 480, document, showBytes: true });
  assert.equal(svg.querySelectorAll('g.token.incomplete').length, 2);
  assert.deepEqual(Array.from(svg.querySelectorAll('tspan.byte'), (t) => t.textContent), ['<0xE4>', '<0xBD>', '<0xA0>']);
  assert.ok(!svg.textContent?.includes('�'));
  assert.deepEqual(Array.from(svg.querySelectorAll('text.bytes'), (t) => t.textContent).slice(2, 5), ['0A', 'E4 BD', 'A0']);
});

test('TokenStrip renders a token that looks like HTML as text', () => {
  const { document } = dom();
  const svg = TokenStrip(data, { width: 480, document });
  document.body.append(svg);
  assert.equal(document.querySelector('img'), null);
  assert.ok(svg.textContent?.includes('<img␣src=x␣onerror=alert(1)>'));
  assert.ok(svg.outerHTML.includes('&lt;img'));
});

test('TokenStrip wraps to the width it is given', () => {
  const { document } = dom();
  const rows = (width: number) => new Set(Array.from(TokenStrip(data, { width, document }).querySelectorAll('g.token'),
    (g) => g.getAttribute('transform')?.split(',')[1])).size;
  assert.equal(rows(2000), 1);
  assert.ok(rows(120) > 2);
  const svg = TokenStrip(data, { width: 120, document });
  for (const g of Array.from(svg.querySelectorAll('g.token'))) {
    const x = Number(g.getAttribute('transform')?.match(/translate\(([\d.]+)/)?.[1]);
    assert.ok(x + Number(g.querySelector('rect')?.getAttribute('width')) <= 120 + 1e-9);
  }
});

test('TokenStripTable gives the same tokens, ids and bytes as a table', () => {
  const { document } = dom();
  const table = TokenStripTable(data, { document });
  assertSnapshot(table, 'token-strip-table');
  const rows = table.querySelectorAll('tbody tr');
  assert.equal(rows.length, data.tokens.length);
  assert.deepEqual(Array.from(rows[3].children, (c) => c.textContent), ['3', '<0xE4><0xBD>', '19526', 'E4 BD', 'no']);
  assert.equal(table.querySelector('img'), null);
});
