/**
 * The training demo's state over time: Train runs STEPS_PER_PRESS AdamW steps of the tiny model
 * in the engine worker (in requests of STEPS_PER_REQUEST, so the chart moves while it learns);
 * Start over forgets them, and the next Train starts from fresh random weights.
 */
import type { Engine } from '../../../engine/engine.ts';
import { observe } from '../../runtime.ts';
import { STEPS_PER_PRESS, STEPS_PER_REQUEST, TRAIN_TEXT, type Training } from './data.ts';

/** The steps so far, a new value after each request; the buttons drive it. */
export function training(engine: Engine, train: HTMLButtonElement, reset: HTMLButtonElement) {
  return observe<Training>((change) => {
    let t: Training = { info: null, steps: [], running: false, error: null };
    let fresh = true;
    change(t);
    const run = async () => {
      if (t.running) return;
      t = { ...t, running: true, error: null };
      train.setAttribute('aria-busy', 'true');
      change(t);
      try {
        for (let done = 0; done < STEPS_PER_PRESS; done += STEPS_PER_REQUEST) {
          const r = await engine.request({ type: 'trainDemo', text: TRAIN_TEXT, steps: STEPS_PER_REQUEST, reset: fresh });
          fresh = false;
          const info = { config: r.config, params: r.params, textTokens: r.textTokens, checksumBefore: r.checksumBefore };
          t = { ...t, info: t.info ?? info, steps: [...t.steps, ...r.steps] };
          change(t);
        }
      } catch (e) {
        t = { ...t, error: e instanceof Error ? e.message : String(e) };
      } finally {
        t = { ...t, running: false };
        train.removeAttribute('aria-busy');
        change(t);
      }
    };
    const onTrain = () => void run();
    const onReset = () => {
      if (t.running) return;
      fresh = true;
      t = { info: null, steps: [], running: false, error: null };
      change(t);
    };
    train.addEventListener('click', onTrain);
    reset.addEventListener('click', onReset);
    return () => {
      train.removeEventListener('click', onTrain);
      reset.removeEventListener('click', onReset);
    };
  });
}
