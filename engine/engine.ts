/**
 * What a notebook needs of the engine: typed requests and a way to drop queued ticks. The page's
 * EngineClient (a Web Worker) provides it; so does `localEngine` (same host, same thread) in tests.
 */
import type { Listeners, RequestOf, RequestType, ResponseMap } from './protocol.ts';

export interface Engine {
  /** Send a request; `onProgress` hears how a load is going, `onDrawn` a tick's token (tokenFirst), before the answer comes. */
  request<K extends RequestType>(request: RequestOf<K>, opts?: Listeners): Promise<ResponseMap[K]>;
  cancel(): Promise<ResponseMap['cancel']>;
}
