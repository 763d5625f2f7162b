/**
 * Chapter 2, tokens: byte-level BPE step by step on the reader's prompt. Text → UTF-8 bytes →
 * GPT-2's byte symbols → merges in rank order → ids, all from the engine's own tokenizer
 * (`tokenizeSteps`). Then why Chinese text costs so many tokens: characters vs bytes vs tokens,
 * and tokens that hold part of a character shown as their bytes (<0xE4>), never as �.
 *
 *   prompt ─ bpe ─┬─ words (one row per pre-token word; a button picks one) ─ word ─ merges
 *                 ├─ compare (your text beside fixed examples) ─ engine tokenize
 *                 └─ joined (token by token: the text each token completes, bytes waiting)
 *   clock ─ clockState ─ strip (prompt and generated tokens with ids and bytes)
 *   predict (how many tokens will a word become? the engine's tokenizer answers)
 */
import { BpeSteps, BpeStepsTable } from '../../components/bpe-steps.ts';
import { formatByte, formatDecimal, formatInteger } from '../../components/format.ts';
import { TokenStrip, TokenStripTable } from '../../components/token-strip.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import { words as common } from '../../components/words.strings.ts';
import { Utf8Joiner } from '../../model/tokenizer.ts';
import { controlElements, defineClock, defineInputs, plural, stripTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import type { Engine } from '../../engine/engine.ts';
import type { BpeWord, ModelInfo, ResponseMap, TokenInfo } from '../../engine/protocol.ts';
import { modelText, tNodes } from '../model-text.ts';
import { definePredict, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, observe, run, type Module, type Mounts, type Runtime } from '../runtime.ts';

/** The Chinese example: "The weather is very good today", six characters. */
export const CHINESE_EXAMPLE = '今天天气很好';
/** The same sentence in English, for the comparison. */
export const ENGLISH_EXAMPLE = 'The weather is very good today.';

type Steps = ResponseMap['tokenizeSteps'];

/** The word whose merges are shown first: the one with the most merges (the first of equals). */
export function defaultWord(words: BpeWord[]): number {
  let best = 0;
  words.forEach((w, i) => {
    if (w.steps.length > words[best].steps.length) best = i;
  });
  return best;
}

/** Characters (code points), UTF-8 bytes and tokens of a text. */
export interface Counts {
  label: string;
  text: string;
  characters: number;
  bytes: number;
  tokens: number;
}

export function counts(label: string, text: string, tokens: number): Counts {
  return { label, text, characters: [...text].length, bytes: new TextEncoder().encode(text).length, tokens };
}

/** One row of the joining table: a token, the text it completes and the bytes still waiting. */
export interface JoinRow {
  token: TokenInfo;
  released: string; // text this token completes ("" while a character is unfinished)
  pending: number[]; // bytes waiting for the rest of their character
}

/** Join tokens the way the engine's tick loop does: text only once a character's bytes are complete. */
export function joinTokens(tokens: TokenInfo[]): { rows: JoinRow[]; text: string } {
  const joiner = new Utf8Joiner({ tokenBytes: () => new Uint8Array(0) });
  const rows = tokens.map((t) => {
    const r = joiner.pushBytes(Uint8Array.from(t.bytes));
    return { token: t, released: r.text, pending: [...r.pending] };
  });
  const tail = joiner.flush();
  return { rows, text: rows.map((r) => r.released).join('') + tail };
}

const hex = (bytes: ArrayLike<number>) => Array.from(bytes, formatByte).join(' ');

function table(caption: string, head: string[], rows: (string | Node)[][]): HTMLTableElement {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), ...r.slice(1).map((x) => h('td', {}, x))))));
}

/** The prompt's pre-token words: bytes, byte symbols, merges, tokens; each word a button that shows its merges. */
function wordsTable(steps: Steps, selected: number, model: ModelInfo): HTMLElement {
  const rows = steps.words.map((w, i) => [
    h('button', { type: 'button', class: 'word', 'data-index': i, 'aria-pressed': i === selected ? 'true' : 'false', translate: 'no' }, `“${visibleText(w.text)}”`),
    hex(w.bytes),
    // Byte symbols spaced apart ("Ġ c l o c k") are the model's, not words of the page.
    w.special ? ui('ch2.special') : modelText(w.initial.map((s) => s.text).join(' ')),
    formatInteger(w.steps.length),
    modelText(w.tokens.map((t) => `${visibleText(t.text)} (${formatInteger(t.id)})`).join(', ')),
  ]);
  const el = table(ui('ch2.wordsCaption', { words: plural('unit.word', steps.words.length), tokens: plural('unit.token', steps.tokens.length), vocab: plural('unit.token', model.config.vocab_size) }),
    [ui('ch2.col.word'), ui('ch2.col.bytes'), ui('ch2.col.symbols'), ui('ch2.col.merges'), ui('ch2.col.tokens')], rows);
  el.className = 'bpe-words';
  el.dataset.words = String(steps.words.length);
  el.dataset.tokens = JSON.stringify(steps.tokens.map((t) => t.id));
  return el;
}

function merges(w: BpeWord, index: number, width: number): HTMLElement {
  const caption = ui('ch2.mergesCaption', {
    word: visibleText(w.text), bytes: plural('unit.byte', w.bytes.length), merges: plural('unit.merge', w.steps.length),
    tokens: plural('unit.token', w.tokens.length), ids: w.tokens.map((t) => `id ${formatInteger(t.id)}`).join(', '),
  });
  const el = chartWithTable(BpeSteps(w, { width }), BpeStepsTable(w, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, caption));
  el.dataset.word = w.text;
  el.dataset.index = String(index);
  el.dataset.steps = String(w.steps.length);
  el.dataset.ranks = JSON.stringify(w.steps.map((s) => s.rank));
  el.dataset.tokens = JSON.stringify(w.tokens.map((t) => t.id));
  return el;
}

function compareTable(rows: Counts[]): HTMLElement {
  // Sentences keep their spaces here (not ␣) so that they can wrap.
  const el = table(ui('ch2.compareCaption'), [ui('ch2.col.text'), ui('ch2.col.characters'), ui('ch2.col.byteCount'), ui('ch2.col.tokenCount'), ui('ch2.col.perCharacter')],
    rows.map((r) => [
      h('span', { class: 'sample', style: 'overflow-wrap: anywhere' }, ...tNodes('ch2.sample', { label: r.label, text: modelText(`“${r.text}”`) })),
      formatInteger(r.characters), formatInteger(r.bytes), formatInteger(r.tokens),
      formatDecimal(r.tokens / r.characters, 2),
    ]));
  el.className = 'token-counts';
  el.dataset.counts = JSON.stringify(rows.map(({ label, characters, bytes, tokens }) => ({ label, characters, bytes, tokens })));
  return el;
}

function joinedView(tokens: TokenInfo[]): HTMLElement {
  const { rows, text } = joinTokens(tokens);
  const partial = tokens.filter((t) => !t.complete).length;
  const body = table(ui('ch2.joinedCaption', { tokens: plural('unit.token', tokens.length) }),
    [ui('ch2.col.token'), ui('ch2.col.tokenBytes'), ui('ch2.col.whole'), ui('ch2.col.completes'), ui('ch2.col.waiting')],
    rows.map((r, i) => [
      h('span', { class: r.token.complete ? 'piece' : 'piece partial', translate: 'no' }, `${formatInteger(i)}: ${visibleText(r.token.text)}`),
      hex(r.token.bytes),
      common(r.token.complete ? 'common.yes' : 'common.no'),
      r.released === '' ? '—' : modelText(visibleText(r.released)),
      r.pending.length ? hex(r.pending) : '—',
    ]));
  const words = partial === 0
    ? ui('ch2.allWhole')
    : ui(partial === 1 ? 'ch2.partial.one' : 'ch2.partial.other', { tokens: plural('unit.token', partial) });
  return h('div', { class: 'joined', 'data-joined': text, 'data-partial': partial },
    h('p', {}, words),
    body,
    h('p', { class: 'joined-text' }, ...tNodes('ch2.joined', { text: h('strong', { translate: 'no' }, visibleText(text)) })));
}

/** The word the token-count question asks about, unless the prose names another (params.text). */
export const COUNT_EXAMPLE = '你好';

/** The answer to "how many tokens will this text become?", from the engine's tokenizer. */
export function tokenCountAnswer(guess: string, text: string, tokens: TokenInfo[]): PredictAnswer {
  const n = tokens.length;
  return {
    label: formatInteger(n),
    value: String(n),
    match: guess === String(n),
    detail: ui('predict.ch2.detail', {
      text, chars: [...text].length, bytes: new TextEncoder().encode(text).length, n,
      tokens: tokens.map((t) => `${visibleText(t.text)} (${formatInteger(t.id)})`).join(', '),
    }),
  };
}

/** How many tokens will this model's tokenizer make of a short text? Choices: 1 up to its UTF-8 byte count (every byte a token). */
export const tokenCountQuestion: PredictSpec<null> = {
  ask: (_live, params) => {
    const text = String(params.text ?? COUNT_EXAMPLE);
    const bytes = new TextEncoder().encode(text).length;
    const context = ui('predict.ch2.context', { text, chars: [...text].length, bytes });
    if (bytes > 12) return { context, input: { type: 'number', label: ui('predict.ch2.label'), min: 1, max: bytes } };
    return { context, choices: Array.from({ length: bytes }, (_, i) => ({ value: String(i + 1), label: formatInteger(i + 1) })) };
  },
  commit: () => null,
  async reveal(guess, _snap, live, params) {
    const text = String(params.text ?? COUNT_EXAMPLE);
    const { tokens } = await live().engine.request({ type: 'tokenize', text });
    return tokenCountAnswer(guess, text, tokens);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);

  // Example buttons put their text into the Prompt, as if typed there.
  main.variable(run).define('examples', [], () => {
    const el = mounts.examples;
    if (!el) return;
    const onClick = (e: Event) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-text]');
      if (!b || !el.contains(b)) return;
      c.prompt.value = b.dataset.text ?? '';
      const Ev = c.prompt.ownerDocument.defaultView!.Event;
      c.prompt.dispatchEvent(new Ev('input', { bubbles: true }));
    };
    el.addEventListener('click', onClick);
  });

  main.define('bpe', ['engine', 'prompt'], (engine: Engine, prompt: string) => engine.request({ type: 'tokenizeSteps', text: prompt }));
  main.define('word', ['bpe'], (steps: Steps) => observe<number>((change) => {
    change(defaultWord(steps.words));
    const el = mounts.words;
    if (!el) return;
    const onClick = (e: Event) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-index]');
      if (b && el.contains(b)) change(Number(b.dataset.index));
    };
    el.addEventListener('click', onClick);
    return () => el.removeEventListener('click', onClick);
  }));
  main.variable(mount(mounts.words)).define('words', ['bpe', 'word', 'model'], async (steps: Steps, word: number, model: ModelInfo) => {
    await nearViewport(mounts.words);
    return wordsTable(steps, word, model);
  });
  main.variable(mount(mounts.merges)).define('merges', ['bpe', 'word', 'width'], async (steps: Steps, word: number, width: number) => {
    await nearViewport(mounts.merges);
    const w = steps.words[word];
    return w ? merges(w, word, width) : note(ui('ch2.noWords'));
  });
  main.variable(mount(mounts.strip)).define('strip', ['clockState', 'width'], async (state: ClockState, width: number) => {
    await nearViewport(mounts.strip);
    const data = { tokens: stripTokens(state) };
    const caption = ui('ch2.stripCaption', { prompt: plural('unit.promptToken', state.promptTokens.length), generated: formatInteger(state.ticks.length) });
    return chartWithTable(TokenStrip(data, { width, label: caption, showBytes: true }), TokenStripTable(data, { caption }));
  });
  main.variable(mount(mounts.compare)).define('compare', ['engine', 'bpe', 'prompt'], async (engine: Engine, steps: Steps, prompt: string) => {
    await nearViewport(mounts.compare);
    const rows = [counts(ui('ch2.yourPrompt'), prompt, steps.tokens.length)];
    for (const [label, text] of [[ui('ch2.chinese'), CHINESE_EXAMPLE], [ui('ch2.english'), ENGLISH_EXAMPLE]] as const) {
      const { tokens } = await engine.request({ type: 'tokenize', text });
      rows.push(counts(label, text, tokens.length));
    }
    return compareTable(rows);
  });
  main.variable(mount(mounts.joined)).define('joined', ['bpe'], async (steps: Steps) => {
    await nearViewport(mounts.joined);
    return joinedView(steps.tokens);
  });
  definePredict(main, mounts.predict, tokenCountQuestion);
  return main;
}
