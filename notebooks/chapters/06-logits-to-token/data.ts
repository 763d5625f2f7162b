/**
 * Chapter 6's data: the numbers of the live softmax equation and of the probability bars, all
 * taken from the engine's draw for a tick. No DOM.
 */
import type { ProbabilityBarsData } from '../../../components/probability-bars.ts';
import type { SamplingParams } from '../../../model/sampler.ts';
import type { DrawSummary } from '../../../engine/protocol.ts';

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

/** The temperatures the side-by-side cell compares, for one tick's logits. */
export const COMPARE_TEMPERATURES = [0.5, 1, 2] as const;

/** The settings of each of those draws: no filters, so the bars are softmax(z / T) itself. */
export const compareSampling = (temperature: number): SamplingParams => ({ temperature, topK: 0, topP: 1 });

/** Bars shown for each temperature. Temperature keeps the logits' order, so they are the same tokens at every T. */
export const COMPARE_BARS = 8;

/** One temperature of the side by side: its most likely tokens and the entropy of its whole distribution. */
export interface TemperaturePanel {
  temperature: number;
  entropy: number; // nats, over the whole vocabulary (the engine's)
  perplexity: number; // e^entropy: as uncertain as this many equally likely tokens
  candidates: { id: number; text: string; prob: number }[]; // the COMPARE_BARS most likely, best first
}

/** The panels, from the engine's draws of one tick at COMPARE_TEMPERATURES. */
export function temperaturePanels(draws: DrawSummary[]): TemperaturePanel[] {
  return draws.map((d) => ({
    temperature: d.sampling.temperature,
    entropy: d.entropy,
    perplexity: Math.exp(d.entropy),
    candidates: d.candidates.slice(0, COMPARE_BARS).map((c) => ({ id: c.id, text: c.text, prob: c.prob })),
  }));
}
