// Chapter 6's "two models, one prompt" in Node: the pure pieces (which models a reader may run
// beside the page's, the rows and texts), and the cell itself over two real engines (two small
// random models): nothing stored → the notice and the Models page link and no engine started;
// Compare → a second engine that ticks with the clock, every row equal to a third engine's run of
// the same model, prompt, seed and settings; Close → the second engine ended.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chapter from '../../notebooks/chapters/06-logits-to-token/index.ts';
import { compareOptions, compareRows, generatedTexts, storedSource, type SecondEngines, type SideTick } from '../../notebooks/chapters/06-logits-to-token/compare.ts';
import { localEngine } from '../../engine/local.ts';
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';
import type { StoredModel } from '../../engine/model-store.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';
import { makeConfig } from '../../model/config.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

const stored = (key: string, files = 4): StoredModel => ({ key, label: key.split('/').at(-1)!, files, bytes: 1, storedAt: '' });
const bundled = { url: 'http://x/models/gutenberg-4m', name: 'gutenberg-4m' };

describe('chapter 6 comparison: the pure pieces', () => {
  it('storedSource reads a store key back into a load source that never downloads', () => {
    assert.deepEqual(storedSource('hub:https://huggingface.co/openai-community/gpt2'), { kind: 'hub', hub: 'https://huggingface.co', repo: 'openai-community/gpt2', storedOnly: true });
    assert.deepEqual(storedSource('hub:http://127.0.0.1:4000/mirror/distilbert/distilgpt2'), { kind: 'hub', hub: 'http://127.0.0.1:4000/mirror', repo: 'distilbert/distilgpt2', storedOnly: true });
    assert.deepEqual(storedSource('local:my-gpt2'), { kind: 'local', name: 'my-gpt2' });
    assert.equal(storedSource('url:http://x/'), null);
    assert.equal(storedSource('hub:nonsense'), null);
  });

  it('compareOptions: every whole stored model but the page’s own, and the bundled one when the page runs another', () => {
    const gpt2 = 'hub:https://huggingface.co/openai-community/gpt2';
    const distil = 'hub:https://huggingface.co/distilbert/distilgpt2';
    assert.deepEqual(compareOptions([], `url:${bundled.url}`, bundled), []);
    assert.deepEqual(compareOptions([stored(gpt2), stored(distil, 3)], `url:${bundled.url}`, bundled).map((o) => o.key), [gpt2]);
    const onGpt2 = compareOptions([stored(gpt2), stored(distil)], gpt2, bundled);
    assert.deepEqual(onGpt2.map((o) => o.key), [`url:${bundled.url}`, distil]);
    assert.deepEqual(onGpt2[0].source, { kind: 'url', url: bundled.url, label: bundled.name });
  });

  const tick = (index: number, text: string, probs: number[], ms: number, seed = 42): TickSummary => ({
    index, text, piece: { text, bytes: [], complete: true }, ms: { total: ms },
    sample: { seed, sampling: { temperature: 1, topK: 0, topP: 1 }, chosen: { id: 0, text, prob: probs[0], logit: 0, kept: true, rank: 0 }, candidates: probs.map((p, i) => ({ id: i, text: i ? `t${i}` : text, prob: p, logit: 0, kept: true, rank: i })) },
  }) as unknown as TickSummary;

  it('compareRows pairs ticks by index and compares the chosen tokens as text', () => {
    const a = [tick(0, ' the', [0.5, 0.2, 0.1, 0.05], 3), tick(1, ' cat', [0.4, 0.3], 2)];
    const b = [tick(0, ' the', [0.6, 0.1, 0.1, 0.1], 5)];
    const rows = compareRows(a, b);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0].a, { text: ' the', prob: 0.5, top: [{ text: ' the', prob: 0.5 }, { text: 't1', prob: 0.2 }, { text: 't2', prob: 0.1 }], ms: 3 } satisfies SideTick);
    assert.equal(rows[0].same, true);
    assert.equal(rows[1].b, null);
    assert.equal(rows[1].same, null);
    assert.deepEqual(generatedTexts(a, b), { a: ' the cat', b: ' the' });
  });
});

describe('chapter 6 comparison: the cell over two real engines', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let dirB: string;
  let page: Page;
  let spawned = 0;
  let terminated = 0;
  const cfgB = makeConfig({ n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
  const body = () => page.mounts.compare!.querySelector<HTMLElement>('.compare-body');

  before(async () => {
    e = await smallEngine();
    dirB = await mkdtemp(join(tmpdir(), 'tokenclock-compare-'));
    await writeRandomCheckpoint(dirB, { config: cfgB, dtype: 'F32', seed: 7 });
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
    await rm(dirB, { recursive: true, force: true });
  });

  const engines = (list: StoredModel[]): SecondEngines => ({
    stored: async () => list,
    spawn: () => {
      spawned++;
      const engine = localEngine();
      return {
        engine,
        terminate: () => {
          terminated++;
          engine.host.session?.dispose();
          engine.host.model?.dispose();
        },
      };
    },
    backend: 'wasm',
  });

  it('with no second model: a notice linking to the Models page, and no engine started', async () => {
    const none = await openChapter(chapter, ['timeline', 'compare'], e.engine, e.info, {
      bundledModel: { url: e.info.url, name: 'page' }, secondEngines: engines([]),
    });
    try {
      const mount = none.mounts.compare!;
      await none.until('the notice', () => mount.querySelector('.compare')?.getAttribute('data-state') === 'none');
      assert.match(mount.textContent ?? '', /No second model is stored in this browser yet/);
      assert.equal(mount.querySelector('a')?.getAttribute('href'), '../../models/');
      assert.equal(mount.querySelector('button'), null);
      assert.equal(spawned, 0);
    } finally {
      none.close();
    }
  });

  it('Compare runs the second model tick for tick with the clock; each row is that model’s own run', async () => {
    page = await openChapter(chapter, ['timeline', 'compare'], e.engine, e.info, {
      bundledModel: { url: dirB, name: 'model-b' }, secondEngines: engines([]),
    });
    const mount = page.mounts.compare!;
    await page.until('the button', () => mount.querySelector('button[name="compare"]') !== null);
    const button = mount.querySelector<HTMLButtonElement>('button[name="compare"]')!;
    assert.equal(button.textContent, 'Compare with model-b');
    assert.equal(spawned, 0, 'no engine before the reader asks');
    button.click();
    await page.until('the second model', () => body()?.dataset.phase === 'ready', 30_000);
    assert.equal(spawned, 1);
    for (let k = 1; k <= 3; k++) {
      page.control('next-token').click();
      await page.until(`tick ${k} of both`, () => body()?.dataset.ticks === String(k) && body()?.dataset.pageTicks === String(k), 30_000);
    }
    // The reference: model B alone, the same prompt, seed and settings.
    const ref = localEngine();
    const refA = await smallEngine(); // the page's model again (the same seed: the same weights)
    try {
      const info: ModelInfo = await ref.request({ type: 'load', source: { kind: 'url', url: dirB, label: 'model-b' }, backend: 'wasm' });
      assert.equal(info.config.n_layer, 1);
      const start = { type: 'start', prompt: page.control<HTMLTextAreaElement>('prompt').value, seed: 42, sampling: { temperature: 0.8, topK: 0, topP: 1 } } as const;
      await ref.request(start);
      await refA.engine.request(start);
      const rows = [...mount.querySelectorAll<HTMLElement>('table.compare-table tbody')];
      assert.equal(rows.length, 3);
      let text = '';
      for (let k = 0; k < 3; k++) {
        const want = await ref.request({ type: 'tick', candidates: 8 });
        const b = JSON.parse(rows[k].dataset.b!) as SideTick;
        assert.equal(b.text, want.piece.text);
        assert.equal(b.prob, want.sample.chosen.prob);
        assert.equal(b.top[0].prob, want.sample.candidates[0].prob);
        const wantA = await refA.engine.request({ type: 'tick' });
        const a = JSON.parse(rows[k].dataset.a!) as SideTick;
        assert.equal(a.text, wantA.piece.text);
        assert.equal(a.top[0].prob, wantA.sample.candidates[0].prob);
        text += want.text;
      }
      assert.equal(mount.querySelector('[data-side="b"] strong')?.textContent, text);
    } finally {
      ref.host.session?.dispose();
      ref.host.model?.dispose();
      await refA.cleanup();
    }
  });

  it('Reset starts both over; the same seed gives the second model the same first tick', async () => {
    const mount = page.mounts.compare!;
    const first = mount.querySelector<HTMLElement>('table.compare-table tbody')!.dataset.b;
    page.control<HTMLButtonElement>('reset').click();
    await page.until('the reset', () => page.ticks() === 0 && body()?.dataset.ticks === '0');
    page.control<HTMLButtonElement>('next-token').click();
    await page.until('tick 1 of both', () => body()?.dataset.ticks === '1' && body()?.dataset.pageTicks === '1', 30_000);
    assert.equal(mount.querySelector<HTMLElement>('table.compare-table tbody')!.dataset.b, JSON.stringify({ ...JSON.parse(first!), ms: JSON.parse(mount.querySelector<HTMLElement>('table.compare-table tbody')!.dataset.b!).ms }));
    for (let k = 2; k <= 3; k++) {
      page.control<HTMLButtonElement>('next-token').click();
      await page.until(`tick ${k} of both`, () => body()?.dataset.ticks === String(k) && body()?.dataset.pageTicks === String(k), 30_000);
    }
  });

  it('Close ends the second engine; the clock goes on alone', async () => {
    const mount = page.mounts.compare!;
    mount.querySelector<HTMLButtonElement>('button[name="compare-close"]')!.click();
    assert.equal(terminated, 1);
    assert.equal(mount.querySelector('.compare')?.getAttribute('data-state'), 'closed');
    assert.equal(body(), null);
    page.control('next-token').click();
    await page.until('tick 4 of the page', () => page.ticks() === 4);
    assert.equal(spawned, 1);
  });
});
