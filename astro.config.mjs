// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import { fileURLToPath } from 'node:url';
import { preparePublic } from './scripts/prepare-public.mjs';
import { serviceWorker } from './scripts/precache.mjs';
import { EXTRA_TYPES, siteHeaders } from './scripts/headers.mjs';

// Cross-origin isolation (SharedArrayBuffer, which threaded wasm needs), nosniff, a Referrer-Policy
// and, for preview, the Content-Security-Policy with the hashes of the built pages' inline scripts
// (read from dist/ when this config loads: `astro preview` runs after `astro build`). Dev gets no
// CSP: Vite's dev client injects inline scripts of its own.
const previewHeaders = siteHeaders({ dist: fileURLToPath(new URL('./dist', import.meta.url)) });
const devHeaders = siteHeaders({ csp: false });

/** `astro dev` serves .safetensors with an empty Content-Type; set it before the static handler. */
const contentTypes = /** @type {import('astro').AstroIntegration} */ ({
  name: 'token-clock:content-types',
  hooks: {
    'astro:server:setup': ({ server }) => {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        for (const [ext, type] of Object.entries(EXTRA_TYPES)) if (path.endsWith(ext)) res.setHeader('Content-Type', type);
        next();
      });
    },
  },
});

/** Copy the tfjs wasm binaries into public/tfjs/ before dev, build and preview. */
const tfjsWasm = /** @type {import('astro').AstroIntegration} */ ({
  name: 'token-clock:tfjs-wasm',
  hooks: {
    'astro:config:setup': ({ logger }) => {
      const names = preparePublic({ quiet: true });
      logger.info(`${names.length} wasm files in public/tfjs/`);
    },
  },
});

export default defineConfig({
  srcDir: './site',
  publicDir: './public',
  output: 'static',
  // Styles go into each page: a separate render-blocking stylesheet request costs a phone more
  // first-paint time than the bytes do (Lighthouse, mobile, simulated throttling).
  build: { inlineStylesheets: 'always' },
  // English at /, Chinese at /zh-cn/ (components/i18n has the UI strings of both).
  i18n: { defaultLocale: 'en', locales: ['en', 'zh-cn'], routing: { prefixDefaultLocale: false } },
  // serviceWorker() writes dist/sw.js, which precaches the whole build for offline use.
  integrations: [tfjsWasm, contentTypes, mdx(), serviceWorker()],
  // $…$ and $$…$$ in chapters are typeset at build time by KaTeX (its CSS is served by the site).
  markdown: { remarkPlugins: [remarkMath], rehypePlugins: [rehypeKatex] },
  server: { host: '127.0.0.1', port: 4321, headers: process.argv.includes('preview') ? previewHeaders : devHeaders },
  vite: {
    resolve: {
      // tfjs-core mentions node-fetch for Node; the browser bundle must not pull it in.
      alias: { 'node-fetch': fileURLToPath(new URL('./site/shims/empty.js', import.meta.url)) },
    },
    // The engine worker dynamically imports backends, so it needs ES-module workers.
    worker: { format: 'es' },
    // No <link rel=modulepreload> injected before each dynamic import: a chapter page imports its
    // notebook module that way, and Vite's helper added 11 links to <head> in one task as the page
    // loaded (≈ 30 ms of main thread in a CPU profile of chapter 1; Lighthouse's total blocking
    // time, median of 10 runs, ≈ 190 ms before, ≈ 125 ms after, with the engine's worker started
    // when the page is idle). The module's own static imports are fetched together when it loads.
    build: { modulePreload: false },
    server: { headers: devHeaders },
    preview: { headers: previewHeaders },
  },
});
