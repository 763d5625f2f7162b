// The chapters' predict-then-reveal questions with a real (small, random) model in Node: the
// question is open before any answer exists (no tick has run for the questions about the next
// tick), the commit computes nothing, and the revealed answer equals what the engine itself
// reports: the tick's token, its attention row, its logit lens, the cache's length, the weights'
// checksum, the tokenizer's count, a resample, the tick's `fed`.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setLocale } from '../../components/i18n/index.ts';
import { visibleText } from '../../components/text.ts';
import type { Chapter } from '../../notebooks/runtime.ts';
import * as ch1 from '../../notebooks/chapters/01-the-clock/index.ts';
import * as ch2 from '../../notebooks/chapters/02-tokens/index.ts';
import * as ch3 from '../../notebooks/chapters/03-embeddings/index.ts';
import { cosine } from '../../notebooks/chapters/03-embeddings/data.ts';
import * as ch4 from '../../notebooks/chapters/04-attention/index.ts';
import { newestRow } from '../../notebooks/chapters/04-attention/data.ts';
import { attentionAnswer, attentionChoices, PREDICT_KEYS } from '../../notebooks/chapters/04-attention/question.ts';
import * as ch5 from '../../notebooks/chapters/05-mlp-residual/index.ts';
import { firstOnTop } from '../../notebooks/chapters/05-mlp-residual/data.ts';
import * as ch6 from '../../notebooks/chapters/06-logits-to-token/index.ts';
import * as ch7 from '../../notebooks/chapters/07-kv-cache/index.ts';
import * as ch8 from '../../notebooks/chapters/08-not-training/index.ts';
import * as ch9 from '../../notebooks/chapters/09-cost-speed/index.ts';
import { timingAnswer } from '../../notebooks/chapters/09-cost-speed/question.ts';
import * as ch10 from '../../notebooks/chapters/10-faq/index.ts';
import * as ch11 from '../../notebooks/chapters/11-appendix-code/index.ts';
import { sameText, ticksFrom } from '../../notebooks/predict.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import type { Engine as NotebookEngine } from '../../engine/engine.ts';
import { openChapter, type Page } from './page.ts';
import { smallConfig, smallEngine } from './small-model.ts';

type Engine = Awaited<ReturnType<typeof smallEngine>>;

/** The engine with each tick's answer held back `ms`, so a test can act while a reveal is ticking. */
const slowTicks = (engine: NotebookEngine, ms: number): NotebookEngine => ({
  request: (async (req: Parameters<NotebookEngine['request']>[0], opts?: Parameters<NotebookEngine['request']>[1]) => {
    const r = await engine.request(req, opts);
    if (req.type === 'tick') await new Promise((ok) => setTimeout(ok, ms));
    return r;
  }) as NotebookEngine['request'],
  cancel: () => engine.cancel(),
});

/** One chapter page with its predict mount, the question's words and numbers set as Predict.astro sets them. */
async function openQuestion(e: Engine, chapter: Chapter, question: string, params?: Record<string, string | number>, prompt?: string, engine: NotebookEngine = e.engine): Promise<{ page: Page; form: () => HTMLFormElement }> {
  const page = await openChapter(chapter, ['predict'], engine, e.info);
  page.mounts.predict!.dataset.question = question;
  if (params) page.mounts.predict!.dataset.params = JSON.stringify(params);
  await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  if (prompt !== undefined) {
    page.set('prompt', prompt);
    await page.until('the new prompt', () => e.host.session?.promptLength === e.host.model!.tokenizer.encode(prompt).length);
  }
  const form = () => page.mounts.predict!.querySelector<HTMLFormElement>('form.predict')!;
  await page.until('the question', () => page.mounts.predict!.querySelector('form.predict') !== null);
  assert.equal(form().querySelector('legend')!.textContent, question);
  return { page, form };
}

/** Pick (or type) a guess and commit it: nothing of the answer may exist yet. */
function commit(form: HTMLFormElement, guess: string): void {
  const radio = form.querySelector<HTMLInputElement>(`input[type="radio"][value="${guess}"]`);
  if (radio) radio.checked = true;
  else form.querySelector<HTMLInputElement>('input:not([type="radio"])')!.value = guess;
  form.querySelector<HTMLButtonElement>('button[name="commit"]')!.click();
  assert.equal(form.dataset.phase, 'committed', form.querySelector('.predict-error')?.textContent ?? '');
  assert.equal(form.querySelector('.predict-compare'), null);
}

/** Reveal, wait for the answer, and read it back: the model's label, the marked choice, match. */
async function reveal(page: Page, form: HTMLFormElement): Promise<{ label: string; value: string | null; match: boolean; detail: string }> {
  form.querySelector<HTMLButtonElement>('button[name="reveal"]')!.click();
  await page.until('the answer', () => form.dataset.phase === 'revealed' || /could not/.test(form.querySelector('.predict-error')?.textContent ?? ''), 60_000);
  assert.equal(form.dataset.phase, 'revealed', form.querySelector('.predict-error')?.textContent ?? '');
  const yours = form.querySelector('.predict-yours dd')!.textContent!;
  assert.ok(yours.length > 0, 'the guess stays beside the answer');
  return {
    label: form.querySelector('.predict-model dd')!.textContent!,
    value: form.querySelector<HTMLInputElement>('label.predict-answer input')?.value ?? null,
    match: form.dataset.match === 'true',
    detail: form.querySelector('.predict-detail')?.textContent ?? '',
  };
}

const argmax = (xs: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
};

describe('predict, then reveal, in every chapter', () => {
  let e: Engine;
  let page: Page | undefined;
  const piece = (id: number) => e.host.model!.tokenizer.tokenPiece(id).text;

  before(async () => {
    setLocale('en');
    e = await smallEngine();
  });
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 400)); // let the page's own timers (e.g. the URL's delayed write) run before its window closes
    page?.close();
    page = undefined;
  });
  after(async () => {
    setLocale(null);
    await e?.cleanup();
  });

  it('chapter 1: the next token is the one the tick run after the commit writes', async () => {
    const q = await openQuestion(e, ch1, 'Which token will the model find most likely next?');
    page = q.page;
    assert.equal(page.ticks(), 0, 'the answer does not exist yet');
    assert.match(q.form().querySelector('.predict-context')!.textContent!, /The clock struck one, and/);
    commit(q.form(), ' the');
    assert.equal(page.ticks(), 0, 'committing runs nothing');
    const a = await reveal(page, q.form());
    await page.until('1 ticks on the page', () => page!.ticks() === 1);
    // The answer is the tick's most likely token: the greedy draw (T = 0) of the same logits.
    const first = async (index: number) => (await e.engine.request({ type: 'resample', index, sampling: { temperature: 0, topK: 0, topP: 1 }, seed: 1 })).chosen.text;
    const top0 = await first(0);
    assert.equal(a.label, `“${visibleText(top0)}”`);
    assert.equal(a.match, sameText(' the', top0));
    const id = e.host.session!.ids.at(-1)!;
    assert.match(a.detail, piece(id) === top0 ? /The dice wrote it too\./ : /The dice then wrote “.*”, its candidate number \d+/);
    // Ask again, guessing the first choice: the next answer is the next tick's, and a match.
    q.form().querySelector<HTMLButtonElement>('button[name="again"]')!.click();
    const guess = top0;
    commit(q.form(), guess);
    const b = await reveal(page, q.form());
    await page.until('2 ticks on the page', () => page!.ticks() === 2);
    const top1 = await first(1);
    assert.equal(b.label, `“${visibleText(top1)}”`);
    assert.equal(b.match, sameText(guess, top1));
  });

  it('chapter 1: a guess whose run was reset is dropped, and the question asked again', async () => {
    const q = await openQuestion(e, ch1, 'Which token will the model find most likely next?');
    page = q.page;
    commit(q.form(), 'x');
    page.control('next-token').click();
    await page.until('a tick', () => page!.ticks() === 1);
    page.control('reset').click();
    await page.until('the reset', () => page!.ticks() === 0 && q.form().dataset.phase === 'open');
    assert.equal(q.form().querySelector('.predict-compare'), null);
  });

  it('chapter 7: Reset during a reveal stops it, takes no ticks of the new run, and asks again', async () => {
    const q = await openQuestion(e, ch7, 'How many positions will the KV cache hold after 20 more ticks?', { ticks: 20 }, 'a', slowTicks(e.engine, 40));
    page = q.page;
    commit(q.form(), '20');
    q.form().querySelector<HTMLButtonElement>('button[name="reveal"]')!.click();
    await page.until('the reveal to be ticking', () => page!.ticks() >= 2);
    page.control('reset').click();
    await page.until('the question asked again', () => q.form().dataset.phase === 'open', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(e.host.session!.ticks <= 1, `the new run was ticked on (${e.host.session!.ticks} ticks)`);
    assert.equal(q.form().querySelector('.predict-compare'), null);
  });

  it('chapter 2: the token count is the engine tokenizer’s; the choices run from 1 to the text’s bytes', async () => {
    const q = await openQuestion(e, ch2, 'Into how many tokens will this model’s tokenizer cut 你好?', { text: '你好' });
    page = q.page;
    const values = [...q.form().querySelectorAll<HTMLInputElement>('input[type="radio"]')].map((r) => r.value);
    assert.deepEqual(values, ['1', '2', '3', '4', '5', '6']);
    commit(q.form(), '2');
    const a = await reveal(page, q.form());
    const { tokens } = await e.engine.request({ type: 'tokenize', text: '你好' });
    assert.equal(a.value, String(tokens.length));
    assert.equal(a.label, String(tokens.length));
    assert.equal(a.match, tokens.length === 2);
  });

  it('chapter 3: the closest row of wte is the one with the largest cosine, from the prefill’s trace', async () => {
    const q = await openQuestion(e, ch3, 'Which token of the prompt has the row of wte closest to the last prompt token’s?', undefined, 'the cat sat on the mat');
    page = q.page;
    const ids = [...q.form().querySelectorAll<HTMLInputElement>('input[type="radio"]')].map((r) => Number(r.value));
    assert.ok(ids.length >= 2);
    assert.equal(page.ticks(), 0);
    commit(q.form(), String(ids[0]));
    const a = await reveal(page, q.form());
    const r = await e.engine.request({ type: 'recompute', trace: { embeddings: true } });
    const emb = r.trace!.embeddings!;
    const C = emb.shape[1];
    const row = (p: number) => emb.token.subarray(p * C, (p + 1) * C);
    const last = r.trace!.tokens.length - 1; // the prompt's last position (one tick ran: the cache holds the prompt)
    const sims = ids.map((id) => cosine(row(last), row(r.trace!.tokens.indexOf(id))));
    assert.equal(a.value, String(ids[argmax(sims)]));
  });

  it('chapter 4: the attended position is the argmax of the next tick’s row, for the Layer and Head committed', async () => {
    const q = await openQuestion(e, ch4, 'Which earlier token will this head attend to most at the next tick?', undefined, 'the cat sat');
    page = q.page;
    page.set('layer', '1');
    page.set('head', '1');
    await page.until('layer 1, head 1', () => /layer 1, head 1/.test(q.form().querySelector('.predict-context')?.textContent ?? ''));
    const prompt = e.host.session!.promptLength;
    assert.equal(q.form().querySelectorAll('input[type="radio"]').length, prompt);
    commit(q.form(), '0');
    // Changing Layer after the commit does not change the question: the answer is still layer 1's.
    page.set('layer', '0');
    const a = await reveal(page, q.form());
    const r = await e.engine.request({ type: 'recompute', trace: { attention: true, layers: [1] } });
    const rowOf = newestRow(r.trace!, 1, 1)!;
    assert.equal(rowOf.length, prompt);
    assert.equal(a.value, String(argmax(rowOf)));
    assert.match(a.detail, /^Layer 1, head 1, the row of position/);
    // The next round asks about the next row, one position longer.
    q.form().querySelector<HTMLButtonElement>('button[name="again"]')!.click();
    await page.until('one more choice', () => q.form().querySelectorAll('input[type="radio"]').length === prompt + 1);
  });

  it('chapter 5: the block where the final guess first tops the lens, from the tick’s lens', async () => {
    const q = await openQuestion(e, ch5, 'After which block does the model’s final guess first come out on top?');
    page = q.page;
    assert.equal(q.form().querySelectorAll('input[type="radio"]').length, smallConfig.n_layer);
    commit(q.form(), '1');
    const a = await reveal(page, q.form());
    const r = await e.engine.request({ type: 'recompute', trace: { lens: 5 } });
    const lens = r.trace!.lens.map((l) => l.positions.at(-1)!);
    assert.equal(a.value, String(firstOnTop(lens)));
    assert.equal(a.match, a.value === '1');
  });

  it('chapter 6: the lower temperature’s pick is the engine’s resample of the same tick with the same dice', async () => {
    const q = await openQuestion(e, ch6, 'At temperature 0.2, would the latest tick still pick the same token?', { temperature: 0.2 });
    page = q.page;
    page.set('temperature', '2');
    page.control('next-token').click();
    await page.until('a tick', () => page!.ticks() === 1 && /Tick 0 picked/.test(q.form().querySelector('.predict-context')?.textContent ?? ''));
    commit(q.form(), 'same');
    const a = await reveal(page, q.form());
    const base = await e.engine.request({ type: 'resample', index: 0, sampling: { temperature: 2, topK: 0, topP: 1 }, seed: 42 });
    const cold = await e.engine.request({ type: 'resample', index: 0, sampling: { temperature: 0.2, topK: 0, topP: 1 }, seed: 42 });
    assert.equal(a.value, cold.id === base.id ? 'same' : 'different');
    assert.ok(a.label.includes(visibleText(cold.chosen.text)));
    await page.until('1 ticks on the page', () => page!.ticks() === 1);
  });

  it('chapter 7: the cache’s length after N ticks is the engine’s', async () => {
    const q = await openQuestion(e, ch7, 'How many positions will the KV cache hold after 5 more ticks?', { ticks: 5 }, 'the cat');
    page = q.page;
    const prompt = e.host.session!.promptLength;
    commit(q.form(), String(prompt + 5));
    const a = await reveal(page, q.form());
    await page.until('5 ticks on the page', () => page!.ticks() === 5);
    assert.equal(a.label, String(e.host.session!.cache.length));
    assert.equal(Number(a.label), prompt + 4, 'the prefill stores the prompt, then one position a tick');
    assert.equal(a.match, false);
  });

  it('chapter 8: the weights’ checksum after 10 ticks, read back by the engine, is the one taken at load', async () => {
    const q = await openQuestion(e, ch8, 'Will the weights’ checksum change after 10 more ticks?', { ticks: 10 }, 'the');
    page = q.page;
    commit(q.form(), 'changes');
    const a = await reveal(page, q.form());
    await page.until('10 ticks on the page', () => page!.ticks() === 10);
    assert.equal(a.value, 'same');
    assert.equal(a.match, false);
    assert.ok(a.label.includes(e.info.checksum));
    assert.equal(await e.host.model!.verifyChecksum(), e.info.checksum);
  });

  it('chapter 9: N decode ticks are run and timed, the prefill and the warm-up not counted', async () => {
    const q = await openQuestion(e, ch9, 'As the context grows, will a tick’s forward pass get slower?', { ticks: 8 }, 'a');
    page = q.page;
    commit(q.form(), 'flat');
    const a = await reveal(page, q.form());
    await page.until('12 ticks on the page', () => page!.ticks() === 12); // the prefill, 3 decode ticks to warm up, 8 timed
    assert.match(a.detail, /The first 3 decode ticks after the prefill/);
    assert.ok(['grows', 'flat', 'shrinks'].includes(a.value!));
    assert.match(a.detail, /^Of 8 decode ticks, the first 2 took/);
  });

  it('chapter 9: timingAnswer compares the first and last quarter’s median forward time (one slow tick does not decide it)', () => {
    const tick = (i: number, ms: number) => ({ index: i, kind: 'decode', position: 5 + i, ms: { forward: ms, sample: 0, total: ms }, flops: 1000 + i }) as TickSummary;
    const grows = timingAnswer('grows', [tick(1, 1), tick(2, 1), tick(3, 1.5), tick(4, 1.5)]);
    assert.equal(grows.value, 'grows');
    assert.equal(grows.match, true);
    assert.equal(timingAnswer('x', [tick(1, 1), tick(2, 1.05)]).value, 'flat');
    assert.equal(timingAnswer('x', [tick(1, 1), tick(2, 0.5)]).value, 'shrinks');
    // Quarters of 3: one tick slowed 5× by something else is the mean's +133 % but not the median's.
    const spiky = [tick(1, 1), tick(2, 1), tick(3, 1), tick(4, 1), tick(5, 1), tick(6, 1), tick(7, 1), tick(8, 1), tick(9, 1), tick(10, 5), tick(11, 1.02), tick(12, 1.01)];
    assert.equal(timingAnswer('flat', spiky).value, 'flat');
    assert.match(String(timingAnswer('flat', spiky).detail), /took a median 1\.00 ms .* a median 1\.02 ms/);
  });

  it('chapter 10: the same seed writes the same tokens after Reset', async () => {
    const q = await openQuestion(e, ch10, 'Same prompt, same seed: will the model write the same 8 tokens twice?', { ticks: 8 }, 'the');
    page = q.page;
    commit(q.form(), 'same');
    const a = await reveal(page, q.form());
    assert.equal(a.value, 'same');
    assert.equal(a.match, true);
    await page.until('8 ticks on the page', () => page!.ticks() === 8);
  });

  it('chapter 11: the next tick feeds the whole prompt (the prefill), then one token', async () => {
    const q = await openQuestion(e, ch11, 'How many tokens will the next tick feed through the model?', undefined, 'the cat sat');
    page = q.page;
    const prompt = e.host.session!.promptLength;
    commit(q.form(), '1');
    const a = await reveal(page, q.form());
    assert.equal(a.label, String(prompt));
    assert.equal(a.match, prompt === 1);
    q.form().querySelector<HTMLButtonElement>('button[name="again"]')!.click();
    commit(q.form(), '1');
    const b = await reveal(page, q.form());
    assert.equal(b.label, '1');
    assert.equal(b.match, true);
  });
});

describe('predict: pure parts', () => {
  it('sameText ignores case, outer whitespace and Unicode form', () => {
    assert.ok(sameText(' The', 'the'));
    assert.ok(sameText('e\u0301', '\u00e9'));
    assert.ok(!sameText('the', 'then'));
  });

  it('attentionChoices lists every position up to the query, or the first, the latest and “another”', () => {
    const tokens = Array.from({ length: 20 }, (_, i) => `t${i}`);
    assert.equal(attentionChoices(tokens.slice(0, 5), 4).length, 5);
    const many = attentionChoices(tokens, 19);
    assert.equal(many.length, PREDICT_KEYS);
    assert.deepEqual(many.slice(0, 2).map((c) => c.value), ['0', 'other']);
    assert.equal(many.at(-1)!.value, '19');
    assert.match(many.at(-1)!.label, /\(itself\)$/);
    const a = attentionAnswer('other', [0.1, 0.6, ...Array(18).fill(0.3 / 18)], tokens, 0, 0, many);
    assert.equal(a.value, 'other');
    assert.equal(a.match, true);
  });

  it('ticksFrom is refused when the clock cannot run the tick', async () => {
    const clock = { current: { ticks: [], busy: false, playing: false, error: 'boom' }, tick: async () => null, subscribe: () => () => {} };
    await assert.rejects(ticksFrom(clock as never, 0, 1), /boom/);
  });
});
