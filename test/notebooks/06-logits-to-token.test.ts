// Chapter 6's cell graph with a real (small, random) model in Node: the live equation's numbers
// are recomputed from the tick's own logits, moving Temperature / Top-k / Top-p / Seed re-draws
// without a tick, bad input is refused beside its field, and the seed article's example is right.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as chapter from '../../notebooks/chapters/06-logits-to-token/index.ts';
import { softmaxNumbers } from '../../notebooks/chapters/06-logits-to-token/data.ts';
import { softmaxTex } from '../../notebooks/chapters/06-logits-to-token/figures.ts';
import { SEED_LOGITS, softmaxOf } from '../../notebooks/softmax.ts';
import { tickDraw } from '../../model/prng.ts';
import { texText } from '../../notebooks/tex.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';

/** log Σ exp(z_j / T), written out independently of the engine (float64, shifted by the max). */
function naiveLogSumExp(z: Float32Array, T: number): number {
  const m = Math.max(...z);
  let s = 0;
  for (const x of z) s += Math.exp((x - m) / T);
  return m / T + Math.log(s);
}

describe('chapter 6: from logits to a token', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const bars = () => page.mounts.bars!.querySelector<HTMLElement>('.chart');
  const equation = () => page.mounts.equation!.querySelector<HTMLElement>('.live-equation');

  before(async () => {
    e = await smallEngine();
    page = await openChapter(chapter, ['timeline', 'tokens', 'bars', 'equation', 'filters', 'seed-example', 'temperatures', 'fork'], e.engine, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('before any tick the cells say what to do', () => {
    assert.match(page.mounts.bars!.textContent ?? '', /press Next token/);
    assert.equal(page.ticks(), 0);
  });

  it('Next token runs one tick: bars, equation and timeline show it', async () => {
    page.control('next-token').click();
    await page.until('the first tick', () => page.ticks() === 1 && bars()?.dataset.tick === '0' && equation() !== null);
    assert.equal(page.mounts.timeline!.querySelectorAll('g.rows > g').length, 1);
    assert.equal(e.host.session!.ticks, 1);
  });

  it('the live equation’s numbers are those of the tick’s own logits', async () => {
    const logits = e.host.tickLogits(0)!;
    const eq = equation()!.dataset;
    const id = Number(eq.tokenId);
    const T = Number(eq.temperature);
    assert.equal(T, 0.8);
    assert.equal(Number(eq.logit), logits[id]);
    const lse = naiveLogSumExp(logits, T);
    assert.ok(Math.abs(Number(eq.logSumExp) - lse) < 1e-9);
    assert.ok(Math.abs(Number(eq.prob) - Math.exp(logits[id] / T - lse)) < 1e-9);
    // Every shown bar is p_i = exp(z_i/T) / Σ exp(z_j/T) of the same logits.
    const cands = JSON.parse(bars()!.dataset.candidates!) as { id: number; logit: number; prob: number }[];
    assert.equal(cands.length, 20);
    for (const c of cands) {
      assert.equal(c.logit, logits[c.id]);
      assert.ok(Math.abs(c.prob - Math.exp(logits[c.id] / T - lse)) < 1e-9);
    }
    // The typeset equation carries the same numbers (KaTeX keeps its source in an annotation).
    const tex = [...equation()!.querySelectorAll('annotation')].map((a) => a.textContent);
    const draw = await e.engine.request({ type: 'resample', index: 0, sampling: { temperature: 0.8, topK: 0, topP: 1 }, seed: 42 });
    assert.deepEqual(tex, softmaxTex(softmaxNumbers(draw)));
    assert.match(tex[1]!, new RegExp(`e\\^\\{${Number(eq.logit).toPrecision(3).replace('.', '\\.').replace('-', '\\-')}/0\\.8\\}`));
  });

  it('the temperature side by side: this tick at T = 0.5, 1, 2, each bar and entropy recomputed from the tick’s own logits', async () => {
    const cell = () => page.mounts.temperatures!.querySelector<HTMLElement>('.temperatures');
    await page.until('the side by side', () => cell()?.dataset.tick === '0');
    const logits = e.host.tickLogits(0)!;
    const panels = JSON.parse(cell()!.dataset.panels!) as { temperature: number; entropy: number; candidates: { id: number; prob: number }[] }[];
    assert.deepEqual(panels.map((p) => p.temperature), [0.5, 1, 2]);
    const entropies: number[] = [];
    for (const p of panels) {
      const lse = naiveLogSumExp(logits, p.temperature);
      let H = 0;
      for (const z of logits) {
        const lnP = z / p.temperature - lse;
        H -= Math.exp(lnP) * lnP;
      }
      assert.ok(Math.abs(p.entropy - H) < 1e-9, `entropy at T = ${p.temperature}: ${p.entropy} vs ${H}`);
      entropies.push(H);
      assert.equal(p.candidates.length, 8);
      for (const c of p.candidates) assert.ok(Math.abs(c.prob - Math.exp(logits[c.id] / p.temperature - lse)) < 1e-9);
      // The same tokens at every temperature, best first: temperature keeps the logits' order.
      assert.deepEqual(p.candidates.map((c) => c.id), panels[0].candidates.map((c) => c.id));
      // p(T) = p(1)^(1/T) renormalised: the ratio of two tokens' probabilities is their ratio at T = 1 to the power 1/T.
      const [a, b] = p.candidates;
      const at1 = panels[1].candidates;
      assert.ok(Math.abs(Math.log(a.prob / b.prob) - Math.log(at1[0].prob / at1[1].prob) / p.temperature) < 1e-6);
    }
    assert.ok(entropies[0] < entropies[1] && entropies[1] < entropies[2] && entropies[2] <= Math.log(logits.length) + 1e-9);
    // Three charts, and a table with a row per token plus the entropies.
    assert.equal(cell()!.querySelectorAll('figure.temperature-panel svg').length, 3);
    const rows = cell()!.querySelectorAll('table tbody tr');
    assert.equal(rows.length, 9);
    assert.equal(rows[8].querySelector('td')!.textContent, entropies[0].toFixed(2));
    assert.equal(page.ticks(), 1, 'no tick ran for it');
  });

  it('moving Temperature re-draws the bars from stored logits: no new tick', async () => {
    const beforeProbs = bars()!.dataset.candidates;
    page.set('temperature', '2');
    await page.until('the bars at T = 2', () => bars()?.dataset.temperature === '2' && equation()?.dataset.temperature === '2');
    assert.notEqual(bars()!.dataset.candidates, beforeProbs);
    assert.equal(page.ticks(), 1);
    assert.equal(e.host.session!.ticks, 1, 'the model did not run again');
    assert.equal(page.mounts.timeline!.querySelectorAll('g.rows > g').length, 1);
    const logits = e.host.tickLogits(0)!;
    const lse = naiveLogSumExp(logits, 2);
    assert.ok(Math.abs(Number(equation()!.dataset.logSumExp) - lse) < 1e-9);
  });

  it('Top-k and Top-p cut the bars, and the filters table counts what is left', async () => {
    page.set('top-k', '5');
    await page.until('top-k 5', () => /5/.test(page.mounts.filters!.querySelectorAll('tbody tr')[1]?.textContent ?? '') && bars()?.querySelectorAll('.candidate.kept').length === 5);
    page.set('top-p', '0.5');
    await page.until('top-p 0.5', () => /0\.5/.test(page.mounts.filters!.textContent ?? ''));
    const kept = bars()!.querySelectorAll('.candidate.kept').length;
    assert.ok(kept >= 1 && kept <= 5);
    assert.equal(e.host.session!.ticks, 1);
    page.set('top-k', '0');
    page.set('top-p', '1');
    await page.until('filters off', () => bars()!.querySelectorAll('.candidate.kept').length === 20);
  });

  it('Temperature 0 is greedy: the most likely token, no draw', async () => {
    page.set('temperature', '0');
    await page.until('greedy', () => equation()?.dataset.temperature === '0');
    const cands = JSON.parse(bars()!.dataset.candidates!) as { id: number }[];
    assert.equal(Number(equation()!.dataset.tokenId), cands[0].id);
    assert.match(equation()!.textContent ?? '', /greedy/);
  });

  it('Seed changes the draw of the same tick: u = tickDraw(seed, index)', async () => {
    page.set('temperature', '1');
    page.set('seed', '7');
    const u = () => {
      const line = [...(equation()?.querySelectorAll('annotation') ?? [])].map((a) => a.textContent ?? '').find((t) => t.startsWith('u = '));
      return line ? Number(/^u = ([\d.]+)/.exec(line)![1]) : NaN;
    };
    await page.until('seed 7', () => equation()?.dataset.temperature === '1' && Math.abs(u() - tickDraw(7, 0)) < 1e-4);
    assert.equal(e.host.session!.ticks, 1);
  });

  it('bad input is refused beside its field and the bars keep their last good state', async () => {
    const good = bars()!.dataset.candidates;
    page.set('temperature', 'hot');
    await page.until('the temperature message', () => /Temperature must be a number/.test(page.$('#temperature-error').textContent ?? ''));
    assert.equal(page.control('temperature').getAttribute('aria-invalid'), 'true');
    page.set('top-k', '301');
    await page.until('the top-k message', () => /at most|to 300/.test(page.$('#top-k-error').textContent ?? ''));
    page.set('top-p', '1.5');
    await page.until('the top-p message', () => /Top-p must be/.test(page.$('#top-p-error').textContent ?? ''));
    page.set('prompt', '');
    await page.until('the prompt message', () => /Type a prompt/.test(page.$('#prompt-error').textContent ?? ''));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(bars()!.dataset.candidates, good);
    assert.equal(page.ticks(), 1);
    page.set('temperature', '1');
    page.set('top-k', '0');
    page.set('top-p', '1');
    await page.until('the messages cleared', () => page.$('#temperature-error').textContent === '' && page.$('#top-k-error').textContent === '');
    assert.equal(page.control('temperature').getAttribute('aria-invalid'), null);
  });

  it('a prompt that looks like HTML is set as text everywhere, never parsed', async () => {
    page.set('prompt', '<img src=x onerror=alert(1)>');
    await page.until('the new session', () => page.ticks() === 0);
    page.control('next-token').click();
    await page.until('a tick', () => page.ticks() === 1 && equation() !== null && bars()?.dataset.tick === '0');
    assert.equal(page.document.querySelectorAll('img').length, 0);
    const pieces = [...page.mounts.tokens!.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('td')!.textContent);
    assert.ok(pieces.join('').startsWith('<img␣src=x␣onerror=alert(1)>'), pieces.join(''));
  });

  it('selecting a row of the timeline shows that tick’s distribution; a new tick selects the newest again', async () => {
    page.control('next-token').click();
    await page.until('tick 1', () => page.ticks() === 2 && bars()?.dataset.tick === '1');
    page.mounts.timeline!.querySelector<SVGElement>('g.rows > g[data-index="0"]')!.dispatchEvent(new page.window.MouseEvent('click'));
    await page.until('tick 0 selected', () => bars()?.dataset.tick === '0' && equation()?.dataset.tick === '0');
    assert.equal(e.host.session!.ticks, 2);
    assert.equal(page.mounts.timeline!.querySelector('g.rows > g[aria-current="true"]')?.getAttribute('data-index'), '0');
    page.control('next-token').click();
    await page.until('tick 2', () => page.ticks() === 3 && bars()?.dataset.tick === '2');
  });

  it('the seed article’s softmax example is computed by the sampler: [0.214, 0.236, 0.261, 0.289]', () => {
    const p = softmaxOf(SEED_LOGITS, 1);
    assert.deepEqual(p.map((x) => x.toFixed(3)), ['0.214', '0.236', '0.261', '0.289']);
    const shown = JSON.parse(page.mounts['seed-example']!.querySelector<HTMLElement>('.seed-example')!.dataset.probs!) as number[];
    assert.deepEqual(shown, p);
    assert.match(page.mounts['seed-example']!.textContent ?? '', /0\.214/);
  });

  it('texText escapes everything TeX would read as a command', () => {
    assert.equal(texText('a\\b{c}$d&e#f%g_h^i~j'), '\\text{a\\textbackslash{}b\\{c\\}\\$d\\&e\\#f\\%g\\_h\\textasciicircum{}i\\textasciitilde{}j}');
    assert.equal(texText(' x\n'), '\\text{␣x↵}');
  });

  it('fork: another candidate of the latest tick replaces its token, the run keeps its length, the left run is shown, Back restores it', async () => {
    const n = page.ticks();
    const before = [...e.host.session!.ids];
    await page.until('the fork cell', () => page.mounts.fork!.querySelector('select') !== null && !page.mounts.fork!.querySelector<HTMLButtonElement>('button')!.disabled);
    const select = page.mounts.fork!.querySelector('select')!;
    const id = Number(select.value);
    assert.notEqual(id, before.at(-1), 'the chosen token is not offered');
    page.mounts.fork!.querySelector<HTMLButtonElement>('button')!.click();
    await page.until('the fork', () => page.mounts.fork!.querySelector('.branch') !== null && page.ticks() === n && e.host.session!.ticks === n);
    assert.deepEqual(e.host.session!.ids.slice(0, -1), before.slice(0, -1));
    assert.equal(e.host.session!.ids.at(-1), id);
    const back = [...page.mounts.fork!.querySelectorAll<HTMLButtonElement>('button')].at(-1)!;
    await page.until('Back enabled', () => !back.disabled || !page.mounts.fork!.querySelector<HTMLButtonElement>('.branch button')!.disabled);
    page.mounts.fork!.querySelector<HTMLButtonElement>('.branch button')!.click();
    await page.until('back', () => page.mounts.fork!.querySelector('.branch') === null && e.host.session!.ticks === n);
    assert.deepEqual(e.host.session!.ids, before);
  });
});
