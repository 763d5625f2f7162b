/**
 * Chapter 3, embeddings: each fed token's row of wte, its position's row of wpe, and their sum,
 * the residual stream entering block 0, all read from the engine's trace (trace.embeddings) of
 * every tick. The prefill traces every prompt position; each decode tick adds one row. A cell of
 * the heatmaps (or the Position and Dimension inputs) picks the numbers for the live equation
 * x_{t,c} = wte[id_t, c] + wpe[t, c].
 *
 *   inputs ─ clock ─ clockState ─ view ─┬─ heatmaps (wte rows, wpe rows, their sum)
 *   position, dimension ─ pick ─────────┴─ equation
 *   view, pick ─ nearest (the engine's nearest rows of wte to the picked token's, whole vocabulary)
 *   predict (which prompt token's wte row is closest to the last one's? the prefill's trace answers)
 */
import { formatInteger } from '../../../components/format.ts';
import { heatmapCellAt } from '../../../components/heatmap.ts';
import { definePickFields, figure, openChapter, setField } from '../../chapter.ts';
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { ModelInfo, NearestToken } from '../../../engine/protocol.ts';
import { definePredict } from '../../predict.ts';
import type { Module, Mounts, Runtime } from '../../runtime.ts';
import { embeddingNumbers, embeddingView, HEATMAP_ROWS, NEAREST_K, parsePick, type EmbeddingView } from './data.ts';
import { equationFigure, heatmaps, nearestFigure } from './figures.ts';
import { closestQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main } = openChapter(runtime, mounts, { trace: { embeddings: true }, timeline: false, tokens: false });

  const fields = definePickFields(main, mounts.pick, {
    position: (raw, model, bad) => parsePick('Position', raw, model.config.n_positions, bad),
    dimension: (raw, model, bad) => parsePick('Dimension', raw, model.config.n_embd, bad),
  });
  main.define('pick', ['position', 'dimension'], (t: number, d: number): [number, number] => [t, d]);
  main.define('view', ['clockState'], (state: ClockState) => embeddingView(state));

  // Choosing a cell of any heatmap sets Position and Dimension, as if typed there.
  let shown: EmbeddingView | null = null;
  mounts.heatmaps?.addEventListener('click', (e) => {
    const image = (e.target as Element).closest('image.row');
    const cell = image && heatmapCellAt(image, (e as MouseEvent).clientX);
    if (!cell || !shown) return;
    const [r, col] = cell;
    const from = Math.max(0, shown.positions.length - HEATMAP_ROWS);
    setField(fields.position, shown.positions[from + r]);
    setField(fields.dimension, col);
  });

  const empty = (model: ModelInfo) => note(ui('ch3.empty', { n: model.config.n_embd }));
  figure(main, mounts.heatmaps, 'heatmaps', ['view', 'pick', 'width', 'model'], (v: EmbeddingView | null, pick: [number, number], width: number, model: ModelInfo) => {
    shown = v;
    return v ? heatmaps(v, pick, width) : empty(model);
  });
  figure(main, mounts.equation, 'equation', ['view', 'pick', 'model'], (v: EmbeddingView | null, pick: [number, number], model: ModelInfo) => {
    if (!v) return empty(model);
    const n = embeddingNumbers(v, pick[0], pick[1]);
    if (!n) return note(ui('ch3.notYet', { position: formatInteger(pick[0]), from: v.positions[0], to: v.positions.at(-1)! }));
    return equationFigure(n);
  });
  // The engine's answer for a token never changes while the model stays: asked once per model and id.
  const asked = new Map<string, Promise<NearestToken[]>>();
  figure(main, mounts.nearest, 'nearest', ['engine', 'view', 'pick', 'model'], async (engine: Engine, v: EmbeddingView | null, pick: [number, number], model: ModelInfo) => {
    if (!v) return empty(model);
    const row = v.positions.indexOf(pick[0]);
    if (row < 0) return note(ui('ch3.notYet', { position: formatInteger(pick[0]), from: v.positions[0], to: v.positions.at(-1)! }));
    const id = v.ids[row];
    const key = `${model.key}/${model.checksum}/${id}`;
    let got = asked.get(key);
    if (!got) asked.set(key, (got = engine.request({ type: 'nearest', id, k: NEAREST_K }).then((r) => r.neighbours)));
    got.catch(() => asked.delete(key));
    return nearestFigure(v, pick[0], await got, model.config.vocab_size);
  });
  definePredict(main, mounts.predict, closestQuestion);
  return main;
}
