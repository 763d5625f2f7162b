// Shareable runs in Chromium: a run's whole state lives in the page's URL. Set the inputs and tick
// on a chapter, copy the link, open it in a fresh browser context (no storage, nothing shared) and
// get the same inputs, tokens and charts. A hostile URL is refused parameter by parameter with a
// notice written as text: nothing in it runs, nothing is fetched from elsewhere, and the page
// still works. A link naming a Hub model this browser has not stored downloads nothing and runs
// the bundled model with a notice; one naming a stored model runs it from the store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BUNDLED_MODEL } from '../../model/bundled-model.ts';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, startPreview, showControls, visitFigures } from './harness.ts';

const ticks = (page: Page) => page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0));
const status = (page: Page) => page.locator('[data-cell="controls"] [data-role="status"]').textContent();

/** Everything a reader sees of a run on chapter 6, minus timings (source text: it runs in the page). */
const SNAPSHOT = `(() => {
  const form = document.querySelector('[data-cell="controls"]');
  const value = (name) => form.querySelector('[name="' + name + '"]')?.value ?? null;
  const rows = (cell, cols) => [...document.querySelectorAll('[data-cell="' + cell + '"] table tbody tr')]
    .map((tr) => cols.map((i) => tr.children[i]?.textContent ?? ''));
  const bars = document.querySelector('[data-cell="bars"] [data-candidates]');
  return {
    inputs: { prompt: value('prompt'), temperature: value('temperature'), topK: value('top-k'), topP: value('top-p'), seed: value('seed') },
    ticks: Number(form.dataset.ticks ?? 0),
    clock: form.dataset.clock,
    timeline: rows('timeline', [0, 1, 2, 6]), // tick, phase, token, cache length (not the timings)
    bars: bars ? { tick: bars.dataset.tick, chosen: bars.dataset.chosen, candidates: bars.dataset.candidates } : null,
    barsTable: document.querySelector('[data-cell="bars"] table')?.textContent ?? null,
    filters: document.querySelector('[data-cell="filters"]')?.textContent ?? null,
    equation: document.querySelector('[data-cell="equation"] .katex-mathml, [data-cell="equation"] annotation')?.textContent ?? null,
  };
})()`;

type Snapshot = { ticks: number; clock: string; inputs: Record<string, string | null>; [k: string]: unknown };

/** Wait for the engine, then scroll past every figure once (cells start near the viewport). */
async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', (await status(page)) ?? '');
  await showControls(page); // the clock starts when the controls come near the viewport
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock !== undefined, null, { timeout: 30_000 });
  await visitFigures(page);
  await showControls(page);
}

/** Poll until the page's snapshot settles on `n` ticks, idle, with every chart drawn. */
async function settledSnapshot(page: Page, n: number): Promise<Snapshot> {
  const end = Date.now() + 60_000;
  let last = '';
  let same = 0;
  for (;;) {
    const s = (await page.evaluate(SNAPSHOT)) as Snapshot;
    const json = JSON.stringify(s);
    const drawn = s.ticks === n && s.clock === 'idle' && (n === 0 || ((s.timeline as unknown[]).length === n && s.bars !== null && s.barsTable !== null));
    same = drawn && json === last ? same + 1 : 0;
    last = json;
    if (same >= 3) return s;
    if (Date.now() > end) {
      const why = await page.evaluate(async () => ({
        status: document.querySelector('[data-cell="controls"] [data-role="status"]')?.textContent ?? null,
        engine: document.body.dataset.engine ?? null,
        notebookError: document.querySelector<HTMLElement>('[data-notebook]')?.dataset.notebookError ?? null,
      }));
      throw new Error(`the page did not settle on ${n} ticks: ${json.slice(0, 400)}; ${JSON.stringify(why)}`);
    }
    await page.waitForTimeout(150);
  }
}

async function nextToken(page: Page): Promise<void> {
  // A link's replay may still be running (Next is disabled while it plays): count once it is idle.
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock === 'idle', null, { timeout: 60_000 });
  const n = await ticks(page);
  await page.locator('[data-cell="controls"] [name="next-token"]').click();
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === n + 1, n);
}

/** A fresh context's page that records dialogs and every request leaving the preview's origin. */
async function freshPage(browser: Browser, origin: string, opts: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  const dialogs: string[] = [];
  const foreign: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  context.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
  });
  return { context, page, errors, dialogs, foreign };
}

const noticeParams = (page: Page) => page.locator('[data-role="link-notice"] li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.param));

describe('shareable runs: the whole state in the URL', { timeout: 600_000 }, () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await preview?.close();
  });

  it('a run on chapter 6 (inputs set, four ticks) reopens from its copied link in a fresh context with the same inputs, tokens and charts', async () => {
    const a = await freshPage(browser, preview.url, { permissions: ['clipboard-read', 'clipboard-write'] });
    contexts.push(a.context);
    await a.page.goto(`${preview.url}/chapters/logits-to-token/`, { waitUntil: 'load' });
    await ready(a.page);
    assert.equal(new URL(a.page.url()).search, '', 'a plain visit leaves the URL alone');

    const form = a.page.locator('[data-cell="controls"]');
    await form.locator('[name="prompt"]').fill('Once upon a time, <b>there</b> was');
    await a.page.waitForFunction(() => /Once upon a time/.test(document.querySelector('[data-cell="controls"] [data-role="status"]')?.textContent ?? '') ||
      document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.clock === 'idle');
    await form.locator('[name="temperature"]').fill('1.3');
    await form.locator('[name="top-k"]').fill('40');
    await form.locator('[name="top-p"]').fill('0.9');
    await form.locator('[name="seed"]').fill('1234');
    // The clock restarts for the new prompt; the settings reach it before the first tick.
    await a.page.waitForFunction(() => new URL(location.href).searchParams.get('seed') === '1234' && new URL(location.href).searchParams.get('prompt') === 'Once upon a time, <b>there</b> was');
    for (let i = 0; i < 4; i++) await nextToken(a.page);
    await a.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '4');
    const before = await settledSnapshot(a.page, 4);
    assert.ok(before.equation && before.filters && before.barsTable, 'every chart compared is drawn');
    assert.deepEqual((before.timeline as string[][]).map((r) => r[0]), ['0', '1', '2', '3']);
    assert.deepEqual(before.inputs, { prompt: 'Once upon a time, <b>there</b> was', temperature: '1.3', topK: '40', topP: '0.9', seed: '1234' });

    // Copy link: a visible confirmation, the link shown as text, and the same link on the clipboard.
    await form.locator('[name="copy-link"]').click();
    await a.page.waitForFunction(() => (document.querySelector('[data-role="copy-status"]')?.textContent ?? '') !== '');
    assert.match((await a.page.locator('[data-role="copy-status"]').textContent()) ?? '', /Link copied.*4 ticks/);
    assert.ok(await a.page.locator('[data-role="share-url"]').isVisible());
    const shown = (await a.page.locator('[data-role="share-url"]').textContent()) ?? '';
    assert.equal(shown, a.page.url());
    assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), shown);
    const q = new URL(shown).searchParams;
    assert.deepEqual(Object.fromEntries(q), { model: 'bundled', prompt: 'Once upon a time, <b>there</b> was', temperature: '1.3', topK: '40', topP: '0.9', seed: '1234', tick: '4' });
    assert.deepEqual(a.errors, []);

    // Another machine, as far as the page can tell: a new context with nothing stored.
    const b = await freshPage(browser, preview.url);
    contexts.push(b.context);
    await b.page.goto(shown, { waitUntil: 'load' });
    await ready(b.page);
    const after = await settledSnapshot(b.page, 4);
    assert.deepEqual(after, before);
    assert.equal(await b.page.locator('[data-role="link-notice"]').textContent(), '', 'nothing was ignored');
    assert.equal(b.page.url(), shown, 'the URL still names the same run');
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.errors, []);

    // Changing a setting after ticks: the link says it would replay them under the new one.
    await b.page.locator('[data-cell="controls"] [name="temperature"]').fill('0.5');
    await b.page.waitForFunction(() => new URL(location.href).searchParams.get('temperature') === '0.5');
    await b.page.locator('[name="copy-link"]').click();
    await b.page.waitForFunction(() => /settings changed/.test(document.querySelector('[data-role="share-notes"]')?.textContent ?? ''));
    // Reset: no ticks, so the tick parameter goes.
    await b.page.locator('[data-cell="controls"] [name="reset"]').click();
    await b.page.waitForFunction(() => !new URL(location.href).searchParams.has('tick'));
    assert.equal(await b.page.locator('[data-role="share-notes"]').textContent(), '');
  });

  it('a hostile URL is refused parameter by parameter with a text notice: nothing runs, nothing is fetched, the page works', async () => {
    const c = await freshPage(browser, preview.url);
    contexts.push(c.context);
    const hostile = '?prompt=<img src=x onerror=alert(1)>&temperature=abc&topK=-5&seed=1e400&layer=99&model=https://evil.example/x' +
      '&topP=javascript:alert(2)&tick=1e309&head=%3Cscript%3Ealert(3)%3C/script%3E&seed=7&forced=2:5,1:7';
    await c.page.goto(`${preview.url}/chapters/logits-to-token/${hostile}`, { waitUntil: 'load' });
    await ready(c.page);
    const notice = c.page.locator('[data-role="link-notice"]');
    assert.deepEqual((await noticeParams(c.page)).sort(), ['forced', 'head', 'layer', 'model', 'seed', 'temperature', 'tick', 'topK', 'topP']);
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /Seed \(seed\): given more than once/);
    assert.match(text, /Temperature \(temperature\): not a number/);
    assert.match(text, /Model \(model\): not “bundled” or a Hugging Face model name/);
    assert.match(text, /Forced tokens \(forced\): not a list of tick:token pairs with rising ticks/);
    assert.equal(await notice.getAttribute('aria-live'), 'polite');
    assert.equal(await notice.locator('*').evaluateAll((els) => els.filter((e) => !['P', 'UL', 'LI'].includes(e.tagName)).length), 0, 'the notice is text in p/ul/li only');

    // The prompt is only text: it is in the field, and once ticked, in the charts, as text.
    const form = c.page.locator('[data-cell="controls"]');
    assert.equal(await form.locator('[name="prompt"]').inputValue(), '<img src=x onerror=alert(1)>');
    assert.deepEqual(
      { t: await form.locator('[name="temperature"]').inputValue(), k: await form.locator('[name="top-k"]').inputValue(), p: await form.locator('[name="top-p"]').inputValue(), s: await form.locator('[name="seed"]').inputValue() },
      { t: '0.8', k: '0', p: '1', s: '42' },
      'refused settings keep the page defaults',
    );
    await nextToken(c.page);
    await nextToken(c.page);
    await settledSnapshot(c.page, 2);
    assert.ok(((await c.page.locator('[data-cell="timeline"] table').textContent()) ?? '').length > 0);
    assert.equal(await c.page.evaluate(() => document.querySelectorAll('[onerror], img[src="x"], img[src$="/x"]').length +
      [...document.querySelectorAll('script')].filter((s) => /alert\(/.test(s.textContent ?? '')).length), 0, 'no element was injected');
    assert.ok(((await c.page.locator('[data-cell="timeline"] table').textContent()) ?? '').length > 0);
    assert.match((await c.page.locator('[data-cell="bars"] table caption').textContent()) ?? '', /Tick 1/);
    assert.deepEqual(c.dialogs, [], 'no dialog opened');
    // The notice and the shown link pass axe, in both colour schemes.
    await form.locator('[name="copy-link"]').click();
    await c.page.waitForFunction(() => (document.querySelector('[data-role="copy-status"]')?.textContent ?? '') !== '');
    for (const colorScheme of ['light', 'dark'] as const) {
      await c.page.emulateMedia({ colorScheme });
      const violations = await checkAxe(c.page);
      assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
    }
    assert.deepEqual(c.foreign, [], 'nothing was fetched from another origin');
    assert.deepEqual(c.errors, []);
    // The URL now names the run the page shows, the refused parameters gone.
    await c.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '2');
    assert.deepEqual(Object.fromEntries(new URL(c.page.url()).searchParams), {
      model: 'bundled', prompt: '<img src=x onerror=alert(1)>', temperature: '0.8', topK: '0', topP: '1', seed: '42', tick: '2',
    });
  });

  it('a link naming a Hub model this browser has not stored downloads nothing: a notice offers the Models page and the bundled model runs the link', async () => {
    const d = await freshPage(browser, preview.url);
    contexts.push(d.context);
    await d.page.goto(`${preview.url}/chapters/logits-to-token/?model=openai-community/gpt2&seed=7&tick=2`, { waitUntil: 'load' });
    await ready(d.page);
    const notice = d.page.locator('[data-role="link-notice"]');
    await d.page.waitForFunction(() => /not stored in this browser/.test(document.querySelector('[data-role="link-notice"]')?.textContent ?? ''));
    const text = (await notice.textContent()) ?? '';
    assert.match(text, /This link runs openai-community\/gpt2, which is not stored in this browser\. Nothing was downloaded: this page runs gutenberg-4m instead/);
    const href = await notice.getByRole('link', { name: 'Models page' }).getAttribute('href');
    assert.equal(href, '/models/');
    await settledSnapshot(d.page, 2); // the link's ticks ran, on the bundled model
    assert.match(text, new RegExp(`runs ${BUNDLED_MODEL} instead`));
    assert.equal(await d.page.locator('[data-cell="controls"] [name="seed"]').inputValue(), '7');
    assert.deepEqual(d.foreign, [], 'no request left the site (no Hub download began)');
    await d.page.waitForFunction(() => new URL(location.href).searchParams.get('model') === 'bundled'); // what ran
    assert.deepEqual(d.errors, []);
  });

  it('a link naming a Hub model stored in this browser runs it from the store, fetching nothing', async () => {
    const e = await freshPage(browser, preview.url);
    contexts.push(e.context);
    await e.page.goto(`${preview.url}/chapters/`, { waitUntil: 'load' });
    // Store the bundled model's files as if DistilGPT-2 had been downloaded on the Models page.
    await e.page.evaluate(async (bundled) => {
      const cache = await caches.open('tokenclock-models-v1');
      for (const f of ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors']) {
        const buf = await (await fetch(`/models/${bundled}/${f}`)).arrayBuffer();
        await cache.put(`https://huggingface.co/distilbert/distilgpt2/resolve/main/${f}`, new Response(buf, { headers: {
          'x-tokenclock-model': 'hub:https://huggingface.co/distilbert/distilgpt2', 'x-tokenclock-label': 'distilbert%2Fdistilgpt2',
          'x-tokenclock-bytes': String(buf.byteLength), 'x-tokenclock-stored': new Date().toISOString() } }));
      }
    }, BUNDLED_MODEL);
    await e.page.goto(`${preview.url}/chapters/logits-to-token/?model=distilbert/distilgpt2&tick=1`, { waitUntil: 'load' });
    await ready(e.page);
    await settledSnapshot(e.page, 1);
    assert.equal(await e.page.locator('[data-role="link-notice"]').textContent(), '');
    // The URL names the model that ran (read from the engine's model info), and the tick it ran.
    await e.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '1');
    assert.equal(new URL(e.page.url()).searchParams.get('model'), 'distilbert/distilgpt2');
    assert.deepEqual(e.foreign, []);
    assert.deepEqual(e.errors, []);
  });

  it('chapter 4 restores Layer and Head from a link; values beyond the model are refused once it has loaded', async () => {
    const f = await freshPage(browser, preview.url);
    contexts.push(f.context);
    await f.page.goto(`${preview.url}/chapters/attention/?layer=1&head=2&tick=1`, { waitUntil: 'load' });
    await ready(f.page);
    const form = f.page.locator('[data-cell="controls"]');
    assert.equal(await form.locator('[name="layer"]').inputValue(), '1');
    assert.equal(await form.locator('[name="head"]').inputValue(), '2');
    await f.page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks) === 1);
    await f.page.locator('[data-cell="controls"] [name="head"]').fill('3');
    await f.page.waitForFunction(() => new URL(location.href).searchParams.get('head') === '3' && new URL(location.href).searchParams.get('layer') === '1');

    // The bundled model has 4 layers, 4 heads and 4,096 tokens: 40, 9 and 99999 pass the URL's own limits, not the model's.
    await f.page.goto(`${preview.url}/chapters/attention/?layer=40&head=9&topK=999999&forced=1:99999&tick=2`, { waitUntil: 'load' });
    await ready(f.page);
    await f.page.waitForFunction(() => document.querySelectorAll('[data-role="link-notice"] li').length === 4);
    const text = (await f.page.locator('[data-role="link-notice"]').textContent()) ?? '';
    assert.match(text, /Layer \(layer\): beyond what this model has \(at most 3\)/);
    assert.match(text, /Head \(head\): beyond what this model has \(at most 3\)/);
    assert.match(text, /Top-k \(topK\): beyond what this model has/);
    assert.match(text, /Forced tokens \(forced\): beyond what this model has \(at most 4095\)/);
    assert.equal(await form.locator('[name="layer"]').inputValue(), '0');
    assert.equal(await form.locator('[name="head"]').inputValue(), '0');
    assert.equal(await form.locator('[name="layer"]').getAttribute('aria-invalid'), null);
    // The link's two ticks are replayed (the refused values aside), then Next adds a third.
    await f.page.waitForFunction(() => {
      const c = document.querySelector<HTMLElement>('[data-cell="controls"]');
      return Number(c?.dataset.ticks) === 2 && c?.dataset.clock === 'idle';
    }, null, { timeout: 60_000 });
    await nextToken(f.page);
    assert.deepEqual(f.errors, []);
  });

  it('the landing page: a run there reopens from its link with the same text; settings it has no input for are listed as ignored', async () => {
    const h = await freshPage(browser, preview.url);
    contexts.push(h.context);
    await h.page.goto(`${preview.url}/`, { waitUntil: 'load' });
    await h.page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
    assert.equal(new URL(h.page.url()).search, '');
    await h.page.locator('#prompt').fill('It was a dark and stormy night;');
    await h.page.locator('#temperature').fill('1.1');
    await h.page.locator('#seed').fill('99');
    for (let i = 0; i < 3; i++) {
      const before = (await h.page.locator('#generated').textContent()) ?? '';
      await h.page.locator('#next-token').click();
      await h.page.waitForFunction((b) => (document.querySelector('#generated')?.textContent ?? '') !== b && !(document.querySelector<HTMLButtonElement>('#next-token')?.disabled), before);
    }
    await h.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '3');
    const url = h.page.url();
    assert.deepEqual(Object.fromEntries(new URL(url).searchParams), { model: 'bundled', prompt: 'It was a dark and stormy night;', temperature: '1.1', topK: '0', topP: '1', seed: '99', tick: '3' });
    const text = await h.page.locator('#generated').textContent();
    assert.ok(text?.startsWith('It was a dark and stormy night;') && text.length > 'It was a dark and stormy night;'.length);

    const i = await freshPage(browser, preview.url);
    contexts.push(i.context);
    await i.page.goto(`${url}&head=5&layer=2`, { waitUntil: 'load' });
    await i.page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
    await i.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '3' && !(document.querySelector<HTMLButtonElement>('#next-token')?.disabled), null, { timeout: 60_000 });
    assert.equal(await i.page.locator('#generated').textContent(), text);
    assert.equal(await i.page.locator('#prompt').inputValue(), 'It was a dark and stormy night;');
    assert.equal(await i.page.locator('#temperature').inputValue(), '1.1');
    assert.equal(await i.page.locator('#seed').inputValue(), '99');
    assert.deepEqual((await noticeParams(i.page)).sort(), ['head', 'layer']);
    assert.match((await i.page.locator('[data-role="link-notice"]').textContent()) ?? '', /Head \(head\): this page has no such setting/);
    assert.equal(i.page.url(), url, 'the ignored parameters leave the URL');
    assert.deepEqual(i.foreign, []);
    assert.deepEqual([...h.errors, ...i.errors], []);
  });

  it("the landing page keeps a link's forced token in its URL until the first Next token takes it", async () => {
    const f = await freshPage(browser, preview.url);
    contexts.push(f.context);
    await f.page.goto(`${preview.url}/?prompt=Once&seed=7&forced=0:262`, { waitUntil: 'load' });
    await f.page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
    assert.equal(new URL(f.page.url()).searchParams.get('forced'), '0:262', 'no tick has run: the fork waits in the URL');
    assert.equal(await f.page.locator('[data-role="link-notice"]').textContent(), '', 'nothing was ignored');
    await f.page.locator('#next-token').click();
    await f.page.waitForFunction(() => new URL(location.href).searchParams.get('tick') === '1', null, { timeout: 30_000 });
    assert.equal(new URL(f.page.url()).searchParams.get('forced'), '0:262', 'the first tick took it');
    assert.equal(await f.page.locator('#generated .forced').count(), 1, 'the forced token is marked in the text');
    assert.deepEqual(f.errors, []);
  });

  it('a setting a page has no input for is listed as ignored (Layer on chapter 6)', async () => {
    const g = await freshPage(browser, preview.url);
    contexts.push(g.context);
    await g.page.goto(`${preview.url}/chapters/logits-to-token/?layer=1&seed=3`, { waitUntil: 'load' });
    await ready(g.page);
    await g.page.waitForFunction(() => document.querySelectorAll('[data-role="link-notice"] li').length === 1);
    assert.match((await g.page.locator('[data-role="link-notice"]').textContent()) ?? '', /Layer \(layer\): this page has no such setting/);
    assert.equal(await g.page.locator('[data-cell="controls"] [name="seed"]').inputValue(), '3');
  });
});
