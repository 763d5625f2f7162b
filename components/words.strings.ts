/**
 * Words the charts and the notebooks share: yes and no, the two kinds of tick, and counted units.
 * A count that needs a plural in English has two keys, `.one` and `.other` (see `plural` in
 * notebooks/cells.ts); Chinese gives both the same text.
 */
import { defineStrings } from './i18n/index.ts';

export const words = defineStrings({
  en: {
    'common.yes': 'yes',
    'common.no': 'no',
    'kind.prefill': 'prefill',
    'kind.decode': 'decode',
    'unit.token.one': '{n} token',
    'unit.token.other': '{n} tokens',
    'unit.promptToken.one': '{n} prompt token',
    'unit.promptToken.other': '{n} prompt tokens',
    'unit.word.one': '{n} word',
    'unit.word.other': '{n} words',
    'unit.byte.one': '{n} byte',
    'unit.byte.other': '{n} bytes',
    'unit.merge.one': '{n} merge',
    'unit.merge.other': '{n} merges',
    'unit.thread.one': '{n} thread',
    'unit.thread.other': '{n} threads',
    'backend.label': '{backend} ({threads})',
  },
  'zh-cn': {
    'common.yes': '是',
    'common.no': '否',
    'kind.prefill': '预填充',
    'kind.decode': '解码',
    'unit.token.one': '{n} 个词元',
    'unit.token.other': '{n} 个词元',
    'unit.promptToken.one': '提示词 {n} 个词元',
    'unit.promptToken.other': '提示词 {n} 个词元',
    'unit.word.one': '{n} 个词',
    'unit.word.other': '{n} 个词',
    'unit.byte.one': '{n} 个字节',
    'unit.byte.other': '{n} 个字节',
    'unit.merge.one': '{n} 次合并',
    'unit.merge.other': '{n} 次合并',
    'unit.thread.one': '{n} 个线程',
    'unit.thread.other': '{n} 个线程',
    'backend.label': '{backend}（{threads}）',
  },
});

/** Where the arithmetic runs, as a reader reads it: "wasm (2 threads)"; other backends by name. */
export function backendLabel(b: { name: string; threads: number }): string {
  if (b.name !== 'wasm') return b.name;
  return words('backend.label', { backend: b.name, threads: words(b.threads === 1 ? 'unit.thread.one' : 'unit.thread.other', { n: b.threads }) });
}
