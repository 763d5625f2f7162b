/** 简体中文界面文字：键与 en.ts 一一对应（缺一个，类型检查就会报错）。 */
import type { MessageKey } from './en.ts';

export const zhCn: Record<MessageKey, string> = {
  'site.name': 'Token Clock',
  'site.tagline': 'GPT-2，一拍一个词元',
  'site.skip': '跳到正文',
  'nav.site': '网站',
  'nav.chapters': '章节',
  'nav.model': '模型',
  'nav.language': '语言',
  'lang.en': 'English',
  'lang.zh-cn': '简体中文',
};
