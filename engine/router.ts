/**
 * Requests out, replies back: numbers each request, remembers who waits for it, and routes each
 * reply (or a load's progress, or a tick's early token) to its waiter. The worker client and the in-process engine both
 * use it; only how an envelope travels differs.
 */
import type { Engine } from './engine.ts';
import { CANCELLED, type Envelope, type Listeners, type Reply, type RequestOf, type RequestType, type ResponseMap } from './protocol.ts';

/** A request the engine dropped because `cancel` came first. */
export class CancelledError extends Error {
  constructor() {
    super(CANCELLED);
    this.name = 'CancelledError';
  }
}

interface Waiter extends Listeners {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class ReplyRouter implements Engine {
  private next = 1;
  private waiting = new Map<number, Waiter>();

  /** `send` takes an envelope to the engine; its replies come back through `receive`. */
  constructor(private readonly send: (env: Envelope) => void) {}

  /** Send a request; `onProgress` hears how a load is going, `onDrawn` a tick's token, before the answer comes. */
  request<K extends RequestType>(request: RequestOf<K>, opts: Listeners = {}): Promise<ResponseMap[K]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, onDrawn: opts.onDrawn });
      this.send({ id, request: request as Envelope['request'] });
    });
  }

  /** Drop every tick still queued (they reject with CancelledError); the running one finishes. */
  cancel(): Promise<ResponseMap['cancel']> {
    return this.request({ type: 'cancel' });
  }

  /** One reply from the engine, to whoever waits for it. */
  receive(r: Reply): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    if ('progress' in r) {
      w.onProgress?.(r.progress);
      return;
    }
    if ('drawn' in r) {
      w.onDrawn?.(r.drawn);
      return;
    }
    this.waiting.delete(r.id);
    if (r.ok) w.resolve(r.value);
    else w.reject(r.cancelled ? new CancelledError() : new Error(r.error));
  }

  /** The engine is gone: every waiting request fails with `err`. */
  failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
