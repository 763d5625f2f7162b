/**
 * The engine on the calling thread: the same EngineHost and EngineQueue the worker runs, without
 * the worker. For Node (tests, scripts); pages use EngineClient so a tick never blocks them.
 */
import type { Engine } from './engine.ts';
import { EngineHost } from './host.ts';
import { EngineQueue } from './queue.ts';
import { ReplyRouter } from './router.ts';

export function localEngine(host = new EngineHost()): Engine & { host: EngineHost } {
  const router: ReplyRouter = new ReplyRouter((env) => queue.push(env));
  const queue = new EngineQueue(host, (r) => router.receive(r));
  return Object.assign(router, { host });
}
