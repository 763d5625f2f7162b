/**
 * Presenter mode for a chapter: the same page, its notebook still running, shown one idea per
 * screen in large type for a projector. The article's blocks are cut into slides
 * (site/scripts/slides.ts); the blocks of other slides are hidden (display: none), so a cell on
 * the slide shown comes into the viewport and starts as it would when scrolled to (the notebook's
 * nearViewport). The chapter's controls are the exception: off their slide they are parked, one
 * pixel in the corner, inert, so the clock they start is running on every slide, and the bar's
 * Next token, Play and Reset (site/components/Presenter.astro) press the notebook's own buttons.
 *
 * Nothing of the notebook is touched or reloaded: entering and leaving keep the prompt, the
 * ticks and every chart. The slide is kept in the URL's hash (#slide-3), so a reload (or a
 * shared link) opens presenter mode on that slide.
 *
 * Keys (never taken from a field the reader types in, nor from a chart or radio that uses them):
 * P enters; → Space PageDown next; ← Shift+Space PageUp back; Home End; N runs the next tick;
 * Escape or P leaves. N and P are single-key shortcuts the reader can turn off (keys.ts).
 */
import { keysEnabled, typing } from './keys.ts';
import { t } from './present.strings.ts';
import { planSlides, textWeight, type BlockKind } from './slides.ts';

const HASH = /^#slide-(\d+)$/;
/** The smallest zoom a slide is shown at to fit the screen (a taller one scrolls). */
const MIN_ZOOM = 0.6;
/** The largest zoom: type this large reads from the back of a room. */
const MAX_ZOOM = 2.4;
/**
 * Widths, in columns, that a wide figure (data-present-wide: chapter 1's whole tick) is tried at
 * on its slide. Wider, its stages sit side by side, so the slide is shorter and zooms larger.
 */
const WIDE_STEPS = [1, 1.25, 1.5, 1.75, 2];
/** From this width on, a wide figure lays out for it (the class present-widened). */
const WIDENED = 1.4;
const root = document.documentElement;

/** A block's kind, for cutting (slides.ts). */
function kindOf(el: Element): BlockKind {
  if (el.matches('.kicker, h1')) return 'title';
  if (el.matches('h2, h3')) return 'heading';
  if (el.matches('form.pick, div[data-cell]')) return 'widget';
  if (el.matches('figure, form, pre, table, details, img, video, .cell')) return 'figure';
  return 'prose';
}

/** How much prose a block holds (formulas count as a line or two; their MathML copy not at all). */
function weightOf(el: Element): number {
  if (el.matches('.katex-display')) return 200;
  let text = '';
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest('.katex-mathml')) text += n.nodeValue ?? '';
  return textWeight(text);
}


/** Whether `el` is the page itself or text, not a control: every presenter key may act there. */
function plain(el: Element | null): boolean {
  if (!el || el === document.body || el === root || el.matches('main, article, [data-present-focus]')) return true;
  return !el.matches('a[href], button, input, select, textarea, summary, [tabindex], [role="button"], [contenteditable], svg *');
}

/** Presenter mode over the page's article, its bar and its live region. */
function start(article: HTMLElement, bar: HTMLElement, live: HTMLElement): void {
  const blocks = [...article.children].filter((el): el is HTMLElement => el instanceof HTMLElement && !el.matches('script, style, [data-present-skip]'));
  let plan: number[] | null = null; // each block's slide, cut on first use
  let total = 1;
  let titles: string[] = []; // each slide's section title
  let current = 0;
  let presenting = false;

  const controls = document.querySelector<HTMLFormElement>('[data-cell="controls"]');
  const parks = (b: HTMLElement) => controls !== null && b.contains(controls);
  // Off its slide a block is hidden; the controls are parked (see the file's header); the chapter's
  // title stays for assistive technology only, so every slide keeps the page's one h1.
  const offClass = (b: HTMLElement) => (parks(b) ? 'present-parked' : b.matches('h1') ? 'present-kept' : 'present-off');
  const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)');

  const cut = (): number[] => {
    if (plan) return plan;
    plan = planSlides(blocks.map((b) => {
      const kind = kindOf(b);
      return { kind, weight: kind === 'prose' ? weightOf(b) : 0 };
    }));
    total = (plan.at(-1) ?? 0) + 1;
    titles = [];
    let title = article.querySelector('h1')?.textContent?.trim() ?? document.title;
    blocks.forEach((b, i) => {
      if (b.matches('h2, h3')) title = b.textContent?.trim() ?? title;
      b.dataset.slide = String(plan![i] + 1);
      titles[plan![i]] ??= title;
    });
    return plan;
  };

  const el = <T extends HTMLElement>(sel: string) => bar.querySelector<T>(sel);
  const count = el('[data-present-count]');
  const countLabel = el('[data-present-count-label]');
  const prevButton = el<HTMLButtonElement>('[data-present-prev]');
  const nextButton = el<HTMLButtonElement>('[data-present-next]');
  const tickCount = el('[data-present-ticks]');

  const announce = (text: string) => {
    live.textContent = text;
  };

  /** The slide as a URL: this page, its query (the run), and #slide-k. */
  const writeHash = (k: number | null) => {
    const u = new URL(location.href);
    u.hash = k === null ? '' : `slide-${k + 1}`;
    if (u.href !== location.href) history.replaceState(history.state, '', u.href);
  };

  const slideFromHash = (): number | null => {
    const m = HASH.exec(location.hash);
    return m ? Number(m[1]) - 1 : null;
  };

  /** Move focus to the start of the shown slide (a block that is not a control takes focus for this, then gives it back). */
  const focusSlide = () => {
    const first = blocks.find((_, i) => plan![i] === current);
    if (!first) return;
    if (!first.hasAttribute('tabindex')) {
      first.setAttribute('tabindex', '-1');
      first.dataset.presentFocus = '';
      first.addEventListener('blur', () => {
        first.removeAttribute('tabindex');
        delete first.dataset.presentFocus;
      }, { once: true });
    }
    first.focus({ preventScroll: true });
  };

  /**
   * Large type: the whole article scaled to the screen (charts, equations and inputs with the
   * prose), then, slide by slide, down so far as the slide fits above the bar (a tall figure is
   * shown smaller, not cut off). The article keeps its width in its own pixels, so nothing redraws.
   */
  let baseZoom = 1;
  const zoomNow = () => Number(root.style.getPropertyValue('--present-zoom')) || 1;
  const setZoom = (z: number) => {
    if (Math.abs(z - zoomNow()) >= 0.005) root.style.setProperty('--present-zoom', z.toFixed(3));
  };
  /** The column's width in the article's own pixels (main's content width), and how wide the window lets it be drawn. */
  const columnRoom = () => {
    const rem = parseFloat(getComputedStyle(root).fontSize) || 16;
    return { rem, column: ((parseFloat(getComputedStyle(root).getPropertyValue('--measure')) || 42) - 2.5) * rem, across: innerWidth - 3 * rem };
  };
  const fit = () => {
    const { rem, column, across } = columnRoom();
    const room = innerHeight - bar.offsetHeight;
    baseZoom = Math.min(MAX_ZOOM, Math.max(1, Math.min(across / column, room / (28 * rem))));
    setZoom(baseZoom);
    fitSlide();
  };
  const setWide = (on: HTMLElement[], f: number) => {
    root.style.setProperty('--present-wide', String(f));
    for (const b of on) b.classList.toggle('present-widened', f >= WIDENED);
  };
  /**
   * A slide with a wide figure: the width (of WIDE_STEPS) at which the slide, fitted to the
   * screen's height and width, is shown largest. Layout-independent of the zoom, so each width is
   * measured once at the zoom it is at.
   */
  const fitWide = (on: HTMLElement[]): number => {
    const wide = on.filter((b) => b.hasAttribute('data-present-wide'));
    if (wide.length === 0) {
      root.style.removeProperty('--present-wide');
      return MAX_ZOOM;
    }
    const { column, across } = columnRoom();
    const room = innerHeight - bar.offsetHeight - 8;
    let best = { f: 1, z: 0 };
    for (const f of WIDE_STEPS) {
      const widthCap = across / (column * f);
      if (f > 1 && widthCap < 1) break; // wider than the window even at full size
      setWide(wide, f);
      const z = zoomNow();
      const bottom = Math.max(...on.map((b) => b.getBoundingClientRect().bottom)) + scrollY;
      const fits = Math.min(MAX_ZOOM, widthCap, (z * room) / bottom);
      if (fits > best.z + 0.02) best = { f, z: fits };
    }
    setWide(wide, best.f);
    return Math.min(MAX_ZOOM, across / (column * best.f));
  };
  const fitSlide = () => {
    if (!presenting) return;
    const on = blocks.filter((b) => b.classList.contains('present-on'));
    if (on.length === 0) return;
    const cap = fitWide(on);
    const wide = on.some((b) => b.hasAttribute('data-present-wide'));
    // Its height grows with the zoom (padding above it too), so two passes settle it.
    for (let pass = 0; pass < 2; pass++) {
      const bottom = Math.max(...on.map((b) => b.getBoundingClientRect().bottom)) + scrollY;
      const room = innerHeight - bar.offsetHeight - 8;
      const z = zoomNow();
      const want = Math.min(wide ? cap : baseZoom, Math.max(MIN_ZOOM, (z * room) / bottom));
      if (Math.abs(want - z) < 0.005) break;
      setZoom(want);
    }
  };
  // A figure drawing on its slide (a cell starts when it comes into view) changes the slide's height.
  let refit = 0;
  const resized = new ResizeObserver(() => {
    cancelAnimationFrame(refit);
    refit = requestAnimationFrame(fitSlide);
  });

  function show(k: number, say: 'entered' | 'slide' | null): void {
    const p = cut();
    current = Math.min(total - 1, Math.max(0, Number.isFinite(k) ? Math.trunc(k) : 0));
    const active = document.activeElement;
    blocks.forEach((b, i) => {
      const on = p[i] === current;
      const wasOn = b.classList.contains('present-on');
      b.classList.toggle('present-on', on);
      b.classList.toggle(offClass(b), !on);
      if (parks(b)) b.inert = !on;
      if (on && !wasOn && !reduceMotion.matches && b.animate) {
        b.animate([{ opacity: 0, transform: 'translateY(0.4rem)' }, { opacity: 1, transform: 'none' }], { duration: 200, easing: 'ease-out' });
      }
    });
    const n = current + 1;
    if (count) count.textContent = t('present.counter', { n, total });
    if (countLabel) countLabel.textContent = t('present.counterLabel', { n, total });
    prevButton?.setAttribute('aria-disabled', String(current === 0));
    nextButton?.setAttribute('aria-disabled', String(current === total - 1));
    writeHash(current);
    scrollTo({ top: 0, left: 0, behavior: 'instant' });
    // Focus that was on the slide left behind (or on the Present button, now hidden) goes to the new slide.
    const hidden = active instanceof HTMLElement && active !== document.body &&
      (active.closest('[inert]') !== null || (active.checkVisibility ? !active.checkVisibility() : active.getClientRects().length === 0));
    if (say === 'entered' || hidden) focusSlide();
    if (say) announce(t(say === 'entered' ? 'present.entered' : 'present.slide', { n, total, title: titles[current] ?? '' }));
    root.dataset.presentSlide = String(n);
    setZoom(baseZoom);
    fitSlide();
  }

  function enter(k = slideFromHash() ?? current): void {
    if (presenting) return show(k, 'slide');
    presenting = true;
    root.classList.add('presenting');
    bar.hidden = false;
    fit();
    addEventListener('resize', fit);
    resized.observe(article);
    syncBar();
    show(k, 'entered');
  }

  function leave(): void {
    if (!presenting) return;
    presenting = false;
    removeEventListener('resize', fit);
    resized.disconnect();
    root.classList.remove('presenting');
    delete root.dataset.presentSlide;
    bar.hidden = true;
    root.style.removeProperty('--present-wide');
    for (const b of blocks) {
      b.classList.remove('present-on', 'present-off', 'present-parked', 'present-kept', 'present-widened');
      if (parks(b)) b.inert = false;
    }
    writeHash(null);
    // Back in the chapter where the slide was, with focus there.
    const first = blocks.find((_, i) => plan![i] === current);
    first?.scrollIntoView({ block: 'start' });
    focusSlide();
    announce(t('present.left'));
  }

  const step = (d: number) => {
    if (presenting) show(current + d, 'slide');
  };

  // The notebook's own buttons, pressed by the bar and by N (they may be disabled, as Next token is while playing).
  const own = (name: string) => controls?.querySelector<HTMLButtonElement>(`button[name="${name}"]`) ?? null;
  const press = (name: string) => {
    const b = own(name);
    if (b && !b.disabled) b.click();
  };

  /** The bar's copies of Next token, Play and Reset show what the notebook's show (Play ⇄ Pause, disabled), and the tick count. */
  function syncBar(): void {
    for (const copy of bar.querySelectorAll<HTMLButtonElement>('[data-present-press]')) {
      const b = own(copy.dataset.presentPress!);
      if (!b) {
        copy.hidden = true;
        continue;
      }
      if (copy.textContent !== b.textContent) copy.textContent = b.textContent;
      copy.disabled = b.disabled;
    }
    if (tickCount) {
      const ticks = controls?.dataset.ticks;
      tickCount.hidden = ticks === undefined;
      tickCount.textContent = t('present.ticks', { n: ticks ?? 0 });
    }
  }
  if (controls) {
    new MutationObserver(syncBar).observe(controls, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['disabled', 'data-ticks'] });
  }
  syncBar();

  bar.addEventListener('click', (e) => {
    const b = (e.target as Element).closest<HTMLButtonElement>('button');
    if (!b || b.getAttribute('aria-disabled') === 'true') return;
    if (b.matches('[data-present-prev]')) step(-1);
    else if (b.matches('[data-present-next]')) step(1);
    else if (b.matches('[data-present-exit]')) leave();
    else if (b.dataset.presentPress) press(b.dataset.presentPress);
  });

  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-present-toggle]')) {
    b.hidden = false;
    b.addEventListener('click', () => enter());
  }

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;
    if (typing(target)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (!presenting) {
      if (key === 'p' && !e.shiftKey && keysEnabled()) {
        e.preventDefault();
        enter();
      }
      return;
    }
    // Arrows and Home/End belong to the charts, radios and scrolled code that use them; Space to any control.
    const arrows = plain(target) || (target?.matches('button, a[href]') ?? false);
    let act: (() => void) | null = null;
    if (key === 'ArrowRight' || key === 'PageDown') act = arrows ? () => step(1) : null;
    else if (key === 'ArrowLeft' || key === 'PageUp') act = arrows ? () => step(-1) : null;
    else if (key === 'Home') act = arrows ? () => show(0, 'slide') : null;
    else if (key === 'End') act = arrows ? () => show(total - 1, 'slide') : null;
    else if (key === ' ') act = plain(target) ? () => step(e.shiftKey ? -1 : 1) : null;
    else if (key === 'n' && !e.shiftKey) act = keysEnabled() ? () => press('next-token') : null;
    else if ((key === 'p' && !e.shiftKey && keysEnabled()) || key === 'Escape') act = leave;
    if (act) {
      e.preventDefault();
      act();
    }
  });

  addEventListener('hashchange', () => {
    const k = slideFromHash();
    if (k !== null) enter(k);
  });

  if (slideFromHash() !== null) enter();
}

const page = {
  article: document.querySelector<HTMLElement>('article.chapter'),
  bar: document.querySelector<HTMLElement>('[data-present-bar]'),
  live: document.querySelector<HTMLElement>('[data-present-live]'),
};
if (page.article && page.bar && page.live) start(page.article, page.bar, page.live);
