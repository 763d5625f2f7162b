/**
 * The chapter's "you are here" map (site/components/TickMap.astro): its live line says the latest
 * tick, its phase and the token it appended, and how many blocks the loaded model repeats the
 * attention and MLP stages through. It reads them from the chapter's controls (data-ticks,
 * data-phase, data-newest, data-layers: notebooks/cells.ts), as the tick bar does.
 */
import { t } from '../strings.ts';

const map = document.querySelector<HTMLElement>('[data-tick-map]');
const form = document.querySelector<HTMLFormElement>('form[data-cell="controls"]');

/** The token as one visible line: newlines and tabs as symbols. */
const visible = (s: string) => s.replace(/\n/g, '↵').replace(/\t/g, '⇥');

if (map && form) {
  const live = map.querySelector<HTMLElement>('[data-tick-map-live]')!;
  const blocks = map.querySelector<HTMLElement>('[data-tick-map-blocks]')!;
  const sync = () => {
    const n = Number(form.dataset.ticks ?? 0);
    const phase = form.dataset.phase === 'prefill' ? t('tickmap.prefill') : t('tickmap.decode');
    live.textContent = n === 0 ? t('tickmap.none') : t('tickmap.tick', { index: n - 1, phase, token: visible(form.dataset.newest ?? '') });
    const layers = Number(form.dataset.layers ?? 0);
    blocks.hidden = layers <= 0;
    if (layers > 0) blocks.textContent = t(layers === 1 ? 'tickmap.blocks.one' : 'tickmap.blocks.other', { n: layers });
  };
  new MutationObserver(sync).observe(form, { attributes: true, attributeFilter: ['data-ticks', 'data-phase', 'data-newest', 'data-layers'] });
  sync();
}
