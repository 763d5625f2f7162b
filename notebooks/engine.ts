/**
 * What a notebook needs of the engine: typed requests and a way to drop queued ticks. The page's
 * EngineClient (a Web Worker) provides it; so does `localEngine` (same host, same thread) in tests.
 */
import type { Request, ResponseMap } from './engine-protocol.ts';

export interface Engine {
  request<K extends Request['type']>(request: Extract<Request, { type: K }>): Promise<ResponseMap[K]>;
  cancel(): Promise<ResponseMap['cancel']>;
}
