/** English strings of presenter mode and the printed worksheet (Chinese twin: zh-cn-present.ts). */
export const enPresent = {
} as const;
