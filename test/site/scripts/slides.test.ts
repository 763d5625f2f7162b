// Presenter mode's cutting of a chapter into slides (site/scripts/slides.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURE_LEAD, PROSE_LIMIT, planSlides, textWeight, type Block } from '../../../site/scripts/slides.ts';

const p = (weight = 300): Block => ({ kind: 'prose', weight });
const fig: Block = { kind: 'figure', weight: 0 };
const h2: Block = { kind: 'heading', weight: 0 };
const title: Block = { kind: 'title', weight: 0 };
const widget: Block = { kind: 'widget', weight: 0 };

describe('presenter slides', () => {
  it('opens a slide at each heading and keeps the title with the first prose', () => {
    assert.deepEqual(planSlides([title, title, p(), h2, p(), h2, p()]), [0, 0, 0, 1, 1, 2, 2]);
  });

  it('puts one figure on a slide, with the short prose that leads to it', () => {
    assert.deepEqual(planSlides([h2, p(200), fig, fig, p(), fig]), [0, 0, 0, 1, 2, 2]);
  });

  it('opens a slide for prose after a figure, and cuts long prose', () => {
    assert.deepEqual(planSlides([fig, p(PROSE_LIMIT - 100), p(200), p(50)]), [0, 1, 2, 2]);
  });

  it('moves a figure to a slide of its own after long prose', () => {
    assert.deepEqual(planSlides([p(FIGURE_LEAD + 1), fig]), [0, 1]);
  });

  it('keeps a widget with the figure it steers', () => {
    assert.deepEqual(planSlides([h2, p(100), widget, fig, p()]), [0, 0, 0, 0, 1]);
    assert.deepEqual(planSlides([p(FIGURE_LEAD + 1), widget, fig]), [0, 1, 1]);
  });

  it('never leaves a slide empty, and numbers slides without gaps', () => {
    const plan = planSlides([h2, h2, fig, fig, h2]);
    assert.deepEqual(plan, [0, 1, 1, 2, 3]);
    assert.deepEqual(planSlides([]), []);
  });

  it('weighs wide characters twice', () => {
    assert.equal(textWeight('  a  b '), 3);
    assert.equal(textWeight('今天天气'), 8);
  });
});
