/**
 * A load's progress in words, for status lines: which file, how many bytes of how many, the
 * percentage and the speed. One place, so every page says it the same way.
 */
import { formatBytes } from '../components/format.ts';
import { t } from './load-progress.strings.ts';
import type { LoadProgress } from '../engine/protocol.ts';

/** The percentage done, 0–100, when the total is known. */
export function progressPercent(p: LoadProgress): number | undefined {
  return p.total ? Math.min(100, (100 * p.loaded) / p.total) : undefined;
}

export function describeProgress(p: LoadProgress): string {
  switch (p.phase) {
    case 'download': {
      const pct = progressPercent(p);
      const total = p.total ?? p.fileTotal;
      return t('progress.download', {
        file: p.file ? ` ${p.file}` : '',
        loaded: formatBytes(p.loaded),
        of: total ? t('progress.of', { total: formatBytes(total) }) : '',
        percent: pct === undefined ? '' : ` (${pct.toFixed(0)}%)`,
        speed: p.bytesPerSecond ? t('progress.speed', { speed: formatBytes(Math.round(p.bytesPerSecond)) }) : '',
        resumed: p.resumed ? t('progress.resumed', { bytes: formatBytes(p.resumed) }) : '',
      });
    }
    case 'read':
      return t('progress.read', { size: p.total ? ` (${formatBytes(p.total)})` : '' });
    case 'check':
      return t('progress.check');
    case 'upload':
      return t('progress.upload');
    case 'store':
      return t('progress.store');
  }
}
