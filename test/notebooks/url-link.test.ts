// The page's side of a shared link, in jsdom: linked values fill the inputs; checks that need the
// model put the default back and list the value; settings the page has no input for are listed;
// the notice is text (hostile values never become elements); the URL follows the run, written
// only once the reader changed something (or the link carried state), throttled. And the model a
// link names: loaded only from the store, never downloaded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { setLocale } from '../../components/i18n/index.ts';
import { loadChosenModel } from '../../notebooks/chosen-model.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo } from '../../engine/protocol.ts';
import { InputError } from '../../notebooks/runtime.ts';
import { modelParam, PageLink, WRITE_DELAY_MS } from '../../notebooks/url-link.ts';

const SHARE = `
<form id="f">
  <textarea name="prompt">default prompt</textarea>
  <input name="seed" value="42">
  <input name="layer" value="0">
  <div data-role="share" data-models-href="/models/">
    <div data-role="link-notice" aria-live="polite"></div>
    <button type="button" name="copy-link">Copy link</button><span data-role="copy-status"></span>
    <div data-role="share-url-box" hidden><output data-role="share-url"></output><p data-role="share-notes"></p></div>
  </div>
</form>`;

function page(url: string) {
  const dom = new JSDOM(`<!doctype html><html lang="en"><body>${SHARE}</body></html>`, { url });
  const doc = dom.window.document;
  const form = doc.getElementById('f')!;
  const el = <T extends Element>(sel: string) => doc.querySelector<T & Element>(sel)!;
  return { dom, doc, form, el, link: PageLink.of(form) };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PageLink', () => {
  it('is one per window, fills the inputs it is given, and lists what the URL could not carry as text', () => {
    setLocale('en');
    const { dom, doc, form, el, link } = page('https://example.org/chapters/x/?seed=7&prompt=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&temperature=abc&layer=2&topK=3');
    assert.equal(PageLink.of(dom.window as unknown as Window), link);
    link.fill('prompt', el<HTMLTextAreaElement>('[name="prompt"]'));
    link.fill('seed', el<HTMLInputElement>('[name="seed"]'));
    link.attach(doc, form);
    assert.equal(el<HTMLTextAreaElement>('[name="prompt"]').value, '<img src=x onerror=alert(1)>');
    assert.equal(el<HTMLInputElement>('[name="seed"]').value, '7');
    assert.equal(el<HTMLInputElement>('[name="layer"]').value, '0', 'not filled: the page did not ask');
    const notice = el<HTMLElement>('[data-role="link-notice"]');
    assert.deepEqual([...notice.querySelectorAll('li')].map((li) => li.textContent), ['Temperature (temperature): not a number']);
    link.settle();
    assert.deepEqual([...notice.querySelectorAll('li')].map((li) => li.dataset.param), ['temperature', 'topK', 'layer']);
    assert.match(notice.textContent!, /Top-k \(topK\): this page has no such setting/);
    assert.equal(doc.querySelectorAll('img, script').length, 0);
    dom.window.close();
  });

  it('guard: a linked value the model refuses is listed once, and the default is parsed instead', async () => {
    const { dom, doc, form, el, link } = page('https://example.org/?layer=9');
    link.attach(doc, form);
    const layer = el<HTMLInputElement>('[name="layer"]');
    link.fill('layer', layer);
    const parse = link.guard('layer', (e: HTMLInputElement) => {
      const n = Number(e.value);
      if (n > 3) throw new InputError('too big');
      return n;
    }, () => ({ reason: 'beyond-model', max: 3 }));
    assert.equal(await parse(layer), 0);
    assert.equal(layer.value, '0');
    assert.match(el('[data-role="link-notice"]').textContent!, /Layer \(layer\): beyond what this model has \(at most 3\)/);
    // A value the reader types later is refused as usual, not replaced.
    layer.value = '9';
    await assert.rejects(Promise.resolve(parse(layer)), InputError);
    assert.equal(link.rejected.length, 1);
    dom.window.close();
  });

  it('writes the URL only once the reader changed something, throttled, keeping other parameters', async () => {
    const { dom, form, link } = page('https://example.org/chapters/x/?utm=a#top');
    link.attach(dom.window.document, form);
    link.update({ model: { kind: 'bundled' }, prompt: 'Hi', seed: 42, tick: 0 });
    await wait(WRITE_DELAY_MS + 50);
    assert.equal(dom.window.location.href, 'https://example.org/chapters/x/?utm=a#top', 'a plain visit keeps its URL');
    link.update({ tick: 1 });
    link.update({ tick: 2 });
    assert.equal(dom.window.location.search, '?utm=a', 'not at once');
    await wait(WRITE_DELAY_MS + 50);
    assert.equal(dom.window.location.href, 'https://example.org/chapters/x/?utm=a&model=bundled&prompt=Hi&seed=42&tick=2#top');
    link.update({ model: undefined }, { local: true }); // the reader's own files: no model in the link
    assert.equal(link.flush(), 'https://example.org/chapters/x/?utm=a&prompt=Hi&seed=42&tick=2#top');
    dom.window.close();
  });

  it('a link with state is rewritten to what the page runs, refused parameters gone', async () => {
    const { dom, form, link } = page('https://example.org/?seed=1&seed=2&temperature=abc');
    link.attach(dom.window.document, form);
    link.update({ model: { kind: 'bundled' }, temperature: 0.8, seed: 42 });
    await wait(WRITE_DELAY_MS + 50);
    assert.equal(dom.window.location.search, '?model=bundled&temperature=0.8&seed=42');
    dom.window.close();
  });

  it('the model notice names the link’s model and links the Models page, as text', () => {
    const { dom, doc, form, el, link } = page('https://example.org/?model=openai-community/gpt2');
    link.attach(doc, form);
    link.setModelNotice({ kind: 'not-stored', repo: 'openai-community/gpt2', running: 'gutenberg-4m' });
    const p = el<HTMLElement>('[data-role="link-notice"] p');
    assert.match(p.textContent!, /^This link runs openai-community\/gpt2, which is not stored in this browser\. Nothing was downloaded: this page runs gutenberg-4m instead.*download it on the Models page\.$/);
    assert.equal(p.querySelector('a')?.getAttribute('href'), '/models/');
    setLocale('zh-cn');
    link.setModelNotice({ kind: 'failed', repo: 'a/b', running: 'gutenberg-4m', error: '<b>bad</b>' });
    assert.match(el('[data-role="link-notice"] p').textContent!, /请看模型页面。$/);
    assert.equal(doc.querySelectorAll('[data-role="link-notice"] b').length, 0);
    setLocale(null);
    dom.window.close();
  });

  it('Copy link shows the link as text, and says what of the run a link cannot carry', async () => {
    const { dom, doc, form, el, link } = page('https://example.org/chapters/x/');
    link.attach(doc, form);
    link.update({ model: { kind: 'bundled' }, prompt: 'x'.repeat(3000), seed: 5, tick: 2 });
    await link.copy(); // no clipboard in jsdom: the visible link and the status say so
    assert.equal(el<HTMLElement>('[data-role="share-url-box"]').hidden, false);
    assert.equal(el('[data-role="share-url"]').textContent, dom.window.location.href);
    assert.match(el('[data-role="copy-status"]').textContent!, /^(Link copied|Could not copy)/);
    assert.match(el('[data-role="share-notes"]').textContent!, /cannot carry .*Prompt \(prompt\): too long \(at most 2000 characters\)/);
    link.update({ prompt: 'short' });
    link.flush();
    assert.equal(el('[data-role="share-notes"]').textContent, '');
    assert.equal(el('[data-role="copy-status"]').textContent, '', 'the copied link is out of date: its confirmation goes');
    dom.window.close();
  });

  it('modelParam: bundled, a Hub repository (any Hub), none for files from disk', () => {
    assert.deepEqual(modelParam({ key: 'url:https://example.org/models/gutenberg-4m/' }), { kind: 'bundled' });
    assert.deepEqual(modelParam({ key: 'hub:https://huggingface.co/openai-community/gpt2' }), { kind: 'hub', repo: 'openai-community/gpt2' });
    assert.deepEqual(modelParam({ key: 'hub:http://mirror.school.lan/hf/distilbert/distilgpt2' }), { kind: 'hub', repo: 'distilbert/distilgpt2' });
    assert.equal(modelParam({ key: 'local:my-gpt2' }), undefined);
  });
});

describe('loadChosenModel with a model from the URL', () => {
  /** An engine that records load requests; loads of `failing` keys fail. */
  function fakeEngine(failing: string[] = []) {
    const loads: unknown[] = [];
    const engine = {
      async request(req: { type: string; source?: { kind: string; repo?: string; hub?: string } }) {
        loads.push(req.source);
        const s = req.source!;
        if (s.kind === 'hub' && failing.includes(s.repo!)) throw new Error('damaged');
        return { label: s.kind === 'hub' ? s.repo : 'gutenberg-4m', key: s.kind === 'hub' ? `hub:${s.hub}/${s.repo}` : 'url:bundled' } as unknown as ModelInfo;
      },
      cancel: async () => ({ cancelled: 0 }),
    } as unknown as Engine;
    return { engine, loads };
  }
  const storage = (choice?: object) => ({ getItem: (k: string) => (k === 'tokenclock.model' && choice ? JSON.stringify(choice) : null) }) as Storage;
  const opts = { bundled: { url: 'https://example.org/models/gutenberg-4m/', label: 'gutenberg-4m' }, wasmPath: '/tfjs/' };
  const bundled = { kind: 'url', url: opts.bundled.url, label: 'gutenberg-4m' };

  it('bundled in the link wins over the reader’s choice', async () => {
    const { engine, loads } = fakeEngine();
    const r = await loadChosenModel(engine, { ...opts, storage: storage({ kind: 'hub', hub: 'https://huggingface.co', repo: 'openai-community/gpt2' }), linked: { kind: 'bundled' } });
    assert.deepEqual(loads, [bundled]);
    assert.equal(r.linkNotice, undefined);
  });

  it('a Hub model not in the store is never asked for: the bundled model runs, with a notice', async () => {
    const { engine, loads } = fakeEngine();
    const r = await loadChosenModel(engine, { ...opts, storage: storage(), linked: { kind: 'hub', repo: 'openai-community/gpt2' }, isStored: async () => false });
    assert.deepEqual(loads, [bundled]);
    assert.deepEqual(r.linkNotice, { kind: 'not-stored', repo: 'openai-community/gpt2' });
  });

  it('a stored Hub model is read from the store only (storedOnly), from the reader’s own Hub when they chose it', async () => {
    const a = fakeEngine();
    const seen: unknown[] = [];
    await loadChosenModel(a.engine, { ...opts, storage: storage(), linked: { kind: 'hub', repo: 'distilbert/distilgpt2' }, isStored: async (s) => (seen.push(s), true) });
    assert.deepEqual(a.loads, [{ kind: 'hub', hub: 'https://huggingface.co', repo: 'distilbert/distilgpt2', storedOnly: true }]);
    assert.deepEqual(seen, a.loads);
    const b = fakeEngine();
    await loadChosenModel(b.engine, { ...opts, storage: storage({ kind: 'hub', hub: 'http://mirror.lan', repo: 'distilbert/distilgpt2' }), linked: { kind: 'hub', repo: 'distilbert/distilgpt2' }, isStored: async () => true });
    assert.deepEqual(b.loads, [{ kind: 'hub', hub: 'http://mirror.lan', repo: 'distilbert/distilgpt2', storedOnly: true }]);
  });

  it('a stored model that fails to load falls back to the bundled one, saying why', async () => {
    const { engine, loads } = fakeEngine(['a/b']);
    const r = await loadChosenModel(engine, { ...opts, storage: storage(), linked: { kind: 'hub', repo: 'a/b' }, isStored: async () => true });
    assert.deepEqual(loads.at(-1), bundled);
    assert.deepEqual(r.linkNotice, { kind: 'failed', repo: 'a/b', error: 'damaged' });
  });
});
