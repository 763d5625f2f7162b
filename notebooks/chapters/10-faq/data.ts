/** Chapter 10's data: the FAQ's softmax of the source article's logits, by the engine's own sampler. No DOM. */
import { formatDecimal } from '../../../components/format.ts';
import { SEED_LOGITS, softmaxOf } from '../../softmax.ts';

/** The logits of the source article's example. */
export const FAQ_LOGITS = SEED_LOGITS;

/** Rows of the table: each logit, its probability from the sampler at T = 1, and that probability as shown. */
export function softmaxRows(logits: number[] = FAQ_LOGITS): { logit: number; prob: number; shown: string }[] {
  const probs = softmaxOf(logits, 1);
  return logits.map((logit, i) => ({ logit, prob: probs[i], shown: formatDecimal(probs[i], 4) }));
}
