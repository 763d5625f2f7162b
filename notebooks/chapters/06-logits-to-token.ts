/**
 * Chapter 6, from logits to a token: softmax with temperature, top-k, top-p, greedy and the
 * seeded dice, for the tick the reader picked. Moving Temperature, Top-k, Top-p or Seed re-draws
 * that tick from its stored logits (a `resample`): the model does not run again.
 *
 *   inputs ─ clock ─ clockState ─ selected ─┐
 *   sampling, seed ─────────────────────────┴─ draw ─┬─ bars, equation, filters
 *   temperature ─────────────────────────────────────┴─ seedExample
 *   sampling, seed ─ predict (at a lower temperature, would the latest tick pick the same token? a resample answers)
 */
import { ProbabilityBars, ProbabilityBarsTable, type ProbabilityBarsData } from '../../components/probability-bars.ts';
import { formatDecimal, formatInteger, formatProb, formatValue } from '../../components/format.ts';
import { t as ui } from '../../components/i18n/index.ts';
import type { PredictAnswer } from '../../components/predict.ts';
import { visibleText } from '../../components/text.ts';
import type { SamplingParams } from '../../model/sampler.ts';
import { controlElements, defineClock, defineInputs, defineSelection, defineTimeline, defineTokens } from '../cells.ts';
import type { ClockState } from '../clock.ts';
import { chartWithTable, h, note } from '../dom.ts';
import { modelText, tNodes } from '../model-text.ts';
import type { Engine } from '../../engine/engine.ts';
import type { DrawSummary } from '../../engine/protocol.ts';
import { definePredict, ticksFrom, type PredictSpec } from '../predict.ts';
import { mount, nearViewport, type Module, type Mounts, type Runtime } from '../runtime.ts';
import { SEED_LOGITS, softmaxOf } from '../softmax.ts';
import { renderTex, texNumber, texText } from '../tex.ts';

/** The seed article's softmax example: its inputs (its claimed output, [0.2, 0.3, 0.3, 0.2], is wrong). */
/** The numbers of the live softmax equation for the chosen token of a draw. */
export interface SoftmaxNumbers {
  id: number;
  text: string; // the chosen token
  greedy: boolean; // T = 0: no softmax, the argmax is taken
  logit: number; // z_i
  temperature: number; // T
  scaled: number; // z_i / T (NaN when greedy)
  logSumExp: number; // log Σ_j exp(z_j / T) (NaN when greedy)
  prob: number; // p_i = exp(z_i/T − logSumExp): after temperature, before the filters
  vocabSize: number; // V
  keptMass: number; // Σ of p over the tokens the filters keep
  finalProb: number; // p_i / keptMass: the probability the dice uses
  draw: number | null; // u
  interval: [number, number] | null; // where u must land for this token
  rank: number; // of the chosen token by logit
}

/** The live equation's numbers, all taken from the engine's draw. */
export function softmaxNumbers(d: DrawSummary): SoftmaxNumbers {
  const T = d.sampling.temperature;
  const greedy = T === 0;
  return {
    id: d.id,
    text: d.chosen.text,
    greedy,
    logit: d.chosen.logit,
    temperature: T,
    scaled: greedy ? NaN : d.chosen.logit / T,
    logSumExp: d.logSumExp ?? NaN,
    prob: greedy ? 1 : d.chosen.prob,
    vocabSize: d.vocabSize,
    keptMass: greedy ? 1 : d.keptMass,
    finalProb: d.prob,
    draw: d.draw,
    interval: d.chosenInterval,
    rank: d.rank,
  };
}

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

/** The probability bars' data: the candidates after temperature, which the filters keep, the chosen token and the dice. */
export function barsData(d: DrawSummary): ProbabilityBarsData {
  return {
    candidates: d.candidates.map((c) => ({ id: c.id, text: c.text, prob: c.prob, kept: c.kept })),
    chosen: d.id,
    draw: d.draw,
    keptMass: d.keptMass,
  };
}

/** Whether a tick's own draw already used these settings (then no resample is needed). */
export function sameSettings(d: DrawSummary, sampling: SamplingParams, seed: number): boolean {
  return d.seed === seed && d.sampling.temperature === sampling.temperature && d.sampling.topK === sampling.topK && d.sampling.topP === sampling.topP;
}

function describeSettings(d: DrawSummary): string {
  const s = d.sampling;
  return ui('ch6.settings', { t: s.temperature, topK: s.topK === 0 ? ui('ch6.off') : s.topK, topP: s.topP === 1 ? ui('ch6.off') : s.topP, seed: d.seed });
}

function bars(d: DrawSummary, width: number): HTMLElement {
  const data = barsData(d);
  const shown = d.candidates.some((c) => c.id === d.id);
  const params = {
    index: d.index, settings: describeSettings(d), n: d.candidates.length, kept: formatInteger(d.keptTopP), vocab: formatInteger(d.vocabSize),
    token: visibleText(d.chosen.text), rank: formatInteger(d.rank + 1),
  };
  const key = shown ? 'ch6.bars.shown' : 'ch6.bars.notShown';
  const caption = ui(key, params);
  const el = chartWithTable(ProbabilityBars(data, { width }), ProbabilityBarsTable(data, { caption }));
  el.prepend(h('p', { class: 'cell-caption' }, ...tNodes(key, { ...params, token: modelText(params.token) })));
  // What the page shows, as data, so a reader's tools (and the tests) can recompute it.
  el.dataset.tick = String(d.index);
  el.dataset.temperature = String(d.sampling.temperature);
  el.dataset.chosen = String(d.id);
  el.dataset.candidates = JSON.stringify(d.candidates.map((c) => ({ id: c.id, logit: c.logit, prob: c.prob, kept: c.kept })));
  return el;
}

function equation(d: DrawSummary): HTMLElement {
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
    ? tNodes('ch6.eq.greedy', { token })
    : tNodes(n.keptMass < 1 ? 'ch6.eq.wordsKept' : 'ch6.eq.words', {
      token, logit: formatValue(n.logit), t: n.temperature, vocab: formatInteger(n.vocabSize), p: formatProb(n.prob), final: formatProb(n.finalProb),
    });
  el.append(h('p', { class: 'equation-words' }, ...words));
  return el;
}

function filters(d: DrawSummary): HTMLElement {
  const s = d.sampling;
  const rows: [string, string, string][] = [
    [ui('controls.temperature'), formatInteger(d.vocabSize), s.temperature === 0 ? ui('ch6.rule.greedy') : ui('ch6.rule.softmax', { t: s.temperature })],
    [ui('controls.topK'), formatInteger(d.keptTopK), s.topK === 0 ? ui('ch6.off') : ui('ch6.rule.topK', { k: s.topK })],
    [ui('controls.topP'), formatInteger(d.keptTopP), s.topP === 1 ? ui('ch6.off') : ui('ch6.rule.topP', { p: s.topP })],
  ];
  return h('table', { class: 'stages' },
    h('caption', {}, ui('ch6.filters.caption', { index: d.index })),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ui('ch6.filters.stage')), h('th', { scope: 'col' }, ui('ch6.filters.left')), h('th', { scope: 'col' }, ui('ch6.filters.rule')))),
    h('tbody', {}, ...rows.map(([a, b, c]) => h('tr', {}, h('th', { scope: 'row' }, a), h('td', {}, b), h('td', {}, c)))));
}

function seedExample(temperature: number): HTMLElement {
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

/** The temperature the question asks about, unless the prose names another (params.temperature). */
export const COLD_TEMPERATURE = 0.2;

/** A temperature from the prose's params, or COLD_TEMPERATURE. */
export function coldTemperature(params: Record<string, string | number>): number {
  const x = Number(params.temperature);
  return Number.isFinite(x) && x >= 0 ? x : COLD_TEMPERATURE;
}

/** The answer: does the same tick, with the same dice, pick the same token at the other temperature? */
export function temperatureAnswer(guess: string, base: DrawSummary, cold: DrawSummary): PredictAnswer {
  const same = cold.id === base.id;
  const piece = (d: DrawSummary) => visibleText(d.chosen.text);
  return {
    label: same ? ui('predict.ch6.same', { token: piece(cold) }) : ui('predict.ch6.changed', { token: piece(cold), was: piece(base) }),
    value: same ? 'same' : 'different',
    match: guess === (same ? 'same' : 'different'),
    detail: ui(cold.draw === null ? 'predict.ch6.detailGreedy' : 'predict.ch6.detail', {
      index: base.index, u: base.draw === null ? '—' : formatDecimal(base.draw, 4), cold: cold.sampling.temperature, t: base.sampling.temperature,
      token: piece(cold), p: formatProb(cold.prob), was: piece(base), pWas: formatProb(base.prob),
    }),
  };
}

/** At a lower temperature (same seed, same top-k and top-p), would the latest tick pick the same token? */
export const temperatureQuestion: PredictSpec<{ from: number; index: number | null }> = {
  extra: ['sampling', 'seed'],
  ask: ({ state, values }, params) => {
    const t = state.ticks.at(-1);
    const s = values.sampling as SamplingParams;
    const cold = coldTemperature(params);
    return {
      choices: [{ value: 'same', label: ui('predict.ch6.yes') }, { value: 'different', label: ui('predict.ch6.no') }],
      context: t
        ? ui('predict.ch6.context', { index: t.index, token: visibleText(t.piece.text), t: s.temperature, seed: values.seed as number, cold })
        : ui('predict.ch6.contextNone', { cold }),
      revealLabel: t ? undefined : ui('predict.runTick'),
    };
  },
  commit: ({ state }) => ({ from: state.ticks.length, index: state.ticks.at(-1)?.index ?? null }),
  async reveal(guess, snap, live, params) {
    const { engine, clock, values } = live();
    const index = snap.index ?? (await ticksFrom(clock, snap.from, 1))[0].index;
    const tick = clock.current.ticks.find((x) => x.index === index);
    const sampling = values.sampling as SamplingParams;
    const seed = values.seed as number;
    const base = tick && sameSettings(tick.sample, sampling, seed) ? tick.sample : await engine.request({ type: 'resample', index, sampling, seed });
    const cold = await engine.request({ type: 'resample', index, sampling: { ...sampling, temperature: coldTemperature(params) }, seed });
    return temperatureAnswer(guess, base, cold);
  },
};

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const main = runtime.module();
  const c = controlElements(mounts);
  defineInputs(main, c);
  defineClock(main, c);
  defineSelection(main, mounts.timeline);
  defineTimeline(main, mounts.timeline);
  defineTokens(main, mounts.tokens);

  main.define('draw', ['engine', 'clockState', 'selected', 'sampling', 'seed'],
    async (engine: Engine, state: ClockState, selected: number | null, sampling: SamplingParams, seed: number): Promise<DrawSummary | null> => {
      const t = state.ticks.find((x) => x.index === selected) ?? state.ticks.at(-1);
      if (!t) return null;
      if (sameSettings(t.sample, sampling, seed)) return t.sample;
      return engine.request({ type: 'resample', index: t.index, sampling, seed });
    });
  const empty = () => note(ui('ch6.empty'));
  main.variable(mount(mounts.bars)).define('bars', ['draw', 'width'], async (d: DrawSummary | null, width: number) => {
    await nearViewport(mounts.bars);
    return d ? bars(d, width) : empty();
  });
  main.variable(mount(mounts.equation)).define('equation', ['draw'], async (d: DrawSummary | null) => {
    await nearViewport(mounts.equation);
    return d ? equation(d) : empty();
  });
  main.variable(mount(mounts.filters)).define('filters', ['draw'], async (d: DrawSummary | null) => {
    await nearViewport(mounts.filters);
    return d ? filters(d) : empty();
  });
  main.variable(mount(mounts['seed-example'])).define('seedExample', ['temperature'], async (t: number) => {
    await nearViewport(mounts['seed-example']);
    return seedExample(t);
  });
  definePredict(main, mounts.predict, temperatureQuestion);
  return main;
}
