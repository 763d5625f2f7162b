/**
 * Single-key shortcuts (N next token, P presenter mode) and the reader's switch for them: a reader
 * who uses speech input or stray keys can turn them off (WCAG 2.1.4); the choice is kept in this
 * browser. Keys are never taken from a field the reader types in.
 */
const KEY = 'tokenclock:single-keys';
let choice: boolean | null = null; // this page's choice, where storage refuses it

export function keysEnabled(): boolean {
  if (choice !== null) return choice;
  try {
    return localStorage.getItem(KEY) !== 'off';
  } catch {
    return true;
  }
}

export function setKeysEnabled(on: boolean): void {
  choice = on;
  try {
    if (on) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, 'off');
  } catch {
    // storage refused (private mode): the switch holds for this page only
  }
}

/** Whether `el` is a form field the reader types in (all keys are theirs there). */
export function typing(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLInputElement) return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file', 'image'].includes(el.type);
  return el.matches('textarea, select, [contenteditable]:not([contenteditable="false"])');
}
