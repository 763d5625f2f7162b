/**
 * Chapter 4, attention: in every block, each position asks a question (q), every position so far
 * offers a key (k) and a value (v). QKᵀ → ÷√d → causal mask → softmax gives one row of weights per
 * query; the weights mix the values. The matrix of the chosen Layer and Head fills one row per
 * tick: the prefill fills every prompt row, each Next token adds one.
 *
 * Ticks trace only the chosen layer (q, k, scores, weights). When the reader picks another layer,
 * the rows of earlier ticks for it are filled by one `recompute` of the cached sequence, traced
 * at that layer: the weights never change, so it is the same arithmetic the ticks did.
 *
 *   inputs ─ clock ─ clockState ─┬─ rows (layer) ─┬─ matrix (head, stage)
 *   layer ───────────────────────┘                └─ highlight ─ equation (head)
 *   view, head ─ outputs (each head's output for the newest position, beside the value it attends to most)
 *   clockState ─ latest tick ─┬─ overview (every layer × head: the newest row; ticks trace every layer's weights)
 *                             └─ habits (each head's share on the first token, the previous one, itself)
 *   (its own four inputs) ─ softmaxExample
 *   layer, head ─ predict (which earlier token will this head attend to most at the next tick?)
 *   clockState ─ switchOff (one head switched off, the latest tick run again: notebooks/intervene.ts)
 */
import type { AttentionCell } from '../../../components/attention-matrix.ts';
import { figure, openChapter } from '../../chapter.ts';
import { note } from '../../dom.ts';
import { defineIntervention } from '../../intervene.ts';
import { definePredict } from '../../predict.ts';
import { observe, run, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import type { ClockState } from '../../clock.ts';
import type { ModelInfo, TickSummary } from '../../../engine/protocol.ts';
import { attentionKeys, attentionViews, defaultCell, headHabits, headsOverview, traceFor, windowTicks, type AttentionView, type Stage } from './data.ts';
import { cellTip, equationFigure, habitsFigure, matrixFigure, outputsFigure, overviewFigure, softmaxExample, stagePicker } from './figures.ts';
import { attentionQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Put the cell's numbers in a box beside the cell (above it, or below near the top), inside the mount. */
function showTip(mount: HTMLElement, view: AttentionView, head: number, cell: [number, number]): void {
  // The matrix's outline is on the highlighted cell (it moves there before 'highlight' is sent).
  const rect = mount.querySelector('rect.highlight');
  if (!rect) return;
  mount.querySelector('.cell-tip')?.remove();
  const tip = cellTip(view, head, cell);
  mount.style.position = 'relative';
  mount.append(tip);
  const m = mount.getBoundingClientRect();
  const r = rect.getBoundingClientRect();
  const left = Math.max(0, Math.min(r.left - m.left + r.width / 2 - tip.offsetWidth / 2, mount.clientWidth - tip.offsetWidth));
  const above = r.top - m.top - tip.offsetHeight - 6;
  tip.style.left = `${left}px`;
  tip.style.top = `${above >= 0 ? above : r.bottom - m.top + 6}px`;
}

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const traced = { layer: 0 }; // the layer ticks trace: the latest valid Layer
  const { main } = openChapter(runtime, mounts, { layerHead: true, trace: () => traceFor(traced.layer) });
  main.variable(run).define('applyLayer', ['layer'], (layer: number) => {
    traced.layer = layer;
  });
  main.define('view', ['engine', 'clockState', 'layer'], attentionViews());

  const picker = mounts['attention-stage'];
  main.define('stage', [], () => observe<Stage>((change) => {
    change('softmax');
    if (!picker) return;
    const form = stagePicker();
    picker.replaceChildren(form);
    const onChange = () => change((form.querySelector<HTMLInputElement>('input:checked')?.value ?? 'softmax') as Stage);
    form.addEventListener('change', onChange);
    return () => form.removeEventListener('change', onChange);
  }));

  const empty = () => note(ui('ch4.empty'));
  figure(main, mounts.matrix, 'matrix', ['view', 'head', 'stage', 'width'], (view: AttentionView | null, head: number, stage: Stage, width: number) =>
    (view ? matrixFigure(view, head, stage, width) : empty()));
  main.define('highlight', ['view', 'head'], (view: AttentionView | null, head: number) => observe<[number, number] | null>((change) => {
    change(view ? defaultCell(view, head) : null);
    const el = mounts.matrix;
    if (!el || !view) return;
    // The matrix's 'highlight' does not bubble; a capturing listener on the mount hears it.
    const on = (e: Event) => {
      const d = (e as CustomEvent<AttentionCell>).detail;
      if (d.query < view.rows.length && d.key <= d.query) {
        change([d.query, d.key]);
        showTip(el, view, head, [d.query, d.key]);
      }
    };
    const hide = () => el.querySelector('.cell-tip')?.remove();
    el.addEventListener('highlight', on, { capture: true });
    el.addEventListener('pointerleave', hide);
    el.addEventListener('focusout', hide);
    return () => {
      el.removeEventListener('highlight', on, { capture: true });
      el.removeEventListener('pointerleave', hide);
      el.removeEventListener('focusout', hide);
    };
  }));
  figure(main, mounts.equation, 'equation', ['view', 'head', 'highlight'], (view: AttentionView | null, head: number, cell: [number, number] | null) =>
    (view && cell ? equationFigure(view, head, cell) : empty()));
  figure(main, mounts.outputs, 'outputs', ['view', 'head', 'width'], (view: AttentionView | null, head: number, width: number) =>
    (view ? outputsFigure(view, head, width) ?? empty() : empty()));
  main.define('latest', ['clockState'], (state: ClockState): TickSummary | null => windowTicks(state.ticks).at(-1) ?? null);
  figure(main, mounts.overview, 'overview', ['latest', 'clockState', 'layer', 'head', 'width', 'model'], (tick: TickSummary | null, state: ClockState, layer: number, head: number, width: number, model: ModelInfo) => {
    const o = tick ? headsOverview(tick, model.config.n_layer) : null;
    if (!o) return empty();
    const { tokens } = attentionKeys(state);
    return overviewFigure(o, tokens, [layer, head], width);
  });
  figure(main, mounts.habits, 'habits', ['latest', 'model'], (tick: TickSummary | null, model: ModelInfo) => {
    if (!tick) return empty();
    const r = headHabits(tick, model.config.n_layer);
    return r ? habitsFigure(r) : note(ui('ch4.habits.short'));
  });
  figure(main, mounts['softmax-example'], 'softmaxExample', [], () => softmaxExample());
  definePredict(main, mounts.predict, attentionQuestion);
  defineIntervention(main, mounts['switch-off'], 'switchOff', 'head');
  return main;
}
