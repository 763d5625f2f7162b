// @ts-check
// Copies the tfjs wasm binaries into public/tfjs/ so the site serves them itself (no CDN).
// Run directly (`node scripts/prepare-public.mjs`) or through the Astro integration in
// astro.config.mjs, which calls preparePublic() before every dev, build and preview.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Copy every `.wasm` file of @tensorflow/tfjs-backend-wasm into `public/tfjs/`.
 * Files already there with the same size and an mtime no older than the source are left alone,
 * so the dev server does not see spurious changes.
 * @param {{ quiet?: boolean }} [options]
 * @returns {string[]} the names of the files now in public/tfjs/
 */
export function preparePublic({ quiet = false } = {}) {
  const from = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const to = join(root, 'public/tfjs');
  if (!existsSync(from)) throw new Error(`prepare-public: ${from} is missing; run \`npm ci\` first`);
  const names = readdirSync(from).filter((f) => f.endsWith('.wasm')).sort();
  if (names.length === 0) throw new Error(`prepare-public: no .wasm files in ${from}`);
  mkdirSync(to, { recursive: true });
  let copied = 0;
  for (const name of names) {
    const src = join(from, name);
    const dst = join(to, name);
    const s = statSync(src);
    if (existsSync(dst)) {
      const d = statSync(dst);
      if (d.size === s.size && d.mtimeMs >= s.mtimeMs) continue;
    }
    copyFileSync(src, dst);
    copied++;
  }
  if (!quiet) console.log(`prepare-public: ${names.length} wasm files in public/tfjs/ (${copied} copied)`);
  return names;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) preparePublic();
