// scripts/precache.mjs: the service worker's list of files and its version, on a made-up build.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { precacheManifest, writeServiceWorker } from '../../scripts/precache.mjs';

/** A build folder with a page, a chunk, a wasm file and things that are not served. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenclock-precache-'));
  mkdirSync(join(dir, '_astro'));
  mkdirSync(join(dir, 'chapters/one'), { recursive: true });
  mkdirSync(join(dir, 'tfjs'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'chapters/one/index.html'), '<!doctype html><title>one</title>');
  writeFileSync(join(dir, '_astro/app.abc123.js'), 'console.log(1);');
  writeFileSync(join(dir, '_astro/app.abc123.js.map'), '{}');
  writeFileSync(join(dir, 'tfjs/a.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, '.DS_Store'), 'x');
  writeFileSync(join(dir, 'sw.js'), 'an old service worker');
  return dir;
}

/** The PRECACHE list written into sw.js. */
function listIn(sw: string): { version: string; files: { path: string; sha256: string; size: number }[] } {
  const m = /const PRECACHE = \/\* @precache \*\/ (.*);$/m.exec(sw);
  assert.ok(m, 'sw.js has no PRECACHE line');
  return JSON.parse(m[1]);
}

describe('precache manifest', () => {
  it('lists every served file of the build, sorted, with its SHA-256 and size; not sw.js, maps or dotfiles', () => {
    const dir = fakeBuild();
    try {
      const { files } = precacheManifest(dir);
      assert.deepEqual(files.map((f) => f.path), ['_astro/app.abc123.js', 'chapters/one/index.html', 'index.html', 'tfjs/a.wasm']);
      const wasm = files.find((f) => f.path === 'tfjs/a.wasm')!;
      assert.equal(wasm.size, 4);
      assert.equal(wasm.sha256, createHash('sha256').update(Buffer.from([0, 97, 115, 109])).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('has a version that changes when any file changes, is added or removed, and only then', () => {
    const dir = fakeBuild();
    try {
      const v1 = precacheManifest(dir).version;
      assert.match(v1, /^[0-9a-f]{16}$/);
      assert.equal(precacheManifest(dir).version, v1);
      writeFileSync(join(dir, 'sw.js'), 'another service worker'); // not in the list
      assert.equal(precacheManifest(dir).version, v1);
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>y</title>');
      const v2 = precacheManifest(dir).version;
      assert.notEqual(v2, v1);
      writeFileSync(join(dir, 'new.txt'), 'new');
      const v3 = precacheManifest(dir).version;
      assert.notEqual(v3, v2);
      rmSync(join(dir, 'new.txt'));
      assert.equal(precacheManifest(dir).version, v2);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('writeServiceWorker', () => {
  it('writes sw.js from scripts/service-worker.js with the build list filled in', () => {
    const dir = fakeBuild();
    try {
      const result = writeServiceWorker(dir);
      const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
      const list = listIn(sw);
      assert.deepEqual(list, precacheManifest(dir));
      assert.deepEqual(result, { version: list.version, files: 4, bytes: list.files.reduce((n, f) => n + f.size, 0) });
      assert.match(sw, /addEventListener\('install'/);
      assert.match(sw, /const CACHE = `\$\{PREFIX\}\$\{PRECACHE\.version\}`/);
      assert.doesNotThrow(() => new Function(sw), 'sw.js does not parse');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('can refill a built sw.js for a changed copy of the build', () => {
    const dir = fakeBuild();
    try {
      writeServiceWorker(dir);
      const before = listIn(readFileSync(join(dir, 'sw.js'), 'utf8'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>changed</title>');
      writeServiceWorker(dir, join(dir, 'sw.js'));
      const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
      const after = listIn(sw);
      assert.notEqual(after.version, before.version);
      assert.deepEqual(after, precacheManifest(dir));
      assert.equal(sw.match(/@precache/g)?.length, 1);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
