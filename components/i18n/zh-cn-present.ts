/** 演示模式与打印练习纸的中文文字：键与 en-present.ts 一一对应。 */
import type { enPresent } from './en-present.ts';

export const zhCnPresent: Record<keyof typeof enPresent, string> = {
};
