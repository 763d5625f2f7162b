/**
 * The header's Dark theme toggle (a button with aria-pressed). The reader's choice, 'light' or
 * 'dark', is kept in localStorage and shown as <html data-theme>; an inline script in Base.astro's
 * <head> sets it before first paint on every page. With no choice the page follows the system's
 * prefers-color-scheme. Choosing what the system already shows clears the choice, so pressing the
 * toggle twice goes back to following the system.
 */
export const THEME_KEY = 'tokenclock.theme'; // Base.astro's inline scripts read the same key
export type Theme = 'light' | 'dark';

const root = document.documentElement;
const system = matchMedia('(prefers-color-scheme: dark)');

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null; // storage blocked: the choice lasts for this page only
  }
}

/** The reader's choice, or null to follow the system. */
function choice(): Theme | null {
  const t = root.dataset.theme;
  return t === 'light' || t === 'dark' ? t : null;
}

const isDark = (): boolean => (choice() ?? (system.matches ? 'dark' : 'light')) === 'dark';

function show(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
    b.setAttribute('aria-pressed', String(isDark()));
    b.hidden = false;
  }
}

/** Show a choice (null: follow the system): <html data-theme>, the color-scheme meta, the toggle's state. */
function apply(theme: Theme | null): void {
  if (theme) root.dataset.theme = theme;
  else delete root.dataset.theme;
  document.querySelector<HTMLMetaElement>('meta[name="color-scheme"]')?.setAttribute('content', theme ?? 'light dark');
  show();
}

/** Apply and keep a choice (null: follow the system). */
function choose(theme: Theme | null): void {
  apply(theme);
  try {
    if (theme) storage()?.setItem(THEME_KEY, theme);
    else storage()?.removeItem(THEME_KEY);
  } catch {
    // full or blocked storage: the choice still holds on this page
  }
}

for (const b of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
  b.addEventListener('click', () => {
    const dark = !isDark();
    choose(dark === system.matches ? null : dark ? 'dark' : 'light');
  });
}
// The system's setting changed while the page follows it, or another tab chose.
system.addEventListener('change', show);
window.addEventListener('storage', (e: StorageEvent) => {
  if (e.key !== THEME_KEY && e.key !== null) return;
  apply(e.newValue === 'light' || e.newValue === 'dark' ? e.newValue : null);
});
show();
