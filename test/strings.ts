// Every owner's strings file, loaded: `strings.ts` or `<name>.strings.ts` anywhere in the product
// folders (see components/i18n/index.ts). Tests that read every message import them all first.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = ['model', 'engine', 'components', 'notebooks', 'site', 'train', 'cli'];

/** The strings files, as paths relative to the repository root, sorted. */
export function stringsFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name === 'strings.ts' || e.name.endsWith('.strings.ts')) found.push(relative(root, path).split('\\').join('/'));
    }
  };
  for (const f of folders) {
    try {
      walk(join(root, f));
    } catch {
      // a folder this checkout does not have
    }
  }
  return found.sort();
}

/** Import every strings file, so each has registered its catalog. */
export async function loadAllStrings(): Promise<void> {
  for (const f of stringsFiles()) await import(pathToFileURL(join(root, f)).href);
}
