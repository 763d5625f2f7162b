/**
 * The device's limits, measured once in the engine worker when the reader presses the button: its
 * matmul peak, and how fast it reads a buffer the size of this model's weights and one past every
 * cache (on the threads the engine computes on).
 */
import type { Engine } from '../../../engine/engine.ts';
import type { ModelInfo, PeakResult } from '../../../engine/protocol.ts';
import { weightBytesPerToken } from './data.ts';
import { observe } from '../../runtime.ts';
import { ui } from './strings.ts';

/** Null until measured, then the peak; the button says how the measuring goes. */
export function peak(engine: Engine, model: ModelInfo, button: HTMLButtonElement) {
  return observe<PeakResult | null>((change) => {
    change(null);
    const onClick = async () => {
      button.setAttribute('aria-busy', 'true');
      button.textContent = ui('ch9.peak.measuring');
      try {
        change(await engine.request({ type: 'matmulPeak', bytes: weightBytesPerToken(model.config), threads: model.backend.threads }));
        button.textContent = ui('ch9.peak.measured');
      } catch (e) {
        button.textContent = ui('ch9.peak.failed', { error: e instanceof Error ? e.message : String(e) });
      } finally {
        button.removeAttribute('aria-busy');
      }
    };
    button.addEventListener('click', onClick);
    return () => button.removeEventListener('click', onClick);
  });
}
