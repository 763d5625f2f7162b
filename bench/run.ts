/**
 * `npm run bench`: every benchmark, each printing a table and writing JSON under bench/out/.
 *   --quick      fewer repetitions
 *   --node-only  skip the headless-Chromium runs (which need `npm run build` first)
 *   --threads=N  wasm threads for the peer benchmark's two engines (default: the engine's own choice)
 */
import { runBrowserBench } from './browser.ts';
import { runBench } from './engine.ts';
import { runNotebookBench } from './notebook.ts';
import { runPeerBench } from './peer.ts';
import { runTrainerBench } from './trainer.ts';

const quick = process.argv.includes('--quick');
await runBench({ quick });
await runTrainerBench({ quick });
if (!process.argv.includes('--node-only')) {
  await runBrowserBench({ quick });
  await runNotebookBench({ quick });
  const threads = Number(process.argv.find((a) => a.startsWith('--threads='))?.split('=')[1]) || undefined;
  await runPeerBench({ quick, threads }); // Token Clock vs onnxruntime-web, same weights, one page
}
