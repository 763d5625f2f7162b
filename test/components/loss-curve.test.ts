import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitsPerByteRatio, describeLossCurve, LossCurve, LossCurveTable, lossRows, trailingMean } from '../../components/loss-curve.ts';
import type { LossCurveData } from '../../components/loss-curve.ts';
import { tickDraw } from '../../model/prng.ts';
import { assertSnapshot, dom, pretty } from './snapshot.ts';

// A made-up run of 60 steps: the loss falls from ln 256 with seeded noise; validation every 20
// steps on a text of 4 bytes per token (so bits per byte = loss / (4 ln 2)).
const data: LossCurveData = {
  steps: Array.from({ length: 60 }, (_, i) => ({
    step: i + 1,
    loss: 3 + (Math.log(256) - 3) * Math.exp(-i / 12) + (tickDraw(7, i) - 0.5) * 0.3,
    lr: 0.001 * Math.min(1, (i + 1) / 10),
    gradNorm: 1,
  })),
  evals: [20, 40, 60].map((step, i) => ({ step, loss: [4.1, 3.6, 3.4][i], bitsPerByte: [4.1, 3.6, 3.4][i] / (4 * Math.LN2) })),
};

/** The left axis's value ↔ y map, read back from its first and last tick labels. */
function yOfLoss(svg: SVGSVGElement): (loss: number) => number {
  const ticks = [...svg.querySelectorAll('.y-axis text.nats')].map((t) => ({ v: Number(t.getAttribute('data-value')), y: Number(t.getAttribute('y')) }));
  const [a, b] = [ticks[0], ticks.at(-1)!];
  return (loss) => a.y + ((loss - a.v) * (b.y - a.y)) / (b.v - a.v);
}

/** The points of a path written as M x,y L x,y … */
const points = (d: string | null) => (d ?? '').split(/[ML]/).filter(Boolean).map((p) => p.split(',').map(Number));

test('LossCurve renders the same SVG every time (snapshot loss-curve.svg)', () => {
  const { document } = dom();
  const a = LossCurve(data, { width: 560, document, vocabSize: 256, smooth: 5 });
  assert.equal(pretty(a), pretty(LossCurve(data, { width: 560, document, vocabSize: 256, smooth: 5 })));
  assertSnapshot(a, 'loss-curve');
});

test('the training line has a point per step at its loss; validation points sit at their losses', () => {
  const { document } = dom();
  const svg = LossCurve(data, { width: 560, document, smooth: 5 });
  const y = yOfLoss(svg);
  const train = points(svg.querySelector('path.train')!.getAttribute('d'));
  assert.equal(train.length, data.steps.length);
  train.forEach(([, py], i) => assert.ok(Math.abs(py - y(data.steps[i].loss)) < 0.02, `step ${i + 1}: ${py} vs ${y(data.steps[i].loss)}`));
  const mean = trailingMean(data.steps.map((s) => s.loss), 5);
  points(svg.querySelector('path.train-mean')!.getAttribute('d')).forEach(([, py], i) => assert.ok(Math.abs(py - y(mean[i])) < 0.02));
  const evals = [...svg.querySelectorAll('g.eval')];
  assert.equal(evals.length, 3);
  evals.forEach((g, i) => {
    const [, py] = (g.getAttribute('transform') ?? '').match(/translate\(([\d.]+),([\d.]+)\)/)!.slice(1).map(Number);
    assert.ok(Math.abs(py - y(data.evals[i].loss)) < 0.02);
    assert.match(g.getAttribute('aria-label') ?? '', new RegExp(`^step ${data.evals[i].step}: validation ${data.evals[i].loss.toFixed(3)} \\(`));
  });
});

test('bits per byte: a right axis only when every evaluation gives the same ratio', () => {
  assert.ok(Math.abs(bitsPerByteRatio(data.evals)! - 1 / (4 * Math.LN2)) < 1e-12);
  assert.equal(bitsPerByteRatio([{ step: 1, loss: 2 }]), null);
  assert.equal(bitsPerByteRatio([{ step: 1, loss: 2, bitsPerByte: 1 }, { step: 2, loss: 2, bitsPerByte: 1.1 }]), null);
  const { document } = dom();
  assert.ok(LossCurve(data, { width: 560, document }).querySelector('.bpb-axis text'));
  assert.equal(LossCurve(data, { width: 560, document, bitsPerByte: false }).querySelector('.bpb-axis'), null);
  assert.equal(LossCurve({ steps: data.steps, evals: [{ step: 20, loss: 4 }] }, { width: 560, document }).querySelector('.bpb-axis'), null);
});

test('ln V is drawn as the uniform guess when the vocabulary size is given', () => {
  const { document } = dom();
  const svg = LossCurve(data, { width: 560, document, vocabSize: 256 });
  assert.match(svg.querySelector('.uniform text')!.textContent ?? '', /^ln 256 = 5\.545: /);
  const line = svg.querySelector('.uniform line')!;
  assert.ok(Math.abs(Number(line.getAttribute('y1')) - yOfLoss(svg)(Math.log(256))) < 0.02);
  assert.equal(LossCurve(data, { width: 560, document }).querySelector('.uniform'), null);
});

test('keyboard: one validation point in the tab order; arrows, Home and End move and show the readout', () => {
  const { document, window } = dom();
  const svg = LossCurve(data, { width: 560, document });
  document.body.append(svg);
  const pts = [...svg.querySelectorAll<SVGGElement>('g.eval')];
  assert.deepEqual(pts.map((p) => p.getAttribute('tabindex')), ['-1', '-1', '0']);
  const readout = svg.querySelector('.readout')!;
  assert.equal(readout.getAttribute('display'), 'none');
  pts[2].focus();
  assert.equal(readout.getAttribute('display'), null);
  const lines = () => [...readout.querySelectorAll('text')].map((t) => t.textContent);
  const mean = data.steps.slice(40).reduce((a, s) => a + s.loss, 0) / 20;
  assert.deepEqual(lines(), ['step 60: validation 3.400 (1.226 bits/byte)', `training ${mean.toFixed(3)} (mean of 20 steps)`, 'learning rate 0.00100']);
  assert.equal(pts[2].getAttribute('aria-label'), lines().join(', '));
  const key = (k: string) => document.activeElement!.dispatchEvent(new window.KeyboardEvent('keydown', { key: k, bubbles: true }));
  key('ArrowLeft');
  assert.equal(document.activeElement, pts[1]);
  assert.deepEqual(pts.map((p) => p.getAttribute('tabindex')), ['-1', '0', '-1']);
  key('Home');
  assert.equal(document.activeElement, pts[0]);
  assert.match(lines()[0]!, /^step 20: /);
  key('End');
  assert.equal(document.activeElement, pts[2]);
  pts[2].blur();
  assert.equal(readout.getAttribute('display'), 'none');
});

test('the rows: the first step and each evaluation, with the mean training loss since the row above', () => {
  const rows = lossRows(data);
  assert.deepEqual(rows.map((r) => r.step), [1, 20, 40, 60]);
  assert.deepEqual(rows.map((r) => r.meanOf), [1, 19, 20, 20]);
  const mean = (a: number, b: number) => data.steps.slice(a, b).reduce((s, x) => s + x.loss, 0) / (b - a);
  assert.ok(Math.abs(rows[1].trainMean! - mean(1, 20)) < 1e-12);
  assert.ok(Math.abs(rows[3].trainMean! - mean(40, 60)) < 1e-12);
  assert.equal(rows[0].validation, null);
  assert.equal(rows[2].validation, 3.6);
});

test('the table alternative (snapshot loss-curve-table.html)', () => {
  const { document } = dom();
  const t = LossCurveTable(data, { document });
  const cells = [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  assert.equal(cells.length, 4);
  assert.deepEqual(cells[0], ['1', data.steps[0].loss.toFixed(3), data.steps[0].loss.toFixed(3), '—', '—', '1.00e-4']);
  assert.deepEqual(cells[3].slice(3), ['3.400', (3.4 / (4 * Math.LN2)).toFixed(3), '0.00100']);
  assertSnapshot(t, 'loss-curve-table');
});

test('the description says where the run started and ended', () => {
  assert.match(describeLossCurve(data), /^Training loss [\d.]+ at step 1, [\d.]+ at step 60; validation loss 4\.100 at step 20, 3\.400 at step 60 \(1\.226 bits per byte\)\. /);
  const { document } = dom();
  assert.equal(LossCurve(data, { width: 400, document }).querySelector('desc')!.textContent, describeLossCurve(data));
  assert.equal(describeLossCurve({ steps: [], evals: [] }), 'No training steps logged.');
});

test('no steps: an empty chart, no error', () => {
  const { document } = dom();
  const svg = LossCurve({ steps: [], evals: [] }, { width: 300, document });
  assert.equal(svg.querySelectorAll('g.eval').length, 0);
  assert.equal(svg.querySelector('path.train')!.getAttribute('d'), null);
});
