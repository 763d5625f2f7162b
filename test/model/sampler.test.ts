import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distribution, sample, sortByLogit, stageProbs, validateSampling } from '../../model/sampler.ts';
import { makeRng, tickDraw } from '../../model/prng.ts';

const logits = Float32Array.from([1.5, -2, 3.25, 0, 3.25, -0.5, 2, 1.5, -7, 0.25]);

test('the seed article\'s softmax example, computed: softmax([0.1, 0.2, 0.3, 0.4]) = [0.214, 0.236, 0.261, 0.289]', () => {
  const d = distribution([0.1, 0.2, 0.3, 0.4], { temperature: 1, topK: 0, topP: 1 });
  const byId = new Array<number>(4);
  d.order.forEach((id, r) => (byId[id] = d.probs[r]));
  assert.deepEqual(byId.map((p) => p.toFixed(3)), ['0.214', '0.236', '0.261', '0.289']);
});

test('sortByLogit orders by logit descending, ties by lower id, negatives after positives', () => {
  assert.deepEqual([...sortByLogit(logits)], [2, 4, 6, 0, 7, 9, 3, 5, 1, 8]);
  assert.deepEqual([...sortByLogit([-0.5, -0.25, -3, 0, NaN, 1])], [5, 3, 1, 0, 2, 4]);
});

test('temperature 0 is argmax (greedy), with no draw', () => {
  const s = sample(logits, { temperature: 0, topK: 0, topP: 1 }, 0.999);
  assert.equal(s.id, 2);
  assert.equal(s.draw, null);
  assert.equal(s.prob, 1);
});

test('top-k keeps exactly the k most likely tokens', () => {
  for (let k = 1; k <= logits.length; k++) {
    const d = distribution(logits, { temperature: 1, topK: k, topP: 1 });
    assert.equal(d.keptTopK, k);
    const kept = new Set([...d.order.slice(0, k)]);
    const threshold = Math.min(...[...kept].map((i) => logits[i]));
    for (let i = 0; i < logits.length; i++) if (!kept.has(i)) assert.ok(logits[i] <= threshold);
    assert.ok(Math.abs(stageProbs(d, 'topK').reduce((a, b) => a + b, 0) - 1) < 1e-12);
  }
});

test('top-p keeps the shortest prefix whose mass reaches p', () => {
  for (const p of [0.05, 0.3, 0.5, 0.8, 0.9, 0.99, 1]) {
    const d = distribution(logits, { temperature: 0.9, topK: 0, topP: p });
    const probs = stageProbs(d, 'temperature');
    const n = d.keptTopP;
    const massBefore = probs.slice(0, n - 1).reduce((a, b) => a + b, 0);
    const mass = probs.slice(0, n).reduce((a, b) => a + b, 0);
    assert.ok(mass >= p - 1e-12, `p=${p}: kept mass ${mass}`);
    assert.ok(massBefore < p, `p=${p}: a shorter prefix (${n - 1}) already reaches p`);
  }
});

test('top-p is applied after top-k, on the renormalised top-k set', () => {
  const d = distribution(logits, { temperature: 1, topK: 3, topP: 0.6 });
  const pk = stageProbs(d, 'topK');
  assert.equal(d.keptTopK, 3);
  let acc = 0;
  let n = 0;
  while (acc < 0.6) acc += pk[n++];
  assert.equal(d.keptTopP, n);
});

test('the draw walks the kept tokens best first', () => {
  const params = { temperature: 1, topK: 0, topP: 1 };
  const d = distribution(logits, params);
  assert.equal(sample(logits, params, 0).rank, 0);
  assert.equal(sample(logits, params, d.probs[0] + 1e-9).rank, 1);
  assert.equal(sample(logits, params, 0.999999999999).rank, logits.length - 1, 'the least likely token is reachable');
  const s = sample(logits, { temperature: 1, topK: 2, topP: 1 }, 0.75);
  assert.ok(s.rank <= 1);
});

test('seeded draws are deterministic and documented: tickDraw(seed, i) ∈ [0, 1)', () => {
  const a = Array.from({ length: 5 }, (_, i) => tickDraw(42, i));
  assert.deepEqual(a, Array.from({ length: 5 }, (_, i) => tickDraw(42, i)));
  assert.notDeepEqual(a, Array.from({ length: 5 }, (_, i) => tickDraw(43, i)));
  for (const u of a) assert.ok(u >= 0 && u < 1);
  // Golden values: the same on every machine (32-bit integer arithmetic only).
  assert.deepEqual(a.map((u) => u * 2 ** 32), [2048288538, 949084671, 2103854291, 166609850, 2354990784]);
  const rng = makeRng(42);
  assert.equal(rng(), a[0]);
  // Roughly uniform.
  const r = makeRng(7);
  let mean = 0;
  for (let i = 0; i < 10000; i++) mean += r() / 10000;
  assert.ok(Math.abs(mean - 0.5) < 0.02);
});

test('bad sampling settings get clear errors', () => {
  assert.throws(() => validateSampling({ temperature: NaN, topK: 0, topP: 1 }, 10), /temperature/);
  assert.throws(() => validateSampling({ temperature: -1, topK: 0, topP: 1 }, 10), /temperature/);
  assert.throws(() => validateSampling({ temperature: 1, topK: 11, topP: 1 }, 10), /top-k must be at most the vocabulary size \(10\)/);
  assert.throws(() => validateSampling({ temperature: 1, topK: 1.5, topP: 1 }, 10), /top-k/);
  assert.throws(() => validateSampling({ temperature: 1, topK: 0, topP: 0 }, 10), /top-p/);
  assert.throws(() => validateSampling({ temperature: 1, topK: 0, topP: 1.01 }, 10), /top-p/);
});

test('sortByLogit equals a plain comparison sort on 50,257 random logits with ties', () => {
  const rng = makeRng(99);
  const V = 50257;
  const logits = new Float32Array(V);
  for (let i = 0; i < V; i++) logits[i] = Math.round((rng() - 0.5) * 4000) / 100; // many exact ties
  logits[7] = Infinity;
  logits[8] = -Infinity;
  logits[9] = -0;
  const expected = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  assert.deepEqual([...sortByLogit(logits)], expected);
});
