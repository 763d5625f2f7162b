// Chapter 3's cell graph with a real (small, random) model in Node: the heatmaps are the engine's
// traced wte rows, wpe rows and their sum; the live equation x_{t,c} = wte[id_t, c] + wpe[t, c] is
// recomputed here from the model's own weight tables; choosing a heatmap cell or typing Position
// and Dimension picks the numbers; bad input is refused beside its field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/03-embeddings/index.ts';
import { nearestFinding, parsePick } from '../../notebooks/chapters/03-embeddings/data.ts';
import { embeddingTex } from '../../notebooks/chapters/03-embeddings/figures.ts';
import { formatValue } from '../../components/format.ts';
import { texNumber } from '../../notebooks/tex.ts';
import type { Chapter } from '../../notebooks/runtime.ts';
import { InputError } from '../../notebooks/runtime.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

// The Position and Dimension inputs, as site/components/Pick.astro renders them.
const PICK = ['position', 'dimension'].map((id) => `<label for="${id}">${id}</label><input id="${id}" name="${id}" type="number" value="0"><p id="${id}-error"></p>`).join('');
const withPick: Chapter = {
  define(runtime, mounts) {
    mounts.pick!.innerHTML = PICK;
    return chapter.define(runtime, mounts);
  },
};

describe('chapter 3: embeddings', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  let wte: Float32Array; // (C, V): the engine stores wte transposed
  let wpe: Float32Array; // (n_positions, C)
  const C = smallConfig.n_embd;
  const V = smallConfig.vocab_size;
  const equation = () => page.mounts.equation!.querySelector<HTMLElement>('.live-equation');
  const maps = () => page.mounts.heatmaps!.querySelector<HTMLElement>('.embeddings');

  before(async () => {
    e = await smallEngine();
    page = await openChapter(withPick, ['heatmaps', 'pick', 'equation', 'nearest'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
    wte = e.host.model!.weights.wteT.dataSync() as Float32Array;
    wpe = e.host.model!.weights.wpe.dataSync() as Float32Array;
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('before any tick the cells say what to do', () => {
    assert.match(page.mounts.heatmaps!.textContent ?? '', /press Next token/);
    assert.match(page.mounts.equation!.textContent ?? '', /press Next token/);
  });

  it('the prefill tick traces every prompt position: three heatmaps of wte rows, wpe rows and their sum', async () => {
    page.control('next-token').click();
    await page.until('the heatmaps', () => maps() !== null && equation() !== null);
    const ids = e.host.session!.ids.slice(0, -1); // the prompt (the last id is the token the tick chose)
    assert.equal(Number(maps()!.dataset.rows), ids.length);
    assert.equal(Number(maps()!.dataset.dims), C);
    const charts = [...maps()!.querySelectorAll<HTMLElement>('.chart')];
    assert.deepEqual(charts.map((c) => c.dataset.which), ['token', 'position', 'sum']);
    const expected = {
      token: (t: number, c: number) => wte[c * V + ids[t]],
      position: (t: number, c: number) => wpe[t * C + c],
      sum: (t: number, c: number) => Math.fround(wte[c * V + ids[t]] + wpe[t * C + c]),
    };
    for (const chart of charts) chart.querySelector<HTMLDetailsElement>('details.data-table')!.open = true; // each table is built when unfolded
    await page.until('the tables', () => charts.every((c) => c.querySelector('tbody tr')));
    for (const chart of charts) {
      const rows = [...chart.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
      assert.equal(rows.length, ids.length);
      const f = expected[chart.dataset.which as keyof typeof expected];
      rows.forEach((r, t) => r.forEach((v, c) => assert.equal(v, formatValue(f(t, c)), `${chart.dataset.which}[${t}, ${c}]`)));
      assert.deepEqual([...chart.querySelectorAll('svg image.row')].map((i) => Number(i.getAttribute('data-cells'))), ids.map(() => C));
    }
    // The sentences over the heatmaps: mean cosines, computed here from the model's own tables (float64).
    const row = (f: (t: number, c: number) => number, t: number) => Array.from({ length: C }, (_, c) => f(t, c));
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const n = ids.length;
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
    const far = Math.max(2, Math.floor(n / 2));
    const want = {
      tokenCosine: mean(pairs.filter(([i, j]) => ids[i] !== ids[j]).map(([i, j]) => cos(row(expected.token, i), row(expected.token, j)))),
      nearCosine: mean(pairs.filter(([i, j]) => j - i === 1).map(([i, j]) => cos(row(expected.position, i), row(expected.position, j)))),
      farCosine: mean(pairs.filter(([i, j]) => j - i >= far).map(([i, j]) => cos(row(expected.position, i), row(expected.position, j)))),
      sumToken: mean(ids.map((_, t) => cos(row(expected.sum, t), row(expected.token, t)))),
      sumPosition: mean(ids.map((_, t) => cos(row(expected.sum, t), row(expected.position, t)))),
    };
    for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(Number(maps()!.dataset[k]) - v) < 1e-5, `${k}: ${maps()!.dataset[k]} vs ${v}`);
    const findings = [...maps()!.querySelectorAll<HTMLElement>('.heatmap-finding')];
    assert.deepEqual(findings.map((p) => p.dataset.which), ['token', 'position', 'sum']);
    assert.ok(findings[0].textContent!.includes(want.tokenCosine.toFixed(2)), findings[0].textContent!);
    assert.ok(findings[2].textContent!.includes(want.sumToken.toFixed(2)), findings[2].textContent!);
  });

  it('the live equation x_{t,c} = wte[id_t, c] + wpe[t, c] is the model’s own numbers, for every position typed in', async () => {
    const ids = e.host.session!.ids;
    for (const [t, c] of [[0, 0], [1, 7], [ids.length - 2, C - 1]]) {
      page.set('position', String(t));
      page.set('dimension', String(c));
      await page.until(`x_${t},${c}`, () => equation()?.dataset.position === String(t) && equation()?.dataset.dimension === String(c));
      const d = equation()!.dataset;
      const w = wte[c * V + ids[t]];
      const p = wpe[t * C + c];
      assert.equal(Number(d.tokenId), ids[t]);
      assert.equal(Number(d.wte), w);
      assert.equal(Number(d.wpe), p);
      assert.equal(Number(d.x), Math.fround(w + p), 'the sum, in float32 as the model adds');
      const tex = [...equation()!.querySelectorAll('annotation')].map((a) => a.textContent ?? '');
      assert.equal(tex.length, 3);
      assert.ok(tex[2].endsWith(`= ${texNumber(Math.fround(w + p))}`), tex[2]);
      assert.ok(tex[2].includes(`\\mathrm{wte}[${ids[t]},\\ ${c}] + \\mathrm{wpe}[${t},\\ ${c}] = ${texNumber(w)} + `), tex[2]);
      assert.ok(tex[2].includes(texNumber(p)), tex[2]);
      // The outlined heatmap cell is the one the equation is about.
      assert.equal(maps()!.querySelectorAll('rect.selected').length, 3);
    }
  });

  it('the nearest tokens of the picked position’s token: the whole vocabulary ranked by cosine, as computed here in float64 from wte', async () => {
    const ids = e.host.session!.ids;
    const t = 1;
    page.set('position', String(t));
    const near = () => page.mounts.nearest!.querySelector<HTMLElement>('.nearest-tokens');
    await page.until('the nearest tokens', () => near()?.dataset.position === String(t));
    const id = ids[t];
    assert.equal(Number(near()!.dataset.tokenId), id);
    const col = (j: number) => Array.from({ length: C }, (_, c) => wte[c * V + j]);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    const q = col(id);
    const cos = Array.from({ length: V }, (_, j) => dot(q, col(j)) / Math.sqrt(dot(q, q) * dot(col(j), col(j))));
    const order = cos.map((c, j) => [c, j] as const).filter(([, j]) => j !== id).sort((a, b) => b[0] - a[0]).slice(0, 12);
    const shown = JSON.parse(near()!.dataset.neighbours!) as [number, number][];
    assert.equal(shown.length, 12);
    shown.forEach(([j, c], r) => {
      assert.ok(Math.abs(c - cos[j]) < 1e-5, `${j}: ${c} vs ${cos[j]}`);
      assert.ok(Math.abs(c - order[r][0]) < 1e-5, `rank ${r}`);
    });
    const rows = [...near()!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((x) => x.textContent));
    assert.deepEqual(rows.map((r) => r[2]), shown.map(([j]) => String(j)));
    assert.deepEqual(rows.map((r) => r[3]), shown.map(([, c]) => c.toFixed(3)));
    assert.ok(near()!.querySelector('.nearest-finding')!.textContent!.includes(shown[0][1].toFixed(2)));
  });

  it('nearestFinding: the nearest against the mean of random pairs', () => {
    assert.deepEqual(nearestFinding([0.62, 0.5, 0.41], 0.08), { nearest: 0.62, last: 0.41, k: 3, mean: 0.08, clear: true });
    assert.equal(nearestFinding([0.3, 0.2], 0.25)!.clear, false, 'within 0.1 of the mean');
    assert.equal(nearestFinding([0.5, 0.2], 0.3)!.clear, false, 'below twice the mean');
    assert.equal(nearestFinding([0.5], NaN)!.clear, false, 'no pair to compare');
    assert.equal(nearestFinding([], 0.1), null);
  });

  it('choosing a heatmap cell sets Position and Dimension and shows its equation', async () => {
    // This DOM lays nothing out: the row's box is given here, C cells of 4 px from x = 50.
    const row = page.mounts.heatmaps!.querySelectorAll<SVGImageElement>('.chart[data-which="sum"] image.row')[2];
    row.getBoundingClientRect = () => ({ left: 50, width: 4 * C, top: 0, height: 17, right: 50 + 4 * C, bottom: 17, x: 50, y: 0, toJSON: () => ({}) });
    row.dispatchEvent(new page.window.MouseEvent('click', { bubbles: true, clientX: 50 + 4 * 5 + 2 }));
    await page.until('x_2,5', () => equation()?.dataset.position === '2' && equation()?.dataset.dimension === '5');
    assert.equal(page.control('position').value, '2');
    assert.equal(page.control('dimension').value, '5');
  });

  it('a decode tick adds one row: the token chosen last tick, at the next position', async () => {
    const before = Number(maps()!.dataset.rows);
    page.control('next-token').click();
    await page.until('a row more', () => Number(maps()?.dataset.rows) === before + 1);
    const ids = e.host.session!.ids;
    page.set('position', String(before));
    await page.until('the new position', () => equation()?.dataset.position === String(before));
    assert.equal(Number(equation()!.dataset.tokenId), ids[before]);
    assert.equal(Number(equation()!.dataset.wpe), wpe[before * C + 5]);
  });

  it('bad input is refused beside its field; a position not read yet says so', async () => {
    const good = equation()!.dataset.x;
    page.set('dimension', String(C));
    await page.until('the dimension message', () => /Dimension must be a whole number from 0 to 15/.test(page.$('#dimension-error').textContent ?? ''));
    page.set('position', 'x');
    await page.until('the position message', () => /Position must be a whole number/.test(page.$('#position-error').textContent ?? ''));
    assert.equal(page.control('position').getAttribute('aria-invalid'), 'true');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(equation()!.dataset.x, good);
    page.set('dimension', '1');
    page.set('position', '20');
    await page.until('the not-yet note', () => /Position 20 has not been read/.test(page.mounts.equation!.textContent ?? ''));
    page.set('position', '0');
    await page.until('back', () => equation()?.dataset.position === '0' && page.$('#position-error').textContent === '');
  });

  it('parsePick and embeddingTex', () => {
    assert.equal(parsePick('Position', '3', 32), 3);
    assert.throws(() => parsePick('Position', '32', 32), (err: unknown) => err instanceof InputError && /0 to 31: this model reads at most 32 positions/.test(err.message));
    assert.throws(() => parsePick('Dimension', '1.5', 16), InputError);
    const tex = embeddingTex({ position: 2, dimension: 5, id: 42, text: ' a_b', wte: 0.5, wpe: -0.25, x: 0.25 });
    assert.equal(tex[2], String.raw`x_{2,5} = \mathrm{wte}[42,\ 5] + \mathrm{wpe}[2,\ 5] = 0.500 + (-0.250) = 0.250`);
    assert.ok(tex[1].includes(String.raw`\text{“␣a\_b”}`));
  });
});
