/**
 * The engine benchmark in headless Chromium, against the built site (run `npm run build` first):
 * opens /bench/?auto=1, waits for the report, prints the table and writes
 * bench/out/engine-chromium.json. Also measures a cold load of the landing page to its first tick.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { distDir, launchBrowser, openPage, startPreview } from './harness.ts';
import { formatReport, type BenchReport } from './engine-core.ts';

export async function runBrowserBench(opts: { quick?: boolean } = {}): Promise<void> {
  if (!existsSync(join(distDir, 'bench', 'index.html'))) throw new Error('no built site: run `npm run build` first');
  const preview = await startPreview();
  const browser = await launchBrowser();
  try {
    // Cold load → first tick, on a fresh page (no cache).
    const landing = await openPage(browser);
    const t0 = Date.now();
    await landing.goto(`${preview.url}/`);
    await landing.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 120_000 });
    const readyMs = Date.now() - t0;
    await landing.getByRole('button', { name: 'Next token' }).click();
    await landing.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 0 '));
    const firstTickMs = Date.now() - t0;
    await landing.waitForFunction(() => document.querySelector('.whole-tick')?.getAttribute('data-tick') === '0');
    const firstMapMs = Date.now() - t0;
    // Next token → the whole-tick map redrawn (and painted: the next animation frame), in the page's own clock.
    const nextMs: number[] = [];
    for (let i = 1; i <= (opts.quick ? 10 : 30); i++) {
      nextMs.push(await landing.evaluate((n) => new Promise<number>((done) => {
        const t = performance.now();
        const obs = new MutationObserver(() => {
          if (document.querySelector('.whole-tick')?.getAttribute('data-tick') !== String(n)) return; // (no named helper: tsx would wrap it in __name, unknown in the page)
          obs.disconnect();
          requestAnimationFrame(() => done(performance.now() - t));
        });
        obs.observe(document.getElementById('whole-tick')!, { childList: true, subtree: true, attributes: true });
        document.getElementById('next-token')!.click();
      }), i));
      await landing.waitForFunction(() => !(document.getElementById('next-token') as HTMLButtonElement).disabled);
    }
    const sorted = [...nextMs].sort((a, b) => a - b);
    const map = { firstMapMs, nextMedianMs: sorted[Math.floor(sorted.length / 2)], nextP95Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)], samples: nextMs.length };
    await landing.close();

    const page = await openPage(browser);
    await page.goto(`${preview.url}/bench/?auto=1${opts.quick ? '&quick=1' : ''}`);
    await page.waitForFunction(() => window.tokenClockBench !== undefined, null, { timeout: 900_000, polling: 1000 });
    const result = (await page.evaluate(() => window.tokenClockBench)) as BenchReport | { error: string };
    if ('error' in result) throw new Error(`benchmark page: ${result.error}`);
    const version = browser.version();
    console.log(formatReport(`Chromium ${version} (headless, engine in a Web Worker)`, result));
    console.log(`landing page, cold: model ready ${readyMs} ms, first tick shown ${firstTickMs} ms, whole-tick map drawn with it ${firstMapMs} ms after navigation`);
    console.log(`landing page, Next token → whole-tick map updated and painted: median ${map.nextMedianMs.toFixed(1)} ms, p95 ${map.nextP95Ms.toFixed(1)} ms (${map.samples} ticks)`);
    await mkdir(join('bench', 'out'), { recursive: true });
    const out = join('bench', 'out', 'engine-chromium.json');
    await writeFile(out, JSON.stringify({ date: new Date().toISOString(), chromium: version, landing: { readyMs, firstTickMs, map }, ...result }, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await preview.close();
  }
}
