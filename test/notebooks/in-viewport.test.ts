// inViewport (notebooks/runtime.ts): at once while the element is near the viewport, else when it
// next comes there; a wait whose cell was invalidated rejects (the runtime waits for a cell's
// computation to settle before the next one starts), and printing wakes every wait. With the real
// Observable runtime: a cell invalidated while out of view draws the latest value when it comes back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PRINT_END, PRINT_START } from '../../notebooks/print-events.ts';
import { inViewport, Runtime } from '../../notebooks/runtime.ts';

/** An element whose IntersectionObserver the test drives by hand, in a window that can start printing. */
function fakeElement() {
  let report: ((entries: { isIntersecting: boolean }[]) => void) | null = null;
  class IO {
    constructor(cb: (entries: { isIntersecting: boolean }[]) => void) {
      report = cb;
    }
    observe() {}
    disconnect() {}
  }
  const listeners = new Map<string, () => void>();
  let idle: (() => void)[] = [];
  const defaultView = {
    IntersectionObserver: IO,
    addEventListener: (type: string, fn: () => void) => listeners.set(type, fn),
    requestIdleCallback: (fn: () => void) => idle.push(fn),
  };
  const el = { ownerDocument: { defaultView } } as unknown as Element;
  const goIdle = () => {
    const due = idle;
    idle = [];
    for (const fn of due) fn();
    return due.length;
  };
  return { el, set: (near: boolean) => report!([{ isIntersecting: near }]), fire: (type: string) => listeners.get(type)?.(), goIdle };
}

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe('inViewport', () => {
  it('waits for the first report, then resolves at once while near and waits while far', async () => {
    const { el, set } = fakeElement();
    const first = inViewport(el);
    assert.equal(await settled(first), false, 'no report yet');
    set(true);
    assert.equal(await settled(first), true);
    assert.equal(await settled(inViewport(el)), true, 'near now');
    set(false);
    const later = inViewport(el);
    assert.equal(await settled(later), false, 'far: waits');
    set(true);
    assert.equal(await settled(later), true, 'back in view');
  });

  it('an invalidated wait rejects, and coming into view later does not resolve it', async () => {
    const { el, set } = fakeElement();
    let invalidate!: () => void;
    const invalidation = new Promise<void>((r) => (invalidate = r));
    const dropped = inViewport(el, invalidation);
    set(false);
    invalidate();
    await assert.rejects(dropped, /invalidated/);
    set(true);
  });

  it('printing wakes every wait, and waits no more until it ends', async () => {
    const { el, set, fire } = fakeElement();
    const far = inViewport(el);
    set(false);
    assert.equal(await settled(far), false);
    fire('beforeprint');
    assert.equal(await settled(far), true, 'woken to draw for the printout');
    assert.equal(await settled(inViewport(el)), true, 'at once while printing');
    fire('afterprint');
    assert.equal(await settled(inViewport(el)), false, 'far again after printing');
  });

  it('the worksheet’s print events wake every wait too, and waits start again after its print', async () => {
    const { el, set, fire } = fakeElement();
    const far = inViewport(el);
    set(false);
    assert.equal(await settled(far), false);
    fire(PRINT_START);
    assert.equal(await settled(far), true, 'woken to draw for the worksheet');
    assert.equal(await settled(inViewport(el)), true, 'at once while it prepares and prints');
    fire(PRINT_END);
    assert.equal(await settled(inViewport(el)), false, 'far again after printing');
  });

  it('a cell invalidated while out of view computes again, and draws the latest value when it comes into view', async () => {
    const { el, set } = fakeElement();
    const runtime = new Runtime();
    const main = runtime.module();
    const drawn: number[] = [];
    let push!: (n: number) => void;
    const input = main.variable().define('input', [], () => new Promise<number>((r) => (push = r)));
    main.variable({ fulfilled: (v: unknown) => drawn.push(v as number) }).define('chart', ['input', 'invalidation'], async (v: number, invalidation: Promise<void>) => {
      await inViewport(el, invalidation);
      return v;
    });
    await new Promise((r) => setTimeout(r, 10));
    push(1);
    await new Promise((r) => setTimeout(r, 10));
    set(false); // the chart waits, out of view
    input.define('input', [], () => 2); // a new value while the chart still waits out of view
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(drawn, [], 'nothing drawn out of view');
    set(true);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(drawn, [2], 'the latest value, once in view');
    runtime.dispose();
  });

  it('idle: a wait out of view resolves when the page is idle, once the element has been in view; one wait per idle callback', async () => {
    const a = fakeElement();
    const never = inViewport(a.el, undefined, { idle: true });
    a.set(false);
    assert.equal(a.goIdle(), 0, 'never in view yet: its first draw waits for the reader');
    assert.equal(await settled(never), false);
    a.set(true);
    assert.equal(await settled(never), true);
    a.set(false);
    const b = fakeElement();
    const bFirst = inViewport(b.el);
    b.set(true);
    assert.equal(await settled(bFirst), true);
    b.set(false);
    const first = inViewport(a.el, undefined, { idle: true });
    const second = inViewport(b.el, undefined, { idle: true });
    const plain = inViewport(b.el); // without idle: only in view
    assert.equal(await settled(first), false, 'waits for idle');
    a.goIdle(); // one idle callback: the oldest wait
    assert.deepEqual([await settled(first), await settled(second)], [true, false]);
    a.goIdle();
    assert.equal(await settled(second), true);
    assert.equal(await settled(plain), false);
  });

  it('idle: the wait out of date the longest goes first, so a cell asked again after every tick does not starve the others', async () => {
    const [a, b] = [fakeElement(), fakeElement()];
    for (const x of [a, b]) {
      const first = inViewport(x.el);
      x.set(true);
      await first;
      x.set(false);
    }
    let invalidate!: () => void;
    const aWait = inViewport(a.el, new Promise<void>((r) => (invalidate = r)), { idle: true });
    await new Promise((r) => setTimeout(r, 2));
    const bWait = inViewport(b.el, undefined, { idle: true });
    // A tick: a's cell computes again, so its wait is replaced by a new one, now the newest in line.
    invalidate();
    await assert.rejects(aWait);
    const aAgain = inViewport(a.el, undefined, { idle: true });
    a.goIdle();
    assert.deepEqual([await settled(aAgain), await settled(bWait)], [true, false], 'a has been out of date longer');
    const aThird = inViewport(a.el, undefined, { idle: true }); // a drew; asked again after the next tick
    a.goIdle();
    assert.deepEqual([await settled(aThird), await settled(bWait)], [false, true], 'then b, not a again');
    a.goIdle();
    assert.equal(await settled(aThird), true);
  });

  it('resolves at once without an element or an IntersectionObserver', async () => {
    assert.equal(await settled(inViewport(undefined)), true);
  });
});
