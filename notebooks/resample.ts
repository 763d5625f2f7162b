/**
 * Re-drawing a tick on the page: a tick that brought its logits (ClockOptions.logits) is drawn
 * again with other settings or another seed by the engine's own sampler and describer
 * (model/sampler.ts, engine/wire.ts: one implementation, so the numbers are the engine's to the
 * last bit), without a round trip to the worker. Temperature never changes the logits' order, so
 * the tokens' texts are those the tick already sent (the first 512 of the order: engine/session-host.ts TICK_TEXTS); a draw that lands on a token whose text the
 * page does not have (far down the order) is left to the engine (`null`).
 */
import { tickDraw } from '../model/prng.ts';
import { sample, type SamplingParams } from '../model/sampler.ts';
import type { TokenPiece } from '../model/tokenizer.ts';
import type { DrawSummary, TickSummary } from '../engine/protocol.ts';
import { describeDraw } from '../engine/wire.ts';

/** The texts of the tokens a tick described: its candidates, its chosen token and its top guesses. */
function knownTexts(t: TickSummary): Map<number, string> {
  const texts = new Map<number, string>();
  t.texts?.forEach((text, r) => texts.set(t.order![r], text));
  for (const c of t.sample.candidates) texts.set(c.id, c.text);
  for (const g of t.top) texts.set(g.id, g.text);
  texts.set(t.sample.chosen.id, t.sample.chosen.text);
  texts.set(t.id, t.piece.text);
  return texts;
}

const cache = new WeakMap<TickSummary, Map<number, string>>();

class Unknown extends Error {}

/**
 * Tick `t` drawn again with `sampling` and `seed` as the engine's `resample` would answer, with
 * `n` candidates; null when `t` carries no logits, the settings are refused, or a token's text is
 * not known here (ask the engine then).
 */
export function resampleOnPage(t: TickSummary, sampling: SamplingParams, seed: number, n = 20): DrawSummary | null {
  if (!t.logits || !t.order) return null;
  let texts = cache.get(t);
  if (!texts) cache.set(t, (texts = knownTexts(t)));
  const known = texts;
  const tokenizer = {
    tokenPiece(id: number): TokenPiece {
      const text = known.get(id);
      if (text === undefined) throw new Unknown();
      return { text } as TokenPiece; // describeDraw reads only the text
    },
  };
  try {
    const s = sample(t.logits, sampling, tickDraw(seed, t.index), t.order);
    return describeDraw(t.index, seed, sampling, t.logits, s, tokenizer, n);
  } catch {
    return null; // an unknown text, or settings the engine will refuse with its own message
  }
}
