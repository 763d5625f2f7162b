// The page's clock shows a traced tick's token before its trace (ClockOptions.tokenFirst), on a real
// engine: the state while the trace is read holds the drawn tick in `drawn` (not in `ticks`), the
// status line names its token, the charts' feed (chartChanges) skips that state, and the tick then
// lands with its trace. By default only a tick after a slow trace (or a session's first) asks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, TOKEN_FIRST_MS, type ClockState } from '../../notebooks/clock.ts';
import { chartChanges, describeState } from '../../notebooks/cells.ts';
import type { Engine } from '../../engine/engine.ts';
import { visibleText } from '../../components/text.ts';
import { smallEngine } from './small-model.ts';

let env: Awaited<ReturnType<typeof smallEngine>>;
before(async () => {
  env = await smallEngine(13);
});
after(async () => env.cleanup());

const settings = () => ({ sampling: { temperature: 1, topK: 0, topP: 1 }, seed: 4 });
const trace = { attention: true, lens: 3 };

/** The engine, with each tick's tokenFirst recorded (the listeners passed on). */
function recorded(engine: Engine, asked: boolean[]): Engine {
  return {
    request: ((req: { type: string; tokenFirst?: boolean }, opts) => {
      if (req.type === 'tick') asked.push(!!req.tokenFirst);
      return engine.request(req as Parameters<Engine['request']>[0], opts);
    }) as Engine['request'],
    cancel: () => engine.cancel(),
  };
}

test('tokenFirst: each tick shows its token (drawn) before its trace; the charts see only whole ticks; the status line names the token', async () => {
  const asked: boolean[] = [];
  const clock = await Clock.create(recorded(env.engine, asked), env.info, 'a b c', settings, { trace, tokenFirst: true });
  const states: ClockState[] = [];
  const charts: ClockState[] = [];
  clock.subscribe((s) => states.push(s));
  clock.subscribe(chartChanges((s) => charts.push(s)));
  for (let i = 0; i < 3; i++) {
    const from = states.length;
    const t = await clock.tick();
    const during = states.slice(from).filter((s) => s.drawn);
    assert.equal(during.length, 1, 'one state with the drawn token');
    const d = during[0];
    assert.ok(d.busy);
    assert.equal(d.ticks.length, i, 'not among the ticks before its trace');
    assert.equal(d.drawn!.index, i);
    assert.equal(d.drawn!.id, t!.id);
    assert.equal(d.drawn!.trace, undefined);
    const line = describeState(d, env.info);
    assert.ok(line.includes(`“${visibleText(t!.text)}”`) && line.includes(`Tick ${i}`), line);
    assert.equal(clock.current.drawn, null);
    assert.ok(clock.current.ticks[i].trace?.lens.length);
  }
  assert.deepEqual(asked, [true, true, true]);
  assert.deepEqual(charts.map((s) => [s.ticks.length, s.drawn]), [[0, null], [1, null], [2, null], [3, null]]);
  clock.dispose();
});

test('by default a tick asks for its token first at a session\'s first tick and after a trace that took TOKEN_FIRST_MS or more; never untraced or when turned off', async () => {
  assert.equal(TOKEN_FIRST_MS, 8);
  const asked: boolean[] = [];
  const auto = await Clock.create(recorded(env.engine, asked), env.info, 'a b c', settings, { trace });
  for (let i = 0; i < 4; i++) await auto.tick();
  const slow = auto.current.ticks.slice(0, 3).map((t) => t.ms.trace >= TOKEN_FIRST_MS);
  assert.deepEqual(asked, [true, ...slow]);
  auto.dispose();

  // Any trace time ≥ 0 asks: every tick.
  const always: boolean[] = [];
  const zero = await Clock.create(recorded(env.engine, always), env.info, 'a b c', settings, { trace, tokenFirst: 0 });
  for (let i = 0; i < 3; i++) await zero.tick();
  assert.deepEqual(always, [true, true, true]);
  zero.dispose();

  for (const opts of [{ trace, tokenFirst: false }, {}]) {
    const none: boolean[] = [];
    const clock = await Clock.create(recorded(env.engine, none), env.info, 'a b c', settings, opts);
    const drawn: unknown[] = [];
    clock.subscribe((s) => s.drawn && drawn.push(s.drawn));
    for (let i = 0; i < 2; i++) await clock.tick();
    assert.deepEqual(none, [false, false]);
    assert.deepEqual(drawn, []);
    clock.dispose();
  }
});

test('Reset while a tick reads its trace: the drawn token of the old run never shows in the new one', async () => {
  const clock = await Clock.create(env.engine, env.info, 'a b c', settings, { trace, tokenFirst: true });
  const tick = clock.tick();
  await clock.reset();
  await tick;
  assert.equal(clock.current.drawn, null);
  assert.equal(clock.current.ticks.length, 0);
  clock.dispose();
});
