/**
 * Chapter 9's class race on the page: "Make my result" times one recompute of the latest text in
 * the engine and writes this device's line (race.ts), with a Copy button; the class's lines,
 * pasted into the text box, are read back (refused lines listed with their reasons) and drawn
 * side by side as a table with a bar per device. Built once: the chapter's cells hand it the
 * latest run (update), so a tick never clears what the reader typed or pasted.
 */
import { h, table } from '../../../components/dom.ts';
import { formatDecimal, formatInteger } from '../../../components/format.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import type { ClockState } from '../../clock.ts';
import { formatRace, parseRaceLines, raceSummary, raceTimes, type RaceResult } from './race.ts';
import { ui } from './strings.ts';

export interface RaceView {
  root: HTMLElement;
  update(state: ClockState, model: ModelInfo, engine: Engine): void;
}

let views = 0;

export function raceView(): RaceView {
  const id = `race-${++views}`;
  let latest: { state: ClockState; model: ModelInfo; engine: Engine } | null = null;
  const name = h('input', { id: `${id}-name`, name: 'race-name', type: 'text', maxlength: 40, autocomplete: 'off' }) as HTMLInputElement;
  const make = h('button', { type: 'button', name: 'race-make', disabled: true }, ui('ch9.race.make'));
  const line = h('output', { class: 'race-line', 'data-role': 'race-line', translate: 'no' });
  const copy = h('button', { type: 'button', name: 'race-copy', hidden: true }, ui('ch9.race.copy'));
  const status = h('p', { class: 'race-status', 'aria-live': 'polite' }, ui('ch9.race.needTicks'));
  const paste = h('textarea', { id: `${id}-paste`, name: 'race-paste', rows: 5, spellcheck: 'false', 'aria-describedby': `${id}-paste-hint` }) as HTMLTextAreaElement;
  const board = h('div', { class: 'race-board', 'data-role': 'race-board' });

  make.addEventListener('click', async () => {
    if (!latest) return;
    const { state, model, engine } = latest;
    const times = raceTimes(state.ticks);
    if (!times) return;
    make.disabled = true;
    status.textContent = ui('ch9.race.measuring');
    try {
      const re = await engine.request({ type: 'recompute' });
      const r: RaceResult = {
        model: model.label.replace(/[^\w.\-/:+]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'model',
        backend: model.backend.name,
        decode: times.decode,
        prefill: times.prefill,
        recompute: re.ms / times.decodeMs,
        context: re.positions,
        name: name.value,
      };
      const text = formatRace(r);
      line.textContent = text;
      copy.hidden = false;
      status.textContent = ui('ch9.race.made', { context: formatInteger(re.positions), times: formatDecimal(r.recompute, 1) });
      if (!paste.value.split(/\r?\n/).includes(text)) paste.value = paste.value.trim() ? `${paste.value.trimEnd()}\n${text}` : text;
      drawBoard();
    } catch (e) {
      status.textContent = ui('ch9.race.failed', { error: (e as Error).message });
    } finally {
      make.disabled = !latest || !raceTimes(latest.state.ticks);
    }
  });

  copy.addEventListener('click', async () => {
    const text = line.textContent ?? '';
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = ui('ch9.race.copied');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(line);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      status.textContent = ui('ch9.race.copyFailed');
    }
  });

  /** The class's lines as a table (a bar per device's decode speed) and a sentence; refused lines listed. */
  function drawBoard() {
    const { results, refused } = parseRaceLines(paste.value);
    const parts: Node[] = [];
    const s = raceSummary(results);
    if (s) {
      parts.push(h('p', { 'data-role': 'race-summary' }, ui(s.devices === 1 ? 'ch9.race.summary.one' : 'ch9.race.summary', {
        devices: s.devices, slowest: formatDecimal(s.slowest, 1), fastest: formatDecimal(s.fastest, 1), median: formatDecimal(s.median, 1),
        spread: formatDecimal(s.spread, 1), recompute: formatDecimal(s.minRecompute, 1),
      })));
      const sorted = [...results].sort((a, b) => b.decode - a.decode);
      const bar = (r: RaceResult) => h('span', { class: 'race-bar' }, h('span', { class: 'race-fill', style: `width: ${((100 * r.decode) / s.fastest).toFixed(1)}%` }), ` ${formatDecimal(r.decode, 1)}`);
      parts.push(table(ui('ch9.race.caption', { devices: s.devices }),
        [ui('ch9.race.col.device'), ui('ch9.race.col.model'), ui('ch9.race.col.decode'), ui('ch9.race.col.prefill'), ui('ch9.race.col.recompute')],
        sorted.map((r, i) => [r.name || ui('ch9.race.unnamed', { n: i + 1 }), `${r.model} · ${r.backend}`, bar(r), formatDecimal(r.prefill, 0), ui('ch9.race.times', { times: formatDecimal(r.recompute, 1), context: formatInteger(r.context) })]),
        { model: { columns: [0, 1] } }));
    }
    if (refused.length) {
      parts.push(h('p', {}, ui('ch9.race.refused')),
        h('ul', { 'data-role': 'race-refused' }, ...refused.map((r) => h('li', {}, ui('ch9.race.refusedLine', { line: r.line, why: ui(`ch9.race.why.${r.refused}`), field: r.field ?? '' }), h('code', { translate: 'no' }, r.text)))));
    }
    board.replaceChildren(...parts);
  }
  paste.addEventListener('input', drawBoard);

  const root = h('div', { class: 'race' },
    h('div', { class: 'field' }, h('label', { for: `${id}-name` }, ui('ch9.race.name')), name),
    h('div', { class: 'actions' }, make, copy),
    status,
    h('p', {}, line),
    h('div', { class: 'field' }, h('label', { for: `${id}-paste` }, ui('ch9.race.paste')), h('p', { class: 'hint', id: `${id}-paste-hint` }, ui('ch9.race.pasteHint')), paste),
    board);
  return {
    root,
    update(state, model, engine) {
      latest = { state, model, engine };
      const ready = raceTimes(state.ticks) !== null;
      if (!make.textContent || status.textContent === ui('ch9.race.needTicks') || status.textContent === ui('ch9.race.ready')) status.textContent = ui(ready ? 'ch9.race.ready' : 'ch9.race.needTicks');
      make.disabled = !ready || state.busy || state.playing;
    },
  };
}
