/**
 * The engine on the calling thread: the same EngineHost and EngineQueue the worker runs, without
 * the worker. For Node (tests, scripts); pages use EngineClient so a tick never blocks them.
 */
import { CancelledError } from './client.ts';
import type { Engine } from './engine.ts';
import { EngineHost } from './host.ts';
import type { LoadProgress, Reply } from './protocol.ts';
import { EngineQueue } from './queue.ts';

export function localEngine(host = new EngineHost()): Engine & { host: EngineHost } {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: LoadProgress) => void }>();
  const queue = new EngineQueue(host, (r: Reply) => {
    const w = waiting.get(r.id);
    if (!w) return;
    if ('progress' in r) {
      w.onProgress?.(r.progress);
      return;
    }
    waiting.delete(r.id);
    if (r.ok) w.resolve(r.value);
    else w.reject(r.cancelled ? new CancelledError() : new Error(r.error));
  });
  const engine: Engine & { host: EngineHost } = {
    host,
    request(request, opts = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
        queue.push({ id, request });
      });
    },
    cancel() {
      return engine.request({ type: 'cancel' });
    },
  };
  return engine;
}
