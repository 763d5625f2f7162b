// The run's state in the URL: strict parsing of every parameter (hostile ones refused with a
// reason, never trusted), serialising, and the round trip.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setLocale } from '../../components/i18n/index.ts';
import { checkLinkedPrompt, describeRejection, hasStateParams, hrefWithState, LIMITS, parseUrlState, serializeUrlState, type UrlState } from '../../notebooks/url-state.ts';

const reasons = (q: string) => Object.fromEntries(parseUrlState(q).rejected.map((r) => [r.param, r.reason]));

describe('parseUrlState', () => {
  it('reads a full, valid state', () => {
    const { state, rejected } = parseUrlState('?model=openai-community/gpt2&prompt=Once+upon+a+time&temperature=0.8&topK=40&topP=0.95&seed=7&layer=3&head=11&tick=12');
    assert.deepEqual(rejected, []);
    assert.deepEqual(state, {
      model: { kind: 'hub', repo: 'openai-community/gpt2' },
      prompt: 'Once upon a time',
      temperature: 0.8,
      topK: 40,
      topP: 0.95,
      seed: 7,
      layer: 3,
      head: 11,
      tick: 12,
    });
  });

  it('reads nothing from an empty or foreign query, and leaves parameters that are not its own alone', () => {
    assert.deepEqual(parseUrlState(''), { state: {}, rejected: [] });
    assert.deepEqual(parseUrlState('?utm_source=x&Prompt=hi&TOPK=3'), { state: {}, rejected: [] });
    assert.equal(hasStateParams('?utm_source=x'), false);
    assert.equal(hasStateParams('?seed=1'), true);
  });

  it('takes the bundled model and Hub repository names, and nothing that is an address', () => {
    assert.deepEqual(parseUrlState('model=bundled').state.model, { kind: 'bundled' });
    assert.deepEqual(parseUrlState('model=distilbert/distilgpt2').state.model, { kind: 'hub', repo: 'distilbert/distilgpt2' });
    for (const bad of [
      'https://evil.example/x',
      'http://127.0.0.1:8080/gpt2',
      '//evil.example/x',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'openai-community/gpt2/../../x',
      '../secret',
      'owner/name?download=1',
      'owner/name#x',
      'owner/na me',
      'gpt2', // the legacy short name is not a repository path
      'a/b/c',
      '<img src=x onerror=alert(1)>',
      'owner/..',
      'owner/a..b',
    ]) {
      const { state, rejected } = parseUrlState(new URLSearchParams({ model: bad }));
      assert.equal(state.model, undefined, bad);
      assert.deepEqual(rejected, [{ param: 'model', reason: 'not-a-model' }], bad);
    }
    assert.equal(reasons(`model=${'a'.repeat(60)}/${'b'.repeat(60)}`).model, 'too-long');
    assert.equal(reasons('model=').model, 'empty');
  });

  it('keeps HTML-looking prompts as text (they are only ever shown as text) but refuses control characters', () => {
    const html = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    assert.equal(parseUrlState(new URLSearchParams({ prompt: html })).state.prompt, html);
    assert.equal(parseUrlState(new URLSearchParams({ prompt: 'javascript:alert(1)' })).state.prompt, 'javascript:alert(1)');
    assert.equal(parseUrlState(new URLSearchParams({ prompt: '今天天气很好 👋🏽\nnext line\ttab' })).state.prompt, '今天天气很好 👋🏽\nnext line\ttab');
    for (const bad of ['a\u0000b', 'bell\u0007', 'esc\u001b[31m', 'del\u007f', 'c1\u0085', 'rlo\u202eevil', 'isolate\u2066x\u2069']) {
      assert.equal(reasons(new URLSearchParams({ prompt: bad }).toString()).prompt, 'control-character', JSON.stringify(bad));
    }
    assert.equal(reasons('prompt=%00').prompt, 'control-character');
    // A query cannot carry an unpaired surrogate (URLSearchParams makes it U+FFFD); a string can.
    assert.equal(parseUrlState('prompt=%ED%A0%80').state.prompt, '\ufffd\ufffd\ufffd');
    for (const bad of ['lone\ud800surrogate', 'low\udc00first']) assert.deepEqual(checkLinkedPrompt(bad), { reason: 'control-character' });
    assert.equal(checkLinkedPrompt('pair \ud83d\udc4b'), 'pair 👋');
    assert.equal(reasons('prompt=').prompt, 'empty');
    assert.equal(reasons('prompt=+++').prompt, 'empty');
  });

  it('refuses a 100 KB prompt, and takes one at the cap', () => {
    const huge = new URLSearchParams({ prompt: 'a'.repeat(100 * 1024) });
    const r = parseUrlState(huge);
    assert.equal(r.state.prompt, undefined);
    assert.deepEqual(r.rejected, [{ param: 'prompt', reason: 'too-long', max: LIMITS.promptChars }]);
    assert.equal(parseUrlState(new URLSearchParams({ prompt: 'a'.repeat(LIMITS.promptChars) })).state.prompt?.length, LIMITS.promptChars);
  });

  it('reads numbers only as plain decimals in range', () => {
    const cases: [string, string][] = [
      ['temperature=abc', 'not-a-number'],
      ['temperature=NaN', 'not-a-number'],
      ['temperature=Infinity', 'not-a-number'],
      ['temperature=0x10', 'not-a-number'],
      ['temperature=+1', 'not-a-number'],
      ['temperature=%201', 'not-a-number'],
      ['temperature=1%20', 'not-a-number'],
      ['temperature=1,5', 'not-a-number'],
      ['temperature=1e309', 'out-of-range'],
      ['temperature=-0.1', 'out-of-range'],
      ['temperature=100.5', 'out-of-range'],
      ['temperature=', 'empty'],
      ['topK=-5', 'out-of-range'],
      ['topK=2.5', 'not-whole'],
      ['topK=1e7', 'out-of-range'],
      ['topP=0', 'out-of-range'],
      ['topP=1.01', 'out-of-range'],
      ['seed=1e400', 'out-of-range'],
      ['seed=4294967296', 'out-of-range'],
      ['seed=-1', 'out-of-range'],
      ['seed=1.5', 'not-whole'],
      ['seed=99999999999999999999999999999999999', 'too-long'],
      ['layer=99', 'out-of-range'],
      ['head=-1', 'out-of-range'],
      ['tick=1025', 'out-of-range'],
      ['tick=1e6', 'out-of-range'],
      ['tick=3.5', 'not-whole'],
      ['tick=<script>', 'not-a-number'],
    ];
    for (const [q, reason] of cases) {
      const r = parseUrlState(q);
      assert.deepEqual(Object.keys(r.state), [], q);
      assert.equal(r.rejected.length, 1, q);
      assert.equal(r.rejected[0].reason, reason, q);
    }
    assert.deepEqual(parseUrlState('temperature=0&topK=0&topP=1&seed=4294967295&layer=0&head=63&tick=1024').state,
      { temperature: 0, topK: 0, topP: 1, seed: 4294967295, layer: 0, head: 63, tick: 1024 });
    assert.deepEqual(parseUrlState('temperature=1e-2&seed=1e3&topP=.5').state, { temperature: 0.01, seed: 1000, topP: 0.5 });
    assert.ok(Object.is(parseUrlState('seed=-0').state.seed, 0));
  });

  it('refuses a parameter given twice, whichever copy is valid', () => {
    const r = parseUrlState('seed=1&seed=2&prompt=a&prompt=%3Cscript%3E&temperature=0.5');
    assert.deepEqual(r.state, { temperature: 0.5 });
    assert.deepEqual(r.rejected, [{ param: 'prompt', reason: 'duplicate' }, { param: 'seed', reason: 'duplicate' }]);
  });

  it('refuses the hostile example from the issue, parameter by parameter, and keeps nothing of it', () => {
    const q = new URLSearchParams({ prompt: '<img src=x onerror=alert(1)>', temperature: 'abc', topK: '-5', seed: '1e400', layer: '99', model: 'https://evil.example/x' });
    const r = parseUrlState(q);
    assert.deepEqual(r.state, { prompt: '<img src=x onerror=alert(1)>' }); // text only: the page shows it with textContent
    assert.deepEqual(r.rejected.map((x) => [x.param, x.reason]), [
      ['model', 'not-a-model'],
      ['temperature', 'not-a-number'],
      ['topK', 'out-of-range'],
      ['seed', 'out-of-range'],
      ['layer', 'out-of-range'],
    ]);
  });
});

describe('serializeUrlState', () => {
  const full: UrlState = {
    model: { kind: 'bundled' },
    prompt: 'The clock struck one, & then <b>two</b>?',
    temperature: 0.8,
    topK: 40,
    topP: 0.95,
    seed: 42,
    layer: 1,
    head: 2,
    tick: 5,
    forced: [[1, 262], [3, 50256]],
  };

  it('writes every parameter in order, and reads back the same state', () => {
    const q = serializeUrlState(full);
    assert.deepEqual([...q.keys()], ['model', 'prompt', 'temperature', 'topK', 'topP', 'seed', 'layer', 'head', 'tick', 'forced']);
    assert.equal(q.get('forced'), '1:262,3:50256');
    assert.deepEqual(parseUrlState(q.toString()), { state: full, rejected: [] });
    assert.ok(!q.toString().includes('<'), 'HTML is percent-encoded in the query');
  });

  it('round-trips awkward values: tiny and long decimals, unicode, Hub names, the limits', () => {
    for (const s of [
      { temperature: 1e-7, topP: 0.30000000000000004, seed: 4294967295 },
      { temperature: 100, topK: 1_000_000, layer: 63, head: 0 },
      { prompt: '今天天气很好 👋🏽\n\ttabs & “quotes” + pluses %20', model: { kind: 'hub', repo: 'distilbert/distilgpt2' } as const },
      { prompt: 'x'.repeat(LIMITS.promptChars) },
    ] satisfies Partial<UrlState>[]) {
      assert.deepEqual(parseUrlState(serializeUrlState(s).toString()), { state: s, rejected: [] });
    }
  });

  it('leaves out tick 0, and writes a count over the limit as the limit', () => {
    assert.equal(serializeUrlState({ seed: 1, tick: 0 }).toString(), 'seed=1');
    assert.equal(serializeUrlState({ tick: 5000 }).get('tick'), String(LIMITS.tick.max));
  });

  it('keeps other parameters and the fragment, replacing its own (and refused copies of them)', () => {
    const href = hrefWithState('https://example.org/chapters/the-clock/?utm=a&seed=1&seed=2&temperature=abc#attention', { seed: 9, tick: 3 });
    assert.equal(href, 'https://example.org/chapters/the-clock/?utm=a&seed=9&tick=3#attention');
    assert.equal(hrefWithState('https://example.org/?seed=1', {}), 'https://example.org/');
  });
});

describe('describeRejection', () => {
  it('says what was refused and why, in the reader’s language', () => {
    setLocale('en');
    assert.equal(describeRejection({ param: 'temperature', reason: 'not-a-number' }), 'Temperature (temperature): not a number');
    assert.equal(describeRejection({ param: 'seed', reason: 'out-of-range', min: 0, max: 4294967295 }), 'Seed (seed): outside 0 to 4294967295');
    assert.equal(describeRejection({ param: 'topP', reason: 'out-of-range', min: 0, max: 1, minExclusive: true }), 'Top-p (topP): must be above 0 and at most 1');
    assert.match(describeRejection({ param: 'model', reason: 'not-a-model' }), /^Model \(model\): not “bundled” or a Hugging Face model name/);
    setLocale('zh-cn');
    assert.equal(describeRejection({ param: 'temperature', reason: 'not-a-number' }), '温度（temperature）：不是数字');
    setLocale(null);
  });
});

describe('forced tokens in a link', () => {
  it('reads tick:id pairs with rising ticks, and refuses anything else with a reason', () => {
    assert.deepEqual(parseUrlState('forced=0:5,12:50256').state, { forced: [[0, 5], [12, 50256]] });
    const bad = (raw: string) => parseUrlState(new URLSearchParams({ forced: raw })).rejected.map((r) => r.reason);
    assert.deepEqual(bad('3:1,2:4'), ['not-forced-list'], 'ticks must rise');
    assert.deepEqual(bad('3:1,3:4'), ['not-forced-list'], 'one token per tick');
    assert.deepEqual(bad('3=1'), ['not-forced-list']);
    assert.deepEqual(bad('-1:4'), ['not-forced-list']);
    assert.deepEqual(bad('1:<b>'), ['not-forced-list']);
    assert.deepEqual(bad('1024:4'), ['out-of-range'], 'a link replays at most 1,024 ticks');
    assert.deepEqual(bad(''), ['empty']);
    assert.deepEqual(bad(Array.from({ length: 65 }, (_, i) => `${i}:1`).join(',')), ['too-long']);
    assert.equal(serializeUrlState({ forced: [] }).toString(), '', 'no forced tokens, no parameter');
  });
});
