/**
 * The peer benchmark's page script: starts bench/peer/worker.ts (both engines run there, as the
 * site's engine runs in a worker) and exposes `window.runPeer` to the Node driver, printing the
 * worker's progress lines on the console.
 */
import type { PeerOptions } from './worker.ts';
import type { PeerReport } from './report.ts';

declare global {
  interface Window {
    runPeer: (opts: PeerOptions) => Promise<PeerReport>;
  }
}

window.runPeer = (opts) =>
  new Promise((resolve, reject) => {
    const worker = new Worker('/peer-worker.js', { type: 'module' });
    worker.onerror = (e) => reject(new Error(`peer worker: ${e.message}`));
    worker.onmessage = (e: MessageEvent<{ log?: string; report?: PeerReport; error?: string }>) => {
      if (e.data.log) console.log(e.data.log);
      if (e.data.error) reject(new Error(e.data.error));
      if (e.data.report) resolve(e.data.report);
      if (e.data.error || e.data.report) worker.terminate();
    };
    worker.postMessage(opts);
  });
