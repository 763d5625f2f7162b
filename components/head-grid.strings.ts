/** The all-heads overview's strings (components/head-grid.ts). */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'chart.heads.label': 'The newest position’s attention in every layer and head: {layers} layers × {heads} heads, each a bar per key position 0–{last}',
    'chart.heads.cell': 'Layer {layer}, head {head}: weight {weight} on position {key} “{token}”, {self} on itself',
    'chart.heads.layer': 'layer {layer}',
    'chart.heads.head': 'head {head}',
    'chart.heads.caption': 'The newest position’s attention weights: one row per layer and head, one column per key position',
    'chart.heads.corner': 'Layer, head \\ key',
    'chart.heads.row': 'layer {layer}, head {head}',
  },
  'zh-cn': {
    'chart.heads.label': '最新位置在每一层、每个头里的注意力：{layers} 层 × {heads} 个头，每个键位置（0–{last}）一根柱',
    'chart.heads.cell': '第 {layer} 层第 {head} 个头：位置 {key}“{token}”的权重为 {weight}，它自己为 {self}',
    'chart.heads.layer': '第 {layer} 层',
    'chart.heads.head': '头 {head}',
    'chart.heads.caption': '最新位置的注意力权重：每行是一层的一个头，每列是一个键位置',
    'chart.heads.corner': '层、头 \\ 键',
    'chart.heads.row': '第 {layer} 层第 {head} 个头',
  },
});
