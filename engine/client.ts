/**
 * The page's handle on the engine worker: typed request → promise of the reply.
 */
import { ReplyRouter } from './router.ts';

export { CancelledError } from './router.ts';

export class EngineClient extends ReplyRouter {
  constructor(private readonly worker: Worker) {
    super((env) => worker.postMessage(env));
    worker.onmessage = (ev) => this.receive(ev.data);
    worker.onerror = (ev) => this.failAll(new Error(`the engine worker failed: ${ev.message || 'unknown error'}`));
  }

  /** Start the worker that runs the engine. */
  static create(): EngineClient {
    return new EngineClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  }

  terminate(): void {
    this.worker.terminate();
  }
}
