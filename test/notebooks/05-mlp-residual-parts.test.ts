// Chapter 5's LayerNorm, GELU-curve and what-each-block-adds cells with the bundled gutenberg-4m
// model in Node, checked against references computed here: LayerNorm in float64 from the tick's
// traced input and the γ, β read straight from model.safetensors; GELU's tanh formula in float64
// at every traced input; the lengths of what attention and the MLP add, and that the stream before
// plus both is the stream after.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as chapter from '../../notebooks/chapters/05-mlp-residual/index.ts';
import { gelu, geluBins } from '../../components/gelu-curve.ts';
import { parseSafetensors, toFloat32 } from '../../model/safetensors.ts';
import { localEngine } from '../../engine/local.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';
import type { Chapter } from '../../notebooks/runtime.ts';
import { texNumber } from '../../notebooks/tex.ts';
import { openChapter, type Page } from './page.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = `${root}public/models/gutenberg-4m`;
const PICK = ['block', 'unit'].map((id) => `<label for="${id}">${id}</label><input id="${id}" name="${id}" type="number" value="0"><p id="${id}-error"></p>`).join('');
const withPick: Chapter = {
  define(runtime, mounts) {
    mounts.pick!.innerHTML = PICK;
    return chapter.define(runtime, mounts);
  },
};

describe('chapter 5 with the bundled model: LayerNorm, the GELU curve, what each block adds', () => {
  let engine: ReturnType<typeof localEngine>;
  let info: ModelInfo;
  let page: Page;
  const ticks: TickSummary[] = [];
  const file = parseSafetensors(readFileSync(`${modelDir}/model.safetensors`));
  const param = (name: string) => toFloat32(file.tensors.get(name) ?? file.tensors.get(`transformer.${name}`)!);
  const cell = (name: string, cls: string) => page.mounts[name]!.querySelector<HTMLElement>(`.${cls}`);

  before(async () => {
    engine = localEngine();
    info = await engine.request({ type: 'load', source: { kind: 'url', url: modelDir, label: 'gutenberg-4m' }, backend: 'wasm' });
    const recording: Engine = {
      ...engine,
      request: (async (req: Parameters<Engine['request']>[0]) => {
        const out = await engine.request(req);
        if (req.type === 'tick') ticks.push(out as TickSummary);
        return out;
      }) as Engine['request'],
    };
    page = await openChapter(withPick, ['pick', 'gelu-curve', 'layer-norm', 'adds'], recording, info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''), 30_000);
  });
  after(async () => {
    page?.close();
    engine?.host.session?.dispose();
    engine?.host.model?.dispose();
  });

  for (const kind of ['prefill', 'decode']) {
    it(`${kind}: each block’s LayerNorm is a float64 LayerNorm of the stream entering it with the file’s γ and β; the equation shows the engine’s numbers`, async () => {
      const n = ticks.length;
      page.control('next-token').click();
      await page.until(`the ${kind} tick`, () => ticks.length === n + 1 && Number(cell('layer-norm', 'layer-norm')?.dataset.tick) === n, 30_000);
      const tr = ticks.at(-1)!.trace!;
      assert.equal(ticks.at(-1)!.kind, kind);
      const C = info.config.n_embd;
      const T = tr.tokens.length;
      for (let l = 0; l < info.config.n_layer; l++) {
        page.set('block', String(l));
        await page.until(`block ${l}`, () => cell('layer-norm', 'layer-norm')?.dataset.layer === String(l) && cell('gelu-curve', 'gelu-curve')?.dataset.layer === String(l));
        const d = cell('layer-norm', 'layer-norm')!.dataset;
        const rows = tr.layers!.find((r) => r.layer === l)!;
        const input = (l === 0 ? tr.embeddings!.sum : tr.layers!.find((r) => r.layer === l - 1)!.residual!).subarray((T - 1) * C, T * C);
        const g = param(`h.${l}.ln_1.weight`);
        const b = param(`h.${l}.ln_1.bias`);
        assert.deepEqual(Array.from(rows.ln1Gamma!), Array.from(g), 'γ is the file’s');
        assert.deepEqual(Array.from(rows.ln1Beta!), Array.from(b), 'β is the file’s');
        const mean = input.reduce((a, v) => a + v, 0) / C;
        const variance = input.reduce((a, v) => a + (v - mean) ** 2, 0) / C;
        const eps = info.config.layer_norm_epsilon;
        assert.ok(Math.abs(Number(d.mean) - mean) <= 1e-12 * Math.max(1, Math.abs(mean)));
        assert.ok(Math.abs(Number(d.sigma) - Math.sqrt(variance)) <= 1e-12);
        const y = rows.ln1!.subarray((T - 1) * C, T * C);
        let worst = 0;
        for (let i = 0; i < C; i++) worst = Math.max(worst, Math.abs((((input[i] - mean) / Math.sqrt(variance + eps)) * g[i] + b[i]) - y[i]));
        assert.ok(worst < 1e-4, `ln_1 of block ${l}: largest difference from float64 ${worst}`);
        const i = Number(d.i);
        assert.equal(Math.abs(input[i]), Math.max(...Array.from(input, Math.abs)), 'the equation follows the largest |x|');
        assert.equal(Number(d.y), y[i], 'the equation’s y is the engine’s');
        const tex = [...page.mounts['layer-norm']!.querySelectorAll('.live-equation annotation')].map((a) => a.textContent ?? '');
        assert.equal(tex.length, 5);
        assert.ok(tex[0].includes(`= ${texNumber(mean)}`), tex[0]);
        assert.ok(tex[1].includes(`= ${texNumber(Math.sqrt(variance))}`), tex[1]);
        assert.ok(tex[3].endsWith(`= ${texNumber((input[i] - mean) / Math.sqrt(variance + eps))}`), tex[3]);
        assert.ok(tex[4].startsWith(`y_{${i}} = ${texNumber(g[i])}`) && tex[4].endsWith(`= ${texNumber(y[i])}`), tex[4]);

        // GELU: every dot is a traced input at the engine's output, and the engine's output is the float64 formula's.
        const x4 = rows.mlpIn!.subarray((T - 1) * 4 * C, T * 4 * C);
        const y4 = rows.mlp!.subarray((T - 1) * 4 * C, T * 4 * C);
        for (let k = 0; k < x4.length; k++) assert.ok(Math.abs(gelu(x4[k]) - y4[k]) <= 1e-5 * Math.max(1, Math.abs(y4[k])), `GELU(${x4[k]})`);
        const gc = cell('gelu-curve', 'gelu-curve')!;
        assert.equal(gc.querySelector('svg g.inputs path.dots')!.getAttribute('d')!.split('M').length - 1, 4 * C, 'a dot per input');
        assert.equal(Number(gc.dataset.negative), x4.filter((v) => v < 0).length);
        assert.equal(Number(gc.dataset.flat), x4.filter((v) => v < -3).length);
        const counts = [...gc.querySelectorAll('tbody tr')].map((r) => Number(r.children[1].textContent));
        assert.deepEqual(counts, geluBins({ x: x4, y: y4 }).map((bin) => bin.count));
        assert.equal(counts.reduce((a, c) => a + c, 0), 4 * C);
        assert.match(gc.textContent ?? '', new RegExp(`${x4.filter((v) => v < 0).length} of the ${4 * C} inputs are negative`));
      }

      // What each block adds: the bars' lengths are those of the traced outputs; stream before + both = stream after.
      const adds = JSON.parse(cell('adds', 'block-adds')!.dataset.adds!) as [number, number][];
      assert.equal(adds.length, info.config.n_layer);
      adds.forEach(([attn, mlp], l) => {
        const rows = tr.layers!.find((r) => r.layer === l)!;
        const row = (a: Float32Array) => a.subarray((T - 1) * C, T * C);
        const len = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
        assert.ok(Math.abs(attn - len(row(rows.attnOut!))) < 1e-9 * attn && Math.abs(mlp - len(row(rows.mlpOut!))) < 1e-9 * mlp);
        const before = row(l === 0 ? tr.embeddings!.sum : tr.layers!.find((r) => r.layer === l - 1)!.residual!);
        const after = row(rows.residual!);
        for (let k = 0; k < C; k++) assert.ok(Math.abs(before[k] + row(rows.attnOut!)[k] + row(rows.mlpOut!)[k] - after[k]) < 1e-4 * Math.max(1, Math.abs(after[k])));
        const bars = [...page.mounts.adds!.querySelectorAll(`rect.bar[data-group="${l}"]`)].map((r) => Number(r.getAttribute('data-value')));
        assert.deepEqual(bars, [attn, mlp]);
      });
    });
  }
});
