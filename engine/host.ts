/**
 * The engine behind the worker: owns the model, the session, the recent tick records and every
 * tensor, and answers one request at a time. Each job has its own room — loading and storing
 * models (model-host.ts), the session (session-host.ts), the demos (demo-host.ts) — and this
 * class puts their handlers together, one per Protocol entry, checked by the compiler. `cancel`
 * is the queue's (queue.ts). The worker (worker.ts) only passes messages; tests drive this class
 * in Node with a real model.
 *
 * A failed request leaves the previous model and session in place.
 */
import type { Model } from '../model/model.ts';
import type { Session } from '../model/tick.ts';
import { DemoHost } from './demo-host.ts';
import { ModelHost } from './model-host.ts';
import type { ModelStore } from './model-store.ts';
import type { Handlers, OnDrawn, OnProgress, Protocol, RequestOf, RequestType } from './protocol.ts';
import { SessionHost } from './session-host.ts';

export { KEEP_TICKS } from './session-host.ts';

/** The requests the host answers: all but `cancel`, which the queue answers. */
export type HostRequest = Exclude<RequestType, 'cancel'>;

/** One model, one session, the last KEEP_TICKS ticks. */
export class EngineHost {
  private readonly sessions = new SessionHost(() => this.models.need());
  private readonly models = new ModelHost(() => this.sessions.reset());
  private readonly demos = new DemoHost(() => this.models.need());
  private readonly handlers: Handlers<HostRequest> = { ...this.models.handlers, ...this.sessions.handlers, ...this.demos.handlers };

  /** The loaded model, if any. */
  get model(): Model | null {
    return this.models.model;
  }

  /** The session of ticks, once a prompt has started one. */
  get session(): Session | null {
    return this.sessions.session;
  }

  /** The browser's model store (none in Node); tests may set their own. */
  get store(): ModelStore | undefined {
    return this.models.store;
  }

  set store(s: ModelStore | undefined) {
    this.models.store = s;
  }

  /** Answer one request. */
  handle<K extends HostRequest>(req: RequestOf<K>, onProgress: OnProgress = () => {}, onDrawn: OnDrawn = () => {}): Promise<Protocol[K]['response']> {
    const handler: Handlers<K>[K] = this.handlers[req.type];
    return handler(req, onProgress, onDrawn);
  }

  /** Stop the running load, if any; the model in use stays. */
  cancelLoad(): boolean {
    return this.models.cancelLoad();
  }

  /** The stored logits of a recent tick (what a resample re-draws from), or undefined when not kept. */
  tickLogits(index: number): Float32Array | undefined {
    return this.sessions.tickLogits(index);
  }
}
