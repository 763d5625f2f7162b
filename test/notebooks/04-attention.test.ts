// Chapter 4's cell graph with a real (small, random) model in Node: the prefill fills one matrix
// row per prompt token and each tick adds one; Layer and Head pick the matrix (another layer's
// earlier rows come from a recompute and equal what a tick traces); the cell equation's numbers are
// recomputed from the engine's q and k; the stages; bad Layer/Head input; the worked softmax.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/04-attention/index.ts';
import { cellNumbers, habitSummary, headHabits, headsOverview, parseInputs, rowsFromTrace, traceFor, type AttentionView } from '../../notebooks/chapters/04-attention/data.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { focusAttentionCell } from '../../components/attention-matrix.ts';
import { cellTex } from '../../notebooks/chapters/04-attention/figures.ts';
import { softmaxOf } from '../../notebooks/softmax.ts';
import { InputError } from '../../notebooks/runtime.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** A tick whose trace holds the given attention weights (per layer: [head][row][key], rows from `start`). */
function tickWith(start: number, kind: TickSummary['kind'], layers: number[][][][]): TickSummary {
  const attention = layers.map((heads, layer) => {
    const H = heads.length;
    const T = heads[0].length;
    const K = start + T;
    const data = new Float32Array(H * T * K);
    heads.forEach((rows, h) => rows.forEach((r, t) => data.set(r, (h * T + t) * K)));
    return { layer, shape: [H, T, K] as [number, number, number], data };
  });
  return { index: 3, kind, trace: { start, tokens: [], attention, lens: [] } } as unknown as TickSummary;
}

describe('head habits, measured', () => {
  it('a prefill: the mean over positions 2 and on of the weights on the first token, the previous one and itself', () => {
    // One layer, two heads, four prompt positions (rows 0 and 1 are left out).
    const head0 = [[1, 0, 0, 0], [0.5, 0.5, 0, 0], [0.8, 0.1, 0.1, 0], [0.6, 0.1, 0.1, 0.2]];
    const head1 = [[1, 0, 0, 0], [0.2, 0.8, 0, 0], [0.1, 0.7, 0.2, 0], [0.1, 0.1, 0.3, 0.5]];
    const r = headHabits(tickWith(0, 'prefill', [[head0, head1]]), 1)!;
    assert.deepEqual(r.positions, [2, 3]);
    const [a, b] = r.heads;
    assert.ok(close(a.first, (0.8 + 0.6) / 2) && close(a.previous, (0.1 + 0.1) / 2) && close(a.self, (0.1 + 0.2) / 2));
    assert.equal(a.habit, 'first', 'first 0.7');
    assert.ok(close(b.first, 0.1) && close(b.previous, (0.7 + 0.3) / 2) && close(b.self, (0.2 + 0.5) / 2));
    assert.equal(b.habit, 'previous', 'previous 0.5 beats self 0.35');
    const sum = habitSummary(r);
    assert.deepEqual(sum.map((s) => [s.habit, s.heads.map((x) => x.head), s.strongest.head]), [['first', [0], 0], ['previous', [1], 1], ['self', [], 1]]);
  });

  it('a decode tick: its one row; too short a prompt, or a layer missing from the trace: nothing to measure', () => {
    const r = headHabits(tickWith(4, 'decode', [[[[0.1, 0.1, 0.1, 0.1, 0.6]]], [[[0.2, 0.2, 0.2, 0.2, 0.2]]]]), 2)!;
    assert.deepEqual(r.positions, [4]);
    assert.deepEqual(r.heads.map((x) => [x.layer, x.habit]), [[0, 'self'], [1, null]]);
    assert.equal(headHabits(tickWith(0, 'prefill', [[[[1, 0], [0.5, 0.5]]]]), 1), null);
    assert.equal(headHabits(tickWith(4, 'decode', [[[[0.1, 0.1, 0.1, 0.1, 0.6]]]]), 2), null);
    const o = headsOverview(tickWith(4, 'decode', [[[[0.1, 0.1, 0.1, 0.1, 0.6]]], [[[0.2, 0.2, 0.2, 0.2, 0.2]]]]), 2)!;
    assert.equal(o.position, 4);
    assert.ok(close(o.rows[0][0][4], 0.6) && o.rows[1][0].length === 5);
  });
});

describe('chapter 4: attention', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const chart = () => page.mounts.matrix!.querySelector<HTMLElement>('.chart');
  const equation = () => page.mounts.equation!.querySelector<HTMLElement>('.live-equation');
  const valueRows = () => Number(page.mounts.matrix!.querySelector('image.values')?.getAttribute('data-rows') ?? 0);
  const matrixSvg = () => page.mounts.matrix!.querySelector<SVGSVGElement>('svg')!;
  /** The keyboard's cell moved to (q, k) with the arrow keys; its name. */
  const cellLabelAt = (q: number, k: number) => {
    assert.ok(focusAttentionCell(matrixSvg(), q, k), `cell ${q},${k}`);
    return matrixSvg().querySelector('rect.cell.value')!.getAttribute('aria-label');
  };

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['timeline', 'tokens', 'attention-stage', 'matrix', 'equation', 'softmax-example', 'outputs', 'overview', 'habits'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('the prefill fills a row per prompt token, and each Next token adds one row', async () => {
    assert.match(page.mounts.matrix!.textContent ?? '', /press Next token/);
    page.control('next-token').click();
    await page.until('the prefill', () => page.ticks() === 1 && chart()?.dataset.tick === '0');
    const prompt = e.host.session!.promptLength;
    assert.equal(Number(chart()!.dataset.rows), prompt);
    assert.equal(valueRows(), prompt);
    for (let i = 1; i <= 2; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => chart()?.dataset.tick === String(i));
      assert.equal(valueRows(), prompt + i);
    }
    // The lower triangle is filled, the upper is the mask.
    const n = prompt + 2;
    assert.equal(valueRows(), n);
    assert.equal(Number(page.mounts.matrix!.querySelector('image.values')!.getAttribute('data-cells')), n);
    assert.equal(Number(page.mounts.matrix!.querySelector('path.outlines.masked')!.getAttribute('data-cells')), (n * (n - 1)) / 2);
  });

  it('what moves: head outputs, the all-heads overview and the head habits are the engine’s numbers for the newest position', async () => {
    const ov = () => page.mounts.overview!.querySelector<HTMLElement>('.heads-overview');
    const hb = () => page.mounts.habits!.querySelector<HTMLElement>('.head-habits');
    const outs = () => page.mounts.outputs!.querySelector<HTMLElement>('.head-outputs');
    const tick = String(page.ticks() - 1);
    await page.until('the three figures', () => ov()?.dataset.tick === tick && hb()?.dataset.tick === tick && outs()?.dataset.tick === tick);
    const { n_layer: L, n_head: H } = smallConfig;
    // The reference: the cached sequence recomputed, every layer's weights traced, and layer 0's values.
    const all = await e.engine.request({ type: 'recompute', trace: { attention: true } });
    const n = all.trace!.tokens.length;
    const p = n - 1;
    const row = (l: number, h: number) => {
      const a = all.trace!.attention.find((x) => x.layer === l)!;
      return Array.from(a.data.subarray((h * n + p) * n, (h * n + p) * n + n));
    };
    assert.equal(Number(ov()!.dataset.position), p);
    assert.equal(page.mounts.overview!.querySelectorAll('rect.cell').length, L * H);
    const argmax = (r: number[]) => r.indexOf(Math.max(...r));
    assert.deepEqual(JSON.parse(ov()!.dataset.top!), Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => argmax(row(l, h)))));
    const tableRows = [...page.mounts.overview!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent)));
    tableRows.forEach((r, i) => r.forEach((w, k) => assert.ok(Math.abs(w - row(Math.floor(i / H), i % H)[k]) <= 5e-4, `cell ${i}, key ${k}`)));
    // Habits of a decode tick: the newest row's weights on key 0, p − 1 and p.
    const habits = JSON.parse(hb()!.dataset.habits!) as [number, number, number, number, number, string | null][];
    assert.equal(habits.length, L * H);
    for (const [l, h, first, previous, self, habit] of habits) {
      const r = row(l, h);
      assert.ok(close(first, r[0], 1e-4) && close(previous, r[p - 1], 1e-4) && close(self, r[p], 1e-4), `layer ${l} head ${h}`);
      const best = Math.max(r[0], r[p - 1], r[p]);
      assert.equal(habit !== null, best >= 0.5);
    }
    // Each head's output for the newest position is Σ_j a_j v_j, here in float64 from layer 0's traced values.
    const l0 = await e.engine.request({ type: 'recompute', trace: traceFor(0) });
    const rows = rowsFromTrace(l0.trace!, 0);
    const hd = smallConfig.n_embd / H;
    const shown = JSON.parse(outs()!.dataset.outputs!) as { head: number; key: number; weight: number; cosine: number; out: number[] }[];
    assert.equal(Number(outs()!.dataset.layer), 0);
    for (const o of shown) {
      const w = row(0, o.head);
      const want = Array.from({ length: hd }, (_, c) => w.reduce((s, a, j) => s + a * rows[j].v![o.head * hd + c], 0));
      o.out.forEach((x, c) => assert.ok(close(x, want[c], 1e-4), `head ${o.head}[${c}]: ${x} vs ${want[c]}`));
      assert.equal(o.key, argmax(w));
    }
    // Keyboard: a focused overview cell reads out its numbers.
    const cell = page.mounts.overview!.querySelector<SVGRectElement>('rect.cell[data-layer="1"][data-head="1"]')!;
    cell.focus();
    const readout = page.mounts.overview!.querySelector<HTMLElement>('.overview-readout')!;
    assert.equal(readout.dataset.layer, '1');
    assert.match(readout.textContent!, /^Layer 1, head 1: /);
  });

  it('the cell equation’s numbers are the engine’s: q·k/√d from its q and k, and the softmax of its row', async () => {
    await page.until('the equation', () => equation() !== null && equation()!.dataset.query === String(Number(chart()!.dataset.rows) - 1));
    const check = (el: HTMLElement) => {
      const d = el.dataset;
      const q = JSON.parse(d.q!) as number[];
      const k = JSON.parse(d.k!) as number[];
      const row = JSON.parse(d.row!) as number[];
      const hd = Number(d.headDim);
      assert.equal(hd, smallConfig.n_embd / smallConfig.n_head);
      assert.equal(q.length, hd);
      const dot = q.reduce((s, x, m) => s + x * k[m], 0);
      assert.ok(close(Number(d.score), dot), `q·k = ${dot}, shown ${d.score}`);
      assert.ok(close(Number(d.scaled), dot / Math.sqrt(hd)), `s = ${d.scaled}`);
      assert.equal(row.length, Number(d.query) + 1);
      const z = row.reduce((s, x) => s + Math.exp(x), 0);
      assert.ok(close(Number(d.sum), z, 1e-9));
      assert.ok(close(Number(d.weight), Math.exp(row[Number(d.key)]) / z), `a = ${d.weight}`);
    };
    check(equation()!);
    // The same from the session's own trace: one recompute at layer 0 reproduces the shown row.
    const res = await e.engine.request({ type: 'recompute', trace: traceFor(0) });
    const rows = rowsFromTrace(res.trace!, 0);
    const d = equation()!.dataset;
    const view: AttentionView = { tick: 0, layer: 0, tokens: rows.map(() => ''), rows, recomputed: 0 };
    const n = cellNumbers(view, 0, Number(d.query), Number(d.key));
    assert.ok(close(n.weight, Number(d.weight), 1e-4));
    assert.ok(close(n.score, Number(d.score), 1e-4));
    // The typeset equation carries those numbers (KaTeX keeps its TeX source in an annotation).
    const tex = [...equation()!.querySelectorAll('annotation')].map((a) => a.textContent);
    assert.equal(tex.length, 3);
    assert.deepEqual(tex.slice(0, 1), cellTex(n).slice(0, 1));
    assert.match(tex[1]!, new RegExp(`^s_\\{${d.query},${d.key}\\}`));

    // Hovering another cell moves the equation there, and its numbers check out too.
    assert.ok(focusAttentionCell(matrixSvg(), 2, 1));
    await page.until('the focused cell', () => equation()?.dataset.query === '2' && equation()?.dataset.key === '1');
    check(equation()!);
  });

  it('Head and Layer pick the matrix; another layer’s earlier rows come from a recompute', async () => {
    const w0 = cellLabelAt(3, 1);
    page.set('head', '1');
    await page.until('head 1', () => chart()?.dataset.head === '1');
    assert.notEqual(cellLabelAt(3, 1), w0);
    const ticks = e.host.session!.ticks;
    page.set('layer', '1');
    await page.until('layer 1', () => chart()?.dataset.layer === '1');
    assert.equal(e.host.session!.ticks, ticks, 'changing the layer runs no tick');
    assert.match(chart()!.textContent ?? '', /recomputed for this layer/);
    await page.until('the equation at layer 1', () => equation()?.dataset.layer === '1');
    // The next tick traces layer 1 itself and adds its row.
    const n = Number(chart()!.dataset.rows);
    page.control('next-token').click();
    await page.until('a row at layer 1', () => Number(chart()?.dataset.rows) === n + 1 && chart()?.dataset.layer === '1');
    const last = e.host.session!.ticks - 1;
    assert.equal(chart()!.dataset.tick, String(last));
  });

  it('the stages: QKᵀ and scaled scores are drawn as scores, the softmax as weights', async () => {
    const radio = (v: string) => page.mounts['attention-stage']!.querySelector<HTMLInputElement>(`input[value="${v}"]`)!;
    radio('scores').checked = true;
    radio('scores').dispatchEvent(new page.window.Event('change', { bubbles: true }));
    await page.until('the scores', () => chart()?.dataset.stage === 'scores');
    assert.match(page.mounts.matrix!.querySelector('rect.cell.value')!.getAttribute('aria-label') ?? '', /with score/);
    radio('scaled').checked = true;
    radio('scaled').dispatchEvent(new page.window.Event('change', { bubbles: true }));
    await page.until('the scaled scores', () => chart()?.dataset.stage === 'scaled');
    radio('softmax').checked = true;
    radio('softmax').dispatchEvent(new page.window.Event('change', { bubbles: true }));
    await page.until('the weights', () => chart()?.dataset.stage === 'softmax');
    // Each softmax row sums to 1.
    const rows = [...page.mounts.matrix!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).filter((t) => t !== 'masked').map(Number));
    for (const r of rows) assert.ok(Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 0.01);
  });

  it('a Layer or Head outside the model is refused beside it and the matrix keeps its state', async () => {
    const rows = chart()!.dataset.rows;
    page.set('layer', '2');
    await page.until('the layer message', () => /Layer must be a whole number from 0 to 1/.test(page.$('#layer-error').textContent ?? ''));
    page.set('head', 'x');
    await page.until('the head message', () => /Head must be a whole number from 0 to 1/.test(page.$('#head-error').textContent ?? ''));
    assert.equal(page.control('layer').getAttribute('aria-invalid'), 'true');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(chart()!.dataset.layer, '1');
    assert.equal(chart()!.dataset.head, '1');
    assert.equal(chart()!.dataset.rows, rows);
    page.set('layer', '0');
    page.set('head', '0');
    await page.until('layer 0 head 0', () => chart()?.dataset.layer === '0' && chart()?.dataset.head === '0' && page.$('#head-error').textContent === '');
  });

  it('the worked softmax is computed by the sampler from the reader’s inputs; bad input keeps the last result', async () => {
    const ex = () => page.mounts['softmax-example']!.querySelector<HTMLElement>('.softmax-result')!;
    await page.until('the example', () => page.mounts['softmax-example']!.querySelector('.softmax-result') !== null);
    assert.deepEqual(JSON.parse(ex().dataset.probs!), softmaxOf([0.1, 0.2, 0.3, 0.4], 1));
    assert.match(ex().textContent ?? '', /0\.214/);
    const input = page.$<HTMLInputElement>('#softmax-input-4');
    input.value = '2';
    input.dispatchEvent(new page.window.Event('input', { bubbles: true }));
    assert.deepEqual(JSON.parse(ex().dataset.inputs!), [0.1, 0.2, 0.3, 2]);
    assert.deepEqual(JSON.parse(ex().dataset.probs!), softmaxOf([0.1, 0.2, 0.3, 2], 1));
    input.value = '';
    input.dispatchEvent(new page.window.Event('input', { bubbles: true }));
    assert.match(page.$('#softmax-input-error').textContent ?? '', /Input 4 must be a number/);
    assert.equal(input.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(JSON.parse(ex().dataset.inputs!), [0.1, 0.2, 0.3, 2]);
    assert.throws(() => parseInputs(['1', 'NaN', '0', '0']), InputError);
  });
});
