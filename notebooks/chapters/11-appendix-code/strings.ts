/** The appendix's strings (the code), both locales: its cell's and its question's. */
import { defineStrings } from '../../../components/i18n/index.ts';

export const ui = defineStrings({
  en: {
    'ch11.empty': 'No tick yet: press Next token, and each tick the loop yields adds a row here.',
    'ch11.caption': 'The ticks the loop has yielded (the latest {n} of {total})',
    'ch11.fed': 'tokens fed',
    'predict.ch11.label': 'Tokens fed',
    'predict.ch11.context': '{ticks} ticks have run; the prompt is {prompt} tokens.',
    'predict.ch11.prefill': 'Tick {index} was the prefill: it fed all {fed} prompt tokens at once.',
    'predict.ch11.decode': 'Tick {index} was a decode tick: it fed the one token chosen last time and read the {cached} earlier positions from the KV cache.',
  },
  'zh-cn': {
    'ch11.empty': '还没有运行任何一拍：请按“下一个词元”，循环每产出一拍，这里就多一行。',
    'ch11.caption': '循环已产出的各拍（共 {total} 拍，这里是最近的 {n} 拍）',
    'ch11.fed': '输入的词元数',
    'predict.ch11.label': '输入的词元数',
    'predict.ch11.context': '已经运行了 {ticks} 拍；提示词有 {prompt} 个词元。',
    'predict.ch11.prefill': '第 {index} 拍是预填充：它一次输入了提示词的全部 {fed} 个词元。',
    'predict.ch11.decode': '第 {index} 拍是解码拍：它只输入上一拍选中的那一个词元，之前的 {cached} 个位置从 KV 缓存中读取。',
  },
});
