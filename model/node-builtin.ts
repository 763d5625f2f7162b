/**
 * One of Node's built-in modules, for the code paths that only ever run in Node (reading a model
 * folder, writing a random checkpoint, building tfjs's gradients). The specifier is a variable so
 * the browser bundler does not follow it: Vite would otherwise stub every such module for the
 * pages' bundles and warn about each (26 warnings per build), though the pages never take these
 * paths. The types are imported as types only, so nothing of Node reaches a bundle.
 */
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Module from 'node:module';
import type * as Os from 'node:os';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';

interface Builtins {
  'node:fs': typeof Fs;
  'node:fs/promises': typeof FsPromises;
  'node:module': typeof Module;
  'node:os': typeof Os;
  'node:path': typeof Path;
  'node:url': typeof Url;
  'node:worker_threads': typeof WorkerThreads;
}

export function nodeBuiltin<K extends keyof Builtins>(name: K): Promise<Builtins[K]> {
  return import(/* @vite-ignore */ name) as Promise<Builtins[K]>;
}
