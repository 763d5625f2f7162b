/**
 * The English UI strings: every label, button, caption and status template a page shows that is
 * not chapter prose. Keys are `area.name`; `{name}` marks a value filled in by `t`.
 * zh-cn.ts must have every key (the type checker says which are missing).
 */
export const en = {
  'site.name': 'Token Clock',
  'site.tagline': 'GPT-2, one tick at a time',
  'site.skip': 'Skip to content',
  'nav.site': 'Site',
  'nav.chapters': 'Chapters',
  'nav.model': 'Model',
  'nav.language': 'Language',
  'lang.en': 'English',
  'lang.zh-cn': '简体中文',
} as const;

export type MessageKey = keyof typeof en;
