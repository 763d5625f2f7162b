/**
 * The page's handle on the engine worker: typed request → promise of the reply.
 */
import { ReplyRouter } from './router.ts';
import { currentLocale } from '../components/i18n/index.ts';
import type { Envelope } from './protocol.ts';

/** The engine worker's name; its last word is the page's locale. */
export const WORKER_NAME = 'token-clock-engine';

export { CancelledError } from './router.ts';

export class EngineClient extends ReplyRouter {
  private worker: Worker | null = null;
  /** Requests sent before the worker started, in order. */
  private queued: Envelope[] = [];
  private terminated = false;

  constructor(spawn: () => Worker, startAfter?: Promise<unknown>) {
    super((env) => (this.worker ? this.worker.postMessage(env) : this.queued.push(env)));
    const start = () => {
      if (this.terminated || this.worker) return;
      const worker = spawn();
      worker.onmessage = (ev) => this.receive(ev.data);
      worker.onerror = (ev) => this.failAll(new Error(`the engine worker failed: ${ev.message || 'unknown error'}`));
      this.worker = worker;
      for (const env of this.queued.splice(0)) worker.postMessage(env);
    };
    if (startAfter) void startAfter.then(start, start);
    else start();
  }

  /**
   * Start the worker that runs the engine: now, or once `startAfter` settles (requests made
   * before then wait for it, in order).
   */
  static create(opts: { startAfter?: Promise<unknown> } = {}): EngineClient {
    // The worker has no <html lang>: its name carries the page's language (engine/worker.ts), so
    // what it calls a model ("… (from a mirror)") is in the page's language.
    return new EngineClient(() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `${WORKER_NAME} ${currentLocale()}` }), opts.startAfter);
  }

  terminate(): void {
    this.terminated = true;
    this.queued.length = 0;
    this.worker?.terminate();
  }
}
