/**
 * Messages between the page and the engine worker. The page never touches tfjs; it sends these
 * requests and gets plain data back (structured clone), so a tick never freezes the page.
 */
import type { BackendName, BackendReport } from '../model/backend.ts';
import type { GPT2Config } from '../model/config.ts';
import type { SamplingParams } from '../model/sampler.ts';

export interface ModelInfo {
  url: string; // where it was loaded from
  config: GPT2Config;
  params: number; // parameter count
  dtype: string; // dtype stored in model.safetensors
  fileBytes: number; // size of model.safetensors
  checksum: string; // of the weights, taken at load
  backend: BackendReport;
}

export interface Candidate {
  id: number;
  text: string; // token piece, partial UTF-8 written as <0xHH>
  prob: number; // in the final filtered distribution (0 when filtered out)
}

/** A tick, trimmed to what crosses the worker boundary cheaply. */
export interface TickSummary {
  index: number;
  kind: 'prefill' | 'decode';
  id: number;
  piece: { text: string; bytes: number[]; complete: boolean };
  text: string; // text this token completes
  pendingBytes: number[]; // bytes waiting for the rest of their character
  prob: number;
  rank: number;
  draw: number | null;
  top: Candidate[]; // most likely first
  ms: { forward: number; sample: number; total: number };
  flops: number;
  cacheLength: number;
  cacheBytes: number;
  window: { dropped: number; kept: number } | null;
  weightsChecksum: string;
}

export type Request =
  | { type: 'load'; url: string; backend?: BackendName; wasmPath?: string }
  | { type: 'start'; prompt: string; seed: number; sampling: SamplingParams }
  | { type: 'tick' }
  | { type: 'verifyChecksum' };

export interface ResponseMap {
  load: ModelInfo;
  start: { promptTokens: Candidate[] };
  tick: TickSummary;
  verifyChecksum: { checksum: string };
}

export type Envelope = { id: number; request: Request };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
