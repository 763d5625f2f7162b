// @ts-check
// Content collections: the chapters, one MDX file each, per locale: content/chapters/<locale>/.
import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

const chapters = defineCollection({
  // "en/01-the-clock.mdx" → id "en/the-clock": the number orders files on disk, `order` orders the site.
  loader: glob({ pattern: '*/*.mdx', base: './site/content/chapters', generateId: ({ entry }) => entry.replace(/\.mdx$/, '').replace(/\/\d+-/, '/') }),
  schema: z.object({
    title: z.string(), // the chapter's heading and <title>
    order: z.number().int().nonnegative(), // position in the story (DESIGN.md's numbering)
    summary: z.string(), // one sentence for the chapter list and the meta description
    notebook: z.string(), // the notebook module that runs its cells (notebooks/chapters/index.ts)
  }),
});

export const collections = { chapters };
