// The wire converters, on plain arrays and a tiny tokenizer, without tfjs: a draw described with
// its normaliser and dice stretch, a trace's tensors as rows, BPE words with their bytes, a tick
// record trimmed for the page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Trace } from '../../model/gpt2.ts';
import { distribution, sample, stageProbs, type SamplingParams } from '../../model/sampler.ts';
import type { TickRecord } from '../../model/tick.ts';
import { byteToSymbol, Tokenizer } from '../../model/tokenizer.ts';
import { bpeWords, describeDraw, logSumExp, probChanges, softmaxEntropy, tickSummary, tokenInfo, traceForPage } from '../../engine/wire.ts';

/** Every byte, then the merges that spell "hello". */
function tinyTokenizer(): Tokenizer {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[byteToSymbol(b)] = b;
  const merges = ['#version: 0.2', 'h e', 'l l', 'he ll', 'hell o'];
  for (const line of merges.slice(1)) vocab[line.replace(' ', '')] = Object.keys(vocab).length;
  return new Tokenizer(vocab, merges.join('\n') + '\n');
}

const tok = tinyTokenizer();
const flat = (n: number, f = (i: number) => i) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('wire', () => {
  it('needs no tfjs: every import is a type, or the pure sampler', () => {
    const src = readFileSync(new URL('../../engine/wire.ts', import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^import (type )?[^;]*? from '([^']+)';/gms)];
    assert.ok(imports.length > 0);
    for (const [line, isType, from] of imports) assert.ok(isType || from === '../model/sampler.ts', line);
    assert.doesNotMatch(readFileSync(new URL('../../model/sampler.ts', import.meta.url), 'utf8'), /^import /m);
  });

  it('the normaliser equals the sampler’s own softmax', () => {
    const z = [0.1, 0.2, 0.3, 0.4];
    const d = distribution(z, { temperature: 1, topK: 0, topP: 1 });
    const lse = logSumExp(z, 1);
    for (let r = 0; r < 4; r++) assert.ok(Math.abs(Math.exp(z[d.order[r]] - lse) - d.probs[r]) < 1e-15);
  });

  it('softmaxEntropy is −Σ p ln p of the sampler’s own softmax: ln V when flat, near 0 when one logit dominates', () => {
    const z = flat(50, (i) => Math.sin(i) * 3);
    for (const T of [0.5, 1, 2]) {
      const p = stageProbs(distribution(z, { temperature: T, topK: 0, topP: 1 }), 'temperature');
      const naive = -Array.from(p).reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);
      assert.ok(Math.abs(softmaxEntropy(z, T) - naive) < 1e-6, `T = ${T}`);
    }
    assert.ok(softmaxEntropy(z, 0.5) < softmaxEntropy(z, 1) && softmaxEntropy(z, 1) < softmaxEntropy(z, 2));
    assert.ok(Math.abs(softmaxEntropy(flat(64, () => 1.5), 1) - Math.log(64)) < 1e-12);
    assert.ok(softmaxEntropy(flat(64, (i) => (i === 3 ? 100 : 0)), 1) < 1e-30);
    const s = sample(z, { temperature: 1, topK: 0, topP: 1 }, 0.3);
    assert.equal(describeDraw(0, 1, { temperature: 1, topK: 0, topP: 1 }, z, s, tok).entropy, softmaxEntropy(z, 1));
  });

  it('tokenInfo gives a token its id, text and bytes as a plain array; a partial character is said so', () => {
    assert.deepEqual(tokenInfo(tok, 104), { id: 104, text: 'h', bytes: [104], complete: true });
    const partial = tokenInfo(tok, 0xe4);
    assert.deepEqual(partial.bytes, [0xe4]);
    assert.ok(Array.isArray(partial.bytes));
    assert.equal(partial.complete, false);
    assert.equal(partial.text, '<0xE4>');
  });

  it('bpeWords spells out every word: its bytes, one symbol per byte, each merge, its tokens', () => {
    const [w] = bpeWords(tok, 'hello');
    assert.equal(w.text, 'hello');
    assert.deepEqual(w.bytes, [...new TextEncoder().encode('hello')]);
    assert.deepEqual(w.initial.map((s) => s.text), ['h', 'e', 'l', 'l', 'o']);
    assert.deepEqual(w.initial.map((s) => s.bytes), [[104], [101], [108], [108], [111]]);
    assert.deepEqual(w.steps.map((s) => s.rank), [0, 1, 2, 3]);
    assert.deepEqual(w.steps[0].pair, ['h', 'e']);
    assert.deepEqual(w.steps.at(-1)!.symbols, [{ text: 'hello', bytes: [104, 101, 108, 108, 111] }]);
    assert.deepEqual(w.tokens.map((t) => t.text), ['hello']);
    assert.equal(w.special, false);
    assert.deepEqual(bpeWords(tok, 'hello hello').map((x) => x.text), ['hello', ' hello']);
  });

  it('describeDraw: candidates best first, filters kept, renormaliser, the dice stretch holding the draw', () => {
    const logits = flat(8, (i) => [0.5, 2, -1, 1.5, 0, 3, -2, 1][i]);
    const sampling: SamplingParams = { temperature: 0.8, topK: 4, topP: 0.9 };
    const s = sample(logits, sampling, 0.37);
    const d = describeDraw(3, 7, sampling, logits, s, tok, 5);
    assert.equal(d.index, 3);
    assert.equal(d.seed, 7);
    assert.deepEqual(d.sampling, sampling);
    assert.notEqual(d.sampling, sampling, 'a copy of the settings');
    assert.deepEqual(d.candidates.map((c) => c.id), [5, 1, 3, 7, 0]);
    assert.deepEqual(d.candidates.map((c) => c.rank), [0, 1, 2, 3, 4]);
    assert.deepEqual(d.candidates.map((c) => c.kept), d.candidates.map((_, r) => r < d.keptTopP));
    for (const c of d.candidates) assert.ok(Math.abs(Math.exp(c.logit / 0.8 - d.logSumExp!) - c.prob) < 1e-6);
    assert.equal(d.keptTopK, 4);
    assert.equal(d.vocabSize, 8);
    const mass = d.candidates.slice(0, d.keptTopP).reduce((a, c) => a + c.prob, 0);
    assert.ok(Math.abs(mass - d.keptMass) < 1e-12);
    assert.equal(d.chosen.id, s.id);
    const [lo, hi] = d.chosenInterval!;
    assert.ok(lo <= 0.37 && 0.37 < hi);
    assert.ok(Math.abs(hi - lo - d.prob) < 1e-12);
    const greedy = describeDraw(0, 7, { temperature: 0, topK: 0, topP: 1 }, logits, sample(logits, { temperature: 0, topK: 0, topP: 1 }, 0.5), tok);
    assert.equal(greedy.id, 5);
    assert.equal(greedy.logSumExp, null);
    assert.equal(greedy.chosenInterval, null);
    assert.equal(greedy.candidates.length, 8, 'never more candidates than the vocabulary');
  });

  it('traceForPage: attention rows, attention arithmetic, layer outputs, embeddings and the lens, as the tensors’ data', () => {
    const T = 2, H = 2, d = 3, C = 4;
    const arr = (shape: number[]) => ({ shape, data: flat(shape.reduce((a, b) => a * b, 1)) });
    const trace: Trace = {
      start: 1,
      tokens: [104, 101],
      tokenEmbedding: arr([T, C]),
      positionEmbedding: arr([T, C]),
      embedding: arr([T, C]),
      layers: [
        { layer: 0, attention: arr([H, T, 3]), q: arr([H, T, d]), k: arr([H, T, d]), scores: arr([H, T, 3]), mlp: arr([T, 4 * C]), mlpIn: arr([T, 4 * C]), lens: { ids: [Int32Array.of(104, 101), Int32Array.of(111, 108)], probs: [Float32Array.of(0.5, 0.25), Float32Array.of(0.75, 0.125)] } },
        { layer: 1, q: arr([H, T, d]), residual: arr([T, C]) },
      ],
    };
    const out = traceForPage(trace, tok);
    assert.equal(out.start, 1);
    assert.deepEqual(out.tokens, [104, 101]);
    assert.deepEqual(out.attention.map((a) => [a.layer, a.shape]), [[0, [H, T, 3]]]);
    assert.equal(out.attention[0].data, trace.layers[0].attention!.data, 'the data is passed on, not copied');
    assert.deepEqual(out.lens, [{ layer: 0, positions: [[{ id: 104, text: 'h', prob: 0.5 }, { id: 101, text: 'e', prob: 0.25 }], [{ id: 111, text: 'o', prob: 0.75 }, { id: 108, text: 'l', prob: 0.125 }]] }]);
    assert.deepEqual(out.detail!.map((x) => [x.layer, x.shape, x.headDim, Object.keys(x).sort()]), [
      [0, [H, T, 3], d, ['headDim', 'k', 'layer', 'q', 'scores', 'shape']],
      [1, [H, T, trace.start + T], d, ['headDim', 'layer', 'q', 'shape']],
    ]);
    assert.deepEqual(out.layers!.map((l) => [l.layer, l.positions, Object.keys(l).sort()]), [
      [0, T, ['layer', 'mlp', 'mlpIn', 'positions']],
      [1, T, ['layer', 'positions', 'residual']],
    ]);
    assert.deepEqual(out.embeddings!.shape, [T, C]);
    assert.equal(out.embeddings!.sum, trace.embedding!.data);
    const bare = traceForPage({ start: 0, tokens: [1], layers: [{ layer: 0 }] }, tok);
    assert.deepEqual(bare, { start: 0, tokens: [1], attention: [], lens: [] }, 'nothing asked for, nothing sent');
  });

  it('tickSummary trims a tick record: bytes as arrays, the count of fed tokens, the top tokens after the filters, the draw described', () => {
    const logits = flat(tok.vocabSize, (i) => Math.sin(i));
    const sampling: SamplingParams = { temperature: 1, topK: 20, topP: 0.8 };
    const s = sample(logits, sampling, 0.25);
    const rec: TickRecord = {
      index: 2, kind: 'decode', fed: [104], position: 5, id: s.id, piece: { text: '<0xE4>', bytes: Uint8Array.of(0xe4), complete: false },
      text: '', pendingBytes: Uint8Array.of(0xe4), prob: s.prob, rank: s.rank, draw: s.draw, dist: s.dist, logits, sampling, seed: 9,
      ms: { forward: 1, sample: 0.5, trace: 0, total: 2 }, flops: 1000, cacheLength: 6, cacheBytes: 4096, window: null, weightsChecksum: 'abc', forced: false,
    };
    const t = tickSummary(rec, tok, 12);
    assert.equal(t.fed, 1);
    assert.deepEqual(t.piece, { text: '<0xE4>', bytes: [0xe4], complete: false });
    assert.deepEqual(t.pendingBytes, [0xe4]);
    assert.ok(Array.isArray(t.pendingBytes));
    const probs = stageProbs(s.dist, 'topP');
    assert.deepEqual(t.top, Array.from(s.dist.order.slice(0, 10), (id, r) => ({ id, text: tok.tokenPiece(id).text, prob: probs[r] })));
    assert.deepEqual(t.sample, describeDraw(2, 9, sampling, logits, s, tok, 12));
    assert.equal(t.sample.candidates.length, 12);
    assert.ok(!('weightsVerified' in t) && !('trace' in t));
    assert.equal(tickSummary(rec, tok, 1, 'abc').weightsVerified, 'abc');
    for (const k of ['index', 'kind', 'id', 'text', 'prob', 'rank', 'draw', 'ms', 'flops', 'position', 'cacheLength', 'cacheBytes', 'window', 'weightsChecksum'] as const) assert.deepEqual(t[k], rec[k], k);
  });
});

describe('probChanges', () => {
  it('lists the tokens whose probability moved most, over the whole vocabulary, largest |Δp| first', () => {
    const piece = { tokenPiece: (id: number) => ({ text: `t${id}`, bytes: new Uint8Array(), complete: true }) };
    const sampling = { temperature: 1, topK: 0, topP: 1 };
    const before = distribution([2, 1, 0, -1], sampling);
    const after = distribution([2, 1, 0, 3], sampling); // token 3 jumps from last to first
    const ch = probChanges(before, after, piece, 2);
    const p = (z: number[], i: number) => Math.exp(z[i]) / z.reduce((a, b) => a + Math.exp(b), 0);
    assert.deepEqual(ch.map((c) => c.id), [3, 0]);
    assert.equal(ch[0].text, 't3');
    assert.ok(Math.abs(ch[0].before - p([2, 1, 0, -1], 3)) < 1e-12);
    assert.ok(Math.abs(ch[0].after - p([2, 1, 0, 3], 3)) < 1e-12);
    assert.ok(ch[0].delta > 0 && ch[1].delta < 0);
    assert.equal(ch[0].delta, ch[0].after - ch[0].before);
  });
});
