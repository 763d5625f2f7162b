/**
 * A load's progress in words, for status lines: which file, how many bytes of how many, the
 * percentage and the speed. One place, so every page says it the same way.
 */
import { formatBytes } from '../components/format.ts';
import type { LoadProgress } from './engine-protocol.ts';

/** The percentage done, 0–100, when the total is known. */
export function progressPercent(p: LoadProgress): number | undefined {
  return p.total ? Math.min(100, (100 * p.loaded) / p.total) : undefined;
}

export function describeProgress(p: LoadProgress): string {
  switch (p.phase) {
    case 'download': {
      const pct = progressPercent(p);
      const file = p.file ? ` ${p.file}` : '';
      const of = p.total ? ` of ${formatBytes(p.total)}` : p.fileTotal ? ` of ${formatBytes(p.fileTotal)}` : '';
      const speed = p.bytesPerSecond ? `, ${formatBytes(Math.round(p.bytesPerSecond))}/s` : '';
      const resumed = p.resumed ? ` (resumed after ${formatBytes(p.resumed)})` : '';
      return `Downloading${file}: ${formatBytes(p.loaded)}${of}${pct === undefined ? '' : ` (${pct.toFixed(0)}%)`}${speed}${resumed}…`;
    }
    case 'read':
      return `Reading the model from this browser's storage${p.total ? ` (${formatBytes(p.total)})` : ''}…`;
    case 'check':
      return 'Checking the files (config, tensor names and shapes, vocabulary)…';
    case 'upload':
      return 'Putting the weights on the backend…';
    case 'store':
      return 'Keeping the model in this browser for next time…';
  }
}
