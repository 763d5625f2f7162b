/**
 * Two models, one prompt, drawn: the button (or the choice of stored models) that starts a second
 * engine, and once it runs, the latest tick of both models side by side (their most likely tokens
 * on one scale), the two texts, and a table with every tick of both. Built from compare.ts's state;
 * the second engine is created only when the reader asks and ended when they close it.
 */
import { ProbabilityBars } from '../../../components/probability-bars.ts';
import { table } from '../../../components/dom.ts';
import { formatInteger, formatMs, formatProb } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import { chartWithTable, h, note } from '../../dom.ts';
import { describeProgress } from '../../load-progress.ts';
import { modelText, stringNodes } from '../../model-text.ts';
import { TIMELINE_ROWS } from '../../cells.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import type { Clock, ClockState } from '../../clock.ts';
import { compareRows, CompareRun, generatedTexts, type CompareOption, type CompareRow, type CompareState, type Latest, type SecondEngines, type SideTick } from './compare.ts';
import { ui } from './strings.ts';

/** Bars each model shows for the latest tick. */
export const COMPARE_LATEST_BARS = 8;

const side = (s: SideTick) => `“${visibleText(s.text)}” ${formatProb(s.prob)}`;

/**
 * The tick table: for each tick (the latest TIMELINE_ROWS) a group of two rows, one per model: the
 * chosen token and its probability, its most likely tokens and the tick's time in its engine.
 * Model text is marked translate="no".
 */
export function compareTable(rows: CompareRow[], labels: { a: string; b: string }, top: number): HTMLTableElement {
  const shown = rows.slice(-TIMELINE_ROWS);
  const caption = ui('ch6.compare.tableCaption', { top }) + (shown.length < rows.length ? ui('ch6.compare.tableLatest', { n: shown.length }) : '');
  const dash = ui('ch6.compare.dash');
  const cells = (s: SideTick | null) => (s
    ? [h('td', { translate: 'no' }, side(s)), h('td', { translate: 'no' }, ...s.top.flatMap((c, i) => [i ? h('br') : null, `“${visibleText(c.text)}” ${formatProb(c.prob)}`])), h('td', {}, formatMs(s.ms))]
    : [h('td', {}, dash), h('td', {}, dash), h('td', {}, dash)]);
  const heads = [ui('ch6.compare.tick'), ui('ch6.compare.model'), ui('ch6.compare.chosenHead'), ui('ch6.compare.topHead'), ui('ch6.compare.time')];
  return h('table', { class: 'compare-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...heads.map((x) => h('th', { scope: 'col' }, x)))),
    // What each tick shows, as data on its group, so a reader's tools (and the tests) can check it.
    ...shown.map((r) => h('tbody', { class: r.same ? 'same' : null, 'data-tick': r.index, 'data-a': JSON.stringify(r.a), 'data-b': r.b ? JSON.stringify(r.b) : null },
      h('tr', {}, h('th', { scope: 'rowgroup', rowspan: 2 }, formatInteger(r.index)), h('td', { translate: 'no' }, labels.a), ...cells(r.a)),
      h('tr', {}, h('td', { translate: 'no' }, labels.b), ...cells(r.b)))));
}

/** One model's latest tick as bars (its most likely tokens, the chosen one marked), with a heading in words. */
function latestPanel(t: TickSummary | undefined, label: string, width: number, maxProb: number): HTMLElement {
  if (!t) return h('figure', { class: 'compare-panel', style: 'margin:0' }, h('figcaption', {}, ...stringNodes(ui, 'ch6.compare.pending', { model: modelText(label) })));
  const cands = t.sample.candidates.slice(0, COMPARE_LATEST_BARS);
  const chosen = t.sample.chosen;
  const token = visibleText(t.piece.text);
  const p = formatProb(chosen.prob);
  return h('figure', { class: 'compare-panel', style: 'margin:0', 'data-tick': t.index },
    h('figcaption', {}, ...stringNodes(ui, 'ch6.compare.side', { model: modelText(label), token: modelText(token), p, ms: formatMs(t.ms.total) })),
    ProbabilityBars({ candidates: cands.map((c) => ({ id: c.id, text: c.text, prob: c.prob, kept: c.kept })), chosen: t.id },
      { width, maxProb, label: ui('ch6.compare.barsLabel', { model: label, index: t.index, n: cands.length, token, p }) }));
}

/** The latest tick of both models side by side (stacked when narrow), on one scale, with a table of both. */
export function compareLatest(a: TickSummary, b: TickSummary | undefined, labels: { a: string; b: string }, width: number): HTMLElement {
  const gap = 16;
  const wide = width >= 600;
  const w = wide ? Math.floor((width - gap) / 2) : width;
  const ca = a.sample.candidates.slice(0, COMPARE_LATEST_BARS);
  const cb = b?.sample.candidates.slice(0, COMPARE_LATEST_BARS) ?? [];
  const maxProb = Math.max(0, ...ca.map((c) => c.prob), ...cb.map((c) => c.prob));
  const row = h('div', { class: 'compare-latest', style: `display:grid;gap:${gap}px;grid-template-columns:${wide ? '1fr 1fr' : '1fr'}` },
    latestPanel(a, labels.a, w, maxProb), latestPanel(b, labels.b, w, maxProb));
  const dash = ui('ch6.compare.dash');
  const rows = Array.from({ length: Math.max(ca.length, cb.length) }, (_, i) => [
    formatInteger(i + 1),
    ca[i] ? visibleText(ca[i].text) : dash, ca[i] ? formatProb(ca[i].prob) : dash,
    cb[i] ? visibleText(cb[i].text) : dash, cb[i] ? formatProb(cb[i].prob) : dash,
  ]);
  const tbl = table(ui('ch6.compare.barsCaption', { index: a.index }),
    [ui('ch6.compare.rank'), ui('ch6.compare.token', { model: labels.a }), ui('ch6.compare.prob', { model: labels.a }), ui('ch6.compare.token', { model: labels.b }), ui('ch6.compare.prob', { model: labels.b })],
    rows, { model: { columns: [1, 3] } });
  return chartWithTable(row, tbl);
}

/** Everything the comparison shows once the second engine runs: status, latest tick, texts, table. */
export function compareBody(page: ClockState, s: CompareState, pageLabel: string, width: number): HTMLElement {
  const labels = { a: pageLabel, b: s.info?.label ?? s.option.label };
  const out = h('div', { class: 'compare-body', 'data-phase': s.phase, 'data-ticks': s.ticks.length, 'data-page-ticks': page.ticks.length });
  if (s.phase === 'loading') {
    out.append(note(ui('ch6.compare.loading', { model: labels.b }) + (s.progress ? ` ${describeProgress(s.progress)}` : '')));
    return out;
  }
  if (s.phase === 'failed') {
    out.append(note(ui('ch6.compare.failed', { model: labels.b, error: (s.error ?? '').replace(/\.$/, '') })));
    return out;
  }
  if (page.ticks.length === 0) {
    out.append(h('p', { class: 'cell-note' }, ...stringNodes(ui, 'ch6.compare.ready', { a: modelText(labels.a), b: modelText(labels.b) })));
    return out;
  }
  const rows = compareRows(page.ticks, s.ticks);
  const done = rows.filter((r) => r.same !== null);
  const latest = page.ticks.at(-1)!;
  const other = s.ticks[page.ticks.length - 1];
  out.append(h('p', { class: 'cell-caption' }, ui('ch6.compare.same', { n: done.length, same: done.filter((r) => r.same).length }) +
    (done.length < rows.length ? ` ${ui('ch6.compare.waiting', { index: rows[done.length].index, model: labels.b })}` : '')));
  out.append(compareLatest(latest, other?.index === latest.index ? other : undefined, labels, width));
  const texts = generatedTexts(page.ticks, s.ticks);
  out.append(h('div', { class: 'compare-texts' },
    h('p', {}, ...stringNodes(ui, 'ch6.compare.wrote', { model: modelText(labels.a) })),
    h('p', { class: 'branch-text', translate: 'no', 'data-side': 'a' }, page.prompt, h('strong', {}, texts.a)),
    h('p', {}, ...stringNodes(ui, 'ch6.compare.wrote', { model: modelText(labels.b) })),
    h('p', { class: 'branch-text', translate: 'no', 'data-side': 'b' }, page.prompt, h('strong', {}, texts.b))));
  out.append(compareTable(rows, labels, rows[0].a.top.length));
  return out;
}

/** What the comparison cell needs from its page. */
export interface CompareContext {
  options: CompareOption[]; // the models a reader can run beside the page's (compare.ts compareOptions)
  pageLabel: string; // the page's model
  modelsHref: string; // the Models page
  clock: Latest<Clock>; // the page's clock, as it is replaced
  engines: SecondEngines;
  width: () => number;
  invalidation: Promise<void>;
}

/**
 * The comparison cell. Without a second model: a plain notice linking to the Models page (no
 * download ever starts here). With one or more: a choice of model and a button; pressing it starts
 * the second engine, and Close (or leaving the page) ends it.
 */
export function compareFigure(ctx: CompareContext): HTMLElement {
  const root = h('div', { class: 'compare' });
  if (ctx.options.length === 0) {
    const link = h('a', { href: ctx.modelsHref }, ui('ch6.compare.modelsPage'));
    root.dataset.state = 'none';
    root.append(h('p', { class: 'cell-note' }, ...stringNodes(ui, 'ch6.compare.none', { models: link, model: modelText(ctx.pageLabel) })));
    return root;
  }
  const status = h('p', { class: 'compare-status', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'compare-out' });
  const select = h('select', { id: 'ch6-compare-model', name: 'compare-model' },
    ...ctx.options.map((o, i) => h('option', { value: i, translate: 'no' }, o.label)));
  const start = h('button', { type: 'button', name: 'compare', class: 'primary' });
  const close = h('button', { type: 'button', name: 'compare-close', hidden: true }, ui('ch6.compare.close'));
  const pick = h('div', { class: 'fork-row compare-row' },
    ...(ctx.options.length > 1 ? [h('label', { for: 'ch6-compare-model' }, ui('ch6.compare.pick')), select] : []), start, close);
  const chosen = () => ctx.options[Number(select.value) || 0];
  const label = () => (start.textContent = ui('ch6.compare.start', { model: chosen().label }));
  label();
  select.addEventListener('change', label);
  root.append(h('p', { class: 'cell-note' }, ...stringNodes(ui, 'ch6.compare.intro', { model: modelText(ctx.pageLabel) })), pick, status, body);
  root.dataset.state = 'idle';

  let run: CompareRun | null = null;
  let stop: (() => void)[] = [];
  let page: ClockState | null = null;
  let frame = 0;
  const draw = () => {
    frame = 0;
    if (!run || !page) return;
    body.replaceChildren(compareBody(page, run.current, ctx.pageLabel, ctx.width()));
  };
  const redraw = () => {
    // At most once a frame: a Play of both models changes the state often.
    if (!frame) frame = (globalThis.requestAnimationFrame ?? ((f: () => void) => setTimeout(f, 0)))(draw) as unknown as number || 1;
  };
  let phase = '';
  const end = () => {
    for (const f of stop) f();
    stop = [];
    run?.dispose();
    run = null;
  };
  start.addEventListener('click', () => {
    end();
    run = new CompareRun(chosen(), ctx.engines);
    const r = run;
    stop.push(ctx.clock.subscribe((c) => r.follow(c)));
    stop.push(r.subscribe((s) => {
      if (s.phase !== phase) {
        phase = s.phase;
        root.dataset.state = s.phase;
        const model = s.info?.label ?? s.option.label;
        status.textContent = s.phase === 'loading' ? ui('ch6.compare.loading', { model }) : s.phase === 'failed' ? ui('ch6.compare.failed', { model, error: (s.error ?? '').replace(/\.$/, '') }) : '';
      }
      redraw();
    }));
    const follow = (c: Clock | null) => {
      if (!c) return;
      stop.push(c.subscribe((s) => {
        page = s;
        redraw();
      }));
    };
    stop.push(ctx.clock.subscribe(follow));
    start.hidden = true;
    select.disabled = true;
    close.hidden = false;
    close.focus();
  });
  close.addEventListener('click', () => {
    end();
    phase = '';
    body.replaceChildren();
    status.textContent = ui('ch6.compare.closed');
    root.dataset.state = 'closed';
    start.hidden = false;
    select.disabled = false;
    close.hidden = true;
    start.focus();
  });
  // Leaving the page ends the second engine; a new width (a phone turned) redraws at that width.
  const onLeave = () => end();
  globalThis.addEventListener?.('pagehide', onLeave);
  globalThis.addEventListener?.('resize', redraw);
  void ctx.invalidation.then(() => {
    globalThis.removeEventListener?.('pagehide', onLeave);
    globalThis.removeEventListener?.('resize', redraw);
    end();
  });
  return root;
}
