// model/tick.ts: the session, its window, and prompts far longer than the model's context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../model/backend.ts';
import { makeConfig } from '../../model/config.ts';
import { Model } from '../../model/model.ts';
import { Session } from '../../model/tick.ts';
import { writeRandomCheckpoint } from '../../train/random-checkpoint.ts';

const config = makeConfig({ n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 300 });
let dir: string;

before(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'tokenclock-tick-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a 200,000-token prompt starts a session and ticks, the window sliding to the last n_positions / 2 tokens', async () => {
  await writeRandomCheckpoint(dir, { config, dtype: 'F32', seed: 4 });
  const model = await Model.load(dir);
  const prompt = 'a'.repeat(400_000); // the random vocabulary merges "aa": one token per two bytes
  const session = new Session(model, { prompt, seed: 1 });
  assert.equal(session.promptLength, 200_000);
  const recs = [];
  for await (const rec of session.run({ steps: 20 })) recs.push(rec);
  assert.deepEqual(recs[0].window, { dropped: 200_000 - 16, kept: 16 });
  assert.equal(recs[0].fed.length, 16);
  assert.equal(recs[0].position, 0);
  assert.ok(recs.every((r) => r.cacheLength <= config.n_positions));
  assert.ok(recs.slice(1).some((r) => r.window), 'the window slides again as ticks go on');
  assert.equal(session.ids.length, 200_020);
  assert.equal(session.generatedIds.length, 20);
  session.dispose();
  model.dispose();
});
