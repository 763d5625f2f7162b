/**
 * The whole-tick map's data (components/whole-tick.ts) from the engine's answers: the loaded
 * model's config, one tick's summary and trace, and its draw (the tick's own, or a resample under
 * other settings). Every number is the engine's; this file only picks the newest position out of
 * the traced arrays and measures lengths (‖x‖) of the rows it picks.
 */
import type { GPT2Config } from '../model/config.ts';
import type { TraceOptions } from '../model/trace.ts';
import type { DrawSummary, TickSummary, TokenInfo } from '../engine/protocol.ts';
import type { WholeTickBlock, WholeTickData, WholeTickShape } from '../components/whole-tick.ts';

/** What a tick traces for the map: attention weights, the residual stream after each block, the embeddings. */
export const WHOLE_TICK_TRACE: TraceOptions = { attention: true, residual: true, embeddings: true };

/** A prefill longer than this traces only the residual stream (attention rows of every prompt position grow as T²). */
export const ATTENTION_TRACE_LIMIT = 256;

/** Tokens of the text the map lists (the newest last). */
export const MAP_TOKENS = 8;

export function wholeTickShape(c: GPT2Config): WholeTickShape {
  return { layers: c.n_layer, heads: c.n_head, width: c.n_embd, hidden: 4 * c.n_embd, vocab: c.vocab_size, context: c.n_positions };
}

/** ‖row‖ of row `r` of a row-major (rows, C) array. */
export function rowNorm(data: ArrayLike<number>, C: number, r: number): number {
  let s = 0;
  for (let i = r * C; i < (r + 1) * C; i++) s += data[i] * data[i];
  return Math.sqrt(s);
}

/** ‖a_r − b_q‖ for rows of two (rows, C) arrays. */
export function rowDistance(a: ArrayLike<number>, ra: number, b: ArrayLike<number>, rb: number, C: number): number {
  let s = 0;
  for (let i = 0; i < C; i++) {
    const d = a[ra * C + i] - b[rb * C + i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * The map for tick `k` of a run whose text before the run is `promptTokens` and whose ticks are
 * `ticks` (tick k's summary is ticks[k]); `draw` replaces the tick's own draw (a resample under
 * the inputs' settings). With no tick: the map of the model's shape alone.
 */
export function wholeTickData(config: GPT2Config, checksum: string, promptTokens: TokenInfo[], ticks: TickSummary[], k: number | null, draw?: DrawSummary): WholeTickData {
  const shape = wholeTickShape(config);
  const tick = k === null ? undefined : ticks[k];
  if (!tick) {
    return { shape, tick: null, tokens: [], tokenCount: promptTokens.length, embedding: null, blocks: [], logits: null, draw: null, appended: null };
  }
  // The text this tick saw: the prompt and the tokens earlier ticks appended; it fed the last `fed`.
  const seen = [...promptTokens.map((p) => ({ id: p.id, text: p.text })), ...ticks.slice(0, k!).map((x) => ({ id: x.id, text: x.piece.text }))];
  const firstPosition = tick.position + tick.fed - seen.length; // positions restart after a window slide
  const tokens = seen.slice(-MAP_TOKENS).map((x, i, shown) => {
    const position = firstPosition + seen.length - shown.length + i;
    return { ...x, position, fed: position >= tick.position };
  });
  const C = config.n_embd;
  const tr = tick.trace;
  const T = tick.fed;
  const last = T - 1;
  const emb = tr?.embeddings;
  const embedding = emb
    ? { id: seen.at(-1)!.id, position: tick.position + last, token: rowNorm(emb.token, C, last), pos: rowNorm(emb.position, C, last), sum: rowNorm(emb.sum, C, last) }
    : null;
  const blocks: (WholeTickBlock | null)[] = [];
  let before: { data: ArrayLike<number>; row: number } | null = emb ? { data: emb.sum, row: last } : null;
  for (let l = 0; l < config.n_layer; l++) {
    const res = tr?.layers?.find((x) => x.layer === l)?.residual;
    const att = tr?.attention.find((x) => x.layer === l);
    if (!res) {
      blocks.push(null);
      before = null;
      continue;
    }
    let attention: WholeTickBlock['attention'] = null;
    if (att) {
      const [H, Tq, K] = att.shape;
      const rows = Array.from({ length: H }, (_, head) => Array.from(att.data.subarray((head * Tq + Tq - 1) * K, (head * Tq + Tq) * K)));
      const keysStart = tick.position + T - K; // the keys are every cached position: 0 … position + T − 1 after a slide's restart too
      const top = rows.map((row, head) => {
        let j = 0;
        for (let i = 1; i < row.length; i++) if (row[i] > row[j]) j = i;
        const position = keysStart + j;
        const tok = tokens.find((x) => x.position === position) ?? seen[seen.length - (tick.position + T - position)];
        return { head, position, text: tok?.text ?? '', weight: row[j] };
      });
      attention = { keys: K, offset: 0, rows, top };
    }
    blocks.push({ attention, norm: rowNorm(res, C, last), delta: before ? rowDistance(res, last, before.data, before.row, C) : NaN });
    before = { data: res, row: last };
  }
  const d = draw ?? tick.sample;
  const greedy = d.sampling.temperature === 0;
  return {
    shape,
    tick: { index: tick.index, kind: tick.kind, fed: tick.fed, position: tick.position, ms: tick.ms.total, cacheLength: tick.cacheLength, cacheBytes: tick.cacheBytes, checksum: tick.weightsChecksum, same: tick.weightsChecksum === checksum },
    tokens,
    tokenCount: seen.length,
    embedding,
    blocks,
    logits: { max: d.candidates[0].logit, text: d.candidates[0].text },
    draw: {
      candidates: d.candidates.slice(0, 8).map((c) => ({ id: c.id, text: c.text, prob: c.prob, kept: c.kept, rank: c.rank })),
      chosen: { id: d.chosen.id, text: d.chosen.text, prob: d.prob, rank: d.rank },
      u: greedy ? null : d.draw,
      interval: d.chosenInterval,
      keptMass: d.keptMass,
      kept: d.keptTopP,
      temperature: d.sampling.temperature,
      topK: d.sampling.topK,
      topP: d.sampling.topP,
      forced: !draw && tick.forced,
    },
    appended: { id: d.chosen.id, text: d.chosen.text, position: tick.position + T },
  };
}
