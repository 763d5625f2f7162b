/**
 * `npm run bench`: every benchmark, each printing a table and writing JSON under bench/out/.
 *   --quick      fewer repetitions
 *   --node-only  skip the headless-Chromium runs (which need `npm run build` first)
 */
import { runBrowserBench } from './browser.ts';
import { runBench } from './engine.ts';
import { runNotebookBench } from './notebook.ts';
import { runTrainerBench } from './trainer.ts';

const quick = process.argv.includes('--quick');
await runBench({ quick });
await runTrainerBench({ quick });
if (!process.argv.includes('--node-only')) {
  await runBrowserBench({ quick });
  await runNotebookBench({ quick });
}
