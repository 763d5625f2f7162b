/**
 * Chapter 5's figures: the residual stream as a heatmap, the logit lens as a table, and one MLP
 * unit's GELU as a live equation, each built from data.ts's view.
 */
import { Heatmap, HeatmapTable, heatmapDomain, quantileDomain } from '../../../components/heatmap.ts';

/** The residual heatmap's colours span this quantile of |value|: the few larger ones take the end colours. */
export const RESIDUAL_QUANTILE = 0.99;
import { formatInteger, formatProb, formatValue } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable, h } from '../../dom.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { renderTex, texNumber, texText } from '../../tex.ts';
import { residualData, type GeluNumbers, type LayerView } from './data.ts';
import { ui } from './strings.ts';

const signed = (x: number) => (x < 0 ? `(${texNumber(x)})` : texNumber(x));

/** The equation lines: symbolic, then this unit's numbers substituted. */
export function geluTex(n: GeluNumbers): string[] {
  return [
    String.raw`\operatorname{GELU}(x) = \tfrac12\,x\left(1 + \tanh\!\left(\sqrt{2/\pi}\,\bigl(x + 0.044715\,x^3\bigr)\right)\right)`,
    String.raw`${ui('ch5.tex.where', { layer: n.layer, unit: formatInteger(n.unit) })},\ t = ${formatInteger(n.position)}\ ${texText(`“${n.text}”`)}:\quad x = ${texNumber(n.x)}`,
    String.raw`\sqrt{2/\pi}\,\bigl(${texNumber(n.x)} + ${signed(n.cube)}\bigr) = ${texNumber(n.inner)},\qquad \tanh(${texNumber(n.inner)}) = ${texNumber(n.tanh)}`,
    String.raw`\operatorname{GELU}(${texNumber(n.x)}) = \tfrac12 \cdot ${signed(n.x)} \cdot \bigl(1 + ${signed(n.tanh)}\bigr) = ${texNumber(n.y)}`,
  ];
}

/** The residual stream entering block 0 and after each block, as a heatmap with its table. */
export function residual(v: LayerView, width: number): HTMLElement {
  const data = residualData(v);
  const params = { position: v.position, token: visibleText(v.text), tick: v.tick, dims: v.dims, blocks: v.residual.length };
  const caption = ui('ch5.residual.caption', params);
  // A few dimensions of the stream grow huge; the colours span the 99th percentile, on a square-root ramp, so the rest still show.
  const domain = quantileDomain(data.values, RESIDUAL_QUANTILE);
  const el = chartWithTable(Heatmap(data, { width, label: caption, domain, curve: 'sqrt' }), HeatmapTable(data, { caption }));
  el.classList.add('residual');
  el.dataset.tick = String(v.tick);
  el.dataset.position = String(v.position);
  el.dataset.domain = String(domain);
  // One shared scale keeps rows comparable; say so with numbers, so a pale row does not read as empty.
  const largest = data.values.map((r) => Math.max(0, ...r.map(Math.abs)));
  const scale = ui('ch5.residual.scale', { domain: formatValue(domain), max: formatValue(heatmapDomain(data.values)), first: formatValue(largest[0] ?? 0), last: formatValue(largest.at(-1) ?? 0) });
  el.prepend(h('p', { class: 'cell-caption' }, ...stringNodes(ui, 'ch5.residual.caption', { ...params, token: modelText(params.token) })),
    h('p', { class: 'residual-scale' }, scale));
  return el;
}

/** The logit lens: each block's most likely next tokens (a caption with the model's text in it, so not components/dom.ts's table). */
export function lens(v: LayerView): HTMLElement {
  const k = Math.max(0, ...v.lens.map((l) => l.length));
  const caption = stringNodes(ui, 'ch5.lens.caption', { position: v.position, token: modelText(visibleText(v.text)), tick: v.tick, k });
  return h('table', { class: 'lens', 'data-tick': v.tick, 'data-lens': JSON.stringify(v.lens.map((l) => l.map((c) => ({ id: c.id, prob: c.prob })))) },
    h('caption', {}, ...caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('ch5.lens.after')), ...Array.from({ length: k }, (_, r) => h('th', { scope: 'col' }, ui('ch5.lens.guess', { n: r + 1 }))))),
    h('tbody', {}, ...v.lens.map((l, i) => h('tr', {},
      h('th', { scope: 'row' }, String(i)),
      ...l.map((c) => h('td', {}, h('code', {}, `“${visibleText(c.text)}”`), ` ${formatProb(c.prob)}`))))));
}

/** One unit's GELU: the equation with its numbers, then in words. */
export function equation(n: GeluNumbers): HTMLElement {
  const el = h('div', {
    class: 'live-equation',
    'data-layer': n.layer,
    'data-unit': n.unit,
    'data-position': n.position,
    'data-x': n.x,
    'data-y': n.y,
  });
  for (const line of geluTex(n)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ...stringNodes(ui, n.x < 0 ? 'ch5.gelu.negative' : 'ch5.gelu.positive', {
    layer: n.layer, unit: formatInteger(n.unit), x: formatValue(n.x), token: modelText(visibleText(n.text)), y: formatValue(n.y),
  })));
  return el;
}
