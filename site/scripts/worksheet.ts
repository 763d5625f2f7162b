/**
 * A chapter printed as a worksheet (the print styles are in site/components/Worksheet.astro): the
 * charts as they are, each input shown as its current value (a print-only copy beside it, since a
 * printed textarea shows only what fits in it), ruled lines under each predict-then-reveal question
 * for the answer (the model's answer is not printed), and at the end the address of the run.
 * Filled when the page is about to print (beforeprint, and the print media query, which fires too
 * where printing is emulated). The Print worksheet button first has every figure drawn (a cell
 * starts only when it comes near the viewport), then prints.
 */
import { t } from './present.strings.ts';
import { PRINT_END, PRINT_START } from '../../notebooks/print-events.ts';

const article = document.querySelector<HTMLElement>('article.chapter');
const source = document.querySelector<HTMLElement>('[data-worksheet-source]');
const FIELDS = 'input:not([type="radio"], [type="checkbox"], [type="button"], [type="submit"], [type="reset"], [type="hidden"], [type="range"]), textarea';
const LINES = 4;

/** The address printed at the end: this page with its run (the query), without a #slide. */
function printedUrl(): string {
  const u = new URL(location.href);
  u.hash = '';
  return u.href;
}

function fill(): void {
  if (!article) return;
  for (const field of article.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(FIELDS)) {
    if (field.closest('.predict')) continue; // a question's own field: the worksheet gives lines instead
    let copy = field.nextElementSibling;
    if (!(copy instanceof HTMLElement && copy.classList.contains('print-value'))) {
      copy = document.createElement('span');
      copy.className = 'print-value';
      copy.setAttribute('aria-hidden', 'true'); // print only; the field itself is what the screen shows
      field.after(copy);
    }
    if (copy.textContent !== field.value) copy.textContent = field.value;
  }
  for (const figure of article.querySelectorAll<HTMLElement>('.predict-cell')) {
    if (figure.querySelector(':scope > .worksheet-answer')) continue;
    const box = document.createElement('div');
    box.className = 'worksheet-answer';
    box.setAttribute('aria-hidden', 'true');
    const label = document.createElement('p');
    label.textContent = t('worksheet.answer');
    box.append(label, ...Array.from({ length: LINES }, () => {
      const line = document.createElement('span');
      line.className = 'worksheet-line';
      return line;
    }));
    const mount = figure.querySelector(':scope > [data-cell]');
    if (mount) mount.after(box);
    else figure.append(box);
  }
  if (source) source.textContent = t('worksheet.source', { url: printedUrl() });
}

if (article) {
  addEventListener('beforeprint', fill);
  matchMedia('print').addEventListener('change', (e) => {
    if (e.matches) fill();
  });
  // Typing while the print preview is open (or print emulated) keeps the copies current.
  article.addEventListener('input', () => {
    if (matchMedia('print').matches) fill();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-print-worksheet]')) {
    b.hidden = false;
    b.addEventListener('click', () => void printWorksheet(article, b));
  }
}

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Figures whose cell is still computing (or has not started: a cell starts when it comes near the viewport). */
const unsettled = (article: HTMLElement) => article.querySelectorAll('[data-cell][data-state="idle"], [data-cell][data-state="pending"], [data-cell][data-state="updating"]').length;

/**
 * Print worksheet: first bring every figure near the viewport once (so every cell starts, as it
 * would when scrolled to), back to where the reader was, wait for the cells to draw (at most
 * `patience` ms), then print.
 */
async function printWorksheet(article: HTMLElement, button: HTMLButtonElement, patience = 20_000): Promise<void> {
  if (button.getAttribute('aria-busy') === 'true') return;
  const status = document.querySelector<HTMLElement>('[data-worksheet-status]');
  // Every figure waiting to come into view draws now, as when the browser prints; cells that have
  // not started yet start when brought near the viewport, so each figure is visited once too.
  dispatchEvent(new Event(PRINT_START));
  try {
    if (unsettled(article) > 0) {
      button.setAttribute('aria-busy', 'true');
      if (status) status.textContent = t('worksheet.preparing');
      const x = scrollX;
      const y = scrollY;
      for (const mount of article.querySelectorAll<HTMLElement>('figure [data-cell]')) {
        mount.scrollIntoView({ block: 'center', behavior: 'instant' });
        await frame();
        await frame();
      }
      scrollTo({ left: x, top: y, behavior: 'instant' });
      const until = performance.now() + patience;
      while (unsettled(article) > 0 && performance.now() < until) await sleep(200);
      button.removeAttribute('aria-busy');
      if (status) status.textContent = '';
    }
    fill();
    print();
  } finally {
    dispatchEvent(new Event(PRINT_END));
  }
  button.focus();
}
