/** The heatmap's strings (components/heatmap.ts). */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'chart.heatmap.label': 'Heatmap: {rows} rows of {cols} values, from {lo} (blue) to {hi} (orange)',
    'chart.heatmap.dimension': 'dimension',
    'chart.heatmap.axis': '{column} →',
    'chart.heatmap.caption': 'Heatmap values: {rows} rows of {cols} values',
    'chart.heatmap.row': 'Row',
    'chart.heatmap.column': '{column} {j}',
  },
  'zh-cn': {
    'chart.heatmap.label': '热力图：{rows} 行，每行 {cols} 个值，颜色从 {lo}（蓝）到 {hi}（橙）',
    'chart.heatmap.dimension': '维度',
    'chart.heatmap.axis': '{column} →',
    'chart.heatmap.caption': '热力图的数值：{rows} 行，每行 {cols} 个值',
    'chart.heatmap.row': '行',
    'chart.heatmap.column': '{column} {j}',
  },
});
