/**
 * The site's two languages, and how strings are kept: each owner (a chart, a chapter, the engine,
 * the site) keeps its own strings beside it in a `strings.ts` (or `<name>.strings.ts`) made by
 * `defineStrings({ en: {…}, 'zh-cn': {…} })`, both locales in one typed file — a key missing from
 * the Chinese is a type error — and gets back its own `t`. The page's <html lang> decides the
 * locale (set by the layout from the URL: /zh-cn/… is Chinese); Node tests pick one with
 * setLocale. Pure data and functions: usable by every layer above the model.
 */

export type Locale = 'en' | 'zh-cn';
export const LOCALES: readonly Locale[] = ['en', 'zh-cn'];
export const DEFAULT_LOCALE: Locale = 'en';


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

/** Values that fill a message's `{name}` placeholders. */
export type Params = Record<string, string | number>;

/** Fill `{name}` placeholders from `params`; a placeholder without a value stays as it is. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** One owner's strings: call it for a message in the reader's language. */
export interface Strings<K extends string> {
  /** The message for `key` in the current (or given) locale, with `{name}` filled from `params`. */
  (key: K, params?: Params, locale?: Locale): string;
  /** The message's template in the current (or given) locale, placeholders unfilled. */
  template(key: K, locale?: Locale): string;
  /** Whether `key` is one of these strings (for keys made at run time). */
  has(key: string): key is K;
  readonly en: Readonly<Record<K, string>>; // the English messages
}

/** The keys of a Strings. */
export type KeyOf<S> = S extends Strings<infer K> ? K : never;

/** Every catalog defined so far, in order (englishMessages reads them). */
const catalogs: Record<Locale, Readonly<Record<string, string>>>[] = [];

/**
 * An owner's strings, both locales in one typed object: the Chinese must give every English key
 * and no other (the type checker names the missing or extra ones). Returns the owner's `t`.
 */
export function defineStrings<const E extends Record<string, string>>(catalog: { en: E; 'zh-cn': { [K in keyof E]: string } }): Strings<keyof E & string> {
  type K = keyof E & string;
  const all = catalog as Record<Locale, Record<string, string>>;
  catalogs.push(all);
  const template = (key: K, locale: Locale = currentLocale()): string => all[locale][key] ?? all.en[key];
  const t = ((key: K, params: Params = {}, locale?: Locale) => fill(template(key, locale), params)) as Strings<K>;
  return Object.assign(t, { template, has: (key: string): key is K => key in all.en, en: catalog.en });
}


/**
 * Every English message of the catalogs loaded so far (the test that no English is left on a
 * Chinese page imports every strings file first, then reads these).
 */
export function englishMessages(): Readonly<Record<string, string>> {
  return Object.assign({}, ...catalogs.map((c) => c.en));
}

/** Every message of the catalogs loaded so far, in both languages (tests compare them). */
export function messagePairs(): { key: string; en: string; zh: string }[] {
  return catalogs.flatMap((c) => Object.keys(c.en).map((key) => ({ key, en: c.en[key], zh: c['zh-cn'][key] })));
}
