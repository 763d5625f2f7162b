/**
 * The site's side of the two languages: which locale a page is in (Astro.currentLocale), links
 * within that locale, and the chapters of a locale in story order. UI strings live in
 * components/i18n/.
 */
import { getCollection, type CollectionEntry } from 'astro:content';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../components/i18n/index.ts';

const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');

/** The locale Astro derived from the URL (/zh-cn/… is Chinese). */
export function localeOf(current: string | undefined): Locale {
  return (LOCALES as readonly string[]).includes(current ?? '') ? (current as Locale) : DEFAULT_LOCALE;
}

/** A site path in a locale: href('zh-cn', 'chapters/') → /zh-cn/chapters/. */
export function href(locale: Locale, path = ''): string {
  return locale === DEFAULT_LOCALE ? `${base}${path}` : `${base}${locale}/${path}`;
}

/** A chapter's slug without its locale: "zh-cn/the-clock" → "the-clock". */
export const slugOf = (entry: CollectionEntry<'chapters'>): string => entry.id.slice(entry.id.indexOf('/') + 1);

/** The chapters written in `locale`, in story order. */
export async function chaptersIn(locale: Locale): Promise<CollectionEntry<'chapters'>[]> {
  type Entry = CollectionEntry<'chapters'>;
  const all: Entry[] = await getCollection('chapters', (e: Entry) => e.id.startsWith(`${locale}/`));
  return all.sort((a: Entry, b: Entry) => a.data.order - b.data.order);
}

/** getStaticPaths for a locale's chapter pages. */
export async function chapterPaths(locale: Locale) {
  const chapters = await chaptersIn(locale);
  return chapters.map((entry, i) => ({ params: { slug: slugOf(entry) }, props: { entry, prev: chapters[i - 1], next: chapters[i + 1] } }));
}
