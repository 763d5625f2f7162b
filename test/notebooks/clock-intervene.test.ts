// The page's clock removes a part of the model from a tick on (notebooks/clock.ts intervene) on a
// real engine: the run goes back to that tick and goes on with the part removed, the untouched run
// going on beside it tick for tick (the engine's second session); the first intervened tick is the
// one the one-tick experiment shows; Back gives the untouched run as far as it went, bit for bit,
// and so does a fresh run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, type ClockState } from '../../notebooks/clock.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import { smallEngine } from './small-model.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(5);
});
after(async () => env.cleanup());

const settings = () => ({ sampling: { temperature: 1.5, topK: 0, topP: 1 }, seed: 4 });
/** What a tick shows: its token, its probability, its candidates' probabilities. */
const shown = (t: TickSummary) => ({ index: t.index, id: t.id, prob: t.prob, candidates: t.sample.candidates.map((c) => [c.id, c.prob]) });

/** Resolves when, after some change from now, the clock has `n` ticks and is idle. */
function settled(clock: Clock, n: number): Promise<ClockState> {
  return new Promise((done) => {
    let now = true;
    const off = clock.subscribe((s) => {
      if (!now && s.ticks.length === n && !s.playing && !s.busy) {
        queueMicrotask(() => off());
        done(s);
      }
    });
    now = false;
  });
}

for (const part of [{ heads: [[1, 1]] as [number, number][] }, { skipBlocks: [0] }]) {
  test(`intervene from the latest tick (${JSON.stringify(part)}): the part stays removed, the untouched run goes on beside it, Back restores it bit for bit`, async () => {
    const clock = await Clock.create(env.engine, env.info, 'a b c', settings);
    clock.playUntil(4);
    const original = await settled(clock, 4);
    const once = await env.engine.request({ type: 'intervene', ...part, candidates: 5 });
    assert.equal(once.tick, 3);

    const on = settled(clock, 4);
    await clock.intervene(3, part);
    const s = await on;
    assert.deepEqual(s.ticks.slice(0, 3).map(shown), original.ticks.slice(0, 3).map(shown), 'ticks before it are untouched');
    assert.equal(s.intervention?.from, 3);
    assert.deepEqual(s.intervention?.untouched.map(shown), original.ticks.slice(3).map(shown), 'the untouched run beside it is the run it left, bit for bit');
    assert.deepEqual(s.ticks[3].intervention, { heads: part.heads ?? [], skipBlocks: part.skipBlocks ?? [] });
    assert.equal(s.ticks[3].id, once.sample.id, 'its first tick chose what the one-tick experiment chose');
    assert.ok(Math.abs(s.ticks[3].prob - once.sample.prob) < 1e-5);
    assert.equal(s.ticks[3].draw, original.ticks[3].draw, 'the same dice');
    assert.equal(s.left?.at, 3);

    const more = settled(clock, 7);
    clock.playUntil(7);
    const m = await more;
    const untouched = m.intervention!.untouched;
    assert.deepEqual(untouched.map((t) => t.index), [3, 4, 5, 6]);
    assert.ok(m.ticks.slice(3).every((t) => t.intervention), 'every later tick runs with the part removed');
    assert.ok(untouched.every((t) => !t.intervention && !t.untouched));
    assert.ok(m.ticks.slice(3).some((t, i) => t.prob !== untouched[i].prob), 'the two runs differ');

    const backing = settled(clock, 7);
    await clock.back();
    const back = await backing;
    assert.equal(back.intervention, null);
    assert.equal(back.left, null);
    assert.deepEqual(back.ticks.slice(3).map(shown), untouched.map(shown), 'Back gives the untouched run as far as it went');
    assert.ok(back.ticks.every((t) => !t.intervention));

    const resetting = settled(clock, 7);
    await clock.reset();
    clock.playUntil(7);
    assert.deepEqual((await resetting).ticks.map(shown), back.ticks.map(shown), 'Reset and a fresh run: the same');
    await assert.rejects(clock.intervene(9, part), /no tick 9/);
    clock.dispose();
  });
}
