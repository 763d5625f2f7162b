/**
 * One request at a time, in order, in front of an EngineHost. `cancel` is answered here and
 * nowhere else: it jumps the queue and drops the ticks still waiting (each is answered
 * "cancelled"); the one running finishes, so the session stays consistent. That is how Pause
 * stops Play at once. `cancelLoad` jumps it too: the host stops a download at once, and the model
 * in use stays.
 */
import type { EngineHost } from './host.ts';
import { CANCELLED, type Envelope, type Reply } from './protocol.ts';

export class EngineQueue {
  private queue: Envelope[] = [];
  private running = false;

  constructor(
    private readonly host: EngineHost,
    private readonly reply: (r: Reply) => void, // where answers go (the worker's postMessage)
  ) {}

  /** Take one request. */
  push(env: Envelope): void {
    const { id, request } = env;
    if (request.type === 'cancel') {
      const dropped = this.queue.filter((e) => e.request.type === 'tick');
      this.queue = this.queue.filter((e) => e.request.type !== 'tick');
      for (const d of dropped) this.reply({ id: d.id, ok: false, error: CANCELLED, cancelled: true });
      this.reply({ id, ok: true, value: { cancelled: dropped.length } });
    } else if (request.type === 'cancelLoad') void this.answer(env).then(this.reply);
    else {
      this.queue.push(env);
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // The reply goes out and the queue is checked in one step, so no request can slip in between
    // an answer and `running = false` and wait for a pump that has already stopped.
    while (this.queue.length > 0) this.reply(await this.answer(this.queue.shift()!));
    this.running = false;
  }

  /** Run one request on the host: its answer, or its error. */
  private async answer({ id, request }: Envelope): Promise<Reply> {
    try {
      if (request.type === 'cancel') throw new Error('cancel is answered by the queue'); // push answers it before it gets here
      return { id, ok: true, value: await this.host.handle(request, (progress) => this.reply({ id, progress }), (drawn) => this.reply({ id, drawn })) };
    } catch (e) {
      return { id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }
}
