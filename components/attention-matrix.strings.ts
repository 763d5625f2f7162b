/** The attention matrix's strings (components/attention-matrix.ts). */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'chart.attention.cell': 'query {query} “{queryToken}” attends to key {key} “{keyToken}” with {name} {value}',
    'chart.attention.label': 'Attention weights: {n} tokens, {filled} of {n} query rows computed',
    'chart.attention.keyAxis': 'key →',
    'chart.attention.queryAxis': 'query ↓',
    'chart.attention.weight': 'weight',
    'chart.attention.score': 'score',
    'chart.attention.legend': '{name} {value}',
    'chart.attention.caption': 'Attention weights: rows are queries, columns are keys',
    'chart.attention.corner': 'Query \\ key',
    'chart.attention.masked': 'masked',
  },
  'zh-cn': {
    'chart.attention.cell': '查询 {query}“{queryToken}”对键 {key}“{keyToken}”的{name}为 {value}',
    'chart.attention.label': '注意力权重：{n} 个词元，{n} 行查询中已算出 {filled} 行',
    'chart.attention.keyAxis': '键 →',
    'chart.attention.queryAxis': '查询 ↓',
    'chart.attention.weight': '权重',
    'chart.attention.score': '分数',
    'chart.attention.legend': '{name} {value}',
    'chart.attention.caption': '注意力权重：每行是一个查询，每列是一个键',
    'chart.attention.corner': '查询 \\ 键',
    'chart.attention.masked': '被掩码遮住',
  },
});
