// The tokenclock command, run as a reader would run it: `npx tokenclock …` → the bin script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeConfig } from '../../model/config.ts';
import { encode } from 'gpt-tokenizer/encoding/r50k_base';
import { writeRandomCheckpoint, writeRandomGpt2VocabCheckpoint } from '../../train/random-checkpoint.ts';

const bin = resolve(fileURLToPath(new URL('../../bin/tokenclock.mjs', import.meta.url)));
const config = makeConfig({ n_layer: 2, n_head: 2, n_embd: 32, n_positions: 16, vocab_size: 300 });
let dir: string;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-cli-'));
  await writeRandomCheckpoint(dir, { config, dtype: 'F16', seed: 1 });
});
after(() => rm(dir, { recursive: true, force: true }));

test('tokenize --json prints ids and token pieces that join back to the text', async () => {
  const r = await run('tokenize', '--model', dir, '--text', 'hello world', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ids: number[]; tokens: string[] };
  assert.equal(out.tokens.join(''), 'hello world');
  assert.equal(out.ids.length, out.tokens.length);
});

test('logits --json gives every position the full vocabulary', async () => {
  const r = await run('logits', '--model', dir, '--ids', '1,2,3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { logits: number[][] };
  assert.equal(out.logits.length, 3);
  for (const row of out.logits) assert.equal(row.length, config.vocab_size);
});

test('generate --json prints one line per tick, the same for the same seed', async () => {
  const args = ['generate', '--model', dir, '--prompt', 'hi', '--steps', '20', '--temperature', '0.9', '--top-k', '40', '--top-p', '0.95', '--seed', '5', '--json'];
  const a = await run(...args);
  assert.equal(a.code, 0, a.stderr);
  const lines = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tick: number; id: number; probability: number; top: unknown[]; ms: number; window?: unknown });
  assert.equal(lines.length, 20);
  lines.forEach((l, i) => {
    assert.equal(l.tick, i);
    assert.ok(l.probability > 0 && l.probability <= 1);
    assert.ok(l.top.length > 0 && l.ms >= 0);
  });
  assert.ok(lines.some((l) => l.window), 'the 16-position context slid and said so');
  const b = await run(...args);
  assert.deepEqual(b.stdout.trim().split('\n').map((l) => JSON.parse(l).id), lines.map((l) => l.id));
});

test('tokenize with the real GPT-2 vocabulary matches gpt-tokenizer', async () => {
  const gpt2 = join(dir, 'gpt2-vocab');
  await writeRandomGpt2VocabCheckpoint(gpt2, { config: makeConfig({ n_layer: 1, n_head: 1, n_embd: 8, n_positions: 8, vocab_size: 50257 }), dtype: 'F16', seed: 1 });
  const r = await run('tokenize', '--model', gpt2, '--text', "Hello, world! It's 2026. 你好", '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).ids, encode("Hello, world! It's 2026. 你好"));
});

const bad: [string[], RegExp, number][] = [
  [[], /usage: tokenclock/, 2],
  [['frobnicate'], /unknown command "frobnicate"/, 2],
  [['tokenize', '--text', 'x'], /--model is required/, 2],
  [['tokenize', '--model', 'x', '--bogus'], /Unknown option '--bogus'/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', 'ten'], /--steps must be a whole number/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '3', '--temperature', 'hot'], /--temperature must be a number ≥ 0/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '3', '--temperature', '-1'], /--temperature must be a number ≥ 0 \(0 = greedy\), got "-1"/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '3', '--top-p', '-.5'], /--top-p must be a number in \(0, 1\] \(1 = off\), got "-\.5"/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '-2'], /--steps must be a whole number from 1 to 100000, got "-2"/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '3', '--top-p', '1.5'], /--top-p must be a number in \(0, 1\]/, 2],
  [['generate', '--model', 'M', '--prompt', 'x', '--steps', '3', '--top-k', '301'], /--top-k must be at most the vocabulary size \(300\)/, 2],
  [['logits', '--model', 'M', '--ids', '1,two'], /--ids must be comma-separated token ids/, 2],
  [['logits', '--model', 'M', '--ids', '1,300'], /token id 300 is outside the vocabulary \(0\.\.299\)/, 2],
  [['generate', '--model', '/no/such/folder', '--prompt', 'x', '--steps', '1'], /does not exist/, 1],
];
for (const [args, message, code] of bad) {
  test(`bad arguments give one clear line and exit ${code}: ${args.join(' ') || '(none)'}`, async () => {
    const r = await run(...args.map((a) => (a === 'M' ? dir : a)));
    assert.equal(r.code, code);
    const text = r.stderr + r.stdout;
    assert.match(text, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    if (code === 1 || args.length) assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}

test('a negative value after an option is read as its value: generate --seed -7 runs like --seed=-7', async () => {
  const a = await run('generate', '--model', dir, '--prompt', 'hi', '--steps', '3', '--seed', '-7', '--json');
  const b = await run('generate', '--model', dir, '--prompt', 'hi', '--steps', '3', '--seed=-7', '--json');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.split('\n').map((l) => l.replace(/"ms":[\d.]+/, '')).join('\n'), b.stdout.split('\n').map((l) => l.replace(/"ms":[\d.]+/, '')).join('\n'));
});

test('a FIFO given as model.safetensors is refused at once with one line, not a hang', { skip: process.platform === 'win32' }, async () => {
  const { execFileSync } = await import('node:child_process');
  const { copyFile, mkdir } = await import('node:fs/promises');
  const fifoDir = join(dir, 'fifo');
  await mkdir(fifoDir);
  for (const f of ['config.json', 'vocab.json', 'merges.txt']) await copyFile(join(dir, f), join(fifoDir, f));
  execFileSync('mkfifo', [join(fifoDir, 'model.safetensors')]);
  const r = await run('generate', '--model', fifoDir, '--prompt', 'x', '--steps', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /model\.safetensors: is a named pipe \(FIFO\), not a regular file/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('train writes a model folder from a teacher\'s own text that the engine loads and runs', async () => {
  const { writeFile } = await import('node:fs/promises');
  const corpus = join(dir, 'story.txt');
  await writeFile(corpus, 'The cat sat on the mat. The dog sat on the log.\n\nA bird sang in the tree, and the cat looked up.\n\n'.repeat(40) + '小猫坐在垫子上。\n\nThe end.');
  const out = join(dir, 'taught');
  const r = await run('train', '--corpus', corpus, '--out', out, '--layers', '1', '--heads', '2', '--embd', '16', '--ctx', '16', '--vocab', '280', '--steps', '12', '--batch', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { bitsPerByte: number };
  assert.ok(res.bitsPerByte > 0);
  const g = await run('generate', '--model', out, '--prompt', 'The cat', '--steps', '5', '--json');
  assert.equal(g.code, 0, g.stderr);
  assert.equal(g.stdout.trim().split('\n').length, 5);
});

const badTrain: [string[], RegExp][] = [
  [['--corpus', '/no/such/file.txt'], /corpus file \/no\/such\/file\.txt does not exist/],
  [['--corpus', 'EMPTY'], /the corpus is empty/],
  [['--corpus', 'STORY', '--embd', '30', '--heads', '4'], /--embd \(30\) must be divisible by --heads \(4\)/],
  [['--corpus', 'STORY', '--vocab', '100000', '--steps', '1'], /the corpus supports only \d+ merges; choose vocab_size ≤ \d+/],
];
for (const [args, message] of badTrain) {
  test(`train refuses bad input with one clear line: ${args.join(' ')}`, async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'empty.txt'), '');
    await writeFile(join(dir, 'story2.txt'), 'Once upon a time there was a small red hen.\n\n'.repeat(20));
    const mapped = args.map((a) => (a === 'EMPTY' ? join(dir, 'empty.txt') : a === 'STORY' ? join(dir, 'story2.txt') : a));
    const r = await run('train', ...mapped, '--out', join(dir, 'never'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}
