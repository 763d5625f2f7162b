// Chapter 10's softmax cell with a real (small, random) engine behind the page: the numbers it
// shows are the engine's sampler's softmax of [0.1, 0.2, 0.3, 0.4], not typed-in values.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/10-faq/index.ts';
import { FAQ_LOGITS } from '../../notebooks/chapters/10-faq/data.ts';
import { softmaxOf } from '../../notebooks/softmax.ts';
import { formatDecimal } from '../../components/format.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

describe('chapter 10: FAQ', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['softmax', 'tokens'], e.engine, e.info);
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('the softmax table shows the sampler’s probabilities', async () => {
    await page.until('the softmax cell', () => page.mounts.softmax!.dataset.state === 'ready');
    const el = page.mounts.softmax!.querySelector<HTMLElement>('.faq-softmax')!;
    const probs = softmaxOf(FAQ_LOGITS, 1);
    assert.deepEqual(el.dataset.probs!.split(' ').map(Number), probs);
    const exact = FAQ_LOGITS.map((z) => Math.exp(z)).map((x, _, a) => x / a.reduce((s, y) => s + y, 0));
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(probs[i] - exact[i]) < 1e-12);
    const cells = [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    assert.deepEqual(cells, FAQ_LOGITS.map((z, i) => [String(z), formatDecimal(probs[i], 4)]));
    assert.deepEqual(cells.map((r) => r[1]), ['0.2138', '0.2363', '0.2612', '0.2887']);
    assert.ok(el.querySelector('table caption'));
  });
});
