/** The GELU curve's strings, both locales. */
import { defineStrings } from './i18n/index.ts';

export const ui = defineStrings({
  en: {
    'chart.gelu.label': 'The GELU curve with {n} MLP inputs as dots on it',
    'chart.gelu.axisX': 'input x',
    'chart.gelu.axisY': 'GELU(x)',
    'chart.gelu.caption': 'The {n} GELU inputs by range, and what GELU made of them',
    'chart.gelu.range': 'Input range',
    'chart.gelu.count': 'Inputs',
    'chart.gelu.out': 'Outputs (least … greatest)',
  },
  'zh-cn': {
    'chart.gelu.label': 'GELU 曲线，{n} 个多层感知机输入作为曲线上的点',
    'chart.gelu.axisX': '输入 x',
    'chart.gelu.axisY': 'GELU(x)',
    'chart.gelu.caption': '{n} 个 GELU 输入按区间统计，以及 GELU 的输出',
    'chart.gelu.range': '输入区间',
    'chart.gelu.count': '输入个数',
    'chart.gelu.out': '输出（最小 … 最大）',
  },
});
