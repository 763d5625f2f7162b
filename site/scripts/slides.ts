/**
 * Presenter mode's slides: a chapter's blocks (the article's children: paragraphs, headings,
 * figures, the controls…) cut into screens of one idea each. Pure: the page classifies its blocks
 * (site/scripts/presenter.ts), this decides where each screen ends.
 *
 * - a heading (h2, h3) opens a new slide;
 * - a slide has at most one figure (a live cell, the controls, a code listing, a table); the prose
 *   just before a figure stays with it when it is short (it introduces the figure);
 * - a widget (a Pick or the example buttons: inputs that steer the next figure) goes with that figure;
 * - prose after a figure opens a new slide, and prose is cut when a slide would hold too much text.
 */

/** What a block is, for cutting: see the file's header. */
export type BlockKind = 'title' | 'heading' | 'figure' | 'widget' | 'prose';

export interface Block {
  kind: BlockKind;
  weight: number; // how much text it holds (characters; wide ones count twice), for prose
}

/** The most prose one slide holds, in weight (about eight lines of large type). */
export const PROSE_LIMIT = 720;
/** The most prose that may stay on the slide of the figure that follows it. */
export const FIGURE_LEAD = 520;

/** The weight of some text: its characters, with East Asian wide ones counted twice. */
export function textWeight(text: string): number {
  const s = text.replace(/\s+/g, ' ').trim();
  const wide = s.match(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g)?.length ?? 0;
  return s.length + wide;
}

/** The slide of each block (0-based, in order, no gaps): `result[i]` is block i's slide. */
export function planSlides(blocks: readonly Block[]): number[] {
  const out: number[] = [];
  let slide = 0;
  let count = 0; // blocks on this slide
  let prose = 0; // prose weight on this slide
  let figure = false; // this slide has its figure
  let widget = false; // a widget waits for its figure here
  const open = () => {
    if (count === 0) return;
    slide++;
    count = 0;
    prose = 0;
    figure = false;
    widget = false;
  };
  for (const b of blocks) {
    switch (b.kind) {
      case 'title':
        break; // the chapter's kicker and title stay on the first slide
      case 'heading':
        open();
        break;
      case 'figure':
        if (figure || (!widget && prose > FIGURE_LEAD)) open();
        figure = true;
        break;
      case 'widget':
        if (figure || prose > FIGURE_LEAD) open();
        widget = true;
        break;
      case 'prose':
        if (figure || widget || (prose > 0 && prose + b.weight > PROSE_LIMIT)) open();
        prose += b.weight;
        break;
    }
    out.push(slide);
    count++;
  }
  return out;
}
