/**
 * tokenclock — the engine from a terminal.
 *
 *   tokenclock tokenize --model DIR|URL --text STR [--json]
 *   tokenclock logits   --model DIR|URL --ids 1,2,3 [--json]
 *   tokenclock generate --model DIR|URL --prompt STR --steps N [--temperature T] [--top-k K]
 *                       [--top-p P] [--seed S] [--json]
 *   tokenclock bench    [--quick] [--out FILE]
 *   tokenclock train    --corpus FILE... --out DIR [--layers L] [--heads H] [--embd C] [--ctx T]
 *                       [--vocab V] [--steps N] [--seed S] [--batch B] [--lr R]
 *
 * Bad arguments and bad model folders print one line on stderr and exit non-zero; never a stack
 * trace (set TOKENCLOCK_DEBUG=1 to see one).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { initBackend } from '../model/backend.ts';
import { loadModelFiles } from '../model/checkpoint.ts';
import { forward, KVCache } from '../model/gpt2.ts';
import { Model } from '../model/model.ts';
import { stageProbs } from '../model/sampler.ts';
import { Session } from '../model/tick.ts';
import { Tokenizer } from '../model/tokenizer.ts';

/** An error in what the user typed: exit code 2. */
class UsageError extends Error {}

const USAGE = `usage: tokenclock <command> [options]
  tokenize --model DIR|URL --text STR [--json]
  logits   --model DIR|URL --ids 1,2,3 [--json]
  generate --model DIR|URL --prompt STR --steps N [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]
  bench    [--quick] [--out FILE]
  train    --corpus FILE... --out DIR [--layers 4] [--heads 4] [--embd 256] [--ctx 256] [--vocab 4096] [--steps 1000] [--seed 1] [--batch 8] [--lr 0.002]`;

const COMMANDS: Record<string, ParseArgsConfig['options']> = {
  tokenize: { model: { type: 'string' }, text: { type: 'string' }, json: { type: 'boolean' } },
  logits: { model: { type: 'string' }, ids: { type: 'string' }, json: { type: 'boolean' } },
  generate: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    steps: { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  },
  bench: { quick: { type: 'boolean' }, out: { type: 'string' }, json: { type: 'boolean' } },
  train: {
    corpus: { type: 'string', multiple: true },
    out: { type: 'string' },
    layers: { type: 'string' },
    heads: { type: 'string' },
    embd: { type: 'string' },
    ctx: { type: 'string' },
    vocab: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    json: { type: 'boolean' },
  },
};

/**
 * `--temperature -1` as `--temperature=-1`: node's parseArgs reads a value that starts with "-" as
 * an option and refuses it as ambiguous, so a negative number after an option that takes a value
 * is joined to it here, and the option's own range check then gives its normal message.
 */
function joinNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity$)/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

function parse(command: string, argv: string[]) {
  try {
    const options = COMMANDS[command]!;
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function required(v: Record<string, unknown>, name: string, command: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`${command}: --${name} is required`);
  return x;
}

/** Parse a number option; `kind` says what is allowed, for the error message. */
function num(v: Record<string, unknown>, name: string, fallback: number, check: (n: number) => boolean, kind: string): number {
  const x = v[name];
  if (x === undefined) return fallback;
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${kind}, got ${JSON.stringify(x)}`);
  return n;
}

const out = (s: string) => process.stdout.write(s + '\n');

async function tokenize(v: Record<string, unknown>) {
  const files = await loadModelFiles(required(v, 'model', 'tokenize'));
  const tok = Tokenizer.fromFiles(files.vocabJson, files.mergesTxt);
  const ids = tok.encode(required(v, 'text', 'tokenize'));
  const tokens = ids.map((id) => tok.tokenPiece(id).text);
  if (v.json) out(JSON.stringify({ ids, tokens }));
  else ids.forEach((id, i) => out(`${String(id).padStart(6)}  ${JSON.stringify(tokens[i])}`));
}

async function logits(v: Record<string, unknown>) {
  const modelSrc = required(v, 'model', 'logits');
  const raw = required(v, 'ids', 'logits');
  const ids = raw.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
  if (ids.some((x) => !Number.isSafeInteger(x))) throw new UsageError(`--ids must be comma-separated token ids like 1,2,3, got ${JSON.stringify(raw)}`);
  await initBackend('wasm');
  const model = await Model.load(modelSrc);
  const { vocab_size: V, n_positions } = model.config;
  const bad = ids.find((id) => id >= V);
  if (bad !== undefined) throw new UsageError(`--ids: token id ${bad} is outside the vocabulary (0..${V - 1})`);
  if (ids.length > n_positions) throw new UsageError(`--ids: ${ids.length} tokens exceed the model's context of ${n_positions}`);
  const cache = new KVCache(model.config.n_layer);
  const res = await forward(model.config, model.weights, ids, cache, { allLogits: true });
  const data = (await res.logits.data()) as Float32Array;
  res.logits.dispose();
  cache.clear();
  const rows = ids.map((_, t) => Array.from(data.subarray(t * V, (t + 1) * V)));
  if (v.json) out(JSON.stringify({ logits: rows }));
  else rows.forEach((r, t) => {
    let best = 0; // a loop, not Math.max(...r): a large vocabulary would overflow the call stack
    for (let i = 1; i < r.length; i++) if (r[i] > r[best]) best = i;
    out(`position ${t} (id ${ids[t]}): ${r.length} logits, max ${r[best].toFixed(4)} at id ${best}`);
  });
  model.dispose();
}

async function generate(v: Record<string, unknown>) {
  const modelSrc = required(v, 'model', 'generate');
  if (typeof v.prompt !== 'string') throw new UsageError('generate: --prompt is required (it may be "")');
  const steps = num(v, 'steps', NaN, (n) => Number.isInteger(n) && n >= 1 && n <= 100000, 'a whole number from 1 to 100000');
  const sampling = {
    temperature: num(v, 'temperature', 1, (n) => n >= 0, 'a number ≥ 0 (0 = greedy)'),
    topK: num(v, 'top-k', 0, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0 (0 = off)'),
    topP: num(v, 'top-p', 1, (n) => n > 0 && n <= 1, 'a number in (0, 1] (1 = off)'),
  };
  const seed = num(v, 'seed', 42, (n) => Number.isInteger(n), 'a whole number');
  await initBackend('wasm');
  const model = await Model.load(modelSrc);
  if (sampling.topK > model.config.vocab_size) throw new UsageError(`--top-k must be at most the vocabulary size (${model.config.vocab_size}), got ${sampling.topK}`);
  const session = new Session(model, { prompt: v.prompt, seed, sampling });
  if (!v.json) process.stdout.write(v.prompt);
  for await (const rec of session.run({ steps })) {
    if (v.json) {
      const probs = stageProbs(rec.dist, 'topP');
      const top = Array.from(rec.dist.order.slice(0, Math.min(5, probs.length)), (id, r) => ({ id, text: model.tokenizer.tokenPiece(id).text, probability: probs[r] }));
      out(JSON.stringify({
        tick: rec.index,
        id: rec.id,
        text: rec.piece.text,
        probability: rec.prob,
        rank: rec.rank,
        draw: rec.draw,
        top,
        ms: Number(rec.ms.total.toFixed(3)),
        cacheLength: rec.cacheLength,
        ...(rec.window ? { window: rec.window } : {}),
      }));
    } else {
      process.stdout.write(rec.text);
    }
  }
  if (!v.json) out('');
  session.dispose();
  model.dispose();
}

async function bench(v: Record<string, unknown>) {
  const { runBench } = await import('../bench/engine.ts');
  await runBench({ quick: !!v.quick, out: typeof v.out === 'string' ? v.out : undefined });
}

async function train(v: Record<string, unknown>) {
  const corpus = v.corpus as string[] | undefined;
  if (!corpus?.length) throw new UsageError('train: --corpus FILE is required (repeat it for more files)');
  const outDir = required(v, 'out', 'train');
  const { TEACHER_DEFAULTS: d, trainOnCorpus } = await import('../train/teacher.ts');
  const whole = (name: string, fallback: number, min = 1) => num(v, name, fallback, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
  const opts = {
    corpus,
    out: outDir,
    layers: whole('layers', d.layers),
    heads: whole('heads', d.heads),
    embd: whole('embd', d.embd),
    ctx: whole('ctx', d.ctx, 8),
    vocab: whole('vocab', d.vocab, 258),
    steps: whole('steps', d.steps),
    seed: whole('seed', d.seed, 0),
    batch: whole('batch', d.batch),
    lr: num(v, 'lr', d.lr, (n) => n > 0 && n < 1, 'a number between 0 and 1'),
    quiet: !!v.json,
  };
  if (opts.embd % opts.heads !== 0) throw new UsageError(`--embd (${opts.embd}) must be divisible by --heads (${opts.heads})`);
  await initBackend('wasm');
  const r = await trainOnCorpus(opts);
  if (v.json) out(JSON.stringify({ out: outDir, ...r }));
  else out(`wrote ${outDir}: validation ${r.valLoss.toFixed(3)} nats/token, ${r.bitsPerByte.toFixed(3)} bits/byte`);
}

const HANDLERS: Record<string, (v: Record<string, unknown>) => Promise<void>> = { tokenize, logits, generate, bench, train };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const handler = HANDLERS[command];
  if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}; expected one of ${Object.keys(HANDLERS).join(', ')}`);
  await handler(parse(command, rest));
  return 0;
}

// A reader piping into `head` closes stdout early: stop quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (process.env.TOKENCLOCK_DEBUG) console.error(e);
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  process.stderr.write(`tokenclock: ${msg}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
