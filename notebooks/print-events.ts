/**
 * Events a page sends its window when it prints on purpose (the worksheet's Print button): before
 * it waits for every figure to draw, every figure waiting to come into view draws at once, as for
 * the browser's beforeprint (notebooks/runtime.ts, inViewport); and after printing, they wait again.
 */
export const PRINT_START = 'tokenclock:print-start';
export const PRINT_END = 'tokenclock:print-end';
