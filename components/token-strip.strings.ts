/** The token strip's strings (components/token-strip.ts). */
import { defineStrings } from './i18n/index.ts';

export const strings = defineStrings({
  en: {
    'chart.tokens.label': '{n} tokens',
    'chart.tokens.title': 'token {index}: “{text}”, id {id}, bytes {bytes}',
    'chart.tokens.incomplete': ' (incomplete UTF-8)',
    'chart.tokens.position': 'Position',
    'chart.tokens.token': 'Token',
    'chart.tokens.id': 'Id',
    'chart.tokens.bytes': 'Bytes (hex)',
    'chart.tokens.complete': 'Complete UTF-8',
  },
  'zh-cn': {
    'chart.tokens.label': '{n} 个词元',
    'chart.tokens.title': '词元 {index}：“{text}”，id {id}，字节 {bytes}',
    'chart.tokens.incomplete': '（不是完整的 UTF-8 字符）',
    'chart.tokens.position': '位置',
    'chart.tokens.token': '词元',
    'chart.tokens.id': 'id',
    'chart.tokens.bytes': '字节（十六进制）',
    'chart.tokens.complete': '完整的 UTF-8',
  },
});
