// The layout rule: imports flow model ← components ← notebooks ← site, and ESLint enforces it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function messages(filePath: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return res.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('model/ may not import D3, the Observable runtime or anything above it, nor touch the DOM', async () => {
  assert.match((await messages('model/x.ts', "import * as d3 from 'd3';\nexport const a = d3;\n")).join('\n'), /no-restricted-imports/);
  assert.match((await messages('model/x.ts', "import { Runtime } from '@observablehq/runtime';\nexport const a = Runtime;\n")).join('\n'), /no-restricted-imports/);
  assert.match((await messages('model/x.ts', "import { formatMs } from '../components/format.ts';\nexport const a = formatMs;\n")).join('\n'), /imports flow/);
  assert.match((await messages('model/x.ts', 'export const a = () => document.title;\n')).join('\n'), /no-restricted-globals/);
});

test('components/ may not import tfjs or notebooks/site, but may import model types', async () => {
  assert.match((await messages('components/x.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const a = tf;\n")).join('\n'), /no tfjs/);
  assert.match((await messages('components/x.ts', "import { EngineClient } from '../engine/client.ts';\nexport const a = EngineClient;\n")).join('\n'), /imports flow/);
  assert.deepEqual(await messages('components/x.ts', "import type { TickRecord } from '../model/tick.ts';\nexport type A = TickRecord;\n"), []);
});

test('notebooks/ may import the model and components but not site/', async () => {
  assert.deepEqual(await messages('notebooks/x.ts', "import { Model } from '../model/model.ts';\nexport const a = Model;\n"), []);
  assert.match((await messages('notebooks/x.ts', "import { DEFAULT_MODEL } from '../site/config.ts';\nexport const a = DEFAULT_MODEL;\n")).join('\n'), /imports flow/);
});
