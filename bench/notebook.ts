/**
 * The notebook benchmark in headless Chromium, against the built site (`npx astro build` first,
 * or BENCH_DIST=<folder> for a build elsewhere). For the landing page and chapter pages with
 * live charts it measures:
 *
 *   a) cold load (a fresh browser context, so no cache) → model ready → first tick shown;
 *   b) a tick with the page's own trace plus the redraw of every chart near the viewport with the
 *      controls in view (a chart further away waits until the reader comes back to it): from the click on
 *      Next token to the last DOM change the tick causes in a chart, split into the engine's time
 *      (the worker's own measure, read from the page's `tokenclock:tick` performance mark), the
 *      rest of the round trip (messages, trace copies, queueing, and worker work outside the tick
 *      such as chapter 1's read-back of the weights), and the page's part (waiting
 *      for the runtime's animation frame, then redrawing);
 *   c) Temperature → probability bars redrawn (chapter 6), which re-draws from stored logits:
 *      the bench fails if the tick count or the tick mark moves (that would be a forward pass);
 *   d) the JavaScript a page fetched (page and worker) before its first chart, gzipped here
 *      with node:zlib from the served files (the test server does not compress); model files
 *      are not JavaScript and are left out, the tfjs wasm binaries are reported apart.
 *
 * All chart timings are taken inside the page with performance.now() and a MutationObserver,
 * so the driver's round trips do not count. Prints tables and writes bench/out/notebook-chromium.json.
 *
 *   node --import tsx bench/notebook.ts [--quick] [--pages=attention,logits-to-token] [--ticks=N]
 *
 * --pages keeps the pages whose path contains one of the words; --ticks sets how many ticks (and
 * temperature changes) each page measures.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { collectConsoleErrors, distDir, launchBrowser, startPreview } from './harness.ts';

/** Targets from the issue (milliseconds, kilobytes of gzipped JavaScript). */
export const TARGETS = { tickMs: 16, temperatureMs: 16, jsGzipKB: 350 };

/** The pages measured: the landing page and the chapters whose charts redraw on every tick. */
/**
 * The pages measured: the landing page and the chapters whose charts redraw on every tick. `view`:
 * the chart the reader watches while pressing Next token (centred in the window; the figures
 * within 200 px of the window redraw with it, the rest when the page is idle).
 */
const PAGES: { path: string; name: string; trace: string; view?: string; temperature?: boolean; quick: boolean }[] = [
  { path: '/', name: 'landing', trace: 'none (text only)', quick: true },
  { path: '/chapters/the-clock/', name: 'ch 1 the-clock', trace: 'the whole tick; weights read back after it', view: 'whole', quick: false },
  { path: '/chapters/attention/', name: 'ch 4 attention', trace: 'q, k, scores, weights of one layer', view: 'matrix', quick: true },
  { path: '/chapters/mlp-residual/', name: 'ch 5 mlp-residual', trace: 'embeddings, MLP, residual, lens: every layer', view: 'residual', quick: false },
  { path: '/chapters/logits-to-token/', name: 'ch 6 logits-to-token', trace: 'none (logits, draw)', view: 'bars', temperature: true, quick: true },
];

export interface Stat {
  median: number;
  p95: number; // nearest rank
  max: number;
}

export interface JsFile {
  path: string;
  bytes: number;
  gzip: number;
}

export interface LoadResult {
  page: string;
  path: string;
  readyMs: number; // navigation → model ready
  firstTickMs: number; // navigation → the first tick shown (Next token pressed as soon as the model was ready)
  firstChartMs: number; // navigation → the first chart in the DOM (landing: the first tick's text)
  js: { files: JsFile[]; bytes: number; gzip: number }; // requested before the first chart
  jsLater: { files: JsFile[]; bytes: number; gzip: number }; // requested after it, during the visit
  wasm: JsFile[];
  model: { files: string[]; bytes: number }; // model files requested (not counted as JS)
}

export interface TickResult {
  page: string;
  trace: string;
  ticks: number;
  view: string; // the chart centred in the window (the controls when none)
  charts: string[]; // the mounts near the window that redrew
  total: Stat; // click → last chart change
  engine: Stat; // the tick in the worker (its own ms.total)
  toPage: Stat; // click → answer on the page, minus the engine's time: messages, trace copies, worker work outside the tick (chapter 1's weight read-back)
  frameWait: Stat; // answer → the runtime starts recomputing (its requestAnimationFrame)
  redraw: Stat; // recompute start → last chart change
  slowestCell: string; // the mount that finished last most often
}

export interface TemperatureResult {
  page: string;
  changes: number;
  bars: Stat; // input event → bars with the new temperature in the DOM
  all: Stat; // input event → last change in any chart
  ticks: number; // the tick count, before and after every change (unchanged)
}

export interface NotebookReport {
  date: string;
  chromium: string;
  quick: boolean;
  machine: { cpus: number; load: [number, number] }; // CPU cores; 1-minute load average at start and end (other work skews timings)
  targets: typeof TARGETS;
  loads: LoadResult[];
  ticks: TickResult[];
  temperature: TemperatureResult[];
}

/** What a tick or a temperature change looked like from inside the page. */
interface PageTick {
  index: number;
  total: number;
  engine: number;
  answer: number;
  frameWait: number;
  redraw: number;
  cells: Record<string, number>;
  stale: string[];
  errors: string[];
}
interface PageTemperature {
  bars: number;
  all: number;
  ticksBefore: number;
  ticksAfter: number;
  newTick: boolean;
  errors: string[];
}

declare global {
  interface Window {
    __tcBench?: {
      firstChartAt: number | null;
      firstTickAt: number | null;
      settled(): boolean;
      errors(): string[];
      tick(): Promise<PageTick>;
      temperature(value: number): Promise<PageTemperature>;
    };
  }
}

/**
 * The in-page half, plain JavaScript installed before the page's own scripts: a MutationObserver
 * that time-stamps every change inside a mount (data-cell), and the two measurements.
 */
const IN_PAGE = String.raw`
(() => {
  const B = { log: [], recording: false, count: 0, firstChartAt: null, firstTickAt: null };
  const waiters = new Set(); // conditions waiting for the next DOM change
  const MARK = 'tokenclock:tick';
  const cellOf = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    const m = el ? el.closest('[data-cell]') : null;
    return m ? m.getAttribute('data-cell') : null;
  };
  new MutationObserver((records) => {
    const t = performance.now();
    B.count += records.length;
    if (B.recording) {
      for (const r of records) {
        const cell = cellOf(r.target);
        if (!cell) continue;
        const added = [];
        for (const a of r.addedNodes) if (a.nodeType === 1 && a.classList.contains('chart')) added.push({ tick: a.dataset.tick ?? null, temperature: a.dataset.temperature ?? null });
        B.log.push({ t, cell, added });
      }
    }
    if (B.firstChartAt === null && document.querySelector('[data-cell] .chart')) B.firstChartAt = performance.timeOrigin + t;
    if (B.firstTickAt === null && /^Tick 0 /.test(document.getElementById('status')?.textContent ?? '')) B.firstTickAt = performance.timeOrigin + t;
    for (const check of [...waiters]) check();
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Resolves when f() holds, checked after every DOM change: no polling, which would take a core
  // from the engine on a small machine.
  const until = (f, what, timeout = 60000) => new Promise((resolve, reject) => {
    if (f()) return resolve();
    const check = () => {
      if (!f()) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error('timed out waiting for ' + what));
    }, timeout);
    waiters.add(check);
  });
  // Resolves once no mutation has happened for ms milliseconds.
  const quiet = async (ms) => {
    for (;;) {
      const n = B.count;
      await sleep(ms);
      if (B.count === n) return;
    }
  };
  const mounts = () => [...document.querySelectorAll('[data-cell][data-state]')];
  // A cell waits for its mount to come near the viewport before its first draw (pending until then).
  const far = (m) => {
    const r = m.getBoundingClientRect();
    return r.bottom < -200 || r.top > innerHeight + 200;
  };
  // A cell may also wait to redraw until its mount is back near the viewport (runtime.ts inViewport).
  B.settled = () => mounts().every((m) => (m.dataset.state !== 'updating' && m.dataset.state !== 'pending') || far(m));
  B.errors = () => mounts().filter((m) => m.dataset.state === 'error').map((m) => m.dataset.cell + ': ' + m.textContent);
  const controls = () => document.querySelector('[data-cell="controls"]');
  const ticks = () => Number(controls().dataset.ticks ?? 0);
  const lastMark = () => performance.getEntriesByName(MARK).at(-1);

  B.tick = async () => {
    const next = controls().querySelector('[name="next-token"]');
    const before = ticks();
    await quiet(50);
    performance.clearMarks(MARK);
    B.log = [];
    B.recording = true;
    const t0 = performance.now();
    next.click();
    await until(() => ticks() === before + 1 && lastMark() && B.settled(), 'tick ' + before);
    await quiet(100);
    B.recording = false;
    const mark = lastMark();
    const answer = mark.startTime;
    // The charts near the viewport; those further away catch up when the page is idle (not counted).
    const near = new Set(mounts().filter((m) => !far(m)).map((m) => m.dataset.cell));
    const after = B.log.filter((m) => m.t >= answer && near.has(m.cell));
    // Nothing near the window to redraw: the answer is all there is.
    const first = after.length ? Math.min(...after.map((m) => m.t)) : answer;
    const drawn = after.length ? Math.max(...after.map((m) => m.t)) : answer;
    const cells = {};
    for (const m of after) if (m.cell !== 'controls') cells[m.cell] = Math.max(cells[m.cell] ?? 0, m.t - t0);
    const stale = [...document.querySelectorAll('[data-cell] > .chart[data-tick]')]
      .filter((c) => Number(c.dataset.tick) !== mark.detail.index && !far(c.parentElement))
      .map((c) => c.parentElement.dataset.cell + ' shows tick ' + c.dataset.tick);
    return { index: mark.detail.index, total: drawn - t0, engine: mark.detail.engineMs, answer: answer - t0, frameWait: first - answer, redraw: drawn - first, cells, stale, errors: B.errors() };
  };

  B.temperature = async (value) => {
    const input = controls().querySelector('[name="temperature"]');
    const want = String(value);
    await quiet(50);
    const ticksBefore = ticks();
    const markBefore = lastMark()?.startTime;
    B.log = [];
    B.recording = true;
    const t0 = performance.now();
    input.value = want;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await until(() => document.querySelector('[data-cell="bars"] > .chart')?.dataset.temperature === want && B.settled(), 'bars at T = ' + want);
    await quiet(100);
    B.recording = false;
    const bars = B.log.find((m) => m.cell === 'bars' && m.added.some((a) => a.temperature === want));
    const near = new Set(mounts().filter((m) => !far(m)).map((m) => m.dataset.cell));
    const drawn = Math.max(...B.log.filter((m) => m.cell !== 'controls' && near.has(m.cell)).map((m) => m.t));
    return { bars: bars.t - t0, all: drawn - t0, ticksBefore, ticksAfter: ticks(), newTick: lastMark()?.startTime !== markBefore, errors: B.errors() };
  };
  window.__tcBench = B;
})();
`;

export function stat(xs: number[]): Stat {
  const s = xs.slice().sort((a, b) => a - b);
  return { median: s[(s.length - 1) >> 1], p95: s[Math.max(0, Math.ceil(0.95 * s.length) - 1)], max: s[s.length - 1] };
}

const gz = (b: Buffer) => gzipSync(b).byteLength; // zlib's default level (6), as a web server would send it

/** The file a URL path names in the served folder, as the test server resolves it. */
function fileOf(root: string, pathname: string): string {
  const p = normalize(join(root, decodeURIComponent(pathname)));
  return pathname.endsWith('/') ? join(p, 'index.html') : p;
}

async function sizes(root: string, paths: string[]): Promise<JsFile[]> {
  return Promise.all(paths.map(async (path) => {
    const b = await readFile(fileOf(root, path));
    return { path, bytes: b.byteLength, gzip: gz(b) };
  }));
}

const sum = (files: JsFile[]) => ({ files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) });

/** Open `path` in a fresh context, press Next token as soon as the model is ready, and account for what was fetched. */
async function coldLoad(browser: Browser, base: string, root: string, spec: (typeof PAGES)[number]): Promise<{ page: Page; errors: string[]; load: LoadResult }> {
  const context = await browser.newContext();
  await context.addInitScript({ content: IN_PAGE });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  // Every request of the page and its worker (Playwright reports both), with the time the driver
  // heard of it (ms since the epoch; the page's first-chart time is on the same clock).
  const requests: { path: string; at: number }[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.origin !== base || url.protocol !== 'http:') return; // not the blob: scripts of wasm threads
    requests.push({ path: url.pathname, at: Date.now() });
  });
  const landing = spec.path === '/';
  const t0 = Date.now();
  const res = await page.goto(base + spec.path);
  if (res?.status() !== 200) throw new Error(`${spec.path}: HTTP ${res?.status()}`);
  // The model is ready (a chapter's status line says so only once its clock has started, which
  // waits for the reader near the controls or a figure, or for a press of Next token).
  await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 120_000 });
  const readyMs = Date.now() - t0;
  await page.getByRole('button', { name: 'Next token' }).click();
  if (landing) await page.waitForFunction(() => window.__tcBench!.firstTickAt !== null, null, { timeout: 60_000 });
  else await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks === '1' && window.__tcBench!.settled(), null, { timeout: 60_000 });
  const firstTickMs = Date.now() - t0;
  // A chapter whose charts all lie below the fold draws its first one when the reader scrolls to it.
  if (!landing) {
    for (const cell of await page.locator('figure [data-cell]').all()) {
      if (await page.evaluate(() => window.__tcBench!.firstChartAt !== null)) break;
      await cell.scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
    }
  }
  const firstChartAt = await page.evaluate(() => (document.getElementById('status') ? window.__tcBench!.firstTickAt : window.__tcBench!.firstChartAt));
  if (firstChartAt === null) throw new Error(`${spec.path}: no chart appeared`);
  await page.waitForTimeout(300); // let late requests finish
  const seen = new Set<string>();
  const unique = requests.filter((r) => !seen.has(r.path) && seen.add(r.path));
  const isJs = (p: string) => /\.m?js$/.test(p);
  const model = unique.filter((r) => r.path.includes('/models/'));
  const load: LoadResult = {
    page: spec.name,
    path: spec.path,
    readyMs,
    firstTickMs,
    firstChartMs: Math.round(firstChartAt - t0),
    js: sum(await sizes(root, unique.filter((r) => isJs(r.path) && r.at < firstChartAt).map((r) => r.path))),
    jsLater: sum(await sizes(root, unique.filter((r) => isJs(r.path) && r.at >= firstChartAt).map((r) => r.path))),
    wasm: await sizes(root, unique.filter((r) => r.path.endsWith('.wasm')).map((r) => r.path)),
    model: {
      files: model.map((r) => r.path),
      bytes: (await Promise.all(model.map((r) => readFile(fileOf(root, r.path))))).reduce((s, b) => s + b.byteLength, 0),
    },
  };
  return { page, errors, load };
}

async function measureTicks(page: Page, spec: (typeof PAGES)[number], n: number): Promise<TickResult> {
  // Bring every figure near the viewport once, as a reader scrolling through does, then come back
  // to the controls: a tick redraws the figures near the viewport there, and the others when the
  // reader comes back to them (notebooks/chapter.ts figure).
  for (const cell of await page.locator('figure [data-cell]').all()) await cell.scrollIntoViewIfNeeded();
  // The reader watches a chart and presses Next token (the tick bar's, or the controls' when they are in view).
  await page.evaluate((view) => document.querySelector(view ? `[data-cell="${view}"]` : '[data-cell="controls"]')?.scrollIntoView({ block: 'center' }), spec.view ?? null);
  await page.waitForTimeout(300);
  await page.waitForFunction(() => window.__tcBench!.settled(), null, { timeout: 60_000 });
  await page.evaluate(() => window.__tcBench!.tick()); // warm-up: not counted
  const runs: PageTick[] = [];
  for (let i = 0; i < n; i++) {
    const r = await page.evaluate(() => window.__tcBench!.tick());
    if (r.errors.length) throw new Error(`${spec.path}: ${r.errors.join('; ')}`);
    if (r.stale.length) throw new Error(`${spec.path}, tick ${r.index}: ${r.stale.join('; ')}`);
    runs.push(r);
  }
  const last = new Map<string, number>();
  for (const r of runs) {
    const cell = Object.entries(r.cells).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '—';
    last.set(cell, (last.get(cell) ?? 0) + 1);
  }
  return {
    page: spec.name,
    trace: spec.trace,
    view: spec.view ?? 'controls',
    ticks: n,
    charts: [...new Set(runs.flatMap((r) => Object.keys(r.cells)))].sort(),
    total: stat(runs.map((r) => r.total)),
    engine: stat(runs.map((r) => r.engine)),
    toPage: stat(runs.map((r) => r.answer - r.engine)),
    frameWait: stat(runs.map((r) => r.frameWait)),
    redraw: stat(runs.map((r) => r.redraw)),
    slowestCell: [...last.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '—',
  };
}

async function measureTemperature(page: Page, spec: (typeof PAGES)[number], n: number): Promise<TemperatureResult> {
  const values = [0.5, 0.7, 0.9, 1.1, 1.3, 1.5];
  const runs: PageTemperature[] = [];
  // The reader watches the bars while changing the temperature (a figure out of view redraws when it comes back).
  await page.locator('[data-cell="bars"]').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.__tcBench!.settled(), null, { timeout: 60_000 });
  const warm = await page.evaluate(() => window.__tcBench!.temperature(1.2)); // warm-up: not counted
  for (let i = 0; i < n; i++) {
    const r = await page.evaluate((v) => window.__tcBench!.temperature(v), values[i % values.length]);
    if (r.errors.length) throw new Error(`${spec.path}: ${r.errors.join('; ')}`);
    // A temperature change re-draws from the tick's stored logits: no tick, so no forward pass.
    if (r.newTick || r.ticksAfter !== r.ticksBefore || r.ticksBefore !== warm.ticksBefore) {
      throw new Error(`${spec.path}: a temperature change ran a tick (ticks ${r.ticksBefore} → ${r.ticksAfter})`);
    }
    runs.push(r);
  }
  return { page: spec.name, changes: n, bars: stat(runs.map((r) => r.bars)), all: stat(runs.map((r) => r.all)), ticks: warm.ticksBefore };
}

const f1 = (x: number) => x.toFixed(1);
const kb = (b: number) => (b / 1024).toFixed(1);
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const ms = (s: Stat) => `${f1(s.median)} / ${f1(s.p95)}`;

/** The report as Markdown tables (✓/✗ against the issue's targets, on the median). */
export function formatNotebookReport(r: NotebookReport): string {
  const t = r.targets;
  return [
    `Notebook pages in Chromium ${r.chromium} (headless, built site, engine in a Web Worker)${r.quick ? ' — quick' : ''}; ` +
      `${r.machine.cpus} cores, load average ${r.machine.load.map((x) => x.toFixed(1)).join(' → ')}`,
    '',
    `Cold load (fresh context, no cache) and JavaScript before the first chart (gzip -6 by node:zlib; model files excluded; wasm apart)`,
    `| page | model ready (ms) | first tick shown (ms) | first chart (ms) | JS files | JS (KB) | JS gzip (KB) | target ≤ ${t.jsGzipKB} KB | JS later, gzip (KB) | wasm fetched (KB, gzip) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.loads.map((l) =>
      `| ${l.page} | ${l.readyMs} | ${l.firstTickMs} | ${l.firstChartMs} | ${l.js.files.length} | ${kb(l.js.bytes)} | ${kb(l.js.gzip)} | ${mark(l.js.gzip / 1024 <= t.jsGzipKB)} | ${kb(l.jsLater.gzip)} | ` +
      `${l.wasm.map((w) => `${w.path.split('/').pop()} ${kb(w.bytes)} (${kb(w.gzip)})`).join(', ') || '—'} |`),
    '',
    `Next token → every chart near the window redrawn for that tick (ms, median / p95; the page's own trace; all figures scrolled past once, then the chart in view centred; the others catch up when the page is idle)`,
    `| page | trace | chart in view | charts redrawn | ticks | click → charts | target ≤ ${t.tickMs} ms | engine (worker) | rest of round trip | frame wait | redraw | last to finish |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.ticks.map((x) =>
      `| ${x.page} | ${x.trace} | ${x.view} | ${x.charts.join(', ') || '—'} | ${x.ticks} | ${ms(x.total)} | ${mark(x.total.median <= t.tickMs)} | ${ms(x.engine)} | ${ms(x.toPage)} | ${ms(x.frameWait)} | ${ms(x.redraw)} | ${x.slowestCell} |`),
    '',
    `Temperature → probability bars redrawn from stored logits (ms, median / p95; no forward pass: tick count unchanged)`,
    `| page | changes | input → bars | target ≤ ${t.temperatureMs} ms | input → all charts | ticks before = after |`,
    '|---|---|---|---|---|---|',
    ...r.temperature.map((x) => `| ${x.page} | ${x.changes} | ${ms(x.bars)} | ${mark(x.bars.median <= t.temperatureMs)} | ${ms(x.all)} | ${x.ticks} = ${x.ticks} |`),
  ].join('\n');
}

export async function runNotebookBench(opts: { quick?: boolean; dist?: string; pages?: string[]; ticks?: number } = {}): Promise<NotebookReport> {
  const quick = opts.quick ?? false;
  const root = opts.dist ?? process.env.BENCH_DIST ?? distDir;
  if (!existsSync(join(root, 'chapters', 'attention', 'index.html'))) throw new Error(`no built site in ${root}: run \`npx astro build\` first`);
  const nTicks = opts.ticks ?? (quick ? 5 : 20);
  const nTemps = opts.ticks ?? (quick ? 5 : 20);
  const preview = await startPreview(root);
  const browser = await launchBrowser();
  const report: NotebookReport = {
    date: new Date().toISOString(), chromium: browser.version(), quick, machine: { cpus: cpus().length, load: [loadavg()[0], 0] },
    targets: TARGETS, loads: [], ticks: [], temperature: [],
  };
  try {
    for (const spec of PAGES.filter((p) => (opts.pages ? opts.pages.some((w) => p.path.includes(w)) : !quick || p.quick))) {
      const { page, errors, load } = await coldLoad(browser, preview.url, root, spec);
      report.loads.push(load);
      if (spec.path !== '/') report.ticks.push(await measureTicks(page, spec, nTicks));
      if (spec.temperature) report.temperature.push(await measureTemperature(page, spec, nTemps));
      await page.context().close();
      if (errors.length) throw new Error(`${spec.path}: console errors:\n${errors.join('\n')}`);
    }
  } finally {
    await browser.close();
    await preview.close();
  }
  report.machine.load[1] = loadavg()[0];
  console.log(formatNotebookReport(report));
  await mkdir(join('bench', 'out'), { recursive: true });
  const out = join('bench', 'out', 'notebook-chromium.json');
  await writeFile(out, JSON.stringify(report, null, 2));
  console.log(`wrote ${out}`);
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  await runNotebookBench({ quick: process.argv.includes('--quick'), pages: arg('pages')?.split(','), ticks: Number(arg('ticks')) || undefined });
}
