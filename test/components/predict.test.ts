// Predict: the reader commits a guess before the model's answer exists; the answer is asked for
// only on Reveal, then shown beside the guess with whether they match, in words, not colour alone.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkGuess, Predict, type PredictAnswer, type PredictQuestion } from '../../components/predict.ts';
import { setLocale } from '../../components/i18n/index.ts';
import { assertSnapshot, dom } from './snapshot.ts';

const choices: PredictQuestion = {
  question: 'Which earlier token will this head attend to most at the next tick?',
  context: 'The next tick feeds position 2 (“␣one”).',
  choices: [
    { value: '0', label: '0: “The”' },
    { value: '1', label: '1: “␣clock”' },
    { value: '2', label: '2: “␣one” (itself)' },
  ],
  revealLabel: 'Run the next tick and reveal',
};

const free: PredictQuestion = {
  question: 'How many positions will the KV cache hold after 5 more ticks?',
  input: { type: 'number', label: 'Positions in the KV cache', min: 0, max: 256 },
};

const ANSWER: PredictAnswer = { label: '0: “The”', value: '0', match: false, detail: 'Layer 0, head 1: weight 0.731 on position 0.' };

/** A widget in a fresh document, with a reveal that records its calls and answers when told. */
function setup(q: PredictQuestion, answer: (guess: string) => Promise<PredictAnswer> = async () => ANSWER) {
  const { document, window } = dom();
  const calls: string[] = [];
  const commits: string[] = [];
  const w = Predict(q, {
    id: 'predict-test',
    document,
    reveal: (g) => {
      calls.push(g);
      return answer(g);
    },
    onCommit: (g) => commits.push(g),
  });
  document.body.append(w.element);
  const $ = <T extends Element = HTMLElement>(sel: string) => w.element.querySelector<T>(sel);
  const button = (name: string) => $<HTMLButtonElement>(`button[name="${name}"]`);
  const choose = (value: string) => {
    const r = $<HTMLInputElement>(`input[type="radio"][value="${value}"]`)!;
    r.checked = true;
    r.dispatchEvent(new window.Event('change', { bubbles: true }));
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { document, window, w, calls, commits, $, button, choose, settle };
}

describe('Predict', () => {
  beforeEach(() => setLocale('en'));
  afterEach(() => setLocale(null));

  it('renders the same markup every time (snapshots predict-open.html and predict-revealed.html)', async () => {
    const a = setup(choices);
    const b = setup(choices);
    assert.equal(a.w.element.outerHTML, b.w.element.outerHTML);
    assertSnapshot(a.w.element, 'predict-open');
    a.choose('2');
    a.button('commit')!.click();
    a.button('reveal')!.click();
    await a.settle();
    assertSnapshot(a.w.element, 'predict-revealed');
  });

  it('asks the question as the legend of labelled choices, with a live region for the result', () => {
    const { w, $, document } = setup(choices);
    const form = w.element;
    assert.equal(form.tagName, 'FORM');
    assert.equal($('legend')!.textContent, choices.question);
    assert.equal(form.getAttribute('aria-labelledby'), $('legend')!.id);
    const radios = [...form.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
    assert.equal(radios.length, 3);
    for (const r of radios) {
      const label = document.querySelector(`label[for="${r.id}"]`);
      assert.ok(label?.textContent?.trim(), `radio ${r.value} has a label`);
      assert.equal(r.name, radios[0].name, 'one group: arrow keys move between the choices');
      assert.match(r.getAttribute('aria-describedby') ?? '', /predict-test-context/);
    }
    assert.equal($('.predict-result')!.getAttribute('role'), 'status');
    assert.equal($('.predict-error')!.getAttribute('aria-live'), 'polite');
    assert.equal(w.phase(), 'open');
  });

  it('refuses a commit without a guess, saying so, and does not ask for the answer', () => {
    const { w, button, $, calls } = setup(choices);
    button('commit')!.click();
    assert.equal(w.phase(), 'open');
    assert.equal($('.predict-error')!.textContent, 'Choose an answer first.');
    assert.equal(calls.length, 0);
  });

  it('has no answer in the DOM before the commit, nor after it until Reveal', async () => {
    const { w, button, choose, calls, commits, $, document, settle } = setup(choices);
    const hasAnswer = () => /weight 0\.731|predict-model/.test(w.element.outerHTML) || w.element.querySelector('.predict-answer') !== null;
    assert.equal(hasAnswer(), false);
    choose('1');
    button('commit')!.click();
    assert.equal(w.phase(), 'committed');
    assert.deepEqual(commits, ['1']);
    assert.equal(w.element.dataset.guess, '1');
    assert.equal($<HTMLFieldSetElement>('fieldset')!.disabled, true, 'the guess is locked');
    assert.equal(calls.length, 0, 'the answer is not computed at the commit');
    assert.equal(hasAnswer(), false);
    assert.match($('.predict-result')!.textContent ?? '', /locked in: 1: “␣clock”/);
    const reveal = button('reveal')!;
    assert.equal(reveal.textContent, 'Run the next tick and reveal');
    assert.equal(document.activeElement, reveal, 'focus moves to Reveal');
    reveal.click();
    assert.deepEqual(calls, ['1']);
    await settle();
    assert.equal(hasAnswer(), true);
  });

  it('after Reveal shows the guess beside the answer, and whether they match in words and with a mark', async () => {
    const { w, button, choose, $, document, settle } = setup(choices);
    choose('1');
    button('commit')!.click();
    button('reveal')!.click();
    await settle();
    assert.equal(w.phase(), 'revealed');
    const pairs = [...w.element.querySelectorAll('.predict-compare > div')].map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent]);
    assert.deepEqual(pairs, [['Your guess', '1: “␣clock”'], ['The model', '0: “The”']]);
    assert.equal(w.element.dataset.match, 'false');
    assert.match($('.predict-verdict')!.textContent ?? '', /^✗ No match/);
    assert.equal($('.predict-mark')!.getAttribute('aria-hidden'), 'true', 'the mark is decoration; the words say it');
    assert.equal($('.predict-detail')!.textContent, ANSWER.detail);
    assert.ok($('label[for="predict-test-choice-0"]')!.classList.contains('predict-answer'), 'the answer’s choice is marked');
    assert.equal(document.activeElement, $('.predict-result'), 'focus moves to the result');
    assert.ok(button('again'));
  });

  it('says "Match" when the guess is the answer', async () => {
    const { w, button, choose, $, settle } = setup(choices, async () => ({ label: '2: “␣one” (itself)', value: '2', match: true }));
    choose('2');
    button('commit')!.click();
    button('reveal')!.click();
    await settle();
    assert.equal(w.element.dataset.match, 'true');
    assert.match($('.predict-verdict')!.textContent ?? '', /^✓ Match/);
  });

  it('a free number input: refuses what is not a whole number in range, commits on Enter (submit)', async () => {
    const { w, $, window, button, calls, settle } = setup(free, async (g) => ({ label: '11', match: g === '11' }));
    const input = $<HTMLInputElement>('input')!;
    assert.equal(input.type, 'number');
    assert.equal($(`label[for="${input.id}"]`)!.textContent, 'Positions in the KV cache');
    const submit = () => w.element.dispatchEvent(new window.Event('submit', { cancelable: true }));
    submit();
    assert.equal($('.predict-error')!.textContent, 'Type your guess first.');
    input.value = '300';
    submit();
    assert.equal($('.predict-error')!.textContent, 'Type a whole number from 0 to 256.');
    assert.equal(input.getAttribute('aria-invalid'), 'true');
    input.value = '11';
    submit();
    assert.equal(w.phase(), 'committed');
    assert.equal(input.hasAttribute('aria-invalid'), false);
    assert.equal($('.predict-error')!.textContent, '');
    button('reveal')!.click();
    await settle();
    assert.deepEqual(calls, ['11']);
    assert.equal(w.element.dataset.match, 'true');
  });

  it('checkGuess keeps a text guess as typed and checks numbers', () => {
    assert.deepEqual(checkGuess({ type: 'text' }, ' and'), { guess: ' and' });
    assert.ok('error' in checkGuess({ type: 'text' }, '   '));
    assert.deepEqual(checkGuess({ type: 'number', min: 1 }, '7'), { guess: '7' });
    assert.ok('error' in checkGuess({ type: 'number', min: 1 }, '0'));
    assert.ok('error' in checkGuess({ type: 'number' }, '2.5'));
  });

  it('new live choices show at once while open (keeping the reader’s pick) and wait for the next round once committed', async () => {
    const { w, button, choose, $, settle } = setup(choices);
    choose('1');
    w.setQuestion({ ...choices, context: 'After tick 3.', choices: [...choices.choices!, { value: '3', label: '3: “,”' }] });
    assert.equal(w.element.querySelectorAll('input[type="radio"]').length, 4);
    assert.equal($<HTMLInputElement>('input[value="1"]')!.checked, true);
    assert.equal($('.predict-context')!.textContent, 'After tick 3.');
    button('commit')!.click();
    w.setQuestion({ ...choices, context: 'After tick 4.' });
    assert.equal($('.predict-context')!.textContent, 'After tick 3.', 'the committed question stays as it was');
    button('reveal')!.click();
    await settle();
    button('again')!.click();
    assert.equal(w.phase(), 'open');
    assert.equal($('.predict-context')!.textContent, 'After tick 4.');
    assert.equal(w.element.querySelectorAll('input[type="radio"]').length, 3);
    assert.equal(w.element.querySelector('input:checked'), null, 'a new round starts with nothing chosen');
    assert.equal($('.predict-result')!.textContent, '');
  });

  it('keeps the guess committed when the answer fails, says why, and Reveal can try again', async () => {
    let fail = true;
    const { w, button, choose, $, settle } = setup(choices, async () => {
      if (fail) throw new Error('the engine is busy');
      return ANSWER;
    });
    choose('0');
    button('commit')!.click();
    button('reveal')!.click();
    await settle();
    assert.equal(w.phase(), 'committed');
    assert.equal($('.predict-error')!.textContent, 'The model’s answer could not be computed: the engine is busy');
    fail = false;
    button('reveal')!.click();
    await settle();
    assert.equal(w.phase(), 'revealed');
  });

  it('drops an answer that arrives after the glue asked again (e.g. the clock was reset)', async () => {
    let resolve!: (a: PredictAnswer) => void;
    const { w, button, choose, settle } = setup(choices, () => new Promise((r) => (resolve = r)));
    choose('0');
    button('commit')!.click();
    button('reveal')!.click();
    assert.equal(w.phase(), 'revealing');
    assert.equal(button('reveal')!.getAttribute('aria-disabled'), 'true');
    w.again();
    resolve(ANSWER);
    await settle();
    assert.equal(w.phase(), 'open');
    assert.equal(w.element.querySelector('.predict-compare'), null);
  });

  it('speaks the reader’s language', () => {
    setLocale('zh-cn');
    const { button, $ } = setup(free);
    assert.equal(button('commit')!.textContent, '提交我的猜测');
    button('commit')!.click();
    assert.equal($('.predict-error')!.textContent, '请先输入你的猜测。');
  });
});
