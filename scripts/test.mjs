// @ts-check
// `npm test`: everything that keeps main healthy, in order, stopping at the first failure.
//   1. typecheck  tsc --noEmit -p tsconfig.json, then astro check (the .astro files)
//   2. lint       eslint . (TypeScript, .astro files and the layer rules)
//   3. unit       node's test runner over test/**/*.test.ts, except test/e2e/**
//   4. build      astro build (the site the e2e tests drive)
//   5. browser    make sure Chromium is there (installs it on Debian as root)
//   6. e2e        node's test runner over test/e2e/**/*.test.ts
// `node scripts/test.mjs lint e2e` runs only the stages named (in the order above);
// `node scripts/test.mjs unit test/model` runs only the unit tests under the paths given.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (/** @type {string} */ name) => join(root, 'node_modules', '.bin', name);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cjkFont = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const aptCommand = 'apt-get update && apt-get install -y chromium fonts-noto-cjk';

class StageError extends Error {}

/**
 * Run a command with the terminal's stdio; resolves when it exits 0.
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function run(command, args, env) {
  console.log(`$ ${[relative(root, command) || command, ...args].join(' ')}`);
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? ok(undefined) : fail(new StageError(`${relative(root, command) || command} exited with ${signal ?? `code ${code}`}`)));
  });
}

/**
 * Run node's test runner on `files`, forwarding its TAP output and reading its closing counts.
 * @param {string[]} files
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<string>} e.g. "pass 12, fail 0"
 */
function runTests(files, env) {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', ...files];
  console.log(`$ node ${args.join(' ')}`);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let tail = '';
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const count = (/** @type {string} */ key) => tail.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? '?';
      const counts = `pass ${count('pass')}, fail ${count('fail')}`;
      if (code === 0) ok(counts);
      else fail(new StageError(`tests failed (${counts}; exit ${signal ?? code})`));
    });
  });
}

/**
 * Every `*.test.ts` file under `dir`, sorted; Node 20's --test does not expand globs itself.
 * @param {string} dir
 * @returns {string[]} paths relative to the repository root, with forward slashes
 */
function findTests(dir) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found.sort();
}

const unitTests = () => findTests(join(root, 'test')).filter((f) => !f.startsWith('test/e2e/'));
const e2eTests = () => findTests(join(root, 'test', 'e2e'));

/** Make sure Chromium (and CJK fonts) are installed; install them on Debian as root. */
async function ensureChromium() {
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = process.getuid?.() === 0;
  const missing = !existsSync(chromiumPath);
  if (missing && process.env.CHROMIUM_PATH) {
    throw new StageError(`CHROMIUM_PATH=${chromiumPath} does not exist; point it at a Chromium binary or unset it`);
  }
  if (missing || (isDebian && !existsSync(cjkFont))) {
    if (isDebian && isRoot) {
      console.log(missing ? `Chromium is missing at ${chromiumPath}; installing it.` : 'fonts-noto-cjk is missing; installing it.');
      await run('/bin/sh', ['-c', aptCommand], { DEBIAN_FRONTEND: 'noninteractive' });
    } else if (missing) {
      throw new StageError(
        `Chromium is missing at ${chromiumPath}. The e2e tests need it; install it with:\n` +
          (isDebian ? `    sudo sh -c '${aptCommand}'` : '    (install Chromium, then) export CHROMIUM_PATH=/path/to/chromium'),
      );
    } else {
      console.warn(`warning: fonts-noto-cjk is missing, so Chinese text renders as boxes; install it with:\n    sudo apt-get install -y fonts-noto-cjk`);
    }
  }
  if (!existsSync(chromiumPath)) throw new StageError(`Chromium is still missing at ${chromiumPath} after installing`);
  const version = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (version.status !== 0) throw new StageError(`${chromiumPath} --version failed: ${version.stderr || version.error}`);
  return version.stdout.trim();
}

/** @type {{ name: string, what: string, run: () => Promise<string | void> }[]} */
const stages = [
  {
    name: 'typecheck',
    what: 'tsc --noEmit -p tsconfig.json; astro check',
    run: async () => {
      await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
      await run(bin('astro'), ['check', '--minimumSeverity', 'warning'], { ASTRO_TELEMETRY_DISABLED: '1' });
    },
  },
  { name: 'lint', what: 'eslint .', run: () => run(bin('eslint'), ['.']) },
  {
    name: 'unit',
    what: 'node --test over test/**/*.test.ts except test/e2e/**',
    run: async () => {
      const files = unitTests().filter((f) => paths.length === 0 || paths.some((p) => f.startsWith(p.replace(/\/+$/, ''))));
      if (files.length === 0) {
        console.warn('warning: no unit test files found under test/ (outside test/e2e/)');
        return 'no test files';
      }
      console.log(`${files.length} test files:\n  ${files.join('\n  ')}`);
      return runTests(files);
    },
  },
  { name: 'build', what: 'astro build', run: () => run(bin('astro'), ['build'], { ASTRO_TELEMETRY_DISABLED: '1' }) },
  { name: 'browser', what: `Chromium at ${chromiumPath}`, run: ensureChromium },
  {
    name: 'e2e',
    what: 'node --test over test/e2e/**/*.test.ts',
    run: async () => {
      const files = e2eTests();
      if (files.length === 0) throw new StageError('no e2e test files found under test/e2e/');
      console.log(`${files.length} test files:\n  ${files.join('\n  ')}`);
      return runTests(files, { CHROMIUM_PATH: chromiumPath });
    },
  },
];

const args = process.argv.slice(2);
/** Paths after the stage names (`unit test/model`): only the unit tests under them run. */
const paths = args.filter((a) => a.includes('/') || a.endsWith('.ts'));
const requested = args.filter((a) => !paths.includes(a));
const unknown = requested.filter((name) => !stages.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown stage ${unknown.join(', ')}; stages are: ${stages.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = requested.length > 0 ? stages.filter((s) => requested.includes(s.name)) : stages;
if (selected.length < stages.length) {
  console.log(`Running only ${selected.map((s) => s.name).join(', ')} (as asked); not running ${stages.filter((s) => !selected.includes(s)).map((s) => s.name).join(', ')}.`);
}

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)}s`;
/** @type {string[]} */
const summary = [];
const started = performance.now();
let failed = false;

for (const [i, stage] of selected.entries()) {
  console.log(`\n━━ [${i + 1}/${selected.length}] ${stage.name}: ${stage.what}`);
  const t0 = performance.now();
  try {
    const note = await stage.run();
    const line = `✔ ${stage.name.padEnd(10)} ${seconds(performance.now() - t0).padStart(7)}${note ? `  ${note}` : ''}`;
    console.log(line);
    summary.push(line);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = `✘ ${stage.name.padEnd(10)} ${seconds(performance.now() - t0).padStart(7)}  ${message}`;
    console.error(line);
    summary.push(line);
    for (const rest of selected.slice(i + 1)) summary.push(`- ${rest.name.padEnd(10)}     not run`);
    if (!(error instanceof StageError)) console.error(error);
    failed = true;
    break;
  }
}

console.log(`\n━━ npm test summary (${seconds(performance.now() - started)} in all)\n${summary.join('\n')}`);
console.log(failed ? '\nFAILED: fix the first failing stage above.' : selected.length < stages.length ? '\nThe stages asked for passed (not the full suite).' : '\nAll stages passed.');
process.exitCode = failed ? 1 : 0;
