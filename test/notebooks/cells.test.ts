// The shared cells' clock wiring: charts are told of ticks, not of a tick starting, and the clock
// leaves a performance mark with the engine's time when a tick's answer arrives (bench/notebook.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartChanges } from '../../notebooks/cells.ts';
import { Clock, TICK_MARK, type ClockState } from '../../notebooks/clock.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo, TickSummary } from '../../engine/protocol.ts';

/** An engine that answers `start` and `tick` at once, with just what the clock reads. */
function fakeEngine(): Engine {
  let index = 0;
  return {
    request: (async (req: { type: string }) => {
      if (req.type === 'start') return { promptTokens: [], tokens: [] };
      if (req.type === 'tick') return { index: index++, ms: { forward: 2, sample: 1, total: 3 } } as unknown as TickSummary;
      throw new Error(`unexpected ${req.type}`);
    }) as Engine['request'],
    cancel: async () => ({ cancelled: 0 }),
  };
}

const info = { config: { n_positions: 64 } } as unknown as ModelInfo;
const settings = () => ({ sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 1 });

test('chartChanges passes on every state but a tick starting; the status sees them all', async () => {
  const clock = await Clock.create(fakeEngine(), info, 'x', settings);
  const all: ClockState[] = [];
  const charts: ClockState[] = [];
  clock.subscribe((s) => all.push(s));
  clock.subscribe(chartChanges((s) => charts.push(s)));
  await clock.tick();
  await clock.tick();
  assert.deepEqual(all.map((s) => [s.ticks.length, s.busy]), [[0, false], [0, true], [1, false], [1, true], [2, false]]);
  assert.deepEqual(charts.map((s) => [s.ticks.length, s.busy]), [[0, false], [1, false], [2, false]]);
  // Pause while a tick runs changes what a chart may show (chapter 7 waits while playing or busy).
  clock.play();
  await new Promise((r) => setTimeout(r, 5));
  await clock.pause();
  assert.ok(charts.some((s) => s.playing), 'Play reaches the charts');
  assert.equal(charts.at(-1)!.playing, false);
  clock.dispose();
});

test('a tick’s answer leaves the tick mark with its index and the engine’s time, only the latest kept', async () => {
  const clock = await Clock.create(fakeEngine(), info, 'x', settings);
  await clock.tick();
  await clock.tick();
  const marks = performance.getEntriesByName(TICK_MARK);
  assert.equal(marks.length, 1);
  assert.deepEqual((marks[0] as PerformanceMark).detail, { index: 1, engineMs: 3 });
  clock.dispose();
});

test('Play that fails outside the engine (a listener throws) stops and says why; it never looks as if it still runs', async () => {
  const clock = await Clock.create(fakeEngine(), info, 'x', settings);
  let throwing = true;
  clock.subscribe((s) => {
    if (throwing && s.busy) throw new Error('a chart failed');
  });
  clock.play(false);
  await new Promise((r) => setTimeout(r, 20));
  throwing = false;
  assert.equal(clock.current.playing, false);
  assert.equal(clock.current.busy, false);
  assert.equal(clock.current.error, 'a chart failed');
  clock.dispose();
});
