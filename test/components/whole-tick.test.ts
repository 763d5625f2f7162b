// The whole-tick map (components/whole-tick.ts): a fixed tick renders the same markup every time
// (snapshot whole-tick.html), the model's text stays text, the numbers each stage describes are
// the data's, only the candidates the dice did not choose fork, and the map before any tick is
// drawn from the shape alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WholeTick, wholeTickNumbers, type WholeTickData } from '../../components/whole-tick.ts';
import { assertSnapshot, dom } from './snapshot.ts';
import { rgb } from 'd3';
import { sequential } from '../../components/color.ts';
import { decodePng } from './png-decode.ts';

const links = { tokens: '/t/', embeddings: '/e/', attention: '/a/', mlp: '/m/', logits: '/l/', probs: '/p/', dice: '/d/', append: '/k/' };
const shape = { layers: 2, heads: 2, width: 8, hidden: 32, vocab: 300, context: 16 };

const data: WholeTickData = {
  shape,
  tick: { index: 1, kind: 'decode', fed: 1, position: 3, ms: 2.5, cacheLength: 4, cacheBytes: 512, checksum: 'abcd1234', same: true },
  tokens: [
    { id: 10, text: 'The', position: 0, fed: false },
    { id: 11, text: ' clock', position: 1, fed: false },
    { id: 12, text: '<b>bold</b><img/src=x/onerror=alert(1)>', position: 2, fed: false },
    { id: 13, text: ' one', position: 3, fed: true },
  ],
  tokenCount: 4,
  embedding: { id: 13, position: 3, token: 1.25, pos: 0.5, sum: 1.4 },
  blocks: [
    { attention: { keys: 4, offset: 0, rows: [[0.7, 0.1, 0.1, 0.1], [0, 0, 0.25, 0.75]], top: [{ head: 0, position: 0, text: 'The', weight: 0.7 }, { head: 1, position: 3, text: ' one', weight: 0.75 }] }, norm: 9.5, delta: 8.25 },
    { attention: { keys: 4, offset: 0, rows: [[0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]], top: [{ head: 0, position: 0, text: 'The', weight: 0.25 }, { head: 1, position: 3, text: ' one', weight: 0.4 }] }, norm: 10, delta: 2 },
  ],
  logits: { max: 7.5, text: ' struck' },
  draw: {
    candidates: [
      { id: 20, text: ' struck', prob: 0.5, kept: true, rank: 0 },
      { id: 21, text: ' rang', prob: 0.3, kept: true, rank: 1 },
      { id: 22, text: '\n', prob: 0.2, kept: false, rank: 2 },
    ],
    chosen: { id: 21, text: ' rang', prob: 0.375, rank: 1 },
    u: 0.7,
    interval: [0.625, 1],
    keptMass: 0.8,
    kept: 2,
    temperature: 0.8,
    topK: 2,
    topP: 1,
    forced: false,
  },
  appended: { id: 21, text: ' rang', position: 4 },
};

test('WholeTick renders the same markup every time (snapshot whole-tick.html)', () => {
  const { document } = dom();
  const a = WholeTick(data, { document, links });
  assert.equal(a.outerHTML, WholeTick(data, { document, links }).outerHTML);
  assertSnapshot(a, 'whole-tick');
});

test('one card per block, a heatmap row per head, model text as text, links to chapters described by their numbers', () => {
  const { document } = dom();
  const el = WholeTick(data, { document, links });
  assert.equal(el.dataset.layers, '2');
  assert.equal(el.querySelectorAll('.wt-block').length, 2);
  // Block 0's heatmap: one image, a cell (2 × 2 pixels) per head and position, coloured by √weight.
  const img = el.querySelectorAll('.wt-block')[0].querySelector('.wt-heat image')!;
  assert.equal(img.getAttribute('data-cells'), '2x4');
  const png = decodePng(img.getAttribute('href')!);
  assert.deepEqual([png.width, png.height], [8, 4]);
  data.blocks[0]!.attention!.rows.forEach((row, head) => row.forEach((w, j) => {
    const c = rgb(sequential(Math.sqrt(w)));
    const got = png.pixel(2 * j + 1, 2 * head + 1);
    assert.ok(got[3] === 255 && Math.abs(got[0] - c.r) <= 1 && Math.abs(got[1] - c.g) <= 1 && Math.abs(got[2] - c.b) <= 1, `head ${head}, key ${j}: ${got} vs ${c}`);
  }));
  assert.equal(el.querySelector('img'), null, 'the token text is not parsed as HTML');
  assert.ok(el.textContent!.includes('<b>bold</b><img/src=x/onerror=alert(1)>'));
  for (const a of el.querySelectorAll('a.wt-name')) {
    const desc = el.querySelector(`#${a.getAttribute('aria-describedby')}`);
    assert.ok(desc && desc.textContent!.length > 10, `${a.textContent} is described`);
  }
  assert.equal(el.querySelector('[data-clock="cache"]')!.textContent, '4 positions, 512 B');
  assert.equal(el.querySelector('[data-clock="weights"]')!.textContent, 'abcd1234, unchanged');
});

test('the numbers of each stage are the data’s', () => {
  const n = Object.fromEntries(wholeTickNumbers(data).map((x) => [`${x.stage}${x.layer ?? ''}`, x.text]));
  assert.match(n.tokens, /4 tokens; this tick feeds 1 of them, positions 3 to 3: “␣one” 13/);
  assert.match(n.embeddings, /wte\[13\] \+ wpe\[3\].*token 1\.250, position 0\.500, sum x₀ 1\.400/);
  assert.match(n.attention0, /head 0 → position 0 “The” \(0\.700\); head 1 → position 3 “␣one” \(0\.750\)/);
  assert.match(n.mlp1, /length is 10\.000; the block added a vector of length 2\.000/);
  assert.match(n.probs, /softmax\(z \/ 0\.800\) over all 300 tokens; top-k 2, top-p 1\.000: 300 kept|top-k 2/);
  assert.match(n.dice, /u = 0\.7000 lands in “␣rang”’s stretch \[0\.6250, 1\.0000\)/);
  assert.match(n.append, /“␣rang” \(id 21, p = 37\.5%, rank 2\) is appended: the next tick feeds it at position 4/);
});

test('with onForce, every candidate but the chosen one is a button that forks with its id', () => {
  const { document } = dom();
  const asked: number[] = [];
  const el = WholeTick(data, { document, links, onForce: (id) => asked.push(id) });
  const buttons = [...el.querySelectorAll<HTMLButtonElement>('.wt-probs button')];
  assert.deepEqual(buttons.map((b) => Number(b.dataset.id)), [20, 22]);
  buttons[1].click();
  assert.deepEqual(asked, [22]);
  assert.match(buttons[0].getAttribute('aria-label')!, /Force “␣struck” at tick 1/);
  assert.equal(WholeTick(data, { document, links }).querySelectorAll('.wt-probs button').length, 0, 'no onForce, no buttons');
});

test('before any tick: the shape alone, one card per block, no numbers invented', () => {
  const { document } = dom();
  const empty: WholeTickData = { shape: { ...shape, layers: 12 }, tick: null, tokens: [], tokenCount: 0, embedding: null, blocks: [], logits: null, draw: null, appended: null };
  const el = WholeTick(empty, { document, links });
  assert.equal(el.querySelectorAll('.wt-block').length, 12);
  assert.equal(el.querySelectorAll('.wt-heat').length, 0);
  assert.equal(el.querySelector('[data-clock="tick"]')!.textContent, '—');
  assert.match(wholeTickNumbers(empty).find((x) => x.stage === 'logits')!.text, /8 × 300 numbers/);
});
