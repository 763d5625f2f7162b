import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../model/backend.ts';

test('in Node the engine runs on wasm (SIMD) by default', async () => {
  const r = await initBackend();
  assert.equal(r.name, 'wasm');
  assert.equal(r.requested, 'wasm');
  assert.deepEqual(r.fallbacks, []);
  assert.equal(tf.getBackend(), 'wasm');
});

test('asking for a backend that cannot start falls back to wasm and says why', async () => {
  const r = await initBackend('webgl');
  assert.equal(r.name, 'wasm');
  assert.equal(r.requested, 'webgl');
  assert.equal(r.fallbacks.length, 1);
  assert.equal(r.fallbacks[0].name, 'webgl');
  assert.match(r.fallbacks[0].reason, /WebGL needs a browser/);
  const g = await initBackend('webgpu');
  assert.match(g.fallbacks[0].reason, /no WebGPU/);
});

test('the cpu backend can be chosen as a last resort', async () => {
  const r = await initBackend('cpu');
  assert.equal(r.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await initBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
});
