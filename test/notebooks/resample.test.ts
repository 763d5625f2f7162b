// Re-drawing a tick on the page (notebooks/resample.ts) gives exactly the engine's own resample:
// every number, for temperatures, filters, seeds and greedy; a draw whose token text the page
// lacks is left to the engine; a tick without logits is not drawn on the page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TickSummary } from '../../engine/protocol.ts';
import { resampleOnPage } from '../../notebooks/resample.ts';
import { smallEngine } from './small-model.ts';

describe('resampleOnPage', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  const ticks: TickSummary[] = [];

  before(async () => {
    e = await smallEngine();
    await e.engine.request({ type: 'start', prompt: 'hello there', seed: 42, sampling: { temperature: 0.8, topK: 0, topP: 1 } });
    for (let i = 0; i < 3; i++) ticks.push(await e.engine.request({ type: 'tick', logits: true }));
  });
  after(async () => {
    await e?.cleanup();
  });

  it('a tick asked for its logits brings them and their order (copies of the engine’s)', () => {
    const t = ticks[2];
    assert.ok(t.logits instanceof Float32Array && t.order instanceof Uint32Array);
    assert.deepEqual(t.logits, e.host.tickLogits(2));
    assert.notEqual(t.logits, e.host.tickLogits(2));
    assert.equal(t.order.length, t.logits.length);
  });

  it('equals the engine’s resample, number for number', async () => {
    const cases = [
      { temperature: 0.8, topK: 0, topP: 1 }, { temperature: 0.5, topK: 0, topP: 1 }, { temperature: 2, topK: 0, topP: 1 },
      { temperature: 1, topK: 5, topP: 1 }, { temperature: 1.3, topK: 0, topP: 0.5 }, { temperature: 0.7, topK: 10, topP: 0.9 }, { temperature: 0, topK: 0, topP: 1 },
    ];
    let compared = 0;
    for (const t of ticks) {
      for (const sampling of cases) {
        for (const seed of [42, 7]) {
          const here = resampleOnPage(t, sampling, seed);
          const there = await e.engine.request({ type: 'resample', index: t.index, sampling, seed });
          if (here === null) continue; // a token far down the order: the engine answers
          assert.deepEqual(here, there, `tick ${t.index}, ${JSON.stringify(sampling)}, seed ${seed}`);
          compared++;
        }
      }
    }
    assert.equal(compared, ticks.length * cases.length * 2, 'this model’s whole vocabulary is within the texts a tick sends');
  });

  it('leaves to the engine what it cannot draw here', () => {
    const { logits: _l, order: _o, ...bare } = ticks[0];
    assert.equal(resampleOnPage(bare, { temperature: 1, topK: 0, topP: 1 }, 42), null, 'no logits');
    // Without the texts past the tick's own candidates, a draw far down the order has no name here.
    const { texts: _t, ...few } = ticks[0];
    assert.equal(resampleOnPage(few, { temperature: 1, topK: 0, topP: 1 }, 42, 200), null, 'unknown texts');
    assert.equal(resampleOnPage(ticks[0], { temperature: 1, topK: 100000, topP: 1 }, 42), null, 'refused settings');
  });
});
