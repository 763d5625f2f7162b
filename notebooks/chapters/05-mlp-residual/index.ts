/**
 * Chapter 5, the MLP, LayerNorm and the residual stream, for the newest position of the latest
 * tick, all read from the engine's trace: one MLP unit's GELU as a live equation (its input and
 * output from trace.layers[l].mlpIn / mlp), the residual stream entering block 0 and after each
 * block (a heatmap), and the logit lens (what the model would guess after each layer).
 *
 *   inputs ─ clock ─ clockState ─ view ─┬─ residual, lens
 *   layer, unit ─ pick ─────────────────┴─ equation
 *   clockState ─ skipBlock (one block skipped, the latest tick run again: notebooks/intervene.ts)
 *   predict (after which block does the final guess first come out on top? the next tick's lens answers)
 *   view, block ─ gelu-curve (the block's 4C MLP inputs on GELU), layer-norm (the block's ln_1); view ─ adds (what attention and the MLP add, per block)
 *
 * data.ts shapes the trace (no DOM), figures.ts draws it, question.ts asks, strings.ts says it.
 */
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import { definePickFields, figure, openChapter } from '../../chapter.ts';
import { defineIntervention } from '../../intervene.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { blockAdds, geluNumbers, geluSummary, layerView, LENS_TOP, normNumbers, parsePick, type LayerView } from './data.ts';
import { adds, equation, geluCurve, layerNorm, lens, residual } from './figures.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { lensQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { trace: { embeddings: true, mlp: true, residual: true, norm: true, adds: true, lens: LENS_TOP }, timeline: false, tokens: false });

  definePickFields(main, mounts.pick, {
    block: (raw, model, bad) => parsePick('Block', raw, model.config.n_layer, bad),
    unit: (raw, model, bad) => parsePick('Unit', raw, 4 * model.config.n_embd, bad),
  });
  main.define('view', ['clockState'], (state: ClockState) => layerView(state));

  const empty = () => note(ui('ch5.empty'));
  figure(main, mounts.residual, 'residual', ['view', 'width'], (v: LayerView | null, width: number) => (v ? residual(v, width) : empty()));
  figure(main, mounts.lens, 'lens', ['view'], (v: LayerView | null) => (v ? lens(v) : empty()));
  figure(main, mounts.equation, 'equation', ['view', 'block', 'unit'], (v: LayerView | null, layer: number, unit: number) => {
    const n = v && geluNumbers(v, layer, unit);
    return n ? equation(n) : empty();
  });
  figure(main, mounts['gelu-curve'], 'geluCurve', ['view', 'block', 'width'], (v: LayerView | null, layer: number, width: number) => {
    const s = v && geluSummary(v, layer);
    return v && s ? geluCurve(v, s, width) : empty();
  });
  figure(main, mounts['layer-norm'], 'layerNorm', ['view', 'block', 'model', 'width'], (v: LayerView | null, layer: number, model: ModelInfo, width: number) => {
    const n = v && normNumbers(v, layer, model.config.layer_norm_epsilon);
    return v && n ? layerNorm(v, n, width) : empty();
  });
  figure(main, mounts.adds, 'adds', ['view', 'width'], (v: LayerView | null, width: number) => {
    const a = v && blockAdds(v);
    return v && a ? adds(v, a, width) : empty();
  });
  definePredict(main, mounts.predict, lensQuestion);
  defineIntervention(main, mounts['skip-block'], 'skipBlock', 'block');
  return main;
}
