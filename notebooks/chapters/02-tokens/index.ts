/**
 * Chapter 2, tokens: byte-level BPE step by step on the reader's prompt. Text → UTF-8 bytes →
 * GPT-2's byte symbols → merges in rank order → ids, all from the engine's own tokenizer
 * (`tokenizeSteps`). Then why Chinese text costs so many tokens: characters vs bytes vs tokens,
 * and tokens that hold part of a character shown as their bytes (<0xE4>), never as �.
 *
 *   prompt ─ bpe ─┬─ words (one row per pre-token word; a button picks one) ─ word ─ merges
 *                 ├─ compare (your text beside fixed examples) ─ engine tokenize
 *                 └─ joined (token by token: the text each token completes, bytes waiting)
 *   clock ─ clockState ─ strip (prompt and generated tokens with ids and bytes)
 *   predict (how many tokens will a word become? the engine's tokenizer answers)
 */
import { figure, openChapter } from '../../chapter.ts';
import type { ClockState } from '../../clock.ts';
import { note } from '../../dom.ts';
import type { Engine } from '../../../engine/engine.ts';
import type { ModelInfo } from '../../../engine/protocol.ts';
import { definePredict } from '../../predict.ts';
import { observe, run, type Module, type Mounts, type Runtime } from '../../runtime.ts';
import { CHINESE_EXAMPLE, counts, defaultWord, ENGLISH_EXAMPLE, type Steps } from './data.ts';
import { compareTable, exampleButtons, joinedView, merges, stripFigure, wordsTable } from './figures.ts';
import { tokenCountQuestion } from './question.ts';
import { ui } from './strings.ts';

/** Define the chapter's cells over the page's mounts. */
export function define(runtime: Runtime, mounts: Mounts): Module {
  const { main, controls } = openChapter(runtime, mounts, { timeline: false, tokens: false });
  main.variable(run).define('examples', [], () => {
    if (mounts.examples) exampleButtons(mounts.examples, controls.prompt);
  });

  main.define('bpe', ['engine', 'prompt'], (engine: Engine, prompt: string) => engine.request({ type: 'tokenizeSteps', text: prompt }));
  main.define('word', ['bpe'], (steps: Steps) => observe<number>((change) => {
    change(defaultWord(steps.words));
    const el = mounts.words;
    if (!el) return;
    const onClick = (e: Event) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-index]');
      if (b && el.contains(b)) change(Number(b.dataset.index));
    };
    el.addEventListener('click', onClick);
    return () => el.removeEventListener('click', onClick);
  }));
  figure(main, mounts.words, 'words', ['bpe', 'word', 'model'], (steps: Steps, word: number, model: ModelInfo) => wordsTable(steps, word, model));
  figure(main, mounts.merges, 'merges', ['bpe', 'word', 'width'], (steps: Steps, word: number, width: number) => {
    const w = steps.words[word];
    return w ? merges(w, word, width) : note(ui('ch2.noWords'));
  });
  figure(main, mounts.strip, 'strip', ['clockState', 'width'], (state: ClockState, width: number) => stripFigure(state, width));
  figure(main, mounts.compare, 'compare', ['engine', 'bpe', 'prompt'], async (engine: Engine, steps: Steps, prompt: string) => {
    const rows = [counts(ui('ch2.yourPrompt'), prompt, steps.tokens.length)];
    for (const [label, text] of [[ui('ch2.chinese'), CHINESE_EXAMPLE], [ui('ch2.english'), ENGLISH_EXAMPLE]] as const) {
      const { tokens } = await engine.request({ type: 'tokenize', text });
      rows.push(counts(label, text, tokens.length));
    }
    return compareTable(rows);
  });
  figure(main, mounts.joined, 'joined', ['bpe'], (steps: Steps) => joinedView(steps.tokens));
  definePredict(main, mounts.predict, tokenCountQuestion);
  return main;
}
