/// <reference lib="webworker" />
/**
 * The engine worker: owns the model, the session and every tensor. One request at a time, in
 * order; a failed request leaves the previous model and session in place.
 */
import { initBackend } from '../model/backend.ts';
import { Model } from '../model/model.ts';
import { stageProbs } from '../model/sampler.ts';
import { Session } from '../model/tick.ts';
import type { Envelope, ModelInfo, Reply, Request, TickSummary } from './engine-protocol.ts';

let model: Model | null = null;
let session: Session | null = null;
let queue: Promise<void> = Promise.resolve();

function needModel(): Model {
  if (!model) throw new Error('no model is loaded yet');
  return model;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.type) {
    case 'load': {
      const backend = await initBackend(req.backend ?? 'wasm', { wasmPath: req.wasmPath });
      const next = await Model.load(req.url);
      session?.dispose();
      session = null;
      model?.dispose();
      model = next;
      const info: ModelInfo = {
        url: req.url,
        config: next.config,
        params: next.info.params,
        dtype: next.info.dtype,
        fileBytes: next.info.fileBytes,
        checksum: next.checksum,
        backend,
      };
      return info;
    }
    case 'start': {
      const m = needModel();
      const fresh = new Session(m, { prompt: req.prompt, seed: req.seed, sampling: req.sampling });
      session?.dispose();
      session = fresh;
      return { promptTokens: fresh.ids.map((id) => ({ id, text: m.tokenizer.tokenPiece(id).text, prob: 0 })) };
    }
    case 'tick': {
      const m = needModel();
      if (!session) throw new Error('no session: send a prompt first');
      const rec = await session.tick();
      const probs = stageProbs(rec.dist, 'topP');
      const top = Array.from(rec.dist.order.slice(0, 10), (id, r) => ({ id, text: m.tokenizer.tokenPiece(id).text, prob: probs[r] ?? 0 }));
      const summary: TickSummary = {
        index: rec.index,
        kind: rec.kind,
        id: rec.id,
        piece: { text: rec.piece.text, bytes: [...rec.piece.bytes], complete: rec.piece.complete },
        text: rec.text,
        pendingBytes: [...rec.pendingBytes],
        prob: rec.prob,
        rank: rec.rank,
        draw: rec.draw,
        top,
        ms: rec.ms,
        flops: rec.flops,
        cacheLength: rec.cacheLength,
        cacheBytes: rec.cacheBytes,
        window: rec.window,
        weightsChecksum: rec.weightsChecksum,
      };
      return summary;
    }
    case 'verifyChecksum':
      return { checksum: await needModel().verifyChecksum() };
  }
}

self.onmessage = (ev: MessageEvent<Envelope>) => {
  const { id, request } = ev.data;
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = { id, ok: true, value: await handle(request) };
    } catch (e) {
      reply = { id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    self.postMessage(reply);
  });
};
