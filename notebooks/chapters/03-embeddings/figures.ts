/**
 * Chapter 3's figures: the three heatmaps (wte rows, wpe rows, their sum) and the live equation
 * x_{t,c} = wte[id_t, c] + wpe[t, c] in TeX and in words.
 */
import { h, table } from '../../../components/dom.ts';
import type { NearestToken } from '../../../engine/protocol.ts';
import { formatDecimal, formatInteger, formatValue } from '../../../components/format.ts';
import { Heatmap, HeatmapTable, heatmapDomain } from '../../../components/heatmap.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable } from '../../dom.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { renderTex, texNumber, texText } from '../../tex.ts';
import { embeddingFindings, HEATMAP_ROWS, heatmapData, nearestFinding, type EmbeddingFindings, type EmbeddingNumbers, type EmbeddingView } from './data.ts';
import { ui } from './strings.ts';

const signed = (x: number) => (x < 0 ? `(${texNumber(x)})` : texNumber(x));

/** The equation lines: symbolic, the token at t, then the numbers substituted. */
export function embeddingTex(n: EmbeddingNumbers): string[] {
  const t = formatInteger(n.position);
  const c = formatInteger(n.dimension);
  return [
    String.raw`x_{t,c} = \mathrm{wte}[\mathrm{id}_t,\ c] + \mathrm{wpe}[t,\ c]`,
    String.raw`t = ${t}:\quad \mathrm{id}_{${t}} = ${formatInteger(n.id)}\ \ ${texText(`“${n.text}”`)},\qquad c = ${c}`,
    String.raw`x_{${t},${c}} = \mathrm{wte}[${formatInteger(n.id)},\ ${c}] + \mathrm{wpe}[${t},\ ${c}] = ${texNumber(n.wte)} + ${signed(n.wpe)} = ${texNumber(n.x)}`,
  ];
}

const TITLES = {
  token: (c: number) => ui('ch3.title.token', { c }),
  position: (c: number) => ui('ch3.title.position', { c }),
  sum: (c: number) => ui('ch3.title.sum', { c }),
};

/** One sentence a heatmap, from the rows it draws: what to see in it. */
export function findingText(which: 'token' | 'position' | 'sum', f: EmbeddingFindings): string | null {
  const c = (x: number) => formatDecimal(x, 2);
  if (which === 'token') {
    if (f.tokenPairs === 0) return null;
    return ui(f.tokenCosine < 0.3 ? 'ch3.finding.token' : 'ch3.finding.tokenShared', { cos: c(f.tokenCosine), pairs: formatInteger(f.tokenPairs) });
  }
  if (which === 'position') {
    if (!Number.isFinite(f.nearCosine)) return null;
    if (!Number.isFinite(f.farCosine)) return ui('ch3.finding.positionNear', { near: c(f.nearCosine) });
    return ui(f.nearCosine > f.farCosine + 0.1 ? 'ch3.finding.position' : 'ch3.finding.positionFlat', { near: c(f.nearCosine), far: c(f.farCosine), d: f.far });
  }
  return ui(f.sumToken >= f.sumPosition ? 'ch3.finding.sumToken' : 'ch3.finding.sumPosition', { token: c(f.sumToken), position: c(f.sumPosition) });
}

export function heatmaps(v: EmbeddingView, pick: [number, number], width: number): HTMLElement {
  const from = Math.max(0, v.positions.length - HEATMAP_ROWS);
  const domain = heatmapDomain([...v.token, ...v.position, ...v.sum].map((r) => Array.from(r)));
  const row = v.positions.indexOf(pick[0]) - from;
  const f = embeddingFindings(v, from);
  const el = h('div', {
    class: 'embeddings', 'data-rows': v.positions.length, 'data-dims': v.dims, 'data-first-position': v.positions[from],
    'data-token-cosine': f.tokenCosine, 'data-near-cosine': f.nearCosine, 'data-far-cosine': f.farCosine, 'data-sum-token': f.sumToken, 'data-sum-position': f.sumPosition,
  });
  for (const which of ['token', 'position', 'sum'] as const) {
    const data = heatmapData(v, which, from);
    const title = TITLES[which](v.dims);
    const caption = ui('ch3.heatmapCaption', { title, from: v.positions[from], to: v.positions.at(-1)!, lo: formatValue(-domain), hi: formatValue(domain) });
    // A square-root colour ramp: most numbers are small beside the few largest, and would read as blank.
    const chart = chartWithTable(
      Heatmap(data, { width, domain, curve: 'sqrt', label: caption, selected: row >= 0 ? [row, pick[1]] : undefined, modelRows: true }),
      () => HeatmapTable(data, { caption, modelRows: true }));
    chart.dataset.which = which;
    const finding = findingText(which, f);
    el.append(h('h3', { class: 'heatmap-title' }, title), ...(finding ? [h('p', { class: 'cell-caption heatmap-finding', 'data-which': which }, finding)] : []), chart);
  }
  return el;
}

export function equationFigure(n: EmbeddingNumbers): HTMLElement {
  const el = h('div', {
    class: 'live-equation',
    'data-position': n.position,
    'data-dimension': n.dimension,
    'data-token-id': n.id,
    'data-wte': n.wte,
    'data-wpe': n.wpe,
    'data-x': n.x,
  });
  for (const line of embeddingTex(n)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ...stringNodes(ui, 'ch3.equationWords', {
    position: formatInteger(n.position), token: modelText(visibleText(n.text)), id: formatInteger(n.id), dimension: formatInteger(n.dimension),
    wte: formatValue(n.wte), wpe: formatValue(n.wpe), x: formatValue(n.x),
  })));
  return el;
}

/**
 * The nearest tokens to the picked position's token in the whole vocabulary (the engine's answer),
 * as a table with a bar per cosine, and a sentence comparing the nearest with the mean cosine of two
 * different tokens in the heatmaps.
 */
export function nearestFigure(v: EmbeddingView, position: number, neighbours: NearestToken[], vocab: number): HTMLElement {
  const row = v.positions.indexOf(position);
  const id = v.ids[row];
  const text = visibleText(v.texts[row]);
  const from = Math.max(0, v.positions.length - HEATMAP_ROWS);
  const mean = embeddingFindings(v, from).tokenCosine;
  const f = nearestFinding(neighbours.map((n) => n.cosine), mean);
  const el = h('div', {
    class: 'nearest-tokens', 'data-position': position, 'data-token-id': id, 'data-mean-cosine': mean,
    'data-neighbours': JSON.stringify(neighbours.map((n) => [n.id, n.cosine])),
  });
  el.append(h('p', { class: 'cell-caption' }, ...stringNodes(ui, 'ch3.nearest.picked', { position: formatInteger(position), token: modelText(text), id: formatInteger(id), vocab: formatInteger(vocab) })));
  const bar = (c: number) => h('span', { class: 'cos-bar', 'aria-hidden': 'true', style: `width: ${(Math.max(0, Math.min(1, c)) * 6).toFixed(2)}rem` });
  const t = table(ui('ch3.nearest.caption', { k: neighbours.length, vocab: formatInteger(vocab), token: text, id: formatInteger(id) }),
    [ui('ch3.nearest.rank'), ui('ch3.nearest.token'), ui('ch3.nearest.id'), ui('ch3.nearest.cosine')],
    neighbours.map((n, r) => [formatInteger(r + 1), visibleText(n.text), formatInteger(n.id), h('span', { class: 'cos' }, h('span', { class: 'cos-value' }, formatDecimal(n.cosine, 3)), bar(n.cosine))]),
    { model: { columns: [1] } });
  t.classList.add('nearest-table');
  el.append(h('div', { class: 'table-scroll' }, t));
  if (f) {
    const key = !Number.isFinite(f.mean) ? 'ch3.nearest.noMean' : f.clear ? 'ch3.nearest.clear' : 'ch3.nearest.weak';
    el.append(h('p', { class: 'cell-caption nearest-finding', 'data-clear': String(f.clear) }, ...stringNodes(ui, key, {
      token: modelText(visibleText(neighbours[0].text)), nearest: formatDecimal(f.nearest, 2), k: f.k, last: formatDecimal(f.last, 2), mean: formatDecimal(f.mean, 2),
    })));
  }
  return el;
}
