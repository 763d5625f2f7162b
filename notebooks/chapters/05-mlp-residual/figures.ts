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
import { table } from '../../../components/dom.ts';
import { GeluCurve, GeluCurveTable } from '../../../components/gelu-curve.ts';
import { GroupedBars } from '../../../components/grouped-bars.ts';
import { formatDecimal } from '../../../components/format.ts';
import { residualData, vectorStats, type BlockAdd, type GeluNumbers, type GeluSummary, type LayerView, type NormNumbers } from './data.ts';
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
  const el = chartWithTable(Heatmap(data, { width, label: caption, domain, curve: 'sqrt' }), () => HeatmapTable(data, { caption }));
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

/** LayerNorm's equation: the mean and spread of x, then x̂ and y for dimension i with its numbers. */
export function normTex(n: NormNumbers): string[] {
  const d = Math.sqrt(n.sigma ** 2 + n.eps);
  const i = n.i;
  return [
    String.raw`\mu = \tfrac{1}{C}\textstyle\sum_i x_i = ${texNumber(n.mean)},\qquad C = ${formatInteger(n.dims)}`,
    String.raw`\sigma = \sqrt{\tfrac{1}{C}\textstyle\sum_i (x_i-\mu)^2} = ${texNumber(n.sigma)},\qquad \varepsilon = ${texNumber(n.eps)}`,
    String.raw`\hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \varepsilon}},\qquad y_i = \gamma_i\,\hat x_i + \beta_i`,
    String.raw`${ui('ch5.tex.norm.i', { i: formatInteger(i) })}:\quad \hat x_{${i}} = \frac{${texNumber(n.x[i])} - ${signed(n.mean)}}{${texNumber(d)}} = ${texNumber(n.xhat[i])}`,
    String.raw`y_{${i}} = ${texNumber(n.gamma[i])} \cdot ${signed(n.xhat[i])} + ${signed(n.beta[i])} = ${texNumber(n.y[i])}`,
  ];
}

/** One position's LayerNorm in block n.layer: the three vectors as heatmap rows, their statistics, the equation and a sentence. */
export function layerNorm(v: LayerView, n: NormNumbers, width: number): HTMLElement {
  const rows = [ui('ch5.norm.row.x'), ui('ch5.norm.row.xhat'), ui('ch5.norm.row.y')];
  const vectors = [Array.from(n.x), n.xhat, Array.from(n.y)];
  const data = { rows, values: vectors };
  const params = { layer: n.layer, position: n.position, token: visibleText(n.text), tick: v.tick, dims: n.dims };
  const caption = ui('ch5.norm.caption', params);
  // Each row on its own colour scale (its legend beneath it): x may be tiny or huge, x̂ always has spread 1.
  const maps = h('div', { class: 'layer-norm-rows' }, ...rows.map((r, k) => Heatmap({ rows: [r], values: [vectors[k]] }, {
    width, label: `${caption}: ${r}`, domain: quantileDomain([vectors[k]], RESIDUAL_QUANTILE), curve: 'sqrt', selected: [0, n.i],
  })));
  const el = chartWithTable(maps, () => HeatmapTable(data, { caption }));
  el.classList.add('layer-norm');
  Object.assign(el.dataset, {
    tick: String(v.tick), layer: String(n.layer), position: String(n.position), mean: String(n.mean), sigma: String(n.sigma),
    i: String(n.i), x: String(n.x[n.i]), xhat: String(n.xhat[n.i]), gamma: String(n.gamma[n.i]), beta: String(n.beta[n.i]), y: String(n.y[n.i]),
  });
  const stats = vectors.map(vectorStats);
  el.prepend(h('p', { class: 'cell-caption' }, ...stringNodes(ui, 'ch5.norm.caption', { ...params, token: modelText(params.token) })));
  const eq = h('div', { class: 'live-equation' });
  for (const line of normTex(n)) eq.append(renderTex(line));
  eq.append(h('p', { class: 'equation-words' }, ...stringNodes(ui, 'ch5.norm.words', {
    layer: n.layer, token: modelText(visibleText(n.text)), mean: formatValue(n.mean), sigma: formatValue(n.sigma), d: formatValue(Math.sqrt(n.sigma ** 2 + n.eps)),
    i: formatInteger(n.i), x: formatValue(n.x[n.i]), xhat: formatValue(n.xhat[n.i]), y: formatValue(n.y[n.i]),
  })));
  el.append(table(ui('ch5.norm.stats'), [ui('ch5.norm.step'), ui('ch5.norm.mean'), ui('ch5.norm.sd'), ui('ch5.norm.min'), ui('ch5.norm.max')],
    stats.map((st, r) => [rows[r], formatValue(st.mean), formatValue(st.sd), formatValue(st.min), formatValue(st.max)])), eq);
  return el;
}

/** GELU's curve with block s.layer's 4C inputs of the newest position as dots, the ranges as a table, and a sentence. */
export function geluCurve(v: LayerView, s: GeluSummary, width: number): HTMLElement {
  const data = { x: v.mlpIn[s.layer], y: v.mlp[s.layer] };
  const params = { layer: s.layer, position: v.position, token: visibleText(v.text), tick: v.tick, n: formatInteger(s.n) };
  const caption = ui('ch5.geluCurve.caption', params);
  const el = chartWithTable(GeluCurve(data, { width: Math.min(width, 640), label: caption }), GeluCurveTable(data, { caption }));
  el.classList.add('gelu-curve');
  Object.assign(el.dataset, { tick: String(v.tick), layer: String(s.layer), n: String(s.n), negative: String(s.negative), flat: String(s.flat), xMax: String(s.xMax), yMax: String(s.yMax) });
  el.prepend(h('p', { class: 'cell-caption' }, ...stringNodes(ui, 'ch5.geluCurve.caption', { ...params, token: modelText(params.token) })));
  el.append(h('p', { class: 'equation-words' }, ui('ch5.geluCurve.words', {
    n: formatInteger(s.n), negative: formatInteger(s.negative), negMin: formatValue(s.negMin), flat: formatInteger(s.flat),
    positive: formatInteger(s.positive), xMax: formatValue(s.xMax), yMax: formatValue(s.yMax),
  })));
  return el;
}

/** Per block, what attention and the MLP add (lengths) as grouped bars, the lengths and cosines as a table, and a sentence. */
export function adds(v: LayerView, a: BlockAdd[], width: number): HTMLElement {
  const data = {
    groups: a.map((b) => String(b.block)),
    series: [{ name: ui('ch5.adds.attn'), values: a.map((b) => b.attn) }, { name: ui('ch5.adds.mlp'), values: a.map((b) => b.mlp) }],
  };
  const params = { position: v.position, token: visibleText(v.text), tick: v.tick };
  const caption = ui('ch5.adds.caption', params);
  const tbl = table(caption, [ui('ch5.adds.block'), ui('ch5.adds.stream'), ui('ch5.adds.attn'), ui('ch5.adds.mlp'), ui('ch5.adds.attnCos'), ui('ch5.adds.mlpCos')],
    a.map((b) => [String(b.block), formatValue(b.stream), formatValue(b.attn), formatValue(b.mlp), formatDecimal(b.attnCos, 2), formatDecimal(b.mlpCos, 2)]));
  const el = chartWithTable(GroupedBars(data, { width: Math.min(width, 640), label: caption, axis: ui('ch5.adds.axis'), groupAxis: ui('ch5.adds.groupAxis'), format: (x) => formatValue(x) }), tbl);
  el.classList.add('block-adds');
  el.dataset.tick = String(v.tick);
  el.dataset.adds = JSON.stringify(a.map((b) => [b.attn, b.mlp]));
  el.prepend(h('p', { class: 'cell-caption' }, ...stringNodes(ui, 'ch5.adds.caption', { ...params, token: modelText(params.token) })));
  const top = a.flatMap((b) => [{ b, which: 'attn' as const, length: b.attn }, { b, which: 'mlp' as const, length: b.mlp }]).reduce((x, y) => (y.length > x.length ? y : x));
  el.append(h('p', { class: 'equation-words' }, ui('ch5.adds.words', {
    mlpWins: formatInteger(a.filter((b) => b.mlp > b.attn).length), blocks: formatInteger(a.length), block: top.b.block,
    which: ui(top.which === 'attn' ? 'ch5.adds.attn' : 'ch5.adds.mlp'), length: formatValue(top.length), stream: formatValue(top.b.stream),
  })));
  return el;
}
