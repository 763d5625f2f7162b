/** The appendix's figure: the latest ticks as `for await (const tick of session.run(…))` sees them. */
import { table } from '../../../components/dom.ts';
import { formatInteger } from '../../../components/format.ts';
import { visibleText } from '../../../components/text.ts';
import type { TickSummary } from '../../../engine/protocol.ts';
import { ui } from './strings.ts';

/** One row per tick (the latest 12 of them); `total` ticks so far. */
export function loop(ticks: TickSummary[], total: number): HTMLTableElement {
  // The loop's own names (fields of a tick, and tick.kind's values) stay as the code has them.
  const el = table(ui('ch11.caption', { n: ticks.length, total }),
    ['tick.index', 'tick.kind', ui('ch11.fed'), 'tick.id', 'tick.text'],
    ticks.map((t) => [formatInteger(t.index), t.kind, formatInteger(t.fed), formatInteger(t.id), visibleText(t.piece.text)]),
    { model: { columns: [1, 4] } });
  el.setAttribute('class', 'loop-ticks');
  el.dataset.ticks = String(total);
  return el;
}
