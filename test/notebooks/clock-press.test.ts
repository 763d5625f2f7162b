// Next token pressed while a tick runs is kept (Clock.press), on a real engine: three quick presses
// give three ticks, in order, the same ones three presses one at a time give; the status line says
// how many are waiting; the charts' feed does not redraw for a press; Reset and Play drop the
// presses still waiting; more than MAX_QUEUED are not kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, MAX_QUEUED, type ClockState } from '../../notebooks/clock.ts';
import { chartChanges, describeState } from '../../notebooks/cells.ts';
import { smallEngine } from './small-model.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(13);
});
after(async () => env.cleanup());

const settings = () => ({ sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 4 });
const trace = { attention: true };

/** Resolves once the clock has `n` ticks and nothing runs or waits. */
const settled = (clock: Clock, n: number) => new Promise<void>((resolve) => {
  const off = clock.subscribe((s) => {
    if (s.ticks.length >= n && !s.busy && s.queued === 0) {
      queueMicrotask(() => off());
      resolve();
    }
  });
});

test('presses of Next token while a tick runs are kept and run in order, the same ticks as one press at a time', async () => {
  const one = await Clock.create(env.engine, env.info, 'a b c', settings, { trace });
  for (let i = 0; i < 4; i++) await one.tick();
  const want = one.current.ticks.map((t) => t.id);
  one.dispose();

  const clock = await Clock.create(env.engine, env.info, 'a b c', settings, { trace });
  const states: ClockState[] = [];
  const charts: ClockState[] = [];
  clock.subscribe((s) => states.push(s));
  clock.subscribe(chartChanges((s) => charts.push(s)));
  for (let i = 0; i < 4; i++) clock.press(); // all before the first tick answers
  assert.ok(clock.current.busy, 'the first press runs at once');
  assert.equal(clock.current.queued, 3, 'the other three wait');
  const line = describeState(clock.current, env.info);
  assert.match(line, /3 more presses of Next token wait their turn/);
  assert.match(line, /The first tick is running\./, 'not "Press Next token to run the first tick" while it runs');
  await settled(clock, 4);
  assert.deepEqual(clock.current.ticks.map((t) => t.id), want, 'the same tokens as four presses one at a time');
  assert.deepEqual(clock.current.ticks.map((t) => t.index), [0, 1, 2, 3]);
  assert.deepEqual(states.map((s) => s.queued).filter((q, i, all) => q !== all[i - 1]), [0, 1, 0, 1, 2, 3, 2, 1, 0]); // the first press runs at once
  assert.ok(!describeState(clock.current, env.info).includes('wait'), 'nothing waits: the line does not say so');
  // The charts redraw for ticks, not for presses.
  assert.deepEqual(charts.map((s) => s.ticks.length), [0, 1, 2, 3, 4]);
  clock.dispose();
});

test('Reset and Play drop the presses still waiting; more than MAX_QUEUED presses are not kept', async () => {
  const clock = await Clock.create(env.engine, env.info, 'a b c', settings, { trace });
  for (let i = 0; i < MAX_QUEUED + 5; i++) clock.press();
  assert.equal(clock.current.queued, MAX_QUEUED);
  await clock.reset();
  assert.equal(clock.current.queued, 0);
  assert.equal(clock.current.ticks.length, 0);
  // Nothing left over runs after the reset.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(clock.current.ticks.length, 0);
  assert.equal(clock.current.busy, false);

  clock.press();
  clock.press();
  clock.play(false);
  assert.equal(clock.current.queued, 0, 'Play runs its own ticks');
  await new Promise((r) => setTimeout(r, 200));
  await clock.pause();
  await new Promise((r) => setTimeout(r, 100));
  const n = clock.current.ticks.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(clock.current.ticks.length, n, 'no press runs after Pause');
  clock.press(); // and a press after it ticks as usual
  await settled(clock, n + 1);
  assert.equal(clock.current.ticks.length, n + 1);
  clock.dispose();
});
