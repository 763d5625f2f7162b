/**
 * The page's handle on the engine worker: typed request → promise of the reply.
 */
import { CANCELLED, type Envelope, type LoadProgress, type Reply, type Request, type ResponseMap } from './protocol.ts';

/** A request the worker dropped because `cancel` came first. */
export class CancelledError extends Error {
  constructor() {
    super(CANCELLED);
    this.name = 'CancelledError';
  }
}

export class EngineClient {
  private next = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: LoadProgress) => void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<Reply>) => {
      const r = ev.data;
      const w = this.waiting.get(r.id);
      if (!w) return;
      if ('progress' in r) {
        w.onProgress?.(r.progress);
        return;
      }
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.value);
      else w.reject(r.cancelled ? new CancelledError() : new Error(r.error));
    };
    worker.onerror = (ev) => {
      const err = new Error(`the engine worker failed: ${ev.message || 'unknown error'}`);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
  }

  /** Start the worker that runs the engine. */
  static create(): EngineClient {
    return new EngineClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  }

  /** Send a request; `onProgress` hears how a load is going before its answer comes. */
  request<K extends Request['type']>(request: Extract<Request, { type: K }>, opts: { onProgress?: (p: LoadProgress) => void } = {}): Promise<ResponseMap[K]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      const env: Envelope = { id, request };
      this.worker.postMessage(env);
    });
  }

  /** Drop every tick still queued in the worker (they reject with CancelledError); the running one finishes. */
  cancel(): Promise<ResponseMap['cancel']> {
    return this.request({ type: 'cancel' });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
