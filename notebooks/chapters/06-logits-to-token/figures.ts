/**
 * Chapter 6's figures, built from data.ts's numbers: the probability bars of a draw, the live
 * softmax equation (its TeX lines and its words), the filters' table and the seed article's
 * worked softmax.
 */
import { ProbabilityBars, ProbabilityBarsTable } from '../../../components/probability-bars.ts';
import { table } from '../../../components/dom.ts';
import { formatDecimal, formatInteger, formatProb, formatValue } from '../../../components/format.ts';
import { strings as shared } from '../../strings.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable, h } from '../../dom.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import type { DrawSummary } from '../../../engine/protocol.ts';
import { SEED_LOGITS, softmaxOf } from '../../softmax.ts';
import { renderTex, texNumber, texText } from '../../tex.ts';
import { barsData, softmaxNumbers, temperaturePanels, type SoftmaxNumbers } from './data.ts';
import { ui } from './strings.ts';
import type { Clock, ClockState } from '../../clock.ts';

/** A probability in an equation: 4 decimals, or 3 significant digits × a power of ten when small. */
export const texProb = (p: number): string => texNumber(p, (x) => (x >= 1e-3 ? formatDecimal(x, 4) : x.toExponential(2)));

/** The equation lines: symbolic, then with this tick's numbers substituted. */
export function softmaxTex(n: SoftmaxNumbers): string[] {
  const tok = texText(`“${n.text}”`);
  if (n.greedy) {
    return [
      String.raw`T = 0:\quad i^{*} = \arg\max_j z_j`,
      String.raw`i^{*} = ${tok}\ (\text{id } ${formatInteger(n.id)}),\quad z_{i^{*}} = ${texNumber(n.logit)},\quad p_{i^{*}} = 1`,
    ];
  }
  const lines = [
    String.raw`p_i = \frac{e^{z_i/T}}{\sum_{j=1}^{V} e^{z_j/T}}`,
    String.raw`p_{${tok}} = \frac{e^{${texNumber(n.logit)}/${n.temperature}}}{\sum_{j=1}^{${formatInteger(n.vocabSize)}} e^{z_j/${n.temperature}}}` +
      String.raw` = \frac{e^{${texNumber(n.scaled)}}}{e^{${texNumber(n.logSumExp)}}} = ${texProb(n.prob)}`,
  ];
  if (n.keptMass < 1) {
    lines.push(String.raw`p'_{${tok}} = \frac{p_{${tok}}}{\sum_{j\,\in\,${texText(ui('ch6.tex.kept'))}} p_j} = \frac{${texProb(n.prob)}}{${texProb(n.keptMass)}} = ${texProb(n.finalProb)}`);
  }
  if (n.draw !== null && n.interval) {
    // Enough decimals that the stretch has two different ends, however narrow it is.
    const width = n.interval[1] - n.interval[0];
    const digits = Math.min(12, Math.max(4, Math.ceil(-Math.log10(width || 1e-12)) + 1));
    const d = (x: number) => formatDecimal(x, digits);
    lines.push(String.raw`u = ${d(n.draw)} \in [${d(n.interval[0])},\ ${d(n.interval[1])}) \Rightarrow ${tok}`);
  }
  return lines;
}

function describeSettings(d: DrawSummary): string {
  const s = d.sampling;
  return ui('ch6.settings', { t: s.temperature, topK: s.topK === 0 ? ui('ch6.off') : s.topK, topP: s.topP === 1 ? ui('ch6.off') : s.topP, seed: d.seed });
}

/** The probability bars of a draw, with their table and a caption naming the chosen token. */
export function bars(d: DrawSummary, width: number): HTMLElement {
  const data = barsData(d);
  const shown = d.candidates.some((c) => c.id === d.id);
  const params = {
    index: d.index, settings: describeSettings(d), n: d.candidates.length, kept: formatInteger(d.keptTopP), vocab: formatInteger(d.vocabSize),
    token: visibleText(d.chosen.text), rank: formatInteger(d.rank + 1),
  };
  const key = shown ? 'ch6.bars.shown' : 'ch6.bars.notShown';
  const caption = ui(key, params);
  const el = chartWithTable(ProbabilityBars(data, { width }), ProbabilityBarsTable(data, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, ...stringNodes(ui, key, { ...params, token: modelText(params.token) })));
  // What the page shows, as data, so a reader's tools (and the tests) can recompute it.
  el.dataset.tick = String(d.index);
  el.dataset.temperature = String(d.sampling.temperature);
  el.dataset.chosen = String(d.id);
  el.dataset.candidates = JSON.stringify(d.candidates.map((c) => ({ id: c.id, logit: c.logit, prob: c.prob, kept: c.kept })));
  return el;
}

/** The live softmax equation for the chosen token, then in words. */
export function equation(d: DrawSummary): HTMLElement {
  const n = softmaxNumbers(d);
  const el = h('div', {
    class: 'live-equation',
    'data-tick': d.index,
    'data-token-id': n.id,
    'data-logit': n.logit,
    'data-temperature': n.temperature,
    'data-log-sum-exp': Number.isFinite(n.logSumExp) ? n.logSumExp : null,
    'data-prob': n.prob,
    'data-final-prob': n.finalProb,
  });
  for (const line of softmaxTex(n)) el.append(renderTex(line));
  const token = modelText(visibleText(n.text));
  const words = n.greedy
    ? stringNodes(ui, 'ch6.eq.greedy', { token })
    : stringNodes(ui, n.keptMass < 1 ? 'ch6.eq.wordsKept' : 'ch6.eq.words', {
      token, logit: formatValue(n.logit), t: n.temperature, vocab: formatInteger(n.vocabSize), p: formatProb(n.prob), final: formatProb(n.finalProb),
    });
  el.append(h('p', { class: 'equation-words' }, ...words));
  return el;
}

/** How many tokens each stage (temperature, top-k, top-p) leaves. */
export function filters(d: DrawSummary): HTMLElement {
  const s = d.sampling;
  const rows: [string, string, string][] = [
    [shared('controls.temperature'), formatInteger(d.vocabSize), s.temperature === 0 ? ui('ch6.rule.greedy') : ui('ch6.rule.softmax', { t: s.temperature })],
    [shared('controls.topK'), formatInteger(d.keptTopK), s.topK === 0 ? ui('ch6.off') : ui('ch6.rule.topK', { k: s.topK })],
    [shared('controls.topP'), formatInteger(d.keptTopP), s.topP === 1 ? ui('ch6.off') : ui('ch6.rule.topP', { p: s.topP })],
  ];
  const el = table(ui('ch6.filters.caption', { index: d.index }), [ui('ch6.filters.stage'), ui('ch6.filters.left'), ui('ch6.filters.rule')], rows);
  el.classList.add('stages');
  return el;
}

/** The seed article's softmax of [0.1, 0.2, 0.3, 0.4], at T = 1 and at the reader's temperature. */
export function seedExample(temperature: number): HTMLElement {
  const at1 = softmaxOf(SEED_LOGITS, 1);
  const list = (xs: number[], fmt = (x: number) => formatDecimal(x, 3)) => `[${xs.map(fmt).join(',\\ ')}]`;
  const el = h('div', { class: 'seed-example', 'data-probs': JSON.stringify(at1) });
  el.append(renderTex(String.raw`\operatorname{softmax}(${list(SEED_LOGITS, String)}) = ${list(at1)}`));
  if (temperature > 0 && temperature !== 1) {
    const atT = softmaxOf(SEED_LOGITS, temperature);
    el.dataset.probsAtT = JSON.stringify(atT);
    el.append(renderTex(String.raw`\operatorname{softmax}(z / ${temperature}) = ${list(atT)}`));
  }
  return el;
}


/**
 * One tick's logits at several temperatures side by side (three columns when the page is wide,
 * stacked when it is narrow), each with the entropy of its whole distribution, all on one scale.
 * The table alternative lists each token's probability at every temperature, and the entropies.
 */
export function temperatureCompare(draws: DrawSummary[], width: number): HTMLElement {
  const panels = temperaturePanels(draws);
  const index = draws[0].index;
  const maxProb = Math.max(...panels.flatMap((p) => p.candidates.map((c) => c.prob)));
  const gap = 16;
  const wide = width >= 600;
  const w = wide ? Math.floor((width - gap * (panels.length - 1)) / panels.length) : width;
  const panelText = (p: (typeof panels)[number]) => ({
    t: p.temperature, h: formatDecimal(p.entropy, 2), n: p.perplexity < 10 ? formatDecimal(p.perplexity, 1) : formatInteger(Math.round(p.perplexity)),
  });
  const row = h('div', { class: 'temperature-compare', style: `display:grid;gap:${gap}px;grid-template-columns:${wide ? `repeat(${panels.length},1fr)` : '1fr'}` },
    ...panels.map((p) => h('figure', { class: 'temperature-panel', style: 'margin:0', 'data-temperature': p.temperature, 'data-entropy': p.entropy },
      h('figcaption', { style: 'font-size:0.875rem;margin-bottom:0.25rem' }, ui('ch6.temps.panel', panelText(p))),
      ProbabilityBars({ candidates: p.candidates.map((c) => ({ ...c, kept: true })) },
        { width: w, maxProb, label: ui('ch6.temps.label', { ...panelText(p), count: p.candidates.length }) }))));
  const rows: string[][] = panels[0].candidates.map((c, i) => [visibleText(c.text), ...panels.map((p) => formatProb(p.candidates[i].prob))]);
  rows.push([ui('ch6.temps.entropy'), ...panels.map((p) => formatDecimal(p.entropy, 2))]);
  const tbl = table(ui('ch6.temps.tableCaption', { index }), [ui('ch6.temps.token'), ...panels.map((p) => `T = ${p.temperature}`)], rows,
    { model: { columns: [0] }, rowClass: (i) => (i === rows.length - 1 ? 'total' : undefined) });
  const el = chartWithTable(row, tbl);
  el.prepend(h('p', { class: 'cell-caption' }, ui('ch6.temps.caption', { index })));
  el.classList.add('temperatures');
  el.dataset.tick = String(index);
  el.dataset.panels = JSON.stringify(panels.map((p) => ({ temperature: p.temperature, entropy: p.entropy, candidates: p.candidates.map((c) => ({ id: c.id, prob: c.prob })) })));
  return el;
}

/**
 * Fork the run at the selected tick: pick another of its candidates (as the tick drew them) and
 * the clock goes back there, appends it instead, and writes on with the same dice (Clock.fork).
 * The run it left is shown beneath the new one, with Back.
 */
export function forkFigure(state: ClockState, selected: number | null, clock: Clock): HTMLElement {
  const k = state.ticks.findIndex((t) => t.index === selected);
  const at = k >= 0 ? k : state.ticks.length - 1;
  const tick = state.ticks[at];
  const idle = !state.playing && !state.busy;
  const select = h('select', { id: 'ch6-fork-token', name: 'fork-token' },
    ...tick.sample.candidates.filter((c) => c.id !== tick.id).slice(0, 12).map((c) =>
      h('option', { value: c.id }, `“${visibleText(c.text)}” (${formatProb(c.prob)})`)));
  const go = h('button', { type: 'button', disabled: !idle }, ui('ch6.fork.go'));
  go.addEventListener('click', () => void clock.fork(at, Number((select as HTMLSelectElement).value)));
  const parts: Node[] = [
    h('p', {}, ui('ch6.fork.at', { index: tick.index, token: visibleText(tick.piece.text) })),
    h('div', { class: 'fork-row' }, h('label', { for: 'ch6-fork-token' }, ui('ch6.fork.label')), select, go),
  ];
  const left = state.left;
  if (left) {
    const back = h('button', { type: 'button', disabled: !idle }, ui('ch6.fork.back'));
    back.addEventListener('click', () => void clock.back());
    parts.push(h('div', { class: 'branch' },
      h('p', {}, ui('ch6.fork.branch', { index: left.at })),
      h('p', { class: 'branch-text', translate: 'no' }, modelText(state.ticks.slice(left.at).map((t) => t.text).join(''))),
      h('p', {}, ui('ch6.fork.left')),
      h('p', { class: 'branch-text', translate: 'no' }, modelText(left.ticks.slice(left.at).map((t) => t.text).join(''))),
      back));
  }
  return h('div', { class: 'fork' }, ...parts);
}
