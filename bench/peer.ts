/**
 * The peer benchmark: Token Clock's engine against onnxruntime-web on the same safetensors
 * weights, interleaved in one Web Worker of a headless-Chromium page (bench/peer/worker.ts). This file
 * bundles the page and the worker with esbuild and serves it with its own small server — the tfjs and onnxruntime-web wasm
 * files straight from node_modules, the bundled model from public/ — cross-origin isolated so
 * both engines may start threads. Prints the table and writes bench/out/peer-chromium.json.
 *   --quick         fewer repetitions
 *   --threads=N     the engine's wasm threads (default: what the engine starts by itself);
 *                   onnxruntime-web gets the count the engine reports
 *   --only=bundled|124M
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser, mimeType } from './harness.ts';
import { formatPeerReport, type PeerReport } from './peer/report.ts';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** URL prefix → folder. */
const MOUNTS: [string, string][] = [
  ['/ort/', join(root, 'node_modules', 'onnxruntime-web', 'dist')],
  ['/tfjs/', join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')],
  ['/models/', join(root, 'public', 'models')],
];

const PAGE = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Token Clock vs onnxruntime-web</title><link rel="icon" href="data:,"><script type="module" src="/peer.js"></script><h1>Peer benchmark</h1></html>';

/** The page's and the worker's scripts, by URL path. */
async function bundle(): Promise<Map<string, Uint8Array>> {
  const result = await build({
    entryPoints: { peer: join(root, 'bench', 'peer', 'page.ts'), 'peer-worker': join(root, 'bench', 'peer', 'worker.ts') },
    outdir: '/',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: ['node:*'],
    logLevel: 'error',
  });
  return new Map(result.outputFiles.map((f) => [f.path, f.contents]));
}

async function serve(scripts: Map<string, Uint8Array>): Promise<{ url: string; close: () => Promise<void> }> {
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  const server = createServer((req, res) => {
    void (async () => {
      const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (pathname === '/' || pathname === '/index.html') return res.writeHead(200, { ...headers, 'Content-Type': mimeType('x.html') }).end(PAGE);
      const script = scripts.get(pathname);
      if (script) return res.writeHead(200, { ...headers, 'Content-Type': mimeType('x.js') }).end(script);
      const mount = MOUNTS.find(([prefix]) => pathname.startsWith(prefix));
      const file = mount && normalize(join(mount[1], decodeURIComponent(pathname.slice(mount[0].length))));
      if (!mount || !file || !file.startsWith(mount[1] + sep)) return res.writeHead(404, headers).end();
      const body = await readFile(file).catch(() => undefined);
      if (!body) return res.writeHead(404, headers).end();
      res.writeHead(200, { ...headers, 'Content-Type': mimeType(file), 'Content-Length': body.byteLength }).end(body);
    })().catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

export async function runPeerBench(opts: { quick?: boolean; threads?: number; only?: string } = {}): Promise<PeerReport> {
  const server = await serve(await bundle());
  const browser = await launchBrowser();
  const load = [loadavg()[0]];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.text().startsWith('[peer]') || m.type() === 'error') console.log(m.text());
    });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => typeof window.runPeer === 'function');
    const report = await page.evaluate(
      (o) => window.runPeer(o),
      { quick: !!opts.quick, threads: opts.threads, models: opts.only ? [opts.only] : undefined },
    );
    load.push(loadavg()[0]);
    const version = browser.version();
    console.log(formatPeerReport(`Chromium ${version} (headless, both engines in one Web Worker)`, report));
    console.log(`load average (1 min) before / after: ${load.map((x) => x.toFixed(2)).join(' / ')}`);
    const failed = report.models.filter((m) => m.agreement.some((a) => !a.ok));
    await mkdir(join('bench', 'out'), { recursive: true });
    const out = join('bench', 'out', 'peer-chromium.json');
    await writeFile(out, JSON.stringify({ date: new Date().toISOString(), chromium: version, loadAverage1m: load, ...report }, null, 2));
    console.log(`wrote ${out}`);
    if (failed.length) throw new Error(`logits disagree for ${failed.map((m) => m.model).join(', ')}: no timings taken`);
    return report;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  await runPeerBench({ quick: process.argv.includes('--quick'), threads: Number(arg('threads')) || undefined, only: arg('only') });
}
