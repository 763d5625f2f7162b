/**
 * The benchmark page: measures the engine on this device (random weights, two model shapes) and
 * shows the numbers as a table. bench/browser.ts opens it with ?auto=1 and reads
 * `window.tokenClockBench` when it is done.
 */
import type { BackendName } from '../../model/backend.ts';
import type { BenchReport } from '../../bench/engine-core.ts';
import { formatMs } from '../../components/format.ts';
import { WASM_PATH } from '../config.ts';

// The form only holds the inputs: Enter in it must not reload the page (no inline handler: the CSP forbids them).
document.querySelector('[data-bench-form]')?.addEventListener('submit', (e) => e.preventDefault());
const button = document.getElementById('run-bench') as HTMLButtonElement;
const quickBox = document.getElementById('quick') as HTMLInputElement;
const backendSel = document.getElementById('backend') as HTMLSelectElement;
const status = document.getElementById('bench-status') as HTMLParagraphElement;
const tbody = document.querySelector('#bench-table tbody') as HTMLTableSectionElement;
const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;

declare global {
  interface Window {
    tokenClockBench?: BenchReport | { error: string };
  }
}

function cell(row: HTMLTableRowElement, text: string) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

function show(report: BenchReport) {
  tbody.replaceChildren();
  for (const r of report.rows) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.model;
    tr.append(th);
    cell(tr, formatMs(r.prefill64Ms));
    cell(tr, formatMs(r.decodeMs[64]));
    cell(tr, r.tokensPerSec.toFixed(1));
    cell(tr, `${r.kvSpeedup.toFixed(1)}×`);
    cell(tr, r.gflops64.toFixed(2));
    cell(tr, formatMs(r.tracedTickMs));
    tbody.append(tr);
  }
  status.textContent = `Done on ${report.backend}. Matrix-multiply peak on this device: ${report.matmulPeakGflops.toFixed(1)} GFLOP/s.`;
}

function run() {
  button.disabled = true;
  status.textContent = 'Starting…';
  const params = new URLSearchParams(location.search);
  const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<{ progress?: string; report?: BenchReport; error?: string }>) => {
    if (ev.data.progress) status.textContent = ev.data.progress;
    if (ev.data.report) show(ev.data.report);
    if (ev.data.error) status.textContent = `The benchmark failed: ${ev.data.error}`;
    if (ev.data.report || ev.data.error) {
      window.tokenClockBench = ev.data.report ?? { error: ev.data.error! };
      button.disabled = false;
      worker.terminate();
    }
  };
  worker.postMessage({
    quick: quickBox.checked,
    backend: backendSel.value as BackendName,
    wasmPath: new URL(base + WASM_PATH, location.href).href,
    only: params.get('only') ?? undefined,
    threads: Number(params.get('threads')) || undefined, // ?threads=1 measures what one thread does
  });
}

button.addEventListener('click', run);
const params = new URLSearchParams(location.search);
if (params.get('quick') === '1') quickBox.checked = true;
if (params.get('backend')) backendSel.value = params.get('backend')!;
if (params.get('auto') === '1') run();
