/// <reference lib="webworker" />
/**
 * The engine worker: the model, the session and every tensor live here, off the page's thread.
 * It only passes messages to an EngineHost through the EngineQueue.
 */
import { EngineHost } from './host.ts';
import type { Envelope, EngineMemory } from './protocol.ts';
import { EngineQueue } from './queue.ts';
import { setLocale } from '../components/i18n/index.ts';

// The page's language, from the name the page gave this worker (engine/client.ts).
if (self.name.endsWith(' zh-cn')) setLocale('zh-cn');

const host = new EngineHost();
const queue = new EngineQueue(host, (r) => self.postMessage(r));
self.onmessage = (ev: MessageEvent<Envelope>) => queue.push(ev.data);

// What the engine holds, read from the worker's console (devtools) or by the soak test (test/e2e/soak.test.ts).
(self as unknown as { tokenClockMemory: () => Promise<EngineMemory> }).tokenClockMemory = () => host.handle({ type: 'memory' });
