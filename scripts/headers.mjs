// @ts-check
// The headers the site is served with, in one place: cross-origin isolation (threaded wasm needs
// SharedArrayBuffer), a Content-Security-Policy the built pages pass, nosniff and a Referrer-Policy.
// Used by astro.config.mjs (preview; dev gets all but the CSP, since Vite's dev client injects
// scripts of its own) and by bench/harness.ts (the server every e2e test drives, so each e2e test
// also checks the pages run under this CSP: a violation is a console error there).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the model page may download from: the Hub and the hosts it redirects file downloads to. */
export const HUB_CONNECT = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The sha256 sources ('sha256-…') of every inline <script> in the built HTML under `dir`: the
 * theme script that must run before first paint and the service-worker registration.
 * @param {string} dir
 * @returns {string[]}
 */
export function inlineScriptHashes(dir) {
  const hashes = new Set();
  if (!existsSync(dir)) return [];
  /** @param {string} d */
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
          if (m[1].length) hashes.add(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
        }
      }
    }
  };
  walk(dir);
  return [...hashes].sort();
}

/**
 * The Content-Security-Policy for pages whose inline scripts have these hashes. A Hub mirror
 * typed on the Models page is not in connect-src: a host that offers one must add it.
 * @param {string[]} scriptHashes
 * @param {string[]} [extraConnect] more hosts the Models page may download from (a mirror)
 */
export function contentSecurityPolicy(scriptHashes, extraConnect = []) {
  return [
    "default-src 'self'",
    // blob: is for tfjs's threaded wasm: its pthread workers importScripts() a blob: URL.
    `script-src 'self' 'wasm-unsafe-eval' blob: ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'", // KaTeX and the charts position with style attributes
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${[...HUB_CONNECT, ...extraConnect].join(' ')}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Every header a response of the built site gets (the CSP left out when `csp` is false);
 * `connect`: more hosts the Models page may download from (a Hub mirror).
 * @param {{ dist?: string; csp?: boolean; connect?: string[] }} opts
 * @returns {Record<string, string>}
 */
export function siteHeaders({ dist = 'dist', csp = true, connect = [] } = {}) {
  return {
    ...ISOLATION,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    ...(csp ? { 'Content-Security-Policy': contentSecurityPolicy(inlineScriptHashes(dist), connect) } : {}),
  };
}

/** Content types a static server may not know: a model's weights are plain bytes. */
export const EXTRA_TYPES = { '.safetensors': 'application/octet-stream' };
