/**
 * The softmax worked examples' maths, shared by the chapters that show one (attention's worked
 * softmax, logits-to-token's seed example, the FAQ): computed by the engine's own sampler, never
 * typed in.
 */
import { distribution } from '../model/sampler.ts';

/** The source article's four logits; its softmax of them is wrong, and the pages show the true one. */
export const SEED_LOGITS = [0.1, 0.2, 0.3, 0.4];

/** softmax(logits / T) by the engine's own sampler, in the inputs' order. */
export function softmaxOf(logits: number[], temperature: number): number[] {
  const d = distribution(logits, { temperature, topK: 0, topP: 1 });
  const out = new Array<number>(logits.length);
  d.order.forEach((id, r) => (out[id] = d.probs[r]));
  return out;
}
