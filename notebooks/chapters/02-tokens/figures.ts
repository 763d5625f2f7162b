/**
 * Chapter 2's figures: the prompt's words (each a button that shows its merges), one word merge by
 * merge, characters vs bytes vs tokens, tokens joined one at a time, and the token strip.
 */
import { BpeSteps, BpeStepsTable } from '../../../components/bpe-steps.ts';
import { h, table } from '../../../components/dom.ts';
import { formatDecimal, formatInteger } from '../../../components/format.ts';
import { TokenStrip, TokenStripTable } from '../../../components/token-strip.ts';
import { visibleText } from '../../../components/text.ts';
import { words as common } from '../../../components/words.strings.ts';
import { plural, stripTokens } from '../../cells.ts';
import type { ClockState } from '../../clock.ts';
import { chartWithTable } from '../../dom.ts';
import type { BpeWord, ModelInfo, TokenInfo } from '../../../engine/protocol.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { hex, joinTokens, type Counts, type Steps } from './data.ts';
import { ui } from './strings.ts';

/** The prompt's pre-token words: bytes, byte symbols, merges, tokens; each word a button that shows its merges. */
export function wordsTable(steps: Steps, selected: number, model: ModelInfo): HTMLElement {
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

export function merges(w: BpeWord, index: number, width: number): HTMLElement {
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

export function compareTable(rows: Counts[]): HTMLElement {
  // Sentences keep their spaces here (not ␣) so that they can wrap.
  const el = table(ui('ch2.compareCaption'), [ui('ch2.col.text'), ui('ch2.col.characters'), ui('ch2.col.byteCount'), ui('ch2.col.tokenCount'), ui('ch2.col.perCharacter')],
    rows.map((r) => [
      h('span', { class: 'sample', style: 'overflow-wrap: break-word' }, ...stringNodes(ui, 'ch2.sample', { label: r.label, text: modelText(`“${r.text}”`) })),
      formatInteger(r.characters), formatInteger(r.bytes), formatInteger(r.tokens),
      formatDecimal(r.tokens / r.characters, 2),
    ]));
  el.className = 'token-counts';
  el.dataset.counts = JSON.stringify(rows.map(({ label, characters, bytes, tokens }) => ({ label, characters, bytes, tokens })));
  return el;
}

export function joinedView(tokens: TokenInfo[]): HTMLElement {
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
    h('p', { class: 'joined-text' }, ...stringNodes(ui, 'ch2.joined', { text: h('strong', { translate: 'no' }, visibleText(text)) })));
}

/** The prompt and generated tokens, with ids and bytes. */
export function stripFigure(state: ClockState, width: number): HTMLElement {
  const data = { tokens: stripTokens(state) };
  const caption = ui('ch2.stripCaption', { prompt: plural('unit.promptToken', state.promptTokens.length), generated: formatInteger(state.ticks.length) });
  return chartWithTable(TokenStrip(data, { width, label: caption, showBytes: true }), TokenStripTable(data, { caption }));
}

/** Example buttons inside `el` put their text into the Prompt, as if typed there. */
export function exampleButtons(el: HTMLElement, prompt: HTMLTextAreaElement): void {
  el.addEventListener('click', (e: Event) => {
    const b = (e.target as Element).closest<HTMLElement>('button[data-text]');
    if (!b || !el.contains(b)) return;
    prompt.value = b.dataset.text ?? '';
    const Ev = prompt.ownerDocument.defaultView!.Event;
    prompt.dispatchEvent(new Ev('input', { bubbles: true }));
  });
}
