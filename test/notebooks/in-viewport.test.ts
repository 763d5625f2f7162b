// inViewport (notebooks/runtime.ts): at once while the element is near the viewport, else when it
// next comes there; a wait whose cell was invalidated never resolves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inViewport } from '../../notebooks/runtime.ts';

/** An element whose IntersectionObserver the test drives by hand. */
function fakeElement() {
  let report: ((entries: { isIntersecting: boolean }[]) => void) | null = null;
  class IO {
    constructor(cb: (entries: { isIntersecting: boolean }[]) => void) {
      report = cb;
    }
    observe() {}
    disconnect() {}
  }
  const el = { ownerDocument: { defaultView: { IntersectionObserver: IO } } } as unknown as Element;
  return { el, set: (near: boolean) => report!([{ isIntersecting: near }]) };
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

  it('an invalidated wait is dropped', async () => {
    const { el, set } = fakeElement();
    let invalidate!: () => void;
    const invalidation = new Promise<void>((r) => (invalidate = r));
    const dropped = inViewport(el, invalidation);
    set(false);
    invalidate();
    await invalidation;
    set(true);
    assert.equal(await settled(dropped), false);
  });

  it('resolves at once without an element or an IntersectionObserver', async () => {
    assert.equal(await settled(inViewport(undefined)), true);
  });
});
