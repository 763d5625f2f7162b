/**
 * Chapter 4's figures: the attention matrix of one head at one stage, the live equation of one of
 * its cells in TeX and words, the stage picker, and the worked softmax over four inputs.
 */
import { AttentionMatrix, AttentionMatrixTable } from '../../../components/attention-matrix.ts';
import { strings as attentionStrings } from '../../../components/attention-matrix.strings.ts';
import { h, table } from '../../../components/dom.ts';
import { Heatmap, HeatmapTable, heatmapDomain } from '../../../components/heatmap.ts';
import { HeadGrid, HeadGridTable, type HeadCell } from '../../../components/head-grid.ts';
import { formatDecimal, formatInteger, formatValue } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable } from '../../dom.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { SEED_LOGITS, softmaxOf } from '../../softmax.ts';
import { renderTex, texNumber } from '../../tex.ts';
import {
  argmax, cellNumbers, defaultCell, HABIT_SHARE, habitSummary, HABITS, headOutputs, parseInputs, SoftmaxInputError, STAGES, stageRow,
  type AttentionView, type CellNumbers, type HabitsResult, type HeadsOverview, type Stage,
} from './data.ts';
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
    () => AttentionMatrixTable(data, { caption }));
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

const quoted = (text: string | undefined) => modelText(`“${visibleText(text ?? '')}”`);

/**
 * Each head's output for the newest position of the chosen layer (weights · v, as the engine
 * computed it), each above the value vector of the position that head attends to most: a heatmap
 * with its table, a table of the per-head numbers, and a sentence about the chosen head.
 */
export function outputsFigure(view: AttentionView, head: number, width: number): HTMLElement | null {
  const outs = headOutputs(view);
  if (!outs) return null;
  const r = view.rows.at(-1)!;
  const rows: string[] = [];
  const values: number[][] = [];
  for (const o of outs) {
    rows.push(ui('ch4.outputs.row.out', { head: o.head }), ui('ch4.outputs.row.value', { head: o.head, key: o.key }));
    values.push(o.out, o.value);
  }
  const domain = heatmapDomain(values);
  const caption = ui('ch4.outputs.caption', { last: outs.length - 1, layer: view.layer, tick: view.tick, position: r.position, d: r.headDim, lo: formatValue(-domain), hi: formatValue(domain) });
  const data = { rows, values };
  const el = h('div', {
    class: 'head-outputs', 'data-layer': view.layer, 'data-tick': view.tick, 'data-position': r.position,
    'data-outputs': JSON.stringify(outs.map((o) => ({ head: o.head, key: o.key, weight: o.weight, cosine: o.cosine, out: o.out }))),
  });
  const chosen = outs[Math.min(head, outs.length - 1)];
  el.append(h('h3', { class: 'heatmap-title' }, ui('ch4.outputs.title', { layer: view.layer, position: r.position })),
    h('p', { class: 'cell-caption outputs-finding' }, ...stringNodes(ui, chosen.weight >= HABIT_SHARE ? 'ch4.outputs.one' : 'ch4.outputs.mix', {
      head: chosen.head, weight: formatDecimal(chosen.weight, 3), key: chosen.key, token: quoted(view.tokens[chosen.key]), cosine: formatDecimal(chosen.cosine, 3),
    })),
    chartWithTable(Heatmap(data, { width, domain, label: caption, rowHeight: outs.length > 6 ? 12 : 16 }), () => HeatmapTable(data, { caption })));
  const t = table(caption, [ui('ch4.outputs.col.head'), ui('ch4.outputs.col.key'), ui('ch4.outputs.col.weight'), ui('ch4.outputs.col.cosine')],
    outs.map((o) => [formatInteger(o.head), h('span', {}, `${formatInteger(o.key)} `, quoted(view.tokens[o.key])), formatDecimal(o.weight, 3), formatDecimal(o.cosine, 3)]));
  t.classList.add('outputs-table');
  el.append(h('div', { class: 'table-scroll' }, t));
  return el;
}

/** The words for one cell of the overview: its three largest weights, then first, previous and itself. */
export function overviewCellText(o: HeadsOverview, tokens: string[], layer: number, head: number): (string | Node)[] {
  const row = o.rows[layer][head];
  const order = row.map((w, k) => [w, k] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
  const list: (string | Node)[] = [];
  order.forEach(([w, k], i) => {
    if (i) list.push(ui('ch4.overview.sep'));
    list.push(...stringNodes(ui, 'ch4.overview.item', { weight: formatDecimal(w, 3), key: k, token: quoted(tokens[k]) }));
  });
  const p = o.position;
  return stringNodes(ui, 'ch4.overview.cell', {
    layer, head, list: h('span', {}, ...list), first: formatDecimal(row[0], 3), previous: p > 0 ? formatDecimal(row[p - 1], 3) : '—', self: formatDecimal(row[p], 3),
  });
}

/** Every layer and head: the newest position's row as small multiples, its table, and a line that reads out the focused cell. */
export function overviewFigure(o: HeadsOverview, tokens: string[], selected: [number, number], width: number): HTMLElement {
  const caption = ui('ch4.overview.caption', { tick: o.tick, position: o.position, layers: o.layers, heads: o.heads });
  const sel: [number, number] = [Math.min(selected[0], o.layers - 1), Math.min(selected[1], o.heads - 1)];
  const data = { tokens: tokens.slice(0, o.position + 1), rows: o.rows, selected: sel };
  const chart = chartWithTable(HeadGrid(data, { width, label: caption }), HeadGridTable(data, { caption }));
  const readout = h('p', { class: 'cell-caption overview-readout', 'aria-live': 'polite', 'data-layer': sel[0], 'data-head': sel[1] }, ...overviewCellText(o, tokens, sel[0], sel[1]));
  chart.querySelector('svg')!.addEventListener('highlight', (e) => {
    const { layer, head } = (e as CustomEvent<HeadCell>).detail;
    readout.dataset.layer = String(layer);
    readout.dataset.head = String(head);
    readout.replaceChildren(...overviewCellText(o, tokens, layer, head));
  });
  const el = h('div', {
    class: 'heads-overview', 'data-tick': o.tick, 'data-position': o.position, 'data-layers': o.layers, 'data-heads': o.heads,
    'data-top': JSON.stringify(o.rows.map((l) => l.map((row) => argmax(row)))),
  }, h('p', { class: 'cell-caption' }, caption, ' ', ui('ch4.overview.focus')), chart, readout);
  return el;
}

/** The measured habits: a sentence per habit naming the heads it dominates, and every head's shares in a table. */
export function habitsFigure(r: HabitsResult): HTMLElement {
  const pct = (x: number) => formatDecimal(x, 2);
  const sum = habitSummary(r);
  const el = h('div', {
    class: 'head-habits', 'data-tick': r.tick, 'data-positions': JSON.stringify(r.positions),
    'data-habits': JSON.stringify(r.heads.map((x) => [x.layer, x.head, x.first, x.previous, x.self, x.habit])),
  });
  el.append(h('p', { class: 'cell-caption' }, ui('ch4.habits.measured', { tick: r.tick, rows: r.positions.length, what: ui(r.kind === 'prefill' ? 'ch4.habits.prefillRows' : 'ch4.habits.decodeRows') })));
  const list = h('ul', { class: 'habit-list' });
  for (const s of sum) {
    const habit = ui(`ch4.habit.${s.habit}`);
    const item = (x: { layer: number; head: number; share: number }) => ui('ch4.habits.item', { layer: x.layer, head: x.head, share: pct(x.share) });
    const text = s.heads.length
      ? ui('ch4.habits.found', {
        n: s.heads.length, total: r.heads.length, habit,
        list: s.heads.slice(0, 6).map((x) => item({ ...x, share: x[s.habit] })).join(', ') + (s.heads.length > 6 ? ui('ch4.habits.more', { n: s.heads.length - 6 }) : ''),
      })
      : ui('ch4.habits.none', { habit, share: pct(s.strongest[s.habit]), layer: s.strongest.layer, head: s.strongest.head });
    list.append(h('li', { 'data-habit': s.habit, 'data-count': s.heads.length }, text));
  }
  const none = r.heads.filter((x) => !x.habit).length;
  if (none) list.append(h('li', { 'data-habit': 'none', 'data-count': none }, ui('ch4.habits.spread', { n: none })));
  el.append(list);
  const t = table(ui('ch4.habits.caption', { tick: r.tick }),
    [ui('ch4.habits.col.layer'), ui('ch4.habits.col.head'), ...HABITS.map((x) => ui(`ch4.habit.${x}`)), ui('ch4.habits.col.habit', { share: formatDecimal(HABIT_SHARE, 1) })],
    r.heads.map((x) => [formatInteger(x.layer), formatInteger(x.head), pct(x.first), pct(x.previous), pct(x.self), x.habit ? ui(`ch4.habit.${x.habit}`) : ui('ch4.habit.none')]));
  el.append(h('details', { class: 'data-table' }, h('summary', {}, ui('ch4.habits.showTable')), h('div', { class: 'table-scroll' }, t)));
  return el;
}
