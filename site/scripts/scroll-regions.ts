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
 * On a wide screen, a display equation a little wider than its column is set smaller to fit (down
 * to 75 %), so a number at its end is not cut; one wider still scrolls, with a shadow at the edge it continues past.
 * Its width at full size is its width now divided by the scale it is set at: no reset and re-measure.
 */
// Only on a wide screen: on a phone a 75 % equation is too small to read, and setting equations
// smaller as a page loads lays the page out again and again (Lighthouse's mobile run: total
// blocking time 20-70 ms without it, 180-390 ms with it); there a wide one scrolls, with its cue.
const wide = matchMedia('(min-width: 40rem)');

function fitScale(box: HTMLElement): number {
  if (!wide.matches) return 1;
  const now = Number(box.dataset.fit ?? 1);
  const natural = box.scrollWidth / now;
  if (box.clientWidth === 0 || natural <= box.clientWidth + 1) return 1;
  return Math.max(MIN_EQUATION_SCALE, Math.floor((box.clientWidth / natural) * 100) / 100);
}

function setScale(box: HTMLElement, scale: number, width: number): void {
  if (scale !== 1) box.dataset.fitWidth = String(width); // the column width it was fitted to
  if (String(scale) === (box.dataset.fit ?? '1')) return;
  box.style.fontSize = scale === 1 ? '' : `${scale}em`;
  if (scale === 1) {
    delete box.dataset.fit;
    delete box.dataset.fitWidth;
  } else box.dataset.fit = String(scale);
}

function update(box: HTMLElement, overflows: boolean): void {
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

/**
 * Every box at once, reads before writes: the equations' scales from one layout, then whether each
 * box overflows from a second (a read after each write would lay the page out once per box, and
 * this runs after every redraw of a cell).
 */
function updateAll(): void {
  // A box in a part of the chapter the browser is skipping (content-visibility: auto, far from
  // the window: a figure, in ChapterPage.astro) keeps its state: measuring it would lay that part
  // out after all. It is measured when its part comes near (contentvisibilityautostatechange).
  const boxes = [...document.querySelectorAll<HTMLElement>(SELECTOR)].filter((b) => !b.checkVisibility || b.checkVisibility({ contentVisibilityAuto: true }));
  const equations = boxes.filter((b) => b.classList.contains('katex-display'));
  // A set-down equation whose column grew may fit larger: it alone is measured again at full size
  // (only then: after every redraw it would cost two more layouts of the page).
  const widths = equations.map((b) => b.clientWidth);
  const again = equations.filter((b, i) => b.dataset.fit !== undefined && String(widths[i]) !== b.dataset.fitWidth && b.scrollWidth <= widths[i] + 1);
  const scales = equations.map((b) => (again.includes(b) ? 1 : fitScale(b)));
  equations.forEach((b, i) => setScale(b, scales[i], widths[i]));
  const rescaled = again.map(fitScale);
  again.forEach((b, i) => setScale(b, rescaled[i], b.clientWidth));
  const overflows = boxes.map((b) => b.scrollWidth > b.clientWidth + 1);
  boxes.forEach((b, i) => update(b, overflows[i]));
}

// Measuring lays the page out, and cells redraw in bursts (a tick redraws several; a page's cells
// start one after another as it loads): one measurement per burst, 150 ms after its first change.
let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  setTimeout(() => requestAnimationFrame(() => {
    pending = false;
    updateAll();
  }), 150);
}

const main = document.querySelector('main');
if (main) {
  // Cells redraw their content; the window turns or resizes.
  new MutationObserver(schedule).observe(main, { childList: true, subtree: true });
  new ResizeObserver(schedule).observe(main);
  main.addEventListener('toggle', schedule, true); // a <details> opened or closed
  main.addEventListener('contentvisibilityautostatechange', schedule, true); // a part came near the window, or left it
  schedule();
}
