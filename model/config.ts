/**
 * GPT-2 configuration: the keys of Hugging Face's GPT2Config that the engine uses.
 * A model folder's config.json is parsed into this record and checked against its tensors.
 */

export interface GPT2Config {
  n_layer: number; // transformer blocks
  n_head: number; // attention heads per block
  n_embd: number; // width of the residual stream (C); head_dim = n_embd / n_head
  n_positions: number; // longest context the position table covers
  vocab_size: number; // rows of wte, columns of the logits
  layer_norm_epsilon: number; // added to the variance inside every LayerNorm
  activation_function: 'gelu_new'; // GPT-2's tanh approximation of GELU
}

/** Presets in the spirit of nanoGPT's table. Parameter counts include wte/wpe. */
export const PRESETS = {
  'gpt2': { n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 }, // 124M params
  'distilgpt2': { n_layer: 6, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257 }, // 82M params
  'small': { n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256, vocab_size: 4096 }, // ~4.3M params
} as const satisfies Record<string, Partial<GPT2Config>>;

/** Fill the defaults Hugging Face uses for keys a config.json may omit. */
export function makeConfig(c: Partial<GPT2Config> & Pick<GPT2Config, 'n_layer' | 'n_head' | 'n_embd'>): GPT2Config {
  return {
    n_positions: 1024,
    vocab_size: 50257,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
    ...c,
  };
}

/** An error about a model file; the message names the file (and tensor) and what was expected. */
export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'CheckpointError';
  }
}

const INT_KEYS = ['n_layer', 'n_head', 'n_embd', 'n_positions', 'vocab_size'] as const;

/**
 * Parse and validate a config.json object. Accepts the aliases HF also accepts
 * (`n_ctx` for `n_positions`, `num_hidden_layers`, `hidden_size`, `num_attention_heads`).
 */
export function parseConfig(json: unknown, file = 'config.json'): GPT2Config {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError(file, 'expected a JSON object with GPT-2 config keys (n_layer, n_head, n_embd, …)');
  }
  const j = json as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => j[k]).find((v) => v !== undefined);
  const raw: Record<string, unknown> = {
    n_layer: pick('n_layer', 'num_hidden_layers'),
    n_head: pick('n_head', 'num_attention_heads'),
    n_embd: pick('n_embd', 'hidden_size'),
    n_positions: pick('n_positions', 'n_ctx') ?? 1024,
    vocab_size: j.vocab_size ?? 50257,
  };
  for (const k of INT_KEYS) {
    const v = raw[k];
    if (v === undefined) throw new CheckpointError(file, `missing "${k}"`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new CheckpointError(file, `"${k}" must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  const cfg = makeConfig({
    n_layer: raw.n_layer as number,
    n_head: raw.n_head as number,
    n_embd: raw.n_embd as number,
    n_positions: raw.n_positions as number,
    vocab_size: raw.vocab_size as number,
  });
  if (cfg.n_embd % cfg.n_head !== 0) {
    throw new CheckpointError(file, `n_embd (${cfg.n_embd}) must be divisible by n_head (${cfg.n_head})`);
  }
  const eps = j.layer_norm_epsilon;
  if (eps !== undefined) {
    if (typeof eps !== 'number' || !(eps > 0)) throw new CheckpointError(file, `"layer_norm_epsilon" must be a positive number, got ${JSON.stringify(eps)}`);
    cfg.layer_norm_epsilon = eps;
  }
  const act = j.activation_function;
  if (act !== undefined && act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
    throw new CheckpointError(file, `activation_function ${JSON.stringify(act)} is not supported (expected "gelu_new", GPT-2's tanh GELU)`);
  }
  return cfg;
}

/**
 * How many of the most recent tokens a session keeps when its context would grow past the
 * position table (model/tick.ts): half the context, so the window is not re-read at every tick.
 * A prompt longer than the context slides the same way at its first tick.
 */
export const windowKeep = (nPositions: number): number => Math.max(1, nPositions >> 1);

/** Parameters in a GPT-2 of this shape (LM head tied to wte, so counted once). */
export function countParams(c: GPT2Config): number {
  const C = c.n_embd;
  const perBlock = 2 * C /* ln_1 */ + C * 3 * C + 3 * C /* c_attn */ + C * C + C /* attn.c_proj */
    + 2 * C /* ln_2 */ + C * 4 * C + 4 * C /* c_fc */ + 4 * C * C + C; /* mlp.c_proj */
  return c.vocab_size * C + c.n_positions * C + c.n_layer * perBlock + 2 * C;
}
