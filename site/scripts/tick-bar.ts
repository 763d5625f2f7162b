/**
 * The chapter's compact tick bar (site/components/TickBar.astro): shown while the chapter's own
 * controls are out of view, so Next token and Play are always at hand beside the figures. It
 * presses the notebook's own buttons and mirrors their state from the controls' data-ticks,
 * data-clock and data-newest (notebooks/cells.ts), and data-intervention: the marker of a part
 * of the model removed from a tick on. Also the single-key shortcuts outside
 * presenter mode: N runs the next tick (never while typing in a field); the Keys button turns
 * every single-key shortcut off and on (kept in this browser: keysEnabled).
 */
import { t } from '../strings.ts';
import { keysEnabled, setKeysEnabled, typing } from './keys.ts';

const bar = document.querySelector<HTMLElement>('[data-tick-bar]');
const form = document.querySelector<HTMLFormElement>('form[data-cell="controls"]');

/** The token as one visible line: newlines and tabs as symbols. */
const visible = (s: string) => s.replace(/\n/g, '↵').replace(/\t/g, '⇥');

if (bar && form) {
  const button = (name: string) => form.querySelector<HTMLButtonElement>(`[name="${name}"]`);
  const state = bar.querySelector<HTMLElement>('[data-tick-state]')!;
  const play = bar.querySelector<HTMLButtonElement>('[data-press="play"]')!;
  const next = bar.querySelector<HTMLButtonElement>('[data-press="next-token"]')!;
  const keys = bar.querySelector<HTMLButtonElement>('[data-keys]')!;
  const marker = bar.querySelector<HTMLElement>('[data-tick-iv]');

  const sync = () => {
    const n = Number(form.dataset.ticks ?? 0);
    const newest = form.dataset.newest ?? '';
    state.textContent = n === 0 ? t('tickbar.none') : t(n === 1 ? 'tickbar.ticks.one' : 'tickbar.ticks.other', { n, token: visible(newest) });
    const playing = form.dataset.clock === 'playing';
    play.textContent = t(playing ? 'tickbar.pause' : 'tickbar.play');
    next.disabled = button('next-token')?.disabled ?? false;
    keys.setAttribute('aria-pressed', String(keysEnabled()));
    if (marker) {
      marker.textContent = form.dataset.intervention ?? ''; // a part of the model removed (notebooks/intervene.ts)
      marker.hidden = !marker.textContent;
    }
  };
  new MutationObserver(sync).observe(form, { attributes: true, attributeFilter: ['data-ticks', 'data-clock', 'data-newest', 'data-intervention'] });
  sync();

  bar.addEventListener('click', (e) => {
    const b = (e.target as Element).closest<HTMLElement>('button, a');
    if (!b) return;
    if (b.dataset.press) button(b.dataset.press)?.click();
    else if (b.matches('[data-keys]')) {
      setKeysEnabled(!keysEnabled());
      sync();
    } else if (b.matches('[data-to-controls]')) {
      e.preventDefault();
      form.scrollIntoView({ block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
      form.querySelector<HTMLElement>('[name="next-token"]')?.focus({ preventScroll: true });
    }
  });

  // Shown while the controls are out of view; the page gets room at its end so the bar covers nothing for good.
  new IntersectionObserver(([entry]) => {
    const show = !entry.isIntersecting;
    bar.hidden = !show;
    document.body.classList.toggle('has-tick-bar', show); // room at the end (CSS): no layout read here
  }).observe(form);

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || e.isComposing || !keysEnabled()) return;
    if (document.documentElement.classList.contains('presenting')) return; // presenter mode has its own N
    if (typing(e.target instanceof Element ? e.target : null)) return;
    if (e.key.toLowerCase() === 'n') {
      e.preventDefault();
      button('next-token')?.click();
    }
  });
}
