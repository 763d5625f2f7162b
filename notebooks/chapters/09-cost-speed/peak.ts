/** The device's matmul peak, measured once in the engine worker when the reader presses the button. */
import type { Engine } from '../../../engine/engine.ts';
import type { PeakResult } from '../../../engine/protocol.ts';
import { observe } from '../../runtime.ts';
import { ui } from './strings.ts';

/** Null until measured, then the peak; the button says how the measuring goes. */
export function peak(engine: Engine, button: HTMLButtonElement) {
  return observe<PeakResult | null>((change) => {
    change(null);
    const onClick = async () => {
      button.setAttribute('aria-busy', 'true');
      button.textContent = ui('ch9.peak.measuring');
      try {
        change(await engine.request({ type: 'matmulPeak' }));
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
