// The page's clock reads the weights back after each tick (ClockOptions.verifyWeights) on a real
// engine, off the tick's own path: the tick's answer comes without the read-back, which follows as
// its own request and lands in `verified[tick]`. The charts' feed (chartChanges) does not pass on a
// state where only that changed; weightsVerified's feed (verifiedChanges) passes on only those.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, withVerified, type ClockState } from '../../notebooks/clock.ts';
import { chartChanges, verifiedChanges } from '../../notebooks/cells.ts';
import type { Engine } from '../../engine/engine.ts';
import { smallEngine } from './small-model.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(7);
});
after(async () => env.cleanup());

const settings = () => ({ sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 3 });

/** The engine, with every request's type recorded in order. */
function recorded(engine: Engine, log: string[]): Engine {
  return {
    request: ((req: { type: string; verifyWeights?: boolean }) => {
      log.push(req.type + (req.verifyWeights ? '+verify' : ''));
      return engine.request(req as Parameters<Engine['request']>[0]);
    }) as Engine['request'],
    cancel: () => engine.cancel(),
  };
}

test('each tick is answered without its read-back, which follows and equals the checksum at load; the charts are not redrawn for it', async () => {
  const log: string[] = [];
  const clock = await Clock.create(recorded(env.engine, log), env.info, 'a b', settings, { verifyWeights: true });
  const charts: ClockState[] = [];
  const verified: ClockState['verified'][] = [];
  clock.subscribe(chartChanges((s) => charts.push(s)));
  clock.subscribe(verifiedChanges((v) => verified.push(v)));
  for (let i = 0; i < 3; i++) {
    const t = await clock.tick();
    assert.ok(t && t.weightsVerified === undefined, 'the tick does not wait for the read-back');
    assert.equal(clock.current.verified[i], undefined, 'not read back yet when the tick is shown');
    assert.equal(await clock.verifiedAfter(i), env.info.checksum);
  }
  assert.deepEqual(log, ['start', 'tick', 'verifyChecksum', 'tick', 'verifyChecksum', 'tick', 'verifyChecksum']);
  assert.deepEqual(clock.current.verified, [env.info.checksum, env.info.checksum, env.info.checksum]);
  // Charts: the empty state, then one state per tick; none for the read-backs.
  assert.deepEqual(charts.map((s) => s.ticks.length), [0, 1, 2, 3]);
  // weightsVerified: the empty list, then one more checksum after each tick.
  assert.deepEqual(verified.map((v) => v.filter(Boolean).length), [0, 1, 2, 3]);
  assert.deepEqual(withVerified(clock.current.ticks, clock.current.verified).map((t) => t.weightsVerified), clock.current.verified);

  // A fork cuts the read-backs with the ticks, and the recomputed ticks are read back again.
  const other = clock.current.ticks[1].sample.candidates.find((c) => c.id !== clock.current.ticks[1].id)!;
  await clock.fork(1, other.id);
  await new Promise<void>((done) => {
    const off = clock.subscribe((s) => {
      if (s.ticks.length === 3 && !s.playing && !s.busy && s.verified.filter(Boolean).length === 3) {
        queueMicrotask(() => off());
        done();
      }
    });
  });
  assert.deepEqual(clock.current.verified, [env.info.checksum, env.info.checksum, env.info.checksum]);

  // Reset starts a run without read-backs.
  await clock.reset();
  assert.deepEqual(clock.current.verified, []);
  await assert.rejects(clock.verifiedAfter(0), /no weights read back after tick 0/);
  clock.dispose();
});

test('without verifyWeights no read-back is asked for', async () => {
  const log: string[] = [];
  const clock = await Clock.create(recorded(env.engine, log), env.info, 'a b', settings);
  await clock.tick();
  await clock.tick();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(log, ['start', 'tick', 'tick']);
  assert.deepEqual(clock.current.verified, []);
  clock.dispose();
});
