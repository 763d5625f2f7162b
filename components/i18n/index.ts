/**
 * The site's two languages and the one function that turns a key into the reader's language.
 * The page's <html lang> decides (set by the layout from the URL: /zh-cn/… is Chinese); Node tests
 * pick one with setLocale. Pure data and functions: usable by components, notebooks and site.
 */
import { en, type MessageKey } from './en.ts';
import { zhCn } from './zh-cn.ts';

export type Locale = 'en' | 'zh-cn';
export const LOCALES: readonly Locale[] = ['en', 'zh-cn'];
export const DEFAULT_LOCALE: Locale = 'en';
export type { MessageKey };

const messages: Record<Locale, Record<MessageKey, string>> = { en, 'zh-cn': zhCn };

/** The <html lang> value of a locale (BCP 47). */
export const htmlLang = (l: Locale): string => (l === 'zh-cn' ? 'zh-CN' : 'en');

let forced: Locale | null = null;

/** Use this locale from now on (tests, scripts); null goes back to reading the page. */
export function setLocale(l: Locale | null): void {
  forced = l;
}

/** The locale in use: the forced one, else the page's <html lang>, else English. */
export function currentLocale(): Locale {
  if (forced) return forced;
  const lang = (globalThis as { document?: { documentElement?: { lang?: string } } }).document?.documentElement?.lang?.toLowerCase() ?? '';
  return lang.startsWith('zh') ? 'zh-cn' : 'en';
}

/** The locale a URL path is in: /zh-cn/… (after the site's base) is Chinese. */
export function localeOfPath(path: string, base = '/'): Locale {
  const rest = path.startsWith(base) ? path.slice(base.length) : path.replace(/^\//, '');
  return /^zh-cn(\/|$)/i.test(rest) ? 'zh-cn' : 'en';
}

/** The same page in another locale: /chapters/x/ ⇄ /zh-cn/chapters/x/ (query and hash kept). */
export function pathInLocale(path: string, to: Locale, base = '/'): string {
  const b = base.endsWith('/') ? base : `${base}/`;
  let rest = path.startsWith(b) ? path.slice(b.length) : path.replace(/^\//, '');
  rest = rest.replace(/^zh-cn(\/|$)/i, '');
  return to === 'en' ? `${b}${rest}` : `${b}zh-cn/${rest}`;
}

/** The message for `key` in the current (or given) locale, with `{name}` filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}, locale: Locale = currentLocale()): string {
  const template = messages[locale][key] ?? messages.en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Every English message (the test that no English is left on a Chinese page reads these). */
export function englishMessages(): Readonly<Record<MessageKey, string>> {
  return en;
}
