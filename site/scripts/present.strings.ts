/** Presenter mode's and the printed worksheet's strings (presenter.ts, worksheet.ts, PresentTools.astro, Presenter.astro). */
import { defineStrings, type KeyOf } from '../../components/i18n/index.ts';

export const t = defineStrings({
  en: {
    'present.tools': 'Present or print this chapter',
    'present.enter': 'Present',
    'present.enterHint': 'Presenter mode: one idea per screen, in large type, with the live cells running (key P)',
    'present.print': 'Print worksheet',
    'present.printHint': 'A worksheet: the charts as they are now, your inputs as values, and room to write under each question',
    'present.bar': 'Presenter controls',
    'present.prev': 'Previous slide',
    'present.next': 'Next slide',
    'present.exit': 'Leave',
    'present.exitHint': 'Leave presenter mode (Escape); the page keeps its run',
    'present.counter': '{n} / {total}',
    'present.counterLabel': 'Slide {n} of {total}',
    'present.ticks': 'Ticks: {n}',
    'present.keys': '→ or Space: next · ←: back · N: next token · Esc: leave',
    'present.slide': 'Slide {n} of {total}: {title}',
    'present.entered': 'Presenter mode. Slide {n} of {total}: {title}',
    'present.left': 'Presenter mode is off; you are back in the chapter where the slide was.',
    'worksheet.answer': 'Your answer',
    'worksheet.preparing': 'Drawing every figure for the worksheet…',
    'worksheet.source': 'Printed from {url}: open it to run the model yourself.',
  },
  'zh-cn': {
    'present.tools': '演示或打印本章',
    'present.enter': '演示',
    'present.enterHint': '演示模式：大字号，一屏讲一个要点，活单元格照常运行（快捷键 P）',
    'present.print': '打印练习纸',
    'present.printHint': '练习纸：图表保持现在的样子，输入框印成它们的值，每道题下面留出书写的空间',
    'present.bar': '演示控制',
    'present.prev': '上一页',
    'present.next': '下一页',
    'present.exit': '退出',
    'present.exitHint': '退出演示模式（Esc 键），页面上的运行保持不变',
    'present.counter': '{n} / {total}',
    'present.counterLabel': '第 {n} 页，共 {total} 页',
    'present.ticks': '已走 {n} 拍',
    'present.keys': '→ 或空格：下一页 · ←：上一页 · N：下一个词元 · Esc：退出',
    'present.slide': '第 {n} 页，共 {total} 页：{title}',
    'present.entered': '演示模式。第 {n} 页，共 {total} 页：{title}',
    'present.left': '已退出演示模式，回到本章刚才那一页的位置。',
    'worksheet.answer': '你的答案',
    'worksheet.preparing': '正在画出练习纸上的每一张图……',
    'worksheet.source': '打印自 {url}：打开这个链接，可以自己运行模型。',
  },
});

/** A key of presenter mode's and the worksheet's strings. */
export type PresentKey = KeyOf<typeof t>;
