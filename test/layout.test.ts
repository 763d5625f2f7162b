// The layout rule: imports flow model ← engine ← notebooks ← site; components (pure charts, no
// tfjs) sit beside them; train beside model; bench and cli on top; nothing imports test/.
// ESLint enforces it (eslint.config.js), on .ts and .astro files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function messages(filePath: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return res.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const importing = (what: string, from: string) => `import { ${what} } from '${from}';\nexport const a = ${what};\n`;

test('model/ may not import D3, the Observable runtime or anything above it, nor touch the DOM', async () => {
  assert.match((await messages('model/x.ts', "import * as d3 from 'd3';\nexport const a = d3;\n")).join('\n'), /no-restricted-imports/);
  assert.match((await messages('model/x.ts', "import { Runtime } from '@observablehq/runtime';\nexport const a = Runtime;\n")).join('\n'), /no-restricted-imports/);
  assert.match((await messages('model/x.ts', importing('formatMs', '../components/format.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('model/x.ts', importing('EngineHost', '../engine/host.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('model/x.ts', importing('Trainer', '../train/trainer.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('model/x.ts', 'export const a = () => document.title;\n')).join('\n'), /no-restricted-globals/);
});

test('engine/ may import the model, train/ and the strings helper, nothing above it, and has no DOM', async () => {
  assert.deepEqual(await messages('engine/x.ts', importing('Model', '../model/model.ts')), []);
  assert.deepEqual(await messages('engine/x.ts', importing('Trainer', '../train/trainer.ts')), []);
  assert.deepEqual(await messages('engine/x.ts', importing('defineStrings', '../components/i18n/index.ts')), []);
  assert.match((await messages('engine/x.ts', importing('TokenStrip', '../components/token-strip.ts'))).join('\n'), /no charts/);
  assert.match((await messages('engine/x.ts', importing('Clock', '../notebooks/clock.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('engine/x.ts', importing('matmulPeak', '../bench/engine-core.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('engine/x.ts', 'export const a = () => document.title;\n')).join('\n'), /no-restricted-globals/);
});

test('components/ may not import tfjs, the engine or notebooks/site, but may import model types', async () => {
  assert.match((await messages('components/x.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const a = tf;\n")).join('\n'), /no tfjs/);
  assert.match((await messages('components/x.ts', importing('EngineClient', '../engine/client.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('components/x.ts', importing('Clock', '../notebooks/clock.ts'))).join('\n'), /imports flow/);
  assert.deepEqual(await messages('components/x.ts', "import type { TickRecord } from '../model/tick.ts';\nexport type A = TickRecord;\n"), []);
});

test('notebooks/ may import the engine, the model and components, but not site/, train/, bench/ or tfjs', async () => {
  assert.deepEqual(await messages('notebooks/x.ts', importing('Model', '../model/model.ts')), []);
  assert.deepEqual(await messages('notebooks/x.ts', importing('EngineClient', '../engine/client.ts')), []);
  assert.match((await messages('notebooks/x.ts', importing('DEFAULT_MODEL', '../site/config.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('notebooks/x.ts', importing('matmulPeak', '../bench/engine-core.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('notebooks/x.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const a = tf;\n")).join('\n'), /never touches tfjs/);
});

test('site/ (TypeScript and .astro) may import notebooks/, but not test/ or tfjs', async () => {
  assert.deepEqual(await messages('site/scripts/x.ts', importing('Clock', '../../notebooks/clock.ts')), []);
  assert.match((await messages('site/scripts/x.ts', importing('startPreview', '../../test/e2e/harness.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('site/components/X.astro', "---\nimport { startPreview } from '../../test/e2e/harness.ts';\nconst a = startPreview;\n---\n<p>{String(a)}</p>\n")).join('\n'), /imports flow/);
});

test('train/, cli/ and bench/ stay in their places; nothing imports test/', async () => {
  assert.match((await messages('train/x.ts', importing('EngineHost', '../engine/host.ts'))).join('\n'), /imports flow/);
  assert.match((await messages('cli/x.ts', importing('Clock', '../notebooks/clock.ts'))).join('\n'), /imports flow/);
  assert.deepEqual(await messages('cli/x.ts', importing('Model', '../model/model.ts')), []);
  assert.deepEqual(await messages('bench/x.ts', importing('EngineHost', '../engine/host.ts')), []);
  assert.match((await messages('bench/x.ts', importing('startPreview', '../test/e2e/harness.ts'))).join('\n'), /imports flow/);
});
