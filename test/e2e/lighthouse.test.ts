// Lighthouse 12 on the built site (issue 4): the landing page and chapter 1 score at least 95 in
// performance and in accessibility. Lighthouse's defaults are kept: a mobile device with
// simulated throttling (slow 4G, 4× CPU slowdown), so the scores are the ones a reader gets from
// `npx lighthouse <url>` or PageSpeed Insights. A failure lists the audits that cost points; every
// report is written to .tmp/lighthouse/ for a closer look.
//
// The score checked is each category's median over seven runs, as Lighthouse CI recommends for
// noisy hosts: the median of seven is at least 95 exactly when four runs are, so runs stop as soon
// as four agree. Each run starts when the host is quiet (under a quarter of its CPU busy for a
// second; 20 s at most). Simulated throttling multiplies the main thread's observed task times by
// four, and on a shared 2-core machine those stretch whenever other processes, or the page's own
// other threads (the engine's worker, the browser process recording the trace and its
// screenshots), hold the CPU: a task of 5 ms of CPU can take 25 ms on the clock. Total Blocking
// Time is where that shows. History: three runs were too few on CI (chapter 1 at 93 and 92 where
// this machine gave 95–98); five runs then scored chapter 1 at 98, 99, 99 on one CI run and 94,
// 94, 97, 91 on another (load average 3.5–4.0), while the landing page scored 98–100 on both.
// Each run's log line gives Lighthouse's benchmarkIndex, the load average and how busy the CPU
// was before it, so a failure on a busy machine can be told from a slower site.
//
// A run Lighthouse could not measure (lhr.runtimeError) is run again and does not count. About
// one run in twenty here ends in NO_NAVSTART: the site is cross-origin isolated (COOP + COEP), so
// Chromium gives every navigation to it a new renderer process, which sometimes joins the trace
// after its navigationStart has gone by.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import type { Result } from 'lighthouse';
// chrome-launcher comes with lighthouse (its dependency); it finds a free port, makes a
// throw-away profile and kills the browser it started.
import { launch } from 'chrome-launcher';
import type { LaunchedChrome } from 'chrome-launcher';
import { browserArgs, chromiumPath, startPreview } from './harness.ts';

const threshold = 0.95;
const runs = 7; // the median of this many runs is checked
const unmeasuredRetries = 2; // extra tries for a run Lighthouse could not measure
const categories = ['performance', 'accessibility'] as const;
type Category = (typeof categories)[number];
const pages = [
  { name: 'landing', path: '/' },
  { name: 'chapter 1', path: '/chapters/the-clock/' },
];
const metricIds = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'];
const reportDir = fileURLToPath(new URL('../../.tmp/lighthouse/', import.meta.url));

const score = (lhr: Result, c: Category) => lhr.categories[c]?.score ?? 0;
const percent = (s: number) => Math.round(s * 100);

/** The audits behind a category's score that did not get full marks, worst first, one per line. */
function costlyAudits(lhr: Result, category: Category): string[] {
  const refs = lhr.categories[category]?.auditRefs ?? [];
  const line = (id: string, note: string) => {
    const a = lhr.audits[id];
    return `  ${id}${note}: ${a.title} — score ${a.score}${a.displayValue ? `, ${a.displayValue}` : ''}`;
  };
  const weighted = refs
    .filter((r) => r.weight > 0 && typeof lhr.audits[r.id]?.score === 'number' && lhr.audits[r.id].score! < 1)
    .sort((a, b) => lhr.audits[a.id].score! - lhr.audits[b.id].score!)
    .map((r) => line(r.id, ` (weight ${r.weight})`));
  // Opportunities and diagnostics weigh nothing themselves but say what to fix.
  const hints = refs
    .filter((r) => r.weight === 0 && typeof lhr.audits[r.id]?.score === 'number' && lhr.audits[r.id].score! < 0.9)
    .map((r) => line(r.id, ' (hint)'));
  return [...weighted, ...hints];
}

/** The host as Lighthouse's benchmark and the kernel's load average saw it, as each run ended. */
const hosts = new WeakMap<Result, string>();
const host = (lhr: Result) => hosts.get(lhr) ?? '';

/** One line per run: its scores, the metrics behind the performance score, the host. */
function summary(lhr: Result): string {
  const scores = categories.map((c) => `${c} ${percent(score(lhr, c))}`).join(', ');
  const metrics = metricIds.map((id) => `${id} ${lhr.audits[id]?.displayValue ?? '?'} (${lhr.audits[id]?.score})`).join(', ');
  return `${scores}; ${metrics}; ${host(lhr)}`;
}

/** The share of the host's CPU time that was busy over the next `ms` (Linux /proc/stat; null elsewhere). */
async function busyShare(ms = 1_000): Promise<number | null> {
  const sample = async () => {
    const line = (await readFile('/proc/stat', 'utf8').catch(() => '')).split('\n')[0];
    const n = line.trim().split(/\s+/).slice(1).map(Number);
    return n.length >= 5 ? { idle: n[3] + n[4], total: n.reduce((a, b) => a + b, 0) } : null;
  };
  const a = await sample();
  await new Promise((r) => setTimeout(r, ms));
  const b = await sample();
  if (!a || !b || b.total === a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Wait (20 s at most) until the host is quiet: under a quarter of its CPU busy for a second.
 * Simulated throttling multiplies the main thread's observed task times by four, and on 2 cores a
 * process still winding down from an earlier test (a browser closing, a server) stretches them.
 * Returns the busy share last seen, for the run's log line.
 */
async function quiet(): Promise<number | null> {
  const until = Date.now() + 20_000;
  for (;;) {
    const busy = await busyShare();
    if (busy === null || busy < 0.25 || Date.now() > until) return busy;
  }
}

/** One Lighthouse run on `url`, run again while Lighthouse reports that it could not measure. */
async function measure(url: string, port: number, note: (line: string) => void): Promise<Result> {
  for (let attempt = 0; ; attempt++) {
    const busy = await quiet();
    const result = await lighthouse(url, { port, logLevel: 'error', output: 'json', onlyCategories: [...categories] });
    assert.ok(result, `Lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    const before = busy === null ? '' : `, CPU ${Math.round(busy * 100)} % busy before the run`;
    hosts.set(lhr, `benchmarkIndex ${Math.round(lhr.environment.benchmarkIndex)}, load average ${loadavg()[0].toFixed(1)}${before}`);
    if (!lhr.runtimeError) return lhr;
    assert.ok(attempt < unmeasuredRetries, `Lighthouse could not measure ${url} in ${attempt + 1} tries: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    note(`Lighthouse could not measure this run (${lhr.runtimeError.code}); trying again`);
  }
}

describe('Lighthouse: performance and accessibility ≥ 95 (mobile, simulated throttling)', { timeout: 900_000 }, () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let chrome: LaunchedChrome | undefined;

  before(async () => {
    assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
    preview = await startPreview();
    await mkdir(reportDir, { recursive: true });
    chrome = await launch({ chromePath: chromiumPath, chromeFlags: browserArgs, logLevel: 'error' });
  });

  after(async () => {
    try {
      chrome?.kill();
    } finally {
      await preview?.close();
    }
  });

  for (const { name, path } of pages) {
    it(`${name} (${path})`, { timeout: 420_000 }, async (t) => {
      const url = `${preview.url}${path}`;
      const done: Result[] = [];
      const passes = (c: Category) => done.filter((lhr) => score(lhr, c) >= threshold).length;
      const need = Math.ceil(runs / 2);
      const decided = () => categories.every((c) => passes(c) >= need || done.length - passes(c) >= need);
      while (done.length < runs && !decided()) {
        const lhr = await measure(url, chrome!.port, (line) => t.diagnostic(line));
        done.push(lhr);
        await writeFile(`${reportDir}${name.replace(/\W+/g, '-')}-${done.length}.json`, JSON.stringify(lhr, null, 1));
        t.diagnostic(`${url} run ${done.length}: ${summary(lhr)}`);
        if (lhr.runWarnings.length) t.diagnostic(`warnings: ${lhr.runWarnings.join(' | ')}`);
      }
      const failures = categories
        .filter((c) => passes(c) < need)
        .map((c) => {
          // The best of the failing runs: the median run, or the one nearest the median.
          const run = done.filter((lhr) => score(lhr, c) < threshold).sort((a, b) => score(b, c) - score(a, c))[0];
          const all = done.map((lhr) => percent(score(lhr, c))).join(', ');
          return [
            `${c} on ${url}: ${need} of ${runs} runs must score ≥ ${percent(threshold)}; scores ${all}.`,
            `Audits that cost points in the run that scored ${percent(score(run, c))} (${host(run)}):`,
            ...costlyAudits(run, c),
          ].join('\n');
        });
      assert.equal(failures.length, 0, failures.join('\n'));
    });
  }
});
