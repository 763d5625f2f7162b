/**
 * The page's handle on the engine worker: typed request → promise of the reply.
 */
import { ReplyRouter } from './router.ts';
import { currentLocale } from '../components/i18n/index.ts';

/** The engine worker's name; its last word is the page's locale. */
export const WORKER_NAME = 'token-clock-engine';

export { CancelledError } from './router.ts';

export class EngineClient extends ReplyRouter {
  constructor(private readonly worker: Worker) {
    super((env) => worker.postMessage(env));
    worker.onmessage = (ev) => this.receive(ev.data);
    worker.onerror = (ev) => this.failAll(new Error(`the engine worker failed: ${ev.message || 'unknown error'}`));
  }

  /** Start the worker that runs the engine. */
  static create(): EngineClient {
    // The worker has no <html lang>: its name carries the page's language (engine/worker.ts), so
    // what it calls a model ("… (from a mirror)") is in the page's language.
    return new EngineClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `${WORKER_NAME} ${currentLocale()}` }));
  }

  terminate(): void {
    this.worker.terminate();
  }
}
