// The page's clock forks a run (notebooks/clock.ts fork/back) on a real engine: the ticks before
// the fork stay, the forced tick appends the reader's token, the run goes on as long as it was,
// and Back gives the original run again. A clock started with the fork's forced tokens (a shared
// link) makes the same branch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, type ClockState } from '../../notebooks/clock.ts';
import { smallEngine } from './small-model.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(5);
});
after(async () => env.cleanup());

const settings = () => ({ sampling: { temperature: 1.2, topK: 0, topP: 1 }, seed: 9 });
const ids = (s: ClockState) => s.ticks.map((t) => t.id);

/** Resolves when, after some change from now, the clock has `n` ticks and is idle. */
function settled(clock: Clock, n: number): Promise<ClockState> {
  return new Promise((done) => {
    let now = true; // subscribe calls at once with the state as it is: not a change
    const off = clock.subscribe((s) => {
      if (!now && s.ticks.length === n && !s.playing && !s.busy) {
        queueMicrotask(() => off());
        done(s);
      }
    });
    now = false;
  });
}

test('fork at tick 2: earlier ticks kept, the forced token appended, as many ticks as before; Back restores the run; a link’s forced tokens replay the branch', async () => {
  const clock = await Clock.create(env.engine, env.info, 'a b c', settings);
  clock.playUntil(6);
  const original = ids(await settled(clock, 6));

  const chosen = clock.current.ticks[2];
  const other = chosen.sample.candidates.find((c) => c.id !== chosen.id)!;
  const forking = settled(clock, 6);
  await clock.fork(2, other.id);
  const branch = await forking;
  assert.deepEqual(ids(branch).slice(0, 2), original.slice(0, 2), 'ticks before the fork are untouched');
  assert.equal(branch.ticks[2].id, other.id);
  assert.equal(branch.ticks[2].forced, true);
  assert.equal(branch.ticks[2].draw, chosen.draw, 'the same dice');
  assert.deepEqual(branch.forced, [[2, other.id]]);
  assert.deepEqual(branch.left?.at, 2);
  assert.deepEqual(branch.left?.ticks.map((t) => t.id), original);
  assert.ok(branch.ticks.slice(3).every((t) => !t.forced));

  const backing = settled(clock, 6);
  await clock.back();
  const back = await backing;
  assert.deepEqual(ids(back), original, 'Back recomputes the original run');
  assert.deepEqual(back.forced, []);
  assert.equal(back.left, null);
  clock.dispose();

  const linked = await Clock.create(env.engine, env.info, 'a b c', settings, { forced: [[2, other.id]] });
  linked.playUntil(6);
  assert.deepEqual(ids(await settled(linked, 6)), ids(branch), 'a link with the forced token makes the same branch');
  await assert.rejects(linked.fork(9, 1), /no tick 9/);
  linked.dispose();
});
