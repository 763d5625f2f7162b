/**
 * One request at a time, in order, in front of an EngineHost. `cancel` jumps the queue: it drops
 * the ticks still waiting (each is answered "cancelled"); the one running finishes, so the
 * session stays consistent. That is how Pause stops Play at once. `cancelLoad` jumps it too: it
 * stops a download at once, and the model in use stays.
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
    if (env.request.type === 'cancel') {
      const dropped = this.queue.filter((e) => e.request.type === 'tick');
      this.queue = this.queue.filter((e) => e.request.type !== 'tick');
      for (const d of dropped) this.reply({ id: d.id, ok: false, error: CANCELLED, cancelled: true });
      this.reply({ id: env.id, ok: true, value: { cancelled: dropped.length } });
      return;
    }
    if (env.request.type === 'cancelLoad') {
      this.reply({ id: env.id, ok: true, value: { cancelled: this.host.cancelLoad() } });
      return;
    }
    this.queue.push(env);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length > 0) {
      const { id, request } = this.queue.shift()!;
      let reply: Reply;
      try {
        reply = { id, ok: true, value: await this.host.handle(request, (progress) => this.reply({ id, progress })) };
      } catch (e) {
        reply = { id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      this.reply(reply);
    }
    this.running = false;
  }
}
