/**
 * How numbers read on the page, in one place, so the same quantity reads the same everywhere.
 */

/** Milliseconds: 3 significant digits below 10 ms ("0.412 ms", "3.21 ms"), else 1 decimal. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toPrecision(3)} ms` : `${ms.toFixed(1)} ms`;
}

/** A probability as a percentage with enough digits to tell small ones apart. */
export function formatProb(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const pct = p * 100;
  if (pct === 0) return '0%';
  if (pct >= 10) return `${pct.toFixed(1)}%`;
  if (pct >= 0.01) return `${pct.toFixed(2)}%`;
  return `${pct.toExponential(1)}%`;
}

/** Bytes in binary units: "512 B", "2.0 KiB", "6.3 MiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** Large counts: "4.3M", "124.4M", "1.2B", "850". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** FLOPs: "8.6 MFLOP", "249 GFLOP". */
export function formatFlops(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units: [number, string][] = [[1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP'], [1e3, 'kFLOP']];
  for (const [v, name] of units) if (n >= v) return `${(n / v).toPrecision(3)} ${name}`;
  return `${n} FLOP`;
}

/** Whole numbers that are names or positions (token ids, cache lengths): "50256", never "50.3k". */
export function formatInteger(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return String(Math.round(n));
}

/** A number in [0, 1] with fixed decimals: attention weights "0.123", draws "0.7340". */
export function formatDecimal(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  return x.toFixed(digits);
}

/** A loss in nats per token (or bits per byte): fixed decimals, "4.496"; axis ticks pass fewer. */
export function formatLoss(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  return x.toFixed(digits);
}

/** A rate with one decimal: tokens per second "555.6", GFLOP/s "1.2". */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x.toFixed(1);
}

/** A signed activation (embedding, residual stream): 3 significant digits, "-0.0412", "12.3", "1234". */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2);
  if (a >= 1e3) return x.toFixed(0);
  return x.toPrecision(3);
}

/** One byte in hex as GPT-2's byte tokens are written: "E4", "0A". */
export function formatByte(b: number): string {
  return (b & 0xff).toString(16).toUpperCase().padStart(2, '0');
}
