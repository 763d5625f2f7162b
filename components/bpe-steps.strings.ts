/** The BPE merge-by-merge chart's strings (components/bpe-steps.ts). */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'chart.bpe.bytes': 'bytes',
    'chart.bpe.rank': 'rank {rank}',
    'chart.bpe.bytesTitle': 'The {n} bytes of “{word}”, one symbol each',
    'chart.bpe.mergeTitle': 'Merge {i}: {a} + {b} (rank {rank}) → {n} symbols',
    'chart.bpe.label': 'Byte-level BPE of “{word}”: {bytes} bytes, {merges}, {tokens}',
    'chart.bpe.caption': 'Byte-level BPE of “{word}”, merge by merge',
    'chart.bpe.step': 'Step',
    'chart.bpe.pair': 'Pair merged',
    'chart.bpe.rankCol': 'Rank',
    'chart.bpe.symbolsAfter': 'Symbols after',
    'chart.bpe.symbols': 'Symbols',
  },
  'zh-cn': {
    'chart.bpe.bytes': '字节',
    'chart.bpe.rank': '排名 {rank}',
    'chart.bpe.bytesTitle': '“{word}”的 {n} 个字节，每个字节一个符号',
    'chart.bpe.mergeTitle': '第 {i} 次合并：{a} + {b}（排名 {rank}）→ {n} 个符号',
    'chart.bpe.label': '“{word}”的字节级 BPE：{bytes} 个字节，{merges}，得到 {tokens}',
    'chart.bpe.caption': '“{word}”的字节级 BPE，一次合并一行',
    'chart.bpe.step': '步骤',
    'chart.bpe.pair': '合并的一对',
    'chart.bpe.rankCol': '排名',
    'chart.bpe.symbolsAfter': '合并后的符号',
    'chart.bpe.symbols': '符号数',
  },
});
