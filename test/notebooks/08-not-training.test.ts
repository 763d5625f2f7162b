// Chapter 8's cell graph with a real (small, random) model in Node: inference's checksum, read back
// after every tick, stays the one taken at load; the training demo (a tiny random GPT-2 trained in
// the engine with train/trainer.ts) lowers its loss and changes its weights' checksum every step.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/08-not-training.ts';
import { STEPS_PER_PRESS, TRAIN_TEXT } from '../../notebooks/chapters/08-not-training.ts';
import { weightsChecksum } from '../../model/checkpoint.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

describe('chapter 8: inference is not training', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const inference = () => page.mounts.inference!.querySelector<HTMLElement>('.inference-weights');
  const learning = () => page.mounts.learning!.querySelector<HTMLElement>('.learning');

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['timeline', 'tokens', 'inference', 'trainControls', 'learning', 'contrast'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('inference: the checksum read back after each tick is the one taken at load', async () => {
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i && inference()?.dataset.ticks === String(i));
    }
    assert.equal(inference()!.dataset.checksums, e.info.checksum);
    assert.equal(await e.host.model!.verifyChecksum(), e.info.checksum);
  });

  it('training: the loss falls and the checksum changes at every step; inference’s does not', async () => {
    page.control<HTMLButtonElement>('train').click();
    await page.until('training', () => learning()?.dataset.running === 'false' && learning()?.dataset.steps === String(STEPS_PER_PRESS), 120_000);
    const d = learning()!.dataset;
    assert.ok(Number(d.lastLoss) < Number(d.firstLoss) - 0.5, `${d.firstLoss} → ${d.lastLoss}`);
    const sums = [d.checksumBefore!, ...d.checksums!.split(' ')];
    for (let i = 1; i < sums.length; i++) assert.notEqual(sums[i], sums[i - 1], `step ${i}`);
    assert.equal(learning()!.querySelectorAll('tbody tr').length, STEPS_PER_PRESS);
    assert.ok(learning()!.querySelector('svg[role="img"] polyline'));
    // The demo's last checksum is weightsChecksum of the trainer's own weights.
    const res = await e.engine.request({ type: 'trainDemo', text: TRAIN_TEXT, steps: 1 });
    assert.equal(res.checksumBefore, sums.at(-1));
    assert.equal(res.steps[0].step, STEPS_PER_PRESS + 1);
    const trainer = (e.host as unknown as { demo: { trainer: { params(): Promise<Map<string, { data: Float32Array }>> } } }).demo.trainer;
    assert.equal(res.checksumAfter, weightsChecksum(await trainer.params()));
    // Inference's weights are untouched by all of it.
    assert.equal(await e.host.model!.verifyChecksum(), e.info.checksum);
    assert.match(page.mounts.contrast!.textContent ?? '', new RegExp(`changed at ${STEPS_PER_PRESS} of ${STEPS_PER_PRESS} steps`));
  });

  it('start over returns to fresh random weights: the same first step as before', async () => {
    const firstBefore = learning()!.dataset.checksums!.split(' ')[0];
    const lossBefore = learning()!.dataset.firstLoss;
    page.control<HTMLButtonElement>('start-over').click();
    await page.until('reset', () => learning() === null);
    page.control<HTMLButtonElement>('train').click();
    await page.until('training again', () => learning()?.dataset.running === 'false', 120_000);
    assert.equal(learning()!.dataset.checksums!.split(' ')[0], firstBefore);
    assert.equal(learning()!.dataset.firstLoss, lossBefore);
  });
});
