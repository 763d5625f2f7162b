/**
 * The token strip: a text cut into GPT-2's pieces, one box per token with its text (whitespace
 * made visible), its id below, and optionally its bytes. A token whose bytes are not yet a whole
 * UTF-8 character shows them as `<0xE4>` in a dashed box rather than as �.
 */
import { table } from './dom.ts';
import { formatByte, formatInteger } from './format.ts';
import { MONO, splitBytes, textWidth, truncate, visibleText } from './text.ts';
import { chartDocument, px, svgRoot } from './chart.ts';
import type { ChartOptions, TableOptions } from './chart.ts';
import { ORANGE } from './color.ts';
import { strings as t } from './token-strip.strings.ts';
import { words } from './words.strings.ts';

export interface StripToken {
  id: number; // token id in the vocabulary
  text: string; // decoded text; bytes of an incomplete character written as <0xE4> (as the tokenizer does)
  bytes: ArrayLike<number>; // the token's raw bytes
  complete: boolean; // false when the bytes are not complete UTF-8 on their own
}

export interface TokenStripData {
  tokens: StripToken[];
}

export interface TokenStripOptions extends ChartOptions {
  showBytes?: boolean; // a third line with the bytes in hex (default false)
}

const FONT = 13; // token text
const SMALL = 10; // id and bytes
const PAD = 5;
const GAP = 4;

const bytesText = (t: StripToken) => Array.from(t.bytes, formatByte).join(' ');

/** Tokens as boxes that wrap to `width`. */
export function TokenStrip(data: TokenStripData, opts: TokenStripOptions): SVGSVGElement {
  const doc = chartDocument(opts.document);
  const { width, showBytes = false } = opts;
  const bytesShown = (t: StripToken) => truncate(bytesText(t), width - 2 * PAD, SMALL);
  const lineH = PAD + FONT + 4 + SMALL + (showBytes ? 4 + SMALL : 0) + PAD;
  const maxText = width - 2 * PAD;

  // Layout first (pure arithmetic), then draw.
  let x = 0;
  let y = 0;
  const boxes = data.tokens.map((t, i) => {
    const shown = truncate(visibleText(t.text), maxText, FONT);
    const w = Math.min(width, 2 * PAD + Math.max(
      textWidth(shown, FONT), textWidth(formatInteger(t.id), SMALL), showBytes ? textWidth(bytesShown(t), SMALL) : 0));
    if (x > 0 && x + w > width) {
      x = 0;
      y += lineH + GAP;
    }
    const box = { t, i, shown, x, y, w };
    x += w + GAP;
    return box;
  });
  const height = data.tokens.length ? y + lineH : lineH;

  const label = opts.label ?? t('chart.tokens.label', { n: data.tokens.length });
  const svg = svgRoot(doc, width, height, label);
  const g = svg.selectAll('g.token').data(boxes).join('g')
    .attr('class', (d) => (d.t.complete ? 'token' : 'token incomplete'))
    .attr('transform', (d) => `translate(${px(d.x)},${px(d.y)})`)
    .attr('font-family', MONO);
  g.append('title').text((d) =>
    t('chart.tokens.title', { index: d.i, text: visibleText(d.t.text), id: formatInteger(d.t.id), bytes: bytesText(d.t) }) + (d.t.complete ? '' : t('chart.tokens.incomplete')));
  g.append('rect')
    .attr('width', (d) => px(d.w))
    .attr('height', lineH)
    .attr('rx', 3)
    .attr('fill', 'currentColor')
    .attr('fill-opacity', 0.06)
    .attr('stroke', 'currentColor')
    .attr('stroke-opacity', 0.45)
    .attr('stroke-dasharray', (d) => (d.t.complete ? null : '3 2'));
  const text = g.append('text')
    .attr('translate', 'no') // the model's text, not the page's words
    .attr('x', PAD)
    .attr('y', PAD + FONT - 2)
    .attr('font-size', FONT);
  // Byte stand-ins get their own style, but only where the tokenizer said the bytes are incomplete.
  text.selectAll('tspan').data((d) => (d.t.complete ? [{ text: d.shown, byte: false }] : splitBytes(d.shown))).join('tspan')
    .attr('class', (s) => (s.byte ? 'byte' : null))
    .attr('fill', (s) => (s.byte ? ORANGE : null))
    .attr('font-style', (s) => (s.byte ? 'italic' : null))
    .text((s) => s.text);
  g.append('text')
    .attr('class', 'id')
    .attr('x', PAD)
    .attr('y', PAD + FONT + 4 + SMALL - 1)
    .attr('font-size', SMALL)
    .attr('fill-opacity', 0.75)
    .text((d) => formatInteger(d.t.id));
  if (showBytes) {
    g.append('text')
      .attr('class', 'bytes')
      .attr('x', PAD)
      .attr('y', PAD + FONT + 4 + SMALL + 4 + SMALL - 1)
      .attr('font-size', SMALL)
      .attr('fill-opacity', 0.75)
      .text((d) => bytesShown(d.t));
  }
  return svg.node() as SVGSVGElement;
}

/** The strip as a table: position, token text, id, bytes, whether the bytes are a whole character. */
export function TokenStripTable(data: TokenStripData, opts: TableOptions = {}): HTMLTableElement {
  const doc = chartDocument(opts.document);
  return table(opts.caption ?? t('chart.tokens.label', { n: data.tokens.length }), [t('chart.tokens.position'), t('chart.tokens.token'), t('chart.tokens.id'), t('chart.tokens.bytes'), t('chart.tokens.complete')], data.tokens.map((tok, i) => [formatInteger(i), visibleText(tok.text), formatInteger(tok.id), bytesText(tok), words(tok.complete ? 'common.yes' : 'common.no')]), { document: doc, model: { columns: [1] } });
}
