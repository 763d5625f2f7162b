/**
 * The errata page: each claim of the source article beside a cell that tests it with the engine.
 *
 *   inputs ─ clock ─ clockState ─┬─ weights (checksum after each tick, re-read from the backend)
 *                                ├─ attention (layer 0, head 0: real attention vs softmax(q ⊙ k))
 *                                └─ formula (what the latest tick computed)
 *   (the article's inputs) ─ softmax
 *   engine, prompt ─ special (the prompt's tokens: nothing added)
 *   engine, model ─ count (the article's prompt and its claimed output, tokenized by the loaded model)
 *   loop (this project's loop, quoted from model/tick.ts)
 */
import { withVerified, type ClockState } from '../clock.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo } from '../../engine/protocol.ts';
import { figure, openChapter } from '../chapter.ts';
import type { Module, Mounts, Runtime } from '../runtime.ts';
import { ARTICLE_OUTPUT, ARTICLE_PROMPT, attentionCompare, TRACE } from './data.ts';
import { attentionFigure, countFigure, formulaFigure, loopFigure, softmaxFigure, specialFigure, weightsFigure } from './figures.ts';

/** The id of the model's end-of-text token (its tokenizer's own answer), or null if it has none. */
async function endOfText(engine: Engine): Promise<number | null> {
  const { tokens } = await engine.request({ type: 'tokenize', text: '<|endoftext|>' });
  return tokens.length === 1 ? tokens[0].id : null;
}

/** Define the page's cells over its mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { verifyWeights: true, trace: TRACE, timeline: false });
  figure(main, mounts.weights, 'weights', ['clockState', 'model', 'weightsVerified'], (s: ClockState, model: ModelInfo, verified: ClockState['verified']) =>
    weightsFigure(withVerified(s.ticks, verified), model));
  figure(main, mounts.softmax, 'softmaxCheck', [], () => softmaxFigure());
  figure(main, mounts.attention, 'attention', ['clockState'], (s: ClockState) => {
    const text = new Map<number, string>();
    for (const t of s.promptTokens) text.set(t.id, t.text);
    for (const t of s.ticks) text.set(t.id, t.piece.text);
    return attentionFigure(attentionCompare(s.ticks), (id) => text.get(id) ?? String(id));
  });
  figure(main, mounts.special, 'special', ['engine', 'model', 'prompt'], async (engine: Engine, _model: ModelInfo, prompt: string) => {
    const [{ tokens }, eot] = await Promise.all([engine.request({ type: 'tokenize', text: prompt }), endOfText(engine)]);
    return specialFigure(tokens, eot);
  });
  figure(main, mounts.count, 'count', ['engine', 'model'], async (engine: Engine, model: ModelInfo) => {
    const [{ tokens }, { tokens: output }] = await Promise.all([ARTICLE_PROMPT, ARTICLE_OUTPUT].map((text) => engine.request({ type: 'tokenize', text })));
    return countFigure(tokens, output, model);
  });
  figure(main, mounts.loop, 'loop', [], () => loopFigure());
  figure(main, mounts.formula, 'formula', ['clockState', 'model', 'weightsVerified'], (s: ClockState, model: ModelInfo, verified: ClockState['verified']) =>
    formulaFigure(withVerified(s.ticks, verified), model));
  return main;
}
