// The generation loop, with this project's own engine API. The appendix shows this file as it is,
// and test/notebooks/appendix-code.test.ts runs it against public/models/gutenberg-4m.
import { initBackend } from '../../model/backend.ts';
import { Model } from '../../model/model.ts';
import { Session } from '../../model/tick.ts';

export const PROMPT = 'The clock struck one, and';
export const SEED = 42;
export const STEPS = 24;
export const SAMPLING = { temperature: 0.8, topK: 40, topP: 1 };

export async function generate(modelSource: string): Promise<{ ids: number[]; text: string }> {
  await initBackend('wasm'); // falls back to cpu where wasm cannot start
  const model = await Model.load(modelSource); // config, tokenizer and weights
  const session = new Session(model, {
    prompt: PROMPT,
    seed: SEED,
    sampling: SAMPLING,
  });
  const ids: number[] = [];
  let text = PROMPT;
  try {
    // One tick: run the tokens not yet in the KV cache, get the logits, draw one token.
    for await (const tick of session.run({ steps: STEPS })) {
      ids.push(tick.id);
      text += tick.text;
    }
  } finally {
    session.dispose();
    model.dispose();
  }
  return { ids, text };
}
