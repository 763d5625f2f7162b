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
    } else if (request.type === 'cancelLoad') void this.answer(env);
    else {
      this.queue.push(env);
      void this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length > 0) await this.answer(this.queue.shift()!);
    this.running = false;
  }

  /** Run one request on the host and send its answer (or its error). */
  private async answer({ id, request }: Envelope): Promise<void> {
    if (request.type === 'cancel') return; // push answers it
    let reply: Reply;
    try {
      reply = { id, ok: true, value: await this.host.handle(request, (progress) => this.reply({ id, progress })) };
    } catch (e) {
      reply = { id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    this.reply(reply);
  }
}
