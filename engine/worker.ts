/// <reference lib="webworker" />
/**
 * The engine worker: the model, the session and every tensor live here, off the page's thread.
 * It only passes messages to an EngineHost through the EngineQueue.
 */
import { EngineHost } from './host.ts';
import type { Envelope } from './protocol.ts';
import { EngineQueue } from './queue.ts';

const queue = new EngineQueue(new EngineHost(), (r) => self.postMessage(r));
self.onmessage = (ev: MessageEvent<Envelope>) => queue.push(ev.data);
