/**
 * The chapter modules by name (the `notebook` field of a chapter's front matter). Each is loaded
 * only by the page that needs it.
 */
import type { Chapter } from '../runtime.ts';

export const chapters: Record<string, () => Promise<Chapter>> = {
  'the-clock': () => import('./01-the-clock/index.ts'),
  attention: () => import('./04-attention/index.ts'),
  tokens: () => import('./02-tokens/index.ts'),
  embeddings: () => import('./03-embeddings/index.ts'),
  'mlp-residual': () => import('./05-mlp-residual/index.ts'),
  'logits-to-token': () => import('./06-logits-to-token/index.ts'),
  'kv-cache': () => import('./07-kv-cache/index.ts'),
  'not-training': () => import('./08-not-training/index.ts'),
  'cost-speed': () => import('./09-cost-speed/index.ts'),
  faq: () => import('./10-faq/index.ts'),
  'appendix-code': () => import('./11-appendix-code/index.ts'),
  errata: () => import('../errata/index.ts'), // not a chapter: the errata page (site/components/ErrataPage.astro)
};
