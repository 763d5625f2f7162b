/**
 * Content wider than a phone (a display equation, a live cell's wide table, a .table-scroll) scrolls
 * sideways inside its own box, never the page. While such a box overflows it is also a named
 * region (an equation: a group) that takes focus, so the keyboard can scroll it too (WCAG 2.1.1;
 * axe's scrollable-region-focusable); when it fits again it stops being a tab stop. Its name is
 * the figure's or the table's caption, or "Equation (scrolls sideways)". A display equation only
 * a little too wide is first set smaller so that it fits (fitEquation).
 */
import { t } from '../strings.ts';

const SELECTOR = '.katex-display, .cell > .mount, .table-scroll';
let uid = 0;

/** The id of the element that names `box`, giving it one if it has none. */
function labelId(box: HTMLElement): string | null {
  const named = box.closest('figure[aria-labelledby]')?.getAttribute('aria-labelledby') ?? null;
  if (named) return named;
  const caption = box.querySelector('caption');
  if (!caption) return null;
  caption.id ||= `scroll-caption-${++uid}`;
  return caption.id;
}

/** The smallest an equation is set to fit its column (of its size); wider than that, it scrolls. */
const MIN_EQUATION_SCALE = 0.75;

/**
 * A display equation a little wider than its column is set smaller to fit (down to 75 %), so a
 * number at its end is not cut; one wider still scrolls, with a shadow at the edge it continues past.
 */
function fitEquation(box: HTMLElement): void {
  box.style.fontSize = '';
  delete box.dataset.fit;
  const ratio = box.clientWidth / box.scrollWidth;
  if (ratio >= 1 || box.clientWidth === 0) return;
  const scale = Math.max(MIN_EQUATION_SCALE, Math.floor(ratio * 100) / 100);
  box.style.fontSize = `${scale}em`;
  box.dataset.fit = String(scale);
}

function update(box: HTMLElement): void {
  if (box.classList.contains('katex-display')) fitEquation(box);
  const overflows = box.scrollWidth > box.clientWidth + 1;
  const marked = box.dataset.scrollRegion !== undefined;
  if (overflows === marked) return;
  if (overflows) {
    box.tabIndex = 0;
    // An equation is a group, not a region: a page has many, and landmarks need unique names.
    const equation = box.classList.contains('katex-display');
    const id = equation ? null : labelId(box);
    box.dataset.scrollRegion = box.hasAttribute('role') ? 'own-role' : 'role';
    if (!box.hasAttribute('role')) box.setAttribute('role', id ? 'region' : 'group');
    if (id) box.setAttribute('aria-labelledby', id);
    else if (equation) box.setAttribute('aria-label', t('scroll.equation'));
  } else {
    if (box.dataset.scrollRegion === 'role') box.removeAttribute('role');
    delete box.dataset.scrollRegion;
    box.removeAttribute('tabindex');
    box.removeAttribute('aria-labelledby');
    box.removeAttribute('aria-label');
  }
}

let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    for (const box of document.querySelectorAll<HTMLElement>(SELECTOR)) update(box);
  });
}

const main = document.querySelector('main');
if (main) {
  // Cells redraw their content; the window turns or resizes.
  new MutationObserver(schedule).observe(main, { childList: true, subtree: true });
  new ResizeObserver(schedule).observe(main);
  main.addEventListener('toggle', schedule, true); // a <details> opened or closed
  schedule();
}
