/** The engine's own strings: what it calls a model, and what it tells a reader about a saved choice. */
import { defineStrings } from '../components/i18n/index.ts';

export const t = defineStrings({
  en: {
    'models.yourFiles': '{name} (your files)',
    'models.fromHub': '{repo} (from {hub})',
    'models.notUnderstood': 'The saved model choice was not understood, so the bundled model is used.',
  },
  'zh-cn': {
    'models.yourFiles': '{name}（你的文件）',
    'models.fromHub': '{repo}（来自 {hub}）',
    'models.notUnderstood': '保存的模型选择无法识别，所以使用网站自带的模型。',
  },
});
