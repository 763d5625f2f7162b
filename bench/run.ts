/** `npm run bench`: every benchmark, each printing a table and writing JSON under bench/out/. */
import { runBench } from './engine.ts';

const quick = process.argv.includes('--quick');
await runBench({ quick });
