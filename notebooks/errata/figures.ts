/**
 * The errata page's cells, drawn as tables (each is its own text alternative) with a verdict
 * line. Every number comes from data.ts over the engine's answers; the data-* attributes carry
 * them for the tests.
 */
import { table } from '../../components/dom.ts';
import { formatDecimal, formatFlops, formatInteger, formatProb } from '../../components/format.ts';
import { visibleText } from '../../components/text.ts';
import type { ModelInfo, TickSummary, TokenInfo } from '../../engine/protocol.ts';
import { h, note } from '../dom.ts';
import { ARTICLE_MAX_LENGTH, ARTICLE_OUTPUT, ARTICLE_PROMPT, ARTICLE_WORDS, characters, checksumView, cosine, LOOP_LINES, maxDiff, softmaxRows, utf8Bytes, type AttentionCompare } from './data.ts';
import { strings as shared } from '../strings.ts';
import { ui } from './strings.ts';

const fixed = (x: number, d = 4) => formatDecimal(x, d);
const piece = (s: string) => `“${visibleText(s)}”`;

/** (1) The weights' checksum across ticks. */
export function weightsFigure(ticks: TickSummary[], model: ModelInfo): HTMLElement {
  if (!ticks.length) return note(ui('errata.noTick'));
  const v = checksumView(ticks, model.checksum);
  const rows = v.rows.map((r) => [String(r.tick), piece(r.token), r.verified ?? shared('cells.readingBack')]);
  const read = v.rows.filter((r) => r.verified !== undefined); // each tick's read-back arrives after the tick
  return h('div', { class: 'errata-weights', 'data-ticks': ticks.length, 'data-read': read.length, 'data-at-load': v.atLoad, 'data-checksums': read.map((r) => r.verified).join(' '), 'data-same': String(v.same) },
    table(ui('errata.weights.caption'), [ui('errata.weights.tick'), ui('errata.weights.token'), ui('errata.weights.checksum')], rows, { model: { columns: [1] } }),
    h('p', { class: 'verdict' }, ui(v.same ? 'errata.weights.same' : 'errata.weights.changed', { atLoad: v.atLoad, n: ticks.length })));
}

/** (2) The article's softmax beside the real one. */
export function softmaxFigure(): HTMLElement {
  const { rows, increasing } = softmaxRows();
  return h('div', { class: 'errata-softmax', 'data-real': JSON.stringify(rows.map((r) => r.real)), 'data-increasing': String(increasing) },
    table(ui('errata.softmax.caption'), [ui('errata.softmax.input'), ui('errata.softmax.article'), ui('errata.softmax.real')],
      rows.map((r) => [String(r.input), String(r.article), fixed(r.real)])),
    h('p', { class: 'verdict' }, ui('errata.softmax.verdict')));
}

/** (3) Real attention against softmax(q ⊙ k), on the engine's q, k and v of the newest tick. */
export function attentionFigure(c: AttentionCompare | null, pieces: (id: number) => string): HTMLElement {
  if (!c) return note(ui('errata.noTick'));
  const wDiff = maxDiff(c.weights, c.recomputed);
  const oDiff = maxDiff(c.output, c.engineOutput);
  const cos = cosine(c.articleOutput, c.engineOutput);
  const angle = (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
  const n = Math.min(8, c.headDim);
  const weightsTable = table(
    ui('errata.attention.caption', { layer: c.layer, head: c.head, tick: c.tick, position: c.position, token: piece(pieces(c.tokens[c.position])) }),
    [ui('errata.attention.position'), ui('errata.attention.token'), ui('errata.attention.weight'), ui('errata.attention.recomputed')],
    c.weights.map((w, j) => [String(j), piece(pieces(c.tokens[j])), fixed(w), fixed(c.recomputed[j])]),
    { model: { columns: [1] } });
  const vectors = table(ui('errata.attention.vectors', { n, d: c.headDim }), [ui('errata.attention.dim'), ui('errata.attention.real'), ui('errata.attention.article')],
    Array.from({ length: n }, (_, i) => [String(i), fixed(c.engineOutput[i]), fixed(c.articleOutput[i])]));
  return h('div', {
    class: 'errata-attention', 'data-tick': c.tick, 'data-position': c.position, 'data-keys': c.weights.length, 'data-head-dim': c.headDim,
    'data-weights': JSON.stringify(c.weights), 'data-output': JSON.stringify(c.engineOutput), 'data-article': JSON.stringify(c.articleOutput),
    'data-w-diff': wDiff, 'data-o-diff': oDiff, 'data-cosine': cos,
  },
  weightsTable,
  h('p', { class: 'verdict' }, ui('errata.attention.summary', { keys: c.weights.length, wDiff: wDiff.toExponential(1), oDiff: oDiff.toExponential(1), d: c.headDim, angle: formatDecimal(angle, 1), cos: formatDecimal(cos, 3) })),
  vectors);
}

/** (4) The prompt's tokens: nothing added before or after. */
export function specialFigure(tokens: TokenInfo[], eot: number | null): HTMLElement {
  const count = eot === null ? 0 : tokens.filter((t) => t.id === eot).length;
  const first = tokens[0];
  const last = tokens.at(-1);
  const show = (t: TokenInfo | undefined) => (t ? `${piece(t.text)} (${t.id})` : '—');
  return h('div', { class: 'errata-special', 'data-ids': tokens.map((t) => t.id).join(' '), 'data-eot': eot ?? '', 'data-eot-count': count },
    table(ui('errata.special.caption', { n: tokens.length }), [ui('errata.special.index'), ui('errata.special.id'), ui('errata.special.piece')],
      tokens.map((t, i) => [String(i), String(t.id), piece(t.text)]), { model: { columns: [2] } }),
    h('p', { class: 'verdict' }, ui('errata.special.verdict', { first: show(first), last: show(last), eot: eot ?? '—', count })));
}

/** (5) The article's prompt, counted: characters, bytes, the article's words, tokens. */
export function countFigure(tokens: TokenInfo[], output: TokenInfo[], model: ModelInfo): HTMLElement {
  const n = tokens.length;
  const left = ARTICLE_MAX_LENGTH - n;
  const rows = [
    [ui('errata.count.chars'), formatInteger(characters(ARTICLE_PROMPT))],
    [ui('errata.count.words'), formatInteger(ARTICLE_WORDS.length)],
    [ui('errata.count.bytes'), formatInteger(utf8Bytes(ARTICLE_PROMPT))],
    [ui('errata.count.tokens'), formatInteger(n)],
    [ui('errata.count.output', { text: ARTICLE_OUTPUT }), formatInteger(output.length)],
  ];
  return h('div', { class: 'errata-count', 'data-tokens': n, 'data-output-tokens': output.length, 'data-ids': tokens.map((t) => t.id).join(' '), 'data-model': model.label },
    table(ui('errata.count.caption', { text: ARTICLE_PROMPT, model: model.label, vocab: formatInteger(model.config.vocab_size) }), [ui('errata.count.what'), ui('errata.count.value')], rows),
    h('p', { class: 'verdict' }, left > 0 ? ui('errata.count.budget', { n, left }) : ui('errata.count.over', { n }),
      ' ', ui(output.length > ARTICLE_MAX_LENGTH ? 'errata.count.outputOver' : 'errata.count.outputFits', { out: output.length, max: ARTICLE_MAX_LENGTH })));
}

/** (6) This project's loop, the lines quoted from model/tick.ts. */
export function loopFigure(): HTMLElement {
  return h('pre', { class: 'code errata-loop', translate: 'no', tabindex: 0, 'aria-label': ui('errata.loop.caption'), 'data-lines': LOOP_LINES.length }, h('code', {}, LOOP_LINES.join('\n')));
}

/** (7) What one tick computed, beside the article's formula. */
export function formulaFigure(ticks: TickSummary[], model: ModelInfo): HTMLElement {
  const t = ticks.at(-1);
  if (!t) return note(ui('errata.noTick'));
  const rows = [
    [ui('errata.formula.fed'), formatInteger(t.fed)],
    [ui('errata.formula.position'), formatInteger(t.position)],
    [ui('errata.formula.blocks'), formatInteger(model.config.n_layer)],
    [ui('errata.formula.logits'), formatInteger(t.sample.vocabSize)],
    [ui('errata.formula.chosen'), `${piece(t.piece.text)} (${formatProb(t.prob)})`],
    [ui('errata.formula.flops'), formatFlops(t.flops)],
    [ui('errata.formula.weights'), t.weightsVerified ?? shared('cells.readingBack')],
  ];
  return h('div', { class: 'errata-formula', 'data-tick': t.index, 'data-fed': t.fed, 'data-position': t.position, 'data-vocab': t.sample.vocabSize, 'data-flops': t.flops },
    table(ui('errata.formula.caption', { tick: t.index }), [ui('errata.formula.step'), ui('errata.formula.value')], rows));
}
