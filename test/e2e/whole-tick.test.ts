// The landing page's whole-tick map (components/whole-tick.ts, site/scripts/landing.ts) in a real
// browser on the bundled model, checked against the same model run in Node: one block card per
// layer of the config, every stage's numbers equal to Node's tick (to display rounding), the
// clock's cache and checksum; Temperature redraws the probabilities and dice with no forward
// pass; forking at a past tick changes the tokens after it and not before, the copied link
// reproduces the fork in a fresh browser context and Back returns to the original run; the map
// fits a 390 px phone; axe finds nothing with the map filled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, distDir, formatViolations, launchBrowser, startPreview } from './harness.ts';
import { localEngine } from '../../engine/local.ts';
import type { ModelInfo, TickSummary, TokenInfo } from '../../engine/protocol.ts';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { WHOLE_TICK_TRACE, wholeTickData } from '../../notebooks/whole-tick.ts';
import { wholeTickNumbers } from '../../components/whole-tick.ts';
import { formatProb } from '../../components/format.ts';
import { visibleText } from '../../components/text.ts';

const PROMPT = 'The clock struck one, and'; // the landing page's default
const SAMPLING = { temperature: 0.8, topK: 0, topP: 1 };
const SEED = 42;

/** Two texts with numbers: equal words, and numbers equal to display rounding (a browser and Node may differ in the last bits). */
function sameNumbers(page: string, node: string, what: string) {
  const num = /-?\d[\d,]*(?:\.\d+)?%?/g;
  assert.equal(page.replace(num, '#'), node.replace(num, '#'), `${what}: the words`);
  const a = page.match(num) ?? [];
  const b = node.match(num) ?? [];
  a.forEach((x, i) => {
    const [p, q] = [Number(x.replace(/[,%]/g, '')), Number(b[i].replace(/[,%]/g, ''))];
    assert.ok(Math.abs(p - q) <= 0.0011 * Math.max(1, Math.abs(q)), `${what}: ${x} on the page, ${b[i]} in Node`);
  });
}

describe('the whole tick on the landing page', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let node: ReturnType<typeof localEngine>;
  let info: ModelInfo;
  let promptTokens: TokenInfo[];
  const nodeTicks: TickSummary[] = [];

  const mapTick = () => page.locator('.whole-tick').getAttribute('data-tick');
  const generated = () => page.locator('#generated').textContent();
  const next = async (n: number) => {
    await page.locator('#next-token').click();
    await page.waitForFunction((k) => document.querySelector('.whole-tick')?.getAttribute('data-tick') === String(k), n - 1, { timeout: 60_000 });
  };
  /** The table alternative's rows: [stage, numbers]. */
  const tableRows = () => page.locator('.wt-table tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent!, r.querySelector('td')!.textContent!]));

  before(async () => {
    const dist = process.env.E2E_DIST || undefined;
    preview = await startPreview(dist);
    browser = await launchBrowser();
    node = localEngine();
    info = await node.request({ type: 'load', source: { kind: 'url', url: join(dist ?? distDir, 'models', BUNDLED_MODEL), label: BUNDLED_MODEL }, backend: 'wasm' });
    ({ tokens: promptTokens } = await node.request({ type: 'start', prompt: PROMPT, seed: SEED, sampling: SAMPLING }));
    for (let i = 0; i < 4; i++) nodeTicks.push(await node.request({ type: 'tick', trace: WHOLE_TICK_TRACE, candidates: 20 }));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/`);
    await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
    node?.host.session?.dispose();
    node?.host.model?.dispose();
  });

  it('is drawn from the loaded config before any tick: one block card per layer', async () => {
    assert.equal(await page.locator('.whole-tick').getAttribute('data-layers'), String(info.config.n_layer));
    assert.equal(await page.locator('.wt-block').count(), info.config.n_layer);
    assert.equal(await mapTick(), null);
    const links = await page.locator('a.wt-name').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    assert.ok(links.includes('/chapters/attention/') && links.includes('/chapters/logits-to-token/'), links.join(' '));
  });

  it('after each tick, every stage shows the numbers of the same tick run in Node; the clock shows its cache and the unchanged checksum', async () => {
    for (let n = 1; n <= 2; n++) {
      await next(n);
      const k = n - 1;
      const want = wholeTickNumbers(wholeTickData(info.config, info.checksum, promptTokens, nodeTicks, k));
      const got = await tableRows();
      assert.equal(got.length, want.length);
      got.forEach(([stage, text], i) => {
        assert.equal(stage, want[i].name);
        sameNumbers(text, want[i].text, `tick ${k}, ${stage}`);
      });
      const top = nodeTicks[k].sample.candidates[0];
      assert.equal(await page.locator('.wt-probs li').first().locator('.wt-p').textContent(), formatProb(top.prob));
      assert.equal(await page.locator('.wt-appended').textContent(), visibleText(nodeTicks[k].piece.text));
      assert.match(await page.locator('[data-clock="cache"]').textContent() ?? '', new RegExp(`^${nodeTicks[k].cacheLength} positions`));
      assert.equal(await page.locator('[data-clock="weights"]').textContent(), `${info.checksum}, unchanged`);
    }
  });

  it('hover or focus on a stage shows its numbers as text', async () => {
    await page.locator('a.wt-name[data-stage="attention"][data-layer="1"]').focus();
    const want = (await tableRows()).find(([s]) => s.startsWith('Block 1') && s.includes('attention'))![1];
    assert.equal(await page.locator('.wt-detail').textContent(), want);
    await page.locator('a.wt-name[data-stage="dice"]').hover();
    assert.match(await page.locator('.wt-detail').textContent() ?? '', /^u = 0\.\d{4} lands in/);
  });

  it('Temperature redraws the probabilities and the dice from the tick’s logits, with no forward pass', async () => {
    const before = await page.locator('.wt-probs .wt-p').allTextContents();
    const status = await page.locator('#status').textContent();
    await page.getByLabel('Temperature').fill('2');
    await page.waitForFunction(() => !document.getElementById('map-note')?.hidden);
    const after = await page.locator('.wt-probs .wt-p').allTextContents();
    assert.notDeepEqual(after, before);
    assert.equal(await mapTick(), '1', 'still tick 1: no tick ran');
    assert.equal(await page.locator('#status').textContent(), status);
    const re = await node.request({ type: 'resample', index: 1, sampling: { ...SAMPLING, temperature: 2 }, seed: SEED, candidates: 8 });
    assert.deepEqual(after, re.candidates.map((c) => formatProb(c.prob)));
    await page.getByLabel('Temperature').fill('0.8');
    await page.waitForFunction(() => document.getElementById('map-note')?.hidden);
    assert.deepEqual(await page.locator('.wt-probs .wt-p').allTextContents(), before);
  });

  it('forking at a past tick changes the tokens after it, not before; the link reproduces the fork; Back returns', async () => {
    await next(3);
    await next(4);
    const original = await generated();
    await page.locator('#map-prev').click();
    await page.locator('#map-prev').click();
    assert.match(await page.locator('#map-showing').textContent() ?? '', /tick 1 of 4/);
    const pick = nodeTicks[1].sample.candidates.find((c) => c.id !== nodeTicks[1].id)!;
    await page.locator(`.wt-probs button[data-id="${pick.id}"]`).click();
    await page.waitForFunction(() => !document.getElementById('branch')?.hidden);
    await page.waitForFunction(() => document.querySelectorAll('#generated').length && !document.querySelector('#next-token')?.hasAttribute('disabled'), null, { timeout: 60_000 });
    const forked = await generated();
    const keep = PROMPT + nodeTicks[0].text;
    assert.ok(forked!.startsWith(keep + pick.text), `the branch keeps tick 0 and appends the forced token: ${forked}`);
    assert.notEqual(forked, original);
    assert.equal(await page.locator('#branch-text').textContent(), nodeTicks.slice(1).map((t) => t.text).join(''));
    assert.equal(await page.locator('#generated .forced').textContent(), pick.text);
    // The fork in Node: the same tokens.
    await node.request({ type: 'start', prompt: PROMPT, seed: SEED, sampling: SAMPLING, forced: [[1, pick.id]] });
    let text = PROMPT;
    for (let i = 0; i < 4; i++) text += (await node.request({ type: 'tick' })).text;
    assert.equal(forked, text);
    // The link carries the fork: a fresh context replays it. The URL is rewritten 250 ms after a
    // change (url-link.ts), so while the branch was computed it may have said tick=2 or 3 with the
    // fork already in it: wait for the whole branch.
    await page.waitForFunction(() => location.search.includes('forced=') && new URLSearchParams(location.search).get('tick') === '4');
    const href = page.url();
    assert.match(href, new RegExp(`forced=1%3A${pick.id}`));
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const fresh = await ctx.newPage();
    await fresh.goto(href);
    await fresh.waitForFunction((t) => document.getElementById('generated')?.textContent === t, forked, { timeout: 60_000 });
    await ctx.close();
    // Back: the original run again.
    await page.locator('#back').click();
    await page.waitForFunction((t) => document.getElementById('generated')?.textContent === t, original, { timeout: 60_000 });
    assert.equal(await page.locator('#branch').isHidden(), true);
  });

  it('has no axe violations with the map filled, and no console errors', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const fresh = await ctx.newPage();
    await page.waitForFunction(() => !location.search.includes('forced=')); // Back's URL (rewritten 250 ms after the change)
    await fresh.goto(page.url()); // this run, replayed by its link
    await fresh.waitForFunction(() => document.querySelector('.whole-tick')?.getAttribute('data-tick') === '3', null, { timeout: 60_000 });
    const v = await checkAxe(fresh);
    await ctx.close();
    assert.deepEqual(v, [], formatViolations(v));
    assert.deepEqual(errors, []);
  });

  it('chapter 1 shows the same map for its own clock, and forks its run from the map', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const ch = await ctx.newPage();
    await ch.goto(`${preview.url}/chapters/the-clock/`);
    await ch.locator('form[data-cell="controls"]').scrollIntoViewIfNeeded();
    await ch.waitForFunction(() => !(document.querySelector('button[name="next-token"]') as HTMLButtonElement)?.disabled && document.querySelector('form[data-cell="controls"]')?.getAttribute('data-layers'), null, { timeout: 60_000 });
    for (let n = 1; n <= 2; n++) {
      await ch.locator('button[name="next-token"]').click();
      await ch.waitForFunction((k) => document.querySelector('form[data-cell="controls"]')?.getAttribute('data-ticks') === String(k), n, { timeout: 60_000 });
    }
    await ch.locator('[data-cell="whole"]').scrollIntoViewIfNeeded();
    await ch.waitForFunction(() => document.querySelector('[data-cell="whole"] .whole-tick')?.getAttribute('data-tick') === '1', null, { timeout: 60_000 });
    assert.equal(await ch.locator('[data-cell="whole"] .wt-block').count(), info.config.n_layer);
    const want = wholeTickNumbers(wholeTickData(info.config, info.checksum, promptTokens, nodeTicks, 1));
    const got = await ch.locator('[data-cell="whole"] .wt-table tbody tr td').allTextContents();
    got.forEach((text, i) => sameNumbers(text, want[i].text, `chapter 1, ${want[i].name}`));
    const pick = nodeTicks[1].sample.candidates.find((c) => c.id !== nodeTicks[1].id)!;
    await ch.locator(`[data-cell="whole"] .wt-probs button[data-id="${pick.id}"]`).click();
    await ch.waitForFunction(() => document.querySelector('[data-cell="whole"] .branch'), null, { timeout: 60_000 });
    await ch.waitForFunction((id) => new URL(location.href).searchParams.get('forced') === `1:${id}`, pick.id);
    assert.equal(await ch.locator('[data-cell="whole"] .wt-appended').textContent(), visibleText(pick.text));
    await ctx.close();
  });

  it('fits a 390 px phone: no sideways scroll, the clock above the stages, 44 px targets', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${preview.url}/`);
    await phone.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
    await phone.locator('#next-token').click();
    await phone.waitForFunction(() => document.querySelector('.whole-tick')?.getAttribute('data-tick') === '0', null, { timeout: 60_000 });
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390);
    const clock = await phone.locator('.wt-clock').boundingBox();
    const stages = await phone.locator('.wt-stages').boundingBox();
    assert.ok(clock!.y < stages!.y, 'the clock comes first on a phone');
    const small = await phone.locator('.whole-tick a, .whole-tick button').evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect()).filter((r) => r.height > 0 && r.height < 43.5).length);
    assert.equal(small, 0);
    await phone.close();
  });
});
