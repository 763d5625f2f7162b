// The interventions' cells with a real (small, random) model in Node: chapter 5's "Skip a block"
// and chapter 4's "Switch off a head" show the latest tick (untouched) beside the engine's
// intervened run: every number is the engine's, the lens rows are the layers whose top guess
// differs, and Reset or a new tick clears the result. interventionView on its own, too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ch4 from '../../notebooks/chapters/04-attention/index.ts';
import * as ch5 from '../../notebooks/chapters/05-mlp-residual/index.ts';
import { IV_TOP, interventionView, lastingView, tickLens } from '../../notebooks/intervene.ts';
import type { ClockState } from '../../notebooks/clock.ts';
import { formatProb } from '../../components/format.ts';
import type { Engine } from '../../engine/engine.ts';
import type { InterventionResult, Protocol, TickSummary } from '../../engine/protocol.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

describe('interventions in chapters 4 and 5', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  const ticks: TickSummary[] = [];
  const asked: Protocol['intervene']['request'][] = [];
  const answers: InterventionResult[] = [];
  let engine: Engine;

  before(async () => {
    e = await smallEngine();
    engine = {
      ...e.engine,
      cancel: () => e.engine.cancel(), // a method of the engine's class: not copied by the spread
      request: (async (req: Parameters<Engine['request']>[0]) => {
        const out = await e.engine.request(req);
        if (req.type === 'tick') ticks.push(out as TickSummary);
        if (req.type === 'intervene') {
          asked.push(req as Protocol['intervene']['request']);
          answers.push(out as InterventionResult);
        }
        return out;
      }) as Engine['request'],
    };
  });
  after(async () => {
    await e?.cleanup();
  });

  const run = async (page: Page, cell: string, pick: Record<string, string>) => {
    const mount = page.mounts[cell]!;
    await page.until('the form', () => mount.querySelector('form.iv-form') !== null && !mount.querySelector('button')!.disabled);
    for (const [name, value] of Object.entries(pick)) {
      const select = mount.querySelector<HTMLSelectElement>(`select[name="${name}"]`)!;
      select.value = value;
      select.dispatchEvent(new page.window.Event('change', { bubbles: true }));
    }
    const n = answers.length;
    mount.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await page.until('the result', () => answers.length > n && mount.querySelector('.intervention') !== null);
    return mount.querySelector<HTMLElement>('.intervention')!;
  };

  it('chapter 5: skip a block; the tick\'s own lens is the untouched side; Reset clears it', async () => {
    const page = await openChapter(ch5, ['skip-block'], engine, e.info);
    try {
      await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
      assert.match(page.mounts['skip-block']!.textContent ?? '', /press Next token/);
      page.control('next-token').click();
      await page.until('a tick', () => ticks.length > 0 && page.ticks() === 1);
      const fig = await run(page, 'skip-block', { 'iv-block': String(smallConfig.n_layer - 1) });
      const r = answers.at(-1)!;
      const latest = ticks.at(-1)!;
      assert.deepEqual(asked.at(-1)!.skipBlocks, [smallConfig.n_layer - 1]);
      assert.equal(asked.at(-1)!.untouchedLens, false, 'chapter 5 ticks trace the lens of every layer: the tick\'s own is used');
      assert.equal(r.weightsVerified, e.info.checksum);
      assert.equal(fig.dataset.checksum, e.info.checksum);
      const before = [...fig.querySelectorAll('table.iv-before td.num')].map((td) => td.textContent);
      assert.deepEqual(before, latest.sample.candidates.slice(0, IV_TOP).map((c) => formatProb(c.prob)));
      const v = interventionView(latest, r, { kind: 'block', block: smallConfig.n_layer - 1 }, tickLens(latest, smallConfig.n_layer)!);
      assert.deepEqual([...fig.querySelectorAll('table.iv-lens tbody tr')].map((tr) => Number((tr as HTMLElement).dataset.layer)), v.lens.map((d) => d.layer));
      // Skipping the last block: the lens after it is the untouched lens after the block before.
      const own = tickLens(latest, smallConfig.n_layer)!;
      assert.deepEqual(r.lens.at(-1)!.positions[0].map((g) => g.id), own.at(-2)!.map((g) => g.id));
      page.control('reset').click();
      await page.until('the reset', () => page.mounts['skip-block']!.querySelector('.intervention') === null);
    } finally {
      page.close();
    }
  });

  it('chapter 4: switch off a head; the untouched lens comes from the engine (the ticks trace one layer); a new tick clears it', async () => {
    const page = await openChapter(ch4, ['switch-off'], engine, e.info);
    try {
      await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
      const n = ticks.length;
      page.control('next-token').click();
      await page.until('a tick', () => ticks.length > n);
      const fig = await run(page, 'switch-off', { 'iv-layer': '1', 'iv-head': '1' });
      const r = answers.at(-1)!;
      assert.deepEqual(asked.at(-1)!.heads, [[1, 1]]);
      assert.equal(asked.at(-1)!.untouchedLens, true);
      assert.equal(fig.dataset.after, String(r.sample.id));
      assert.equal(fig.dataset.changed, String(r.sample.id !== ticks.at(-1)!.id));
      const deltas = [...fig.querySelectorAll<HTMLElement>('table.iv-changes tbody tr')].map((tr) => Number(tr.dataset.delta));
      assert.deepEqual(deltas, r.changes.map((c) => c.delta));
      page.control('next-token').click();
      await page.until('the next tick clears it', () => page.mounts['switch-off']!.querySelector('.intervention') === null && ticks.length === n + 2);
      assert.equal(page.mounts['switch-off']!.querySelector<HTMLSelectElement>('select[name="iv-head"]')!.value, '1', 'the pick survives');
    } finally {
      page.close();
    }
  });
});

it('lastingView: from the intervention\'s tick on, each tick of both runs, the differing ones listed; none without an intervention', () => {
  const tick = (index: number, id: number, prob: number) => ({ index, id, prob, piece: { text: `t${id}`, bytes: [], complete: true } }) as unknown as TickSummary;
  const base = { ticks: [tick(0, 1, 0.5), tick(1, 2, 0.25), tick(2, 3, 0.125), tick(3, 4, 0.5)] } as ClockState;
  assert.equal(lastingView(base), null);
  const v = lastingView({ ...base, intervention: { from: 1, heads: [[0, 1]], skipBlocks: [], untouched: [tick(1, 2, 0.5), tick(2, 9, 0.75)] } })!;
  assert.equal(v.from, 1);
  assert.deepEqual(v.targets, [{ kind: 'head', layer: 0, head: 1 }]);
  assert.equal(v.marker, 'Layer 0, head 1 switched off from tick 1 on.');
  assert.deepEqual(v.rows.map((r) => [r.index, r.untouched?.id ?? null, r.untouched?.prob ?? null, r.intervened.id, r.intervened.prob, r.differs]), [
    [1, 2, 0.5, 2, 0.25, false],
    [2, 9, 0.75, 3, 0.125, true],
    [3, null, null, 4, 0.5, false], // the untouched run has not reached tick 3
  ]);
  assert.deepEqual(v.differ, [2]);
});
