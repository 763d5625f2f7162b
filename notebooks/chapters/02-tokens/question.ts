/**
 * Chapter 2's question: how many tokens will this model's tokenizer make of a short text? The
 * engine's tokenizer answers.
 */
import { formatInteger } from '../../../components/format.ts';
import type { PredictAnswer } from '../../../components/predict.ts';
import { visibleText } from '../../../components/text.ts';
import type { TokenInfo } from '../../../engine/protocol.ts';
import type { PredictSpec } from '../../predict.ts';
import { ui } from './strings.ts';

/** The word the token-count question asks about, unless the prose names another (params.text). */
export const COUNT_EXAMPLE = '你好';

/** The answer to "how many tokens will this text become?", from the engine's tokenizer. */
export function tokenCountAnswer(guess: string, text: string, tokens: TokenInfo[]): PredictAnswer {
  const n = tokens.length;
  return {
    label: formatInteger(n),
    value: String(n),
    match: guess === String(n),
    detail: ui('predict.ch2.detail', {
      text, chars: [...text].length, bytes: new TextEncoder().encode(text).length, n,
      tokens: tokens.map((t) => `${visibleText(t.text)} (${formatInteger(t.id)})`).join(', '),
    }),
  };
}

/** How many tokens will this model's tokenizer make of a short text? Choices: 1 up to its UTF-8 byte count (every byte a token). */
export const tokenCountQuestion: PredictSpec<null> = {
  ask: (_live, params) => {
    const text = String(params.text ?? COUNT_EXAMPLE);
    const bytes = new TextEncoder().encode(text).length;
    const context = ui('predict.ch2.context', { text, chars: [...text].length, bytes });
    if (bytes > 12) return { context, input: { type: 'number', label: ui('predict.ch2.label'), min: 1, max: bytes } };
    return { context, choices: Array.from({ length: bytes }, (_, i) => ({ value: String(i + 1), label: formatInteger(i + 1) })) };
  },
  commit: () => null,
  async reveal(guess, _snap, live, params) {
    const text = String(params.text ?? COUNT_EXAMPLE);
    const { tokens } = await live().engine.request({ type: 'tokenize', text });
    return tokenCountAnswer(guess, text, tokens);
  },
};
