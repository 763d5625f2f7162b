// The whole-tick map's data (notebooks/whole-tick.ts) from a real engine's ticks: the fed tokens
// and their positions, the embedding's lengths, each block's attention row of the newest position
// per head and the residual stream's length and change, all read back from the tick's trace and
// recomputed here in float64; the draw is the tick's own, or the resample given.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { smallConfig, smallEngine } from './small-model.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { WHOLE_TICK_TRACE, wholeTickData } from '../../notebooks/whole-tick.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(3);
});
after(async () => env.cleanup());

const norm = (a: ArrayLike<number>, from: number, C: number) => {
  let s = 0;
  for (let i = 0; i < C; i++) s += a[from + i] ** 2;
  return Math.sqrt(s);
};

test('each stage of the map is read from the tick: tokens and positions, lengths, attention rows, the draw', async () => {
  const { engine, info } = env;
  const { tokens } = await engine.request({ type: 'start', prompt: 'a b c d', seed: 1, sampling: { temperature: 1, topK: 0, topP: 1 } });
  const ticks: TickSummary[] = [];
  for (let i = 0; i < 3; i++) ticks.push(await engine.request({ type: 'tick', trace: WHOLE_TICK_TRACE }));
  const C = smallConfig.n_embd;
  for (const k of [0, 2]) {
    const t = ticks[k];
    const d = wholeTickData(info.config, info.checksum, tokens, ticks, k);
    const last = t.fed - 1;
    assert.equal(d.tick!.index, k);
    assert.equal(d.tick!.same, true);
    assert.equal(d.tokenCount, tokens.length + k);
    assert.deepEqual(d.tokens.filter((x) => x.fed).map((x) => x.position), Array.from({ length: Math.min(t.fed, 8) }, (_, i) => t.position + t.fed - Math.min(t.fed, 8) + i));
    assert.equal(d.tokens.at(-1)!.id, k === 0 ? tokens.at(-1)!.id : ticks[k - 1].id);
    const e = t.trace!.embeddings!;
    assert.ok(Math.abs(d.embedding!.sum - norm(e.sum, last * C, C)) < 1e-9);
    assert.ok(Math.abs(d.embedding!.token - norm(e.token, last * C, C)) < 1e-9);
    let prev = Array.from(e.sum.subarray(last * C, (last + 1) * C));
    for (let l = 0; l < smallConfig.n_layer; l++) {
      const res = t.trace!.layers!.find((x) => x.layer === l)!.residual!;
      const row = Array.from(res.subarray(last * C, (last + 1) * C));
      const b = d.blocks[l]!;
      assert.ok(Math.abs(b.norm - Math.hypot(...row)) < 1e-6);
      assert.ok(Math.abs(b.delta - Math.hypot(...row.map((x, i) => x - prev[i]))) < 1e-6);
      prev = row;
      const att = t.trace!.attention.find((x) => x.layer === l)!;
      const [H, Tq, K] = att.shape;
      assert.equal(b.attention!.rows.length, H);
      for (let h = 0; h < H; h++) {
        const want = Array.from(att.data.subarray((h * Tq + Tq - 1) * K, (h * Tq + Tq) * K));
        assert.deepEqual(b.attention!.rows[h], want);
        const top = b.attention!.top[h];
        assert.equal(top.weight, Math.max(...want));
        assert.equal(top.position, want.indexOf(top.weight));
      }
    }
    assert.equal(d.draw!.chosen.id, t.id);
    assert.equal(d.draw!.candidates[0].prob, t.sample.candidates[0].prob);
    assert.equal(d.appended!.position, t.position + t.fed);
    assert.equal(d.logits!.max, t.sample.candidates[0].logit);
  }
  const re = await engine.request({ type: 'resample', index: 2, sampling: { temperature: 2, topK: 3, topP: 1 }, seed: 1, candidates: 8 });
  const d = wholeTickData(info.config, info.checksum, tokens, ticks, 2, re);
  assert.deepEqual(d.draw!.candidates.map((c) => c.prob), re.candidates.slice(0, 8).map((c) => c.prob));
  assert.equal(d.draw!.kept, 3);
  assert.equal(d.draw!.temperature, 2);
  const none = wholeTickData(info.config, info.checksum, tokens, [], null);
  assert.equal(none.tick, null);
  assert.equal(none.shape.layers, smallConfig.n_layer);
});
