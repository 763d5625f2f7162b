// Chapter 8's cell graph with a real (small, random) model in Node: inference's checksum, read back
// after every tick, stays the one taken at load; the training demo (a tiny random GPT-2 trained in
// the engine with train/trainer.ts) lowers its loss and changes its weights' checksum every step;
// the bundled model's training log is fetched and drawn with its own numbers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chapter from '../../notebooks/chapters/08-not-training/index.ts';
import { STEPS_PER_PRESS, TRAIN_TEXT } from '../../notebooks/chapters/08-not-training/data.ts';
import { LOSS_SMOOTH, parseTrainLog, RUN_SPANS, trainLogUrl, type TrainLog } from '../../notebooks/chapters/08-not-training/train-log.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
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
      await page.until(`tick ${i}`, () => page.ticks() === i && inference()?.dataset.ticks === String(i) && inference()?.dataset.read === String(i)); // each tick's read-back follows it
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
    const trainer = (e.host as unknown as { demos: { demo: { trainer: { params(): Promise<Map<string, { data: Float32Array }>> } } } }).demos.demo.trainer;
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

// The bundled model's training log, served over HTTP as the site serves it, drawn by the chapter:
// every number on the page (chart, table, caption, the prose's spans) is checked against the file.
describe('chapter 8: the bundled model’s training log', () => {
  const folder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'models', BUNDLED_MODEL);
  const log = JSON.parse(readFileSync(join(folder, 'train-log.json'), 'utf8')) as TrainLog;
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let server: Server;
  let base: string;
  const requests: string[] = [];

  before(async () => {
    e = await smallEngine();
    // A static server for the model folder, and an empty folder with no log, like a static host.
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === `/models/${BUNDLED_MODEL}/train-log.json`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(join(folder, 'train-log.json')));
      } else if (req.url === '/models/broken/train-log.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"steps": []}');
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await e?.cleanup();
  });

  // `runsBundled`: the page's model is the bundled one (same folder URL), else the small random model.
  const open = (dir: string, runsBundled = false) => {
    const url = `${base}/models/${dir}/`;
    const info = runsBundled ? { ...e.info, url, label: BUNDLED_MODEL } : e.info;
    return openChapter(chapter, ['lossCurve', 'runAfter', ...RUN_SPANS], e.engine, info, { bundledModel: { name: BUNDLED_MODEL, url } });
  };

  it('fetches train-log.json from the model’s folder and draws every step and every evaluation', async () => {
    const page = await open(BUNDLED_MODEL);
    try {
      await page.until('the loss curve', () => page.mounts.lossCurve!.dataset.state === 'ready', 30_000);
      assert.ok(requests.includes(`/models/${BUNDLED_MODEL}/train-log.json`));
      const el = page.$('[data-cell="lossCurve"] .loss-curve');
      const svg = el.querySelector('svg')!;
      // One point per logged step on the training line, one focusable point per evaluation.
      const d = svg.querySelector('path.train')!.getAttribute('d') ?? '';
      assert.equal(d.split(/[ML]/).filter(Boolean).length, log.steps.length);
      const evals = [...svg.querySelectorAll('g.eval')];
      assert.equal(evals.length, log.evals.length);
      evals.forEach((g, i) => assert.match(g.getAttribute('aria-label') ?? '',
        new RegExp(`^step ${log.evals[i].step}: validation ${log.evals[i].loss.toFixed(3)} \\(${log.evals[i].bitsPerByte!.toFixed(3)} bits/byte\\)`)));
      assert.match(svg.querySelector('.uniform text')!.textContent ?? '', new RegExp(`^ln ${log.config.vocab_size} = ${Math.log(log.config.vocab_size).toFixed(3)}`));
      // The table: step 1, then every evaluation, with the log's numbers.
      const rows = [...el.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
      assert.deepEqual(rows.map((r) => r[0]), ['1', ...log.evals.map((v) => String(v.step))]);
      assert.equal(rows[0][1], log.steps[0].loss.toFixed(3));
      rows.slice(1).forEach((r, i) => {
        const v = log.evals[i];
        assert.equal(r[1], log.steps.find((s) => s.step === v.step)!.loss.toFixed(3));
        assert.equal(r[3], v.loss.toFixed(3));
        assert.equal(r[4], v.bitsPerByte!.toFixed(3));
      });
      // The caption and the prose quote the log.
      const last = log.evals.at(-1)!;
      const lastMean = log.steps.slice(-LOSS_SMOOTH).reduce((a, s) => a + s.loss, 0) / LOSS_SMOOTH;
      const caption = el.querySelector('.cell-caption')!.textContent ?? '';
      for (const n of [String(log.steps.length), log.steps[0].loss.toFixed(3), last.loss.toFixed(3), last.bitsPerByte!.toFixed(3), lastMean.toFixed(3)]) {
        assert.ok(caption.includes(n), `caption has ${n}: ${caption}`);
      }
      const span = (name: string) => page.mounts[name]!.textContent;
      assert.equal(span('runName'), BUNDLED_MODEL);
      assert.equal(span('runSteps'), String(log.steps.at(-1)!.step));
      assert.equal(span('runBatch'), `${log.train.batch} passages of ${log.train.ctx} tokens`);
      assert.equal(span('runTokens'), `${((log.steps.length * log.train.batch * log.train.ctx) / 1e6).toFixed(1)}M`);
      assert.equal(span('runFirstLoss'), log.steps[0].loss.toFixed(3));
      assert.equal(span('runUniform'), `ln ${log.config.vocab_size} = ${Math.log(log.config.vocab_size).toFixed(3)}`);
      assert.equal(span('runLastTrain'), `${lastMean.toFixed(3)} (the mean of its last ${LOSS_SMOOTH} steps)`);
      assert.equal(span('runLastEval'), `${last.loss.toFixed(3)} nats per token (${last.bitsPerByte!.toFixed(3)} bits per byte)`);
      // This page runs another model (the small random one), so the prose does not claim these weights.
      await page.until('runAfter', () => page.mounts.runAfter!.dataset.state === 'ready');
      assert.match(span('runAfter') ?? '', new RegExp(`^This page runs ${e.info.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, chosen on the Models page`));
    } finally {
      page.close();
    }
  });

  it('when the page runs the bundled model, the prose says its weights are the ones the last step saved', async () => {
    const page = await open(BUNDLED_MODEL, true);
    try {
      await page.until('runAfter', () => page.mounts.runAfter!.dataset.state === 'ready', 30_000);
      assert.equal(page.mounts.runAfter!.textContent,
        `The weights this page runs are the ones saved after step ${log.steps.at(-1)!.step}, and the checksum above shows that no tick has changed them since.`);
    } finally {
      page.close();
    }
  });

  it('a model folder without a log says so; a broken log names what is wrong', async () => {
    let page = await open('no-such-model');
    try {
      await page.until('the note', () => page.mounts.lossCurve!.dataset.state === 'ready');
      assert.match(page.mounts.lossCurve!.textContent ?? '', /has no train-log\.json/);
      assert.equal(page.mounts.runSteps!.textContent, '(no training log)');
    } finally {
      page.close();
    }
    page = await open('broken');
    try {
      await page.until('the error', () => page.mounts.lossCurve!.dataset.state === 'error');
      assert.match(page.mounts.lossCurve!.textContent ?? '', /train-log\.json: config\.vocab_size missing/);
    } finally {
      page.close();
    }
    assert.throws(() => parseTrainLog({ config: { vocab_size: 4 }, train: { batch: 1, ctx: 2 }, steps: [{ step: 1 }], evals: [] }), /steps\[0\] needs a numeric step and loss/);
    assert.equal(trainLogUrl('http://x/models/m'), 'http://x/models/m/train-log.json');
  });
});
