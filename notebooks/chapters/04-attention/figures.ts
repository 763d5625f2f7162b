/**
 * Chapter 4's figures: the attention matrix of one head at one stage, the live equation of one of
 * its cells in TeX and words, the stage picker, and the worked softmax over four inputs.
 */
import { AttentionMatrix, AttentionMatrixTable } from '../../../components/attention-matrix.ts';
import { strings as attentionStrings } from '../../../components/attention-matrix.strings.ts';
import { h, table } from '../../../components/dom.ts';
import { formatDecimal, formatInteger, formatValue } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable } from '../../dom.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { SEED_LOGITS, softmaxOf } from '../../softmax.ts';
import { renderTex, texNumber } from '../../tex.ts';
import { cellNumbers, defaultCell, parseInputs, SoftmaxInputError, STAGES, stageRow, type AttentionView, type CellNumbers, type Stage } from './data.ts';
import { ui } from './strings.ts';

/** The equation lines: symbolic, then s_ij and a_ij with the numbers substituted. */
export function cellTex(n: CellNumbers): string[] {
  const i = formatInteger(n.query);
  const j = formatInteger(n.key);
  const sqrt = Math.sqrt(n.headDim);
  return [
    String.raw`a_{ij} = \frac{e^{s_{ij}}}{\sum_{m \le i} e^{s_{im}}},\qquad s_{ij} = \frac{q_i \cdot k_j}{\sqrt{d}}`,
    String.raw`s_{${i},${j}} = \frac{q_{${i}} \cdot k_{${j}}}{\sqrt{${n.headDim}}} = \frac{${texNumber(n.score)}}{${texNumber(sqrt)}} = ${texNumber(n.scaled)}`,
    String.raw`a_{${i},${j}} = \frac{e^{${texNumber(n.scaled)}}}{\sum_{m=0}^{${i}} e^{s_{${i},m}}} = \frac{${texNumber(Math.exp(n.scaled))}}{${texNumber(n.sum)}} = ${texNumber(n.weight)}`,
  ];
}

export function matrixFigure(view: AttentionView, head: number, stage: Stage, width: number): HTMLElement {
  const weights = view.rows.map((r) => stageRow(r, head, stage));
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of weights) for (const x of row) if (Number.isFinite(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  const softmax = stage === 'softmax';
  const data = { tokens: view.tokens, weights, highlight: defaultCell(view, head) };
  const name = STAGES.find((s) => s.id === stage)!.label;
  const caption = ui('ch4.matrixCaption', { layer: view.layer, head, stage: name, rows: view.rows.length, tick: view.tick });
  const el = chartWithTable(
    AttentionMatrix(data, { width, label: caption, ...(softmax ? {} : { domain: [lo, hi] as [number, number], valueName: attentionStrings('chart.attention.score') }) }),
    AttentionMatrixTable(data, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, caption +
    (view.recomputed ? ui('ch4.recomputed', { n: view.recomputed }) : ui('ch4.captionEnd'))));
  el.dataset.layer = String(view.layer);
  el.dataset.head = String(head);
  el.dataset.stage = stage;
  el.dataset.rows = String(view.rows.length);
  el.dataset.tick = String(view.tick);
  return el;
}

export function equationFigure(view: AttentionView, head: number, [i, j]: [number, number]): HTMLElement {
  const n = cellNumbers(view, head, i, j);
  const el = h('div', {
    class: 'live-equation',
    'data-layer': n.layer, 'data-head': n.head, 'data-query': n.query, 'data-key': n.key, 'data-head-dim': n.headDim,
    'data-score': n.score, 'data-scaled': n.scaled, 'data-sum': n.sum, 'data-weight': n.weight,
    'data-q': JSON.stringify(n.q), 'data-k': JSON.stringify(n.k), 'data-row': JSON.stringify(n.row),
  });
  for (const line of cellTex(n)) el.append(renderTex(line));
  const who = (p: number) => modelText(`“${visibleText(view.tokens[p])}”`);
  el.append(h('p', { class: 'equation-words' }, ...stringNodes(ui, 'ch4.equationWords', {
    query: i, queryToken: who(i), key: j, keyToken: who(j), layer: n.layer, head: n.head, d: n.headDim,
    score: formatValue(n.score), scaled: formatValue(n.scaled), keys: i + 1, weight: formatDecimal(n.weight, 4),
  })));
  return el;
}

/**
 * The highlighted cell's numbers at the cell (the full equation is below the matrix, often below
 * the fold): a small box the chapter places beside the cell. Hidden from assistive technology, which
 * hears the same numbers in the cell's label and the equation.
 */
export function cellTip(view: AttentionView, head: number, [i, j]: [number, number]): HTMLElement {
  const n = cellNumbers(view, head, i, j);
  const tip = h('p', { class: 'cell-tip', 'aria-hidden': 'true', translate: 'no', 'data-query': i, 'data-key': j, 'data-weight': n.weight }, ui('ch4.tip', {
    queryToken: `“${visibleText(view.tokens[i])}”`, keyToken: `“${visibleText(view.tokens[j])}”`,
    score: formatValue(n.score), d: n.headDim, scaled: formatValue(n.scaled), weight: formatDecimal(n.weight, 4),
  }));
  return tip;
}

/** The stage picker: three radio buttons, built once; the chosen stage is a cell. */
export function stagePicker(): HTMLFieldSetElement {
  return h('fieldset', { class: 'stage-picker' }, h('legend', {}, ui('ch4.stageLegend')),
    ...STAGES.map((s) => h('label', {}, h('input', { type: 'radio', name: 'attention-stage', value: s.id, checked: s.id === 'softmax' }), ` ${s.label}`)));
}

/** The worked softmax: four inputs the reader edits, the result by the sampler's softmax. */
export function softmaxExample(): HTMLElement {
  const fields = SEED_LOGITS.map((x, i) => {
    const id = `softmax-input-${i + 1}`;
    return h('span', { class: 'field' }, h('label', { for: id }, ui('ch4.input', { n: i + 1 })),
      h('input', { id, type: 'number', step: '0.1', value: String(x), inputmode: 'decimal', 'aria-describedby': 'softmax-input-error' }));
  });
  const inputs = fields.map((f) => f.querySelector('input')!);
  const error = h('p', { class: 'error', id: 'softmax-input-error', 'aria-live': 'polite' });
  const out = h('div', { class: 'softmax-result' });
  const show = (xs: number[]) => {
    const p = softmaxOf(xs, 1);
    const list = (v: number[], f: (x: number) => string) => `[${v.map(f).join(',\\ ')}]`;
    out.dataset.inputs = JSON.stringify(xs);
    out.dataset.probs = JSON.stringify(p);
    out.replaceChildren(renderTex(String.raw`\operatorname{softmax}(${list(xs, (x) => texNumber(x))}) = ${list(p, (x) => formatDecimal(x, 3))}`),
      table(ui('ch4.softmaxCaption'), [ui('ch4.col.input'), ui('ch4.col.value'), 'e^x / Σ e^x'],
        xs.map((x, i) => [ui('ch4.input', { n: i + 1 }), formatValue(x), formatDecimal(p[i], 4)])));
  };
  const update = () => {
    try {
      const xs = parseInputs(inputs.map((i) => (i.validity?.badInput ? 'x' : i.value)));
      for (const i of inputs) i.removeAttribute('aria-invalid');
      error.textContent = '';
      show(xs);
    } catch (e) {
      if (!(e instanceof SoftmaxInputError)) throw e;
      error.textContent = e.message; // the result keeps its last good state
      const bad = e.index;
      inputs.forEach((inp, k) => (k === bad ? inp.setAttribute('aria-invalid', 'true') : inp.removeAttribute('aria-invalid')));
    }
  };
  for (const i of inputs) i.addEventListener('input', update);
  update();
  return h('div', { class: 'softmax-example' }, h('div', { class: 'row' }, ...fields), error, out);
}
