/**
 * Predict, then reveal: a question the reader answers before the model does. The reader picks one
 * of a few choices (radio buttons) or types a guess, presses Commit, and only then may ask for the
 * model's answer; once it is revealed, the guess stays beside it with whether the two match.
 *
 * The widget never holds the answer before the reveal: it asks `reveal(guess)` for it after the
 * commit, so nothing of it is in the DOM (or the accessibility tree) until then. It knows nothing
 * of the model or of cells; the notebook glue (notebooks/predict.ts) gives it the question's live
 * choices and the function that computes the answer.
 *
 *   open ── Commit ──▶ committed ── Reveal ──▶ revealing ──▶ revealed ── Ask again ──▶ open
 *
 * Accessibility: the question is the legend of the choices' fieldset; Enter in the free input
 * commits; focus moves to the button that comes next (Reveal) and then to the result; the result
 * is a live region (role="status"), so the reveal is read out; a match is said in words and with
 * ✓ / ✗, never by colour alone.
 */
import { chartDocument } from './chart.ts';
import { elementBuilder } from './dom.ts';
import { strings as t } from './predict.strings.ts';

/**
 * Words that may hold the model's own text (a token, generated text, the prompt): plain strings,
 * and `{ model }` parts, drawn in a span with translate="no" so that neither a browser's
 * translation nor the check for English left on a Chinese page takes them for the page's words.
 */
export type PredictText = string | (string | { model: string })[];

/** A message (its {name} placeholders unfilled) with the named ones filled by the model's text. */
export function withModelText(template: string, model: Record<string, string>): PredictText {
  const out: (string | { model: string })[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    if (!(m[1] in model)) continue;
    if (m.index > last) out.push(template.slice(last, m.index));
    out.push({ model: model[m[1]] });
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

/** One choice: the value compared with the answer, and what the reader reads. */
export interface PredictChoice {
  value: string;
  label: string;
}

/** A free answer typed by the reader (used when there are no choices). */
export interface PredictInput {
  type: 'text' | 'number';
  label?: string; // the input's visible label (default: "Your guess")
  min?: number; // numbers: a whole number from min to max
  max?: number;
}

/** The question as the reader sees it before committing: never the answer. */
export interface PredictQuestion {
  question: string; // the chapter's question, from its prose
  context?: PredictText; // a live line under it (e.g. which tick it is about)
  choices?: PredictChoice[]; // radio buttons; without them, a free input
  input?: PredictInput;
  revealLabel?: string; // what pressing Reveal does, when it does more than show (e.g. "Run the next tick and reveal")
}

/** The model's answer, computed only after the commit. */
export interface PredictAnswer {
  label: PredictText; // the answer as the reader reads it
  match: boolean; // whether the guess matches it
  value?: string; // the matching choice's value, when the answer is one of the choices
  detail?: PredictText; // how the engine got it, with its numbers
}

export type PredictPhase = 'open' | 'committed' | 'revealing' | 'revealed';

export interface PredictOptions {
  id: string; // prefix of the element ids (unique in the page)
  reveal: (guess: string) => Promise<PredictAnswer>; // the model's answer, asked for after the commit
  onCommit?: (guess: string) => void; // the guess was committed (the glue notes what the answer must come after)
  onAgain?: () => void; // the reader asked for a new round
  document?: Document;
}

/** The widget: its element, and the glue's handles on it. */
export interface PredictWidget {
  element: HTMLFormElement;
  phase: () => PredictPhase;
  guess: () => string | null; // the committed guess
  setQuestion: (q: PredictQuestion) => void; // new live choices: shown at once while open, else at the next round
  again: () => void; // back to an open question (the glue calls it when the answer can no longer be had, e.g. after Reset)
}

/** The guess as the reader wrote or chose it, for the result (typed text is the reader's own words, not the page's). */
function guessLabel(q: PredictQuestion, guess: string): PredictText {
  const choice = q.choices?.find((c) => c.value === guess);
  if (choice) return choice.label;
  return q.input?.type === 'text' ? [{ model: `“${guess}”` }] : guess;
}

/** Check a free answer; the message says what is wrong. */
export function checkGuess(input: PredictInput, raw: string): { guess: string } | { error: string } {
  const s = input.type === 'text' ? raw : raw.trim();
  if (s.trim() === '') return { error: t('predict.typeFirst') };
  if (input.type === 'number') {
    const n = Number(s);
    const min = input.min ?? 0;
    const max = input.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(n) || n < min || n > max) return { error: input.max === undefined ? t('predict.badNumberFrom', { min }) : t('predict.badNumber', { min, max }) };
    return { guess: String(n) };
  }
  return { guess: s };
}

/** The Predict widget for `question`; see the file's header for the flow. */
export function Predict(question: PredictQuestion, options: PredictOptions): PredictWidget {
  const doc = chartDocument(options.document);
  const id = options.id;
  const el = elementBuilder(doc);
  /** PredictText as children: the model's parts in spans with translate="no". */
  const rich = (x: PredictText): (Node | string)[] =>
    typeof x === 'string' ? [x] : x.map((p) => (typeof p === 'string' ? p : el('span', { translate: 'no' }, p.model)));
  /** A message with {guess} filled by the guess's label. */
  const withGuess = (template: string, label: PredictText): (Node | string)[] => {
    const [before, after = ''] = template.split('{guess}');
    return [before, ...rich(label), after].filter((x) => x !== '');
  };

  let q = question; // shown
  let next: PredictQuestion | null = null; // arrived while committed or revealed
  let phase: PredictPhase = 'open';
  let guess: string | null = null;
  let round = 0; // a reveal answering an older round is dropped

  const root = el('form', { class: 'predict', id, 'data-phase': phase, 'aria-labelledby': `${id}-question`, novalidate: '' });
  const fieldset = el('fieldset', { class: 'predict-guess' });
  const error = el('p', { class: 'predict-error', id: `${id}-error`, 'aria-live': 'polite' });
  const actions = el('div', { class: 'predict-actions' });
  const result = el('div', { class: 'predict-result', id: `${id}-result`, role: 'status', tabindex: '-1' });
  root.append(fieldset, error, result, actions);

  const radios = () => Array.from(fieldset.querySelectorAll<HTMLInputElement>('input[type="radio"]'));
  const field = () => fieldset.querySelector<HTMLInputElement>(`#${id}-input`);

  let drawn = ''; // the shape (choices or input) now in the fieldset

  /**
   * The question in the fieldset. When only its words changed, only they are replaced (a reader
   * typing keeps the caret); new choices keep what the reader had selected, when it is still there.
   */
  function drawQuestion(): void {
    const shape = JSON.stringify([q.choices ?? null, q.choices?.length ? null : (q.input ?? null)]);
    const described = [q.context ? `${id}-context` : '', `${id}-error`].filter(Boolean).join(' ');
    const head: Node[] = [el('legend', { id: `${id}-question` }, q.question)];
    if (q.context) head.push(el('p', { class: 'predict-context', id: `${id}-context` }, ...rich(q.context)));
    const body = fieldset.querySelector('.predict-choices, .predict-field');
    if (shape === drawn && body) {
      fieldset.replaceChildren(...head, body);
      for (const i of fieldset.querySelectorAll('input')) i.setAttribute('aria-describedby', described);
      return;
    }
    const had = radios().find((r) => r.checked)?.value ?? field()?.value ?? null;
    const active = doc.activeElement;
    const focused = active && fieldset.contains(active) ? (active as HTMLInputElement).value : null;
    if (q.choices?.length) {
      const list = el('div', { class: 'predict-choices' });
      q.choices.forEach((c, i) => {
        const rid = `${id}-choice-${i}`;
        const r = el('input', { type: 'radio', name: `${id}-guess`, id: rid, value: c.value, 'aria-describedby': described });
        if (c.value === had) r.checked = true;
        list.append(el('label', { for: rid, class: 'predict-choice' }, r, ' ', el('span', {}, c.label)));
      });
      head.push(list);
    } else {
      const input = q.input ?? { type: 'text' };
      const attrs: Record<string, string> = { id: `${id}-input`, name: `${id}-guess`, 'aria-describedby': described, autocomplete: 'off' };
      if (input.type === 'number') {
        Object.assign(attrs, { type: 'number', inputmode: 'numeric', step: '1', min: String(input.min ?? 0) });
        if (input.max !== undefined) attrs.max = String(input.max);
      } else Object.assign(attrs, { type: 'text', spellcheck: 'false' });
      const f = el('input', attrs);
      if (had !== null) f.value = had;
      head.push(el('div', { class: 'predict-field' }, el('label', { for: `${id}-input` }, input.label ?? t('predict.yourGuess')), f));
    }
    fieldset.replaceChildren(...head);
    drawn = shape;
    if (focused !== null) (radios().find((r) => r.value === focused) ?? field())?.focus();
  }

  function button(name: string, label: string, onClick: () => void, type: 'button' | 'submit' = 'button'): HTMLButtonElement {
    const b = el('button', { type, name }, label);
    if (type === 'button') b.addEventListener('click', onClick);
    return b;
  }

  function setPhase(p: PredictPhase): void {
    phase = p;
    root.dataset.phase = p;
  }

  function showOpen(): void {
    setPhase('open');
    guess = null;
    delete root.dataset.guess;
    delete root.dataset.match;
    fieldset.disabled = false;
    drawQuestion();
    actions.replaceChildren(button('commit', t('predict.commit'), () => {}, 'submit'));
    result.replaceChildren();
  }

  function commit(): void {
    if (phase !== 'open') return;
    let g: string | null = null;
    if (q.choices?.length) {
      g = radios().find((r) => r.checked)?.value ?? null;
      if (g === null) {
        error.textContent = t('predict.chooseFirst');
        radios()[0]?.focus();
        return;
      }
    } else {
      const f = field()!;
      const checked = checkGuess(q.input ?? { type: 'text' }, f.value);
      if ('error' in checked) {
        error.textContent = checked.error;
        f.setAttribute('aria-invalid', 'true');
        f.focus();
        return;
      }
      f.removeAttribute('aria-invalid');
      g = checked.guess;
    }
    error.textContent = '';
    guess = g;
    root.dataset.guess = g;
    setPhase('committed');
    fieldset.disabled = true;
    options.onCommit?.(g);
    const reveal = button('reveal', q.revealLabel ?? t('predict.reveal'), () => void doReveal());
    actions.replaceChildren(reveal);
    result.replaceChildren(el('p', { class: 'predict-locked' }, ...withGuess(t('predict.locked'), guessLabel(q, g))));
    reveal.focus();
  }

  async function doReveal(): Promise<void> {
    if (phase !== 'committed' || guess === null) return;
    const mine = ++round;
    setPhase('revealing');
    const b = actions.querySelector('button');
    b?.setAttribute('aria-disabled', 'true');
    if (b) b.textContent = t('predict.revealing');
    let answer: PredictAnswer;
    try {
      answer = await options.reveal(guess);
    } catch (e) {
      if (mine !== round) return;
      setPhase('committed');
      b?.removeAttribute('aria-disabled');
      if (b) b.textContent = q.revealLabel ?? t('predict.reveal');
      error.textContent = t('predict.failed', { error: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (mine !== round || (phase as PredictPhase) !== 'revealing') return; // a new round began meanwhile
    showAnswer(guess, answer);
  }

  function showAnswer(g: string, a: PredictAnswer): void {
    setPhase('revealed');
    root.dataset.match = String(a.match);
    const pair = (cls: string, term: string, value: PredictText) => el('div', { class: cls }, el('dt', {}, term), el('dd', {}, ...rich(value)));
    const verdict = el('p', { class: `predict-verdict ${a.match ? 'match' : 'miss'}` },
      el('span', { 'aria-hidden': 'true', class: 'predict-mark' }, a.match ? '✓ ' : '✗ '),
      a.match ? t('predict.match') : t('predict.miss'));
    result.replaceChildren(
      el('dl', { class: 'predict-compare' }, pair('predict-yours', t('predict.yourGuess'), guessLabel(q, g)), pair('predict-model', t('predict.modelAnswer'), a.label)),
      verdict,
      ...(a.detail ? [el('p', { class: 'predict-detail' }, ...rich(a.detail))] : []));
    if (a.value !== undefined) {
      for (const r of radios()) if (r.value === a.value) r.closest('label')?.classList.add('predict-answer');
    }
    actions.replaceChildren(button('again', t('predict.again'), () => {
      options.onAgain?.();
      again();
      (radios()[0] ?? field())?.focus();
    }));
    result.focus();
  }

  function again(): void {
    round++;
    if (next) q = next;
    next = null;
    error.textContent = '';
    fieldset.replaceChildren(); // a new round starts with nothing chosen
    drawn = '';
    showOpen();
  }

  root.addEventListener('submit', (e) => {
    e.preventDefault();
    commit();
  });
  root.addEventListener('change', () => {
    if (phase === 'open' && radios().some((r) => r.checked)) error.textContent = '';
  });

  showOpen();
  return {
    element: root,
    phase: () => phase,
    guess: () => guess,
    setQuestion(nq) {
      if (JSON.stringify(nq) === JSON.stringify(phase === 'open' ? q : next)) return;
      if (phase === 'open') {
        q = nq;
        drawQuestion();
      } else next = nq;
    },
    again,
  };
}
