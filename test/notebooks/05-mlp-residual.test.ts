// Chapter 5's cell graph with a real (small, random) model in Node: the live GELU equation is the
// engine's own traced input and output for one MLP unit, recomputed here in float64 from the
// tick's trace; the residual heatmap and the logit-lens table are the tick's trace, row by row.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/05-mlp-residual/index.ts';
import { geluTanh, LENS_TOP, parsePick } from '../../notebooks/chapters/05-mlp-residual/data.ts';
import { geluTex } from '../../notebooks/chapters/05-mlp-residual/figures.ts';
import { formatProb, formatValue } from '../../components/format.ts';
import { visibleText } from '../../components/text.ts';
import { texNumber } from '../../notebooks/tex.ts';
import type { Chapter } from '../../notebooks/runtime.ts';
import { InputError } from '../../notebooks/runtime.ts';
import type { Engine } from '../../engine/engine.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

const PICK = ['block', 'unit'].map((id) => `<label for="${id}">${id}</label><input id="${id}" name="${id}" type="number" value="0"><p id="${id}-error"></p>`).join('');
const withPick: Chapter = {
  define(runtime, mounts) {
    mounts.pick!.innerHTML = PICK;
    return chapter.define(runtime, mounts);
  },
};

describe('chapter 5: MLP, LayerNorm and the residual stream', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const ticks: TickSummary[] = [];
  const C = smallConfig.n_embd;
  const L = smallConfig.n_layer;
  const equation = () => page.mounts.equation!.querySelector<HTMLElement>('.live-equation');
  const lens = () => page.mounts.lens!.querySelector<HTMLTableElement>('table.lens');

  before(async () => {
    e = await smallEngine();
    // Keep every tick the engine sends the page, to recompute what the page shows from it.
    const engine: Engine = {
      ...e.engine,
      request: (async (req: Parameters<Engine['request']>[0]) => {
        const out = await e.engine.request(req);
        if (req.type === 'tick') ticks.push(out as TickSummary);
        return out;
      }) as Engine['request'],
    };
    page = await openChapter(withPick, ['residual', 'lens', 'pick', 'equation'], engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('before any tick the cells say what to do', () => {
    assert.match(page.mounts.residual!.textContent ?? '', /press Next token/);
    assert.match(page.mounts.lens!.textContent ?? '', /press Next token/);
  });

  it('the live GELU equation is the traced unit, recomputed from its traced input', async () => {
    page.control('next-token').click();
    await page.until('the equation', () => equation() !== null && lens() !== null);
    const tr = ticks.at(-1)!.trace!;
    const T = tr.tokens.length;
    for (const [l, u] of [[0, 0], [1, 7], [L - 1, 4 * C - 1]]) {
      page.set('block', String(l));
      page.set('unit', String(u));
      await page.until(`unit ${l}/${u}: ${page.mounts.equation!.textContent} ${page.$('#unit-error').textContent} ${page.$('#block-error').textContent}`, () => equation()?.dataset.layer === String(l) && equation()?.dataset.unit === String(u));
      const d = equation()!.dataset;
      const layer = tr.layers!.find((x) => x.layer === l)!;
      const x = layer.mlpIn![(T - 1) * 4 * C + u];
      const y = layer.mlp![(T - 1) * 4 * C + u];
      assert.equal(Number(d.x), x);
      assert.equal(Number(d.y), y);
      assert.ok(Math.abs(geluTanh(x) - y) <= 1e-5 * Math.max(1, Math.abs(y)), `GELU(${x}) = ${geluTanh(x)}, engine ${y}`);
      const tex = [...equation()!.querySelectorAll('annotation')].map((a) => a.textContent ?? '');
      assert.equal(tex.length, 4);
      assert.ok(tex[3].endsWith(`= ${texNumber(y)}`), tex[3]);
      assert.ok(tex[2].includes(`\\tanh(${texNumber(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))})`), tex[2]);
    }
  });

  it('the residual heatmap is the embedding and each block’s output at the newest position; its table is built when unfolded, and stays unfolded', async () => {
    const details = () => page.mounts.residual!.querySelector<HTMLDetailsElement>('details.data-table')!;
    assert.equal(details().querySelector('table'), null, 'folded: no table built');
    details().open = true;
    await page.until('the table, unfolded', () => details().querySelector('tbody tr') !== null);
    const check = () => {
      const tr = ticks.at(-1)!.trace!;
      const T = tr.tokens.length;
      const rows = [...page.mounts.residual!.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent));
      assert.equal(rows.length, L + 1);
      const expected = [tr.embeddings!.sum, ...tr.layers!.map((l) => l.residual!)];
      rows.forEach((r, i) => r.forEach((v, c) => assert.equal(v, formatValue(expected[i][(T - 1) * C + c]), `row ${i}, dim ${c}`)));
    };
    check();
    const tick = page.mounts.residual!.querySelector<HTMLElement>('.residual')!.dataset.tick;
    page.control('next-token').click();
    await page.until('the next tick', () => page.mounts.residual!.querySelector<HTMLElement>('.residual')?.dataset.tick !== tick);
    assert.ok(details().open && details().querySelector('table'), 'redrawn unfolded, its table built with it');
    check();
  });

  it('the lens table has the top guesses after each block; after the last block they are the tick’s own top tokens', async () => {
    for (let k = 0; k < 2; k++) {
      const tick = ticks.at(-1)!;
      const table = lens()!;
      const rows = [...table.querySelectorAll('tbody tr')];
      assert.equal(rows.length, L);
      rows.forEach((r, l) => {
        const lr = tick.trace!.lens.find((x) => x.layer === l)!.positions.at(-1)!;
        const cells = [...r.querySelectorAll('td')].map((td) => td.textContent);
        assert.deepEqual(cells, lr.map((c) => `“${visibleText(c.text)}” ${formatProb(c.prob)}`));
        assert.equal(cells.length, LENS_TOP);
      });
      const last = tick.trace!.lens.find((x) => x.layer === L - 1)!.positions.at(-1)!;
      assert.deepEqual(last.map((c) => c.id), tick.sample.candidates.slice(0, LENS_TOP).map((c) => c.id));
      page.control('next-token').click();
      await page.until('the next tick', () => Number(lens()?.dataset.tick) === tick.index + 1);
    }
    assert.equal(ticks.at(-1)!.trace!.tokens.length, 1, 'a decode tick traces one position');
  });

  it('bad input is refused beside its field; parsePick and geluTex', async () => {
    page.set('unit', String(4 * C));
    await page.until('the unit message', () => /Unit must be a whole number from 0 to 63/.test(page.$('#unit-error').textContent ?? ''));
    assert.throws(() => parsePick('Block', '2', 2), (err: unknown) => err instanceof InputError && /0 to 1: this model has 2 blocks/.test(err.message));
    const tex = geluTex({ layer: 1, unit: 3, position: 2, text: 'a', x: -1, cube: -0.044715, inner: -0.8335, tanh: -0.6823, y: -0.1588 });
    assert.equal(tex[3], String.raw`\operatorname{GELU}(-1.00) = \tfrac12 \cdot (-1.00) \cdot \bigl(1 + (-0.682)\bigr) = -0.159`);
  });
});
