// @ts-check
// Writes the service worker into a finished build: <outDir>/sw.js is scripts/service-worker.js
// with its PRECACHE list filled in (every file of the build with its SHA-256, and a version
// hashed from that list). The Astro integration in astro.config.mjs calls writeServiceWorker()
// when a build is done; run it by hand on a build folder with `node scripts/precache.mjs <dir>`.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TEMPLATE = join(here, 'service-worker.js');
// The PRECACHE line: the template's empty list, or a built sw.js's list (so a build's sw.js can
// serve as the template for a changed copy of that build).
const PLACEHOLDER = /\/\* @precache \*\/ .*;$/m;

/** The service worker's own name in the build. */
export const SW_NAME = 'sw.js';

/**
 * Files a build holds that the site never serves to a browser: Astro's server-side leftovers
 * (when a build writes them next to the pages), source maps and dotfiles.
 * @param {string} path relative, with forward slashes
 */
function skipped(path) {
  return path === SW_NAME || path.endsWith('.map') || path.split('/').some((p) => p.startsWith('.'));
}

/**
 * Every file of a build folder, sorted, with its SHA-256 and size; and the version, a hash of
 * that list (so any changed, added or removed file gives a new version).
 * @param {string} dir
 * @returns {{ version: string, files: { path: string, sha256: string, size: number }[] }}
 */
export function precacheManifest(dir) {
  /** @type {{ path: string, sha256: string, size: number }[]} */
  const files = [];
  const walk = (/** @type {string} */ d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const path = relative(dir, full).split(sep).join('/');
        if (skipped(path)) continue;
        const bytes = readFileSync(full);
        files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength });
      }
    }
  };
  walk(dir);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const version = createHash('sha256')
    .update(files.map((f) => `${f.path}\0${f.sha256}\n`).join(''))
    .digest('hex')
    .slice(0, 16);
  return { version, files };
}

/**
 * Write <dir>/sw.js for the build in `dir`.
 * @param {string} dir the build's output folder
 * @param {string} [templatePath] scripts/service-worker.js, or a built sw.js to refill
 * @returns {{ version: string, files: number, bytes: number }}
 */
export function writeServiceWorker(dir, templatePath = TEMPLATE) {
  const manifest = precacheManifest(dir);
  const template = readFileSync(templatePath, 'utf8');
  if (!PLACEHOLDER.test(template)) throw new Error(`precache: ${templatePath} has no PRECACHE line`);
  writeFileSync(join(dir, SW_NAME), template.replace(PLACEHOLDER, () => `/* @precache */ ${JSON.stringify(manifest)};`));
  return { version: manifest.version, files: manifest.files.length, bytes: manifest.files.reduce((n, f) => n + f.size, 0) };
}

/**
 * The Astro integration: writes sw.js into the output folder once a build is done (not in dev,
 * where the layout registers no service worker).
 * @returns {import('astro').AstroIntegration}
 */
export function serviceWorker() {
  return {
    name: 'token-clock:service-worker',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const { version, files, bytes } = writeServiceWorker(fileURLToPath(dir));
        logger.info(`${SW_NAME} version ${version}: precaches ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
      },
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/precache.mjs <build dir>');
    process.exit(2);
  }
  const { version, files, bytes } = writeServiceWorker(resolve(dir));
  console.log(`precache: ${SW_NAME} version ${version}, ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
}
