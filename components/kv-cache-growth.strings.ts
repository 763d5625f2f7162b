/** The KV cache growth chart's strings, both locales. */
import { defineStrings } from './i18n/index.ts';

export const ui = defineStrings({
  en: {
    'chart.kv.label': 'KV cache after each of {n} ticks: {positions} positions, {bytes} after tick {index}',
    'chart.kv.empty': 'KV cache: no ticks yet',
    'chart.kv.axis': 'tick',
    'chart.kv.caption': 'KV cache after each of {n} ticks',
    'chart.kv.tick': 'Tick',
    'chart.kv.phase': 'Phase',
    'chart.kv.length': 'Cache length',
    'chart.kv.memory': 'Cache memory',
    'chart.kv.flops': 'Forward FLOPs',
  },
  'zh-cn': {
    'chart.kv.label': '{n} 拍各自之后的 KV 缓存：第 {index} 拍之后有 {positions} 个位置，共 {bytes}',
    'chart.kv.empty': 'KV 缓存：还没有运行任何一拍',
    'chart.kv.axis': '拍',
    'chart.kv.caption': '{n} 拍各自之后的 KV 缓存',
    'chart.kv.tick': '拍',
    'chart.kv.phase': '阶段',
    'chart.kv.length': '缓存长度',
    'chart.kv.memory': '缓存占用的内存',
    'chart.kv.flops': '前向传播的浮点运算次数',
  },
});
