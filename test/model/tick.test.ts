// model/tick.ts: the session, its window, and prompts far longer than the model's context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { makeConfig } from '../../model/config.ts';
import { Model } from '../../model/model.ts';
import { Session } from '../../model/tick.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';
import { referenceForward } from '../reference/gpt2-f64.ts';

const config = makeConfig({ n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
let dir: string;

before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-tick-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a 200,000-token prompt starts a session and ticks, the window sliding to the last n_positions / 2 tokens', async () => {
  await writeRandomCheckpoint(dir, { config, dtype: 'F32', seed: 4 });
  const model = await Model.load(dir);
  const prompt = 'a'.repeat(400_000); // the random vocabulary merges "aa": one token per two bytes
  const session = new Session(model, { prompt, seed: 1 });
  assert.equal(session.promptLength, 200_000);
  const recs = [];
  for await (const rec of session.run({ steps: 20 })) recs.push(rec);
  assert.deepEqual(recs[0].window, { dropped: 200_000 - 16, kept: 16 });
  assert.equal(recs[0].fed.length, 16);
  assert.equal(recs[0].position, 0);
  assert.ok(recs.every((r) => r.cacheLength <= config.n_positions));
  assert.ok(recs.slice(1).some((r) => r.window), 'the window slides again as ticks go on');
  assert.equal(session.ids.length, 200_020);
  assert.equal(session.generatedIds.length, 20);
  session.dispose();
  model.dispose();
});

test('forking: rewind to tick k and force another token; earlier ticks stay, tick k appends it, later ticks run on with the same dice (equal to a session forced from the start)', async () => {
  const small = makeConfig({ n_layer: 2, n_head: 2, n_embd: 16, n_positions: 64, vocab_size: 300 });
  const sub = await mkdtemp(join(dir, 'fork-'));
  await writeRandomCheckpoint(sub, { config: small, dtype: 'F32', seed: 7 });
  const model = await Model.load(sub);
  const opts = { prompt: 'aaaa b', seed: 3, sampling: { temperature: 1.5 } };
  const run = async (s: Session, n: number) => {
    const out = [];
    for await (const r of s.run({ steps: n })) out.push(r);
    return out;
  };
  const a = new Session(model, opts);
  const original = await run(a, 8);
  const forcedId = original[3].dist.order[5]; // the sixth most likely at tick 3: not what the dice chose
  assert.notEqual(forcedId, original[3].id);

  const b = new Session(model, opts);
  await run(b, 8);
  b.rewind(3);
  assert.equal(b.ticks, 3);
  assert.equal(b.cache.length, b.promptLength + 2, 'the cache holds what ticks 0–2 fed');
  assert.deepEqual(b.ids, [...a.ids.slice(0, a.promptLength), ...original.slice(0, 3).map((r) => r.id)]);
  b.forced.set(3, forcedId);
  const branch = await run(b, 5);
  assert.equal(branch[0].index, 3);
  assert.equal(branch[0].id, forcedId);
  assert.equal(branch[0].forced, true);
  assert.equal(branch[0].rank, 5);
  assert.equal(branch[0].draw, original[3].draw, 'the same dice were thrown');
  assert.deepEqual(branch[0].logits, original[3].logits, 'tick 3 ran on the cache cut back exactly');
  assert.equal(branch[1].forced, false);
  assert.equal(branch[1].draw, original[4].draw);
  assert.notDeepEqual(branch[1].logits, original[4].logits, 'after the fork the model reads another text');

  // Independently: a fresh session told the forced token before it starts makes the same run.
  const c = new Session(model, opts);
  c.forced.set(3, forcedId);
  const fresh = await run(c, 8);
  assert.deepEqual(c.ids, b.ids);
  for (let i = 3; i < 8; i++) {
    const x = fresh[i].logits;
    const y = branch[i - 3].logits;
    let worst = 0;
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]));
    assert.ok(worst < 1e-5, `tick ${i}: logits of the rewound run and the fresh one differ by ${worst}`);
  }

  // Back to the original: rewind to tick 3 without a forced token, and the dice choose as before.
  b.rewind(3);
  const back = await run(b, 5);
  assert.deepEqual(back.map((r) => r.id), original.slice(3).map((r) => r.id));
  assert.deepEqual(b.ids, a.ids);

  // Rewind to 0 runs the prefill again; out of range is refused and changes nothing.
  b.rewind(0);
  assert.equal(b.cache.length, 0);
  assert.equal((await b.tick()).id, original[0].id);
  assert.throws(() => b.rewind(2), /from 0 to 1/);
  assert.equal(b.ticks, 1);
  for (const s of [a, b, c]) s.dispose();
  model.dispose();
});

test('a forced token the filters dropped has probability 0 and its rank; rewinding after the window slid is refused', async () => {
  const small = makeConfig({ n_layer: 1, n_head: 2, n_embd: 16, n_positions: 16, vocab_size: 300 });
  const sub = await mkdtemp(join(dir, 'fork2-'));
  await writeRandomCheckpoint(sub, { config: small, dtype: 'F32', seed: 8 });
  const model = await Model.load(sub);
  const s = new Session(model, { prompt: 'a b', seed: 1, sampling: { temperature: 1, topK: 3 } });
  const first = await s.tick();
  const far = first.dist.order[10];
  s.rewind(0);
  s.forced.set(0, far);
  const rec = await s.tick();
  assert.equal(rec.id, far);
  assert.equal(rec.rank, 10);
  assert.equal(rec.prob, 0);
  for await (const r of s.run({ steps: 20 })) void r; // past n_positions: the window slides
  assert.throws(() => s.rewind(1), /window slid/);
  s.dispose();
  model.dispose();
});

test('an intervention from tick k: every later tick\'s logits equal the float64 reference with that part removed on the same ids, earlier ticks unchanged; going back restores the run bit for bit', async () => {
  const small = makeConfig({ n_layer: 2, n_head: 4, n_embd: 32, n_positions: 64, vocab_size: 300 });
  const sub = await mkdtemp(join(dir, 'iv-'));
  await writeRandomCheckpoint(sub, { config: small, dtype: 'F32', seed: 12 });
  const files = await loadModelFiles(sub);
  const model = await Model.fromFiles(files);
  const opts = { prompt: 'aaaa b c', seed: 5, sampling: { temperature: 1.3 } };
  const run = async (s: Session, n: number) => {
    const out = [];
    for await (const r of s.run({ steps: n })) out.push(r);
    return out;
  };
  const tensors = tf.memory().numTensors;
  const a = new Session(model, opts);
  const original = await run(a, 8);
  const k = 3;
  for (const part of [{ heads: [[1, 2]] as [number, number][] }, { skipBlocks: [0] }]) {
    const b = new Session(model, opts);
    const before = await run(b, 6);
    assert.throws(() => b.intervene({ from: k, ...part }), /go back to tick 3 first/);
    b.rewind(k);
    b.intervene({ from: k, ...part });
    const later = await run(b, 5);
    assert.deepEqual(before.slice(0, k).map((r) => r.logits), original.slice(0, k).map((r) => r.logits), 'ticks before k ran untouched');
    assert.equal(later[0].index, k);
    assert.equal(later[0].kind, 'decode', 'the first intervened tick still draws as a decode tick');
    assert.equal(later[0].fed.length, 1);
    assert.deepEqual(later[0].intervention, { heads: part.heads ?? [], skipBlocks: part.skipBlocks ?? [] });
    assert.equal(later[0].draw, original[k].draw, 'the same dice');
    let changed = 0;
    for (const r of later) {
      const ids = b.ids.slice(0, b.promptLength + r.index); // what tick r.index read
      const ref = referenceForward(small, files.params, ids, part).logits.at(-1)!;
      let diff = 0;
      let scale = 0;
      for (let j = 0; j < ref.length; j++) {
        diff = Math.max(diff, Math.abs(r.logits[j] - ref[j]));
        scale = Math.max(scale, Math.abs(ref[j]));
      }
      assert.ok(diff <= 1e-4 * scale, `tick ${r.index}: max |Δ| ${diff} > 1e-4 × ${scale}`);
      const plain = referenceForward(small, files.params, ids).logits.at(-1)!;
      for (let j = 0; j < ref.length; j++) changed = Math.max(changed, Math.abs(ref[j] - plain[j]));
    }
    assert.ok(changed > 1e-3, `the part removed changes the logits (max |Δ| ${changed})`);
    // Back within the intervened run: tick 5 again, the same.
    b.rewind(5);
    assert.deepEqual((await b.tick()).logits, later[2].logits, 'rewinding inside the intervened run keeps its cache exactly');
    // Back to the untouched model: the original run, bit for bit.
    assert.throws(() => b.intervene(null), /go back to tick 3 first/);
    b.rewind(k);
    b.intervene(null);
    const back = await run(b, 8 - k);
    assert.deepEqual(back.map((r) => r.logits), original.slice(k).map((r) => r.logits));
    assert.deepEqual(b.ids, a.ids);
    assert.ok(back.every((r) => r.intervention === undefined));
    b.dispose();
  }
  // An intervention from the prefill; a copy of a session goes on exactly as the session would.
  const c = new Session(model, opts);
  c.intervene({ from: 0, skipBlocks: [1] });
  const [first] = await run(c, 1);
  const ref = referenceForward(small, files.params, c.ids.slice(0, c.promptLength), { skipBlocks: [1] }).logits.at(-1)!;
  assert.ok(first.logits.every((v, j) => Math.abs(v - ref[j]) <= 1e-3), 'prefill with block 1 skipped');
  assert.throws(() => c.copy(), /while its intervention acts/);
  c.dispose();
  const d = new Session(model, opts);
  await run(d, 4);
  const twin = d.copy();
  const [x, y] = [await run(d, 3), await run(twin, 3)];
  assert.deepEqual(y.map((r) => r.logits), x.map((r) => r.logits));
  assert.deepEqual(twin.ids, d.ids);
  assert.throws(() => d.intervene({ from: 2, heads: [[0, 4]] }), /go back/);
  d.rewind(2);
  assert.throws(() => d.intervene({ from: 2, heads: [[0, 4]] }), /switched-off head/);
  for (const s of [a, d, twin]) s.dispose();
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  model.dispose();
});

test('onDrawn hears a traced tick once its token is drawn, before its trace is read: the same token and logits, no trace; the tick then comes with its trace and the time it took', async () => {
  await writeRandomCheckpoint(dir, { config, dtype: 'F32', seed: 8 });
  const model = await Model.load(dir);
  const traced = new Session(model, { prompt: 'abc', seed: 5 });
  const plain = new Session(model, { prompt: 'abc', seed: 5 });
  try {
    for (let i = 0; i < 3; i++) {
      const heard: { index: number; trace: unknown; traced: boolean }[] = [];
      let drawn: Awaited<ReturnType<Session['tick']>> | null = null;
      let resolved = false;
      const p = traced.tick({
        trace: { attention: true, lens: 3 },
        onDrawn: (r) => {
          drawn = r;
          heard.push({ index: r.index, trace: r.trace, traced: resolved });
        },
      });
      void p.then(() => (resolved = true));
      const rec = await p;
      const ref = await plain.tick({ onDrawn: () => assert.fail('an untraced tick has nothing to send early') });
      assert.deepEqual(heard, [{ index: i, trace: undefined, traced: false }], 'once, before the tick resolves, without its trace');
      const d = drawn!;
      assert.equal(d.id, rec.id);
      assert.equal(d.text, rec.text);
      assert.equal(d.logits, rec.logits);
      assert.deepEqual(rec.logits, ref.logits, 'the trace changes nothing the draw saw');
      assert.equal(rec.id, ref.id);
      assert.ok(rec.trace && rec.trace.layers[0].lens && rec.trace.layers[0].attention);
      assert.equal(d.ms.trace, 0);
      assert.ok(rec.ms.trace > 0 && rec.ms.total >= d.ms.total + rec.ms.trace - 1e-9, 'the trace\'s time is counted in the tick\'s');
      assert.equal(rec.ms.forward, d.ms.forward);
      assert.equal(ref.ms.trace, 0);
    }
  } finally {
    traced.dispose();
    plain.dispose();
    model.dispose();
  }
});
