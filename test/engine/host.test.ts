// The engine behind the worker, driven in Node with a real (small, random) model: ticks carry the
// draw in full, past ticks re-draw from stored logits without a forward pass, traces come back as
// attention rows and logit lens, and cancel drops queued ticks only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tickDraw } from '../../model/prng.ts';
import { CancelledError } from '../../engine/client.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { smallConfig, smallEngine } from '../notebooks/small-model.ts';

describe('EngineHost', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  before(async () => {
    e = await smallEngine();
  });
  after(async () => {
    await e?.cleanup();
  });

  it('a tick describes its draw: candidates best first, softmax normaliser, filters, chosen token', async () => {
    const sampling = { temperature: 0.7, topK: 12, topP: 0.5 };
    await e.engine.request({ type: 'start', prompt: 'the clock', seed: 5, sampling });
    const t = await e.engine.request({ type: 'tick' });
    const s = t.sample;
    assert.equal(s.index, 0);
    assert.equal(s.vocabSize, smallConfig.vocab_size);
    assert.equal(s.candidates.length, 20);
    assert.equal(s.id, t.id);
    assert.equal(s.draw, tickDraw(5, 0));
    for (let i = 1; i < s.candidates.length; i++) assert.ok(s.candidates[i - 1].logit >= s.candidates[i].logit);
    // p_i = exp(z_i / T − log Σ exp(z_j / T)) for every candidate.
    for (const c of s.candidates) assert.ok(Math.abs(Math.exp(c.logit / 0.7 - s.logSumExp!) - c.prob) < 1e-6, `${c.prob}`);
    assert.equal(s.keptTopK, 12);
    assert.ok(s.keptTopP >= 1 && s.keptTopP <= 12);
    assert.deepEqual(s.candidates.map((c) => c.kept), s.candidates.map((_, r) => r < s.keptTopP));
    const mass = s.candidates.slice(0, s.keptTopP).reduce((a, c) => a + c.prob, 0);
    assert.ok(Math.abs(mass - s.keptMass) < 1e-12);
    assert.ok(Math.abs(s.chosen.prob / s.keptMass - s.prob) < 1e-12);
    const [lo, hi] = s.chosenInterval!;
    assert.ok(lo <= s.draw! && s.draw! < hi, `u = ${s.draw} lands in the chosen token's stretch [${lo}, ${hi})`);
    assert.ok(Math.abs(hi - lo - s.prob) < 1e-12);
    assert.equal(t.fed, t.cacheLength);
  });

  it('resample re-draws a past tick from its stored logits: no forward pass, the same draw, other settings', async () => {
    await e.engine.request({ type: 'start', prompt: 'the clock', seed: 5, sampling: { temperature: 1, topK: 0, topP: 1 } });
    const t0 = await e.engine.request({ type: 'tick' });
    const t1 = await e.engine.request({ type: 'tick' });
    const cache = e.host.session!.cache.length;
    const same = await e.engine.request({ type: 'resample', index: 0, sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 5 });
    assert.deepEqual(same, t0.sample, 'the same settings give the same draw');
    const greedy = await e.engine.request({ type: 'resample', index: 1, sampling: { temperature: 0, topK: 0, topP: 1 }, seed: 5 });
    assert.equal(greedy.id, t1.sample.candidates[0].id);
    assert.equal(greedy.draw, null);
    assert.equal(greedy.logSumExp, null);
    assert.equal(greedy.chosenInterval, null);
    assert.equal(greedy.keptTopP, 1);
    const hot = await e.engine.request({ type: 'resample', index: 1, sampling: { temperature: 2, topK: 5, topP: 1 }, seed: 9 });
    assert.equal(hot.draw, tickDraw(9, 1));
    assert.equal(hot.keptTopK, 5);
    assert.ok(hot.candidates[0].prob < t1.sample.candidates[0].prob, 'a higher temperature flattens the distribution');
    assert.equal(e.host.session!.cache.length, cache, 'no forward pass ran');
    assert.equal(e.host.session!.ticks, 2);
    await assert.rejects(e.engine.request({ type: 'resample', index: 7, sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 1 }), /not kept/);
    await assert.rejects(e.engine.request({ type: 'resample', index: 1, sampling: { temperature: 1, topK: 301, topP: 1 }, seed: 1 }), /top-k/);
  });

  it('a traced tick returns attention rows (each sums to 1, causal) and the logit lens per layer', async () => {
    await e.engine.request({ type: 'start', prompt: 'abc', seed: 1, sampling: { temperature: 1, topK: 0, topP: 1 } });
    const t0 = await e.engine.request({ type: 'tick', trace: { attention: true, lens: 3 } });
    const t1 = await e.engine.request({ type: 'tick', trace: { attention: true } });
    const tr0 = t0.trace!;
    assert.equal(tr0.attention.length, smallConfig.n_layer);
    const [H, T, K] = tr0.attention[0].shape;
    assert.deepEqual([H, T, K], [smallConfig.n_head, t0.fed, t0.fed]);
    for (let h = 0; h < H; h++) {
      for (let q = 0; q < T; q++) {
        const row = tr0.attention[0].data.subarray((h * T + q) * K, (h * T + q + 1) * K);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        for (let k = q + 1; k < K; k++) assert.equal(row[k], 0, 'no position attends to the future');
      }
    }
    assert.equal(tr0.lens.length, smallConfig.n_layer);
    assert.equal(tr0.lens[1].positions.length, t0.fed);
    assert.equal(tr0.lens[1].positions[0].length, 3);
    assert.deepEqual(t1.trace!.attention[1].shape, [smallConfig.n_head, 1, t0.fed + 1], 'a decode tick adds one row over every cached key');
    assert.deepEqual(t1.trace!.lens, []);
  });

  it('verifyWeights reads the weights back after the tick: the checksum equals the one at load', async () => {
    const t = await e.engine.request({ type: 'tick', verifyWeights: true });
    assert.equal(t.weightsVerified, e.info.checksum);
    assert.equal(t.weightsChecksum, e.info.checksum);
  });

  it('intervene runs the latest tick\'s sequence with a head off, draws with the same dice, and leaves the session untouched', async () => {
    const sampling = { temperature: 1, topK: 0, topP: 1 };
    const run = async (intervene: boolean) => {
      await e.engine.request({ type: 'start', prompt: 'the clock ticks', seed: 3, sampling });
      await e.engine.request({ type: 'tick' });
      const latest = await e.engine.request({ type: 'tick', trace: { lens: 5 } });
      const r = intervene ? await e.engine.request({ type: 'intervene', heads: [[1, 0]], trace: { heads: true } }) : null;
      const plain = intervene ? await e.engine.request({ type: 'intervene', untouchedLens: true }) : null;
      const next = await e.engine.request({ type: 'tick' });
      return { latest, r, plain, next };
    };
    const { latest, r, plain, next } = await run(true);
    const without = await run(false);
    assert.deepEqual(next, { ...without.next, ms: next.ms }, 'the next tick is the one a session without the intervention runs');
    assert.ok(r && plain);
    assert.equal(r.tick, latest.index);
    assert.equal(r.positions, latest.cacheLength);
    assert.equal(r.sample.draw, tickDraw(3, latest.index), 'the latest tick\'s dice');
    assert.equal(r.checksum, e.info.checksum);
    assert.equal(r.weightsVerified, e.info.checksum, 'the weights were never changed');
    const heads = r.trace!.detail!.find((d) => d.layer === 1)!;
    const [, T] = heads.shape;
    assert.ok(heads.heads!.subarray(0, T * heads.headDim).every((v) => v === 0), 'head 1.0 outputs zeros');
    assert.equal(r.lens.length, smallConfig.n_layer);
    assert.ok(r.lens.every((l) => l.positions.length === 1 && l.positions[0].length === 5));
    for (let i = 1; i < r.changes.length; i++) assert.ok(Math.abs(r.changes[i - 1].delta) >= Math.abs(r.changes[i].delta));
    for (const c of r.changes) {
      const cand = r.sample.candidates.find((x) => x.id === c.id);
      if (cand) assert.ok(Math.abs(cand.prob - c.after) < 1e-12);
      assert.ok(Math.abs(c.after - c.before - c.delta) < 1e-15);
    }
    // (A small random model spreads its probability thinly: the change is small, but far above the rounding of an untouched rerun.)
    assert.ok(Math.abs(r.changes[0].delta) > 1e3 * Math.abs(plain.changes[0].delta), 'switching a head off moves some probability');
    // With nothing switched off the run reproduces the latest tick: the same token, the same lens, Δp at float32 rounding.
    assert.equal(plain.sample.id, latest.id);
    assert.ok(Math.abs(plain.changes[0].delta) < 1e-6, `|Δp| ${plain.changes[0].delta}`);
    assert.deepEqual(plain.lens.map((l) => l.positions[0].map((g) => g.id)), latest.trace!.lens.map((l) => l.positions.at(-1)!.map((g) => g.id)));
    assert.deepEqual(plain.untouchedLens, plain.lens, 'the untouched lens is the lens of a run with nothing switched off');
    assert.equal(r.untouchedLens, undefined);
    await assert.rejects(e.engine.request({ type: 'intervene', skipBlocks: [smallConfig.n_layer] }), /skipped block/);
    await e.engine.request({ type: 'start', prompt: 'x', seed: 1, sampling });
    await assert.rejects(e.engine.request({ type: 'intervene', heads: [[0, 0]] }), /run a tick first/);
  });

  it('cancel drops the queued ticks and leaves the running one and other requests alone', async () => {
    await e.engine.request({ type: 'start', prompt: 'abc', seed: 1, sampling: { temperature: 1, topK: 0, topP: 1 } });
    const ticks = [1, 2, 3].map(() => e.engine.request({ type: 'tick' }));
    const tok = e.engine.request({ type: 'tokenize', text: 'ab' });
    const c = await e.engine.cancel();
    const results = await Promise.allSettled(ticks);
    assert.equal(c.cancelled, 2);
    assert.equal(results[0].status, 'fulfilled');
    for (const r of results.slice(1)) assert.ok(r.status === 'rejected' && r.reason instanceof CancelledError);
    assert.ok((await tok).tokens.length >= 1);
    assert.equal(e.host.session!.ticks, 1);
  });
  it('tokenFirst: a traced tick sends its token before its answer, the same tick without trace; the answer adds the trace and the time it took', async () => {
    const sampling = { temperature: 0.8, topK: 0, topP: 1 };
    await e.engine.request({ type: 'start', prompt: 'the clock', seed: 9, sampling });
    for (let i = 0; i < 3; i++) {
      const events: string[] = [];
      let drawn: TickSummary | null = null;
      const answer = e.engine.request({ type: 'tick', trace: { attention: true, lens: 3 }, tokenFirst: true, candidates: 6 }, {
        onDrawn: (d) => {
          drawn = d;
          events.push('drawn');
        },
      });
      void answer.then(() => events.push('answer'));
      const t = await answer;
      await Promise.resolve();
      assert.deepEqual(events, ['drawn', 'answer']);
      const d = drawn! as TickSummary;
      assert.equal(d.trace, undefined);
      assert.ok(t.trace && t.trace.lens.length === smallConfig.n_layer && t.trace.attention.length === smallConfig.n_layer);
      const { trace: _t, ms, ...rest } = t;
      const { ms: dms, ...drest } = d;
      assert.deepEqual(drest, rest, 'the same token, draw and candidates');
      assert.equal(dms.forward, ms.forward);
      assert.ok(ms.trace > 0 && dms.trace === 0 && ms.total > dms.total);
    }
    // Without a trace, or without tokenFirst, nothing comes before the answer.
    const never = () => assert.fail('no early token was asked for');
    await e.engine.request({ type: 'tick', tokenFirst: true }, { onDrawn: never });
    await e.engine.request({ type: 'tick', trace: { lens: 2 } }, { onDrawn: never });
  });
});
