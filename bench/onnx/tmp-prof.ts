import * as ort from 'onnxruntime-web';
import { loadModelFiles } from '../../model/checkpoint.ts';
import { gpt2Onnx } from './gpt2.ts';
import { OrtGpt2 } from './ort-gpt2.ts';
ort.env.wasm.numThreads = 1;
const files = await loadModelFiles('public/models/gutenberg-4m');
const m = await OrtGpt2.create(ort, files.config, gpt2Onnx(files.config, files.params));
const ids = Array.from({ length: 256 }, (_, i) => (i * 7919) % 4096);
for (const c of [16, 64, 200]) {
  m.clear(); await m.step(ids.slice(0, c - 1));
  for (let i = 0; i < 5; i++) await m.step([1], false);
  const ts: number[] = [];
  for (let i = 0; i < 30; i++) { const t = performance.now(); await m.step([1], false); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(c, ts[15].toFixed(2), ts[0].toFixed(2));
}
