/**
 * Predict-then-reveal cells: a chapter asks the reader a question about what the model will do
 * (the next token, where a head will look, what the cache will hold…), the reader commits a guess,
 * and only then does the engine compute the answer, which stays beside the guess.
 *
 * The question's words come from the chapter's prose (site/components/Predict.astro puts them on
 * the mount as data-question, with the question's numbers as data-params); its choices come from
 * the live cells; its answer from the engine, after the commit, most often by running ticks of the
 * page's own clock (`ticksFrom`), so the reader sees the answer happen in every chart too.
 *
 *   engine, model, clock, clockState, (extra cells) ─ predict (the widget, choices kept live)
 */
import { Predict, type PredictAnswer, type PredictQuestion, type PredictWidget } from '../components/predict.ts';
import { strings as t } from './strings.ts';
import type { Clock, ClockState } from './clock.ts';
import { note } from './dom.ts';
import type { Engine } from '../engine/engine.ts';
import type { ModelInfo, TickSummary } from '../engine/protocol.ts';
import { nearViewport, type Module, type Observer } from './runtime.ts';

/** The question's numbers, from the prose (data-params on the mount): e.g. { ticks: 5 }. */
export type PredictParams = Record<string, string | number>;

/** What a question reads: the cells every chapter has, and the extra ones it asked for by name. */
export interface PredictLive {
  engine: Engine;
  model: ModelInfo;
  clock: Clock;
  state: ClockState;
  values: Record<string, unknown>; // the `extra` cells, by name
}

/** A question: its live choices, what to remember at the commit, and how the engine answers it. */
export interface PredictSpec<S> {
  extra?: string[]; // more cells the question reads (e.g. 'layer', 'head', 'sampling', 'seed')
  /** The choices (or free input) and a live line of context, from the current data; a string is a note shown instead (not askable yet). */
  ask(live: PredictLive, params: PredictParams): Omit<PredictQuestion, 'question'> | string;
  /** What the answer must be about, taken at the commit (e.g. how many ticks had run). */
  commit(live: PredictLive, params: PredictParams): S;
  /** The model's answer to `guess`; `live()` gives the latest values (the clock's state as it is now, ticks just run included). */
  reveal(guess: string, snap: S, live: () => PredictLive, params: PredictParams): Promise<PredictAnswer>;
}

/**
 * The ticks `from` … `from + count − 1` of the clock's session, running ticks until they exist
 * (waiting while a tick or Play is under way). Refused when the clock stops short (an error) or
 * its session is replaced meanwhile (Reset, a new prompt): no ticks of another run are taken.
 */
export async function ticksFrom(clock: Clock, from: number, count: number): Promise<TickSummary[]> {
  const session = clock.current.promptTokens; // a new session brings a new array
  for (;;) {
    const s = clock.current;
    if (s.promptTokens !== session) throw new Error(t('predict.stopped'));
    if (s.ticks.length >= from + count) return s.ticks.slice(from, from + count);
    if (s.busy || s.playing) {
      await nextChange(clock);
      continue;
    }
    const n = s.ticks.length;
    await clock.tick();
    const after = clock.current;
    if (after.ticks.length <= n && !after.busy) throw new Error(after.error ?? t('predict.stopped'));
  }
}

/** Resolves at the clock's next change of state. */
function nextChange(clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    let first = true; // subscribe calls back at once with the current state
    const off = clock.subscribe(() => {
      if (first) {
        first = false;
        return;
      }
      off();
      resolve();
    });
  });
}

/** Token text as a guess is compared with it: Unicode-normalised, outer whitespace dropped, case ignored. */
export const sameText = (a: string, b: string): boolean => a.normalize('NFC').trim().toLowerCase() === b.normalize('NFC').trim().toLowerCase();

/** Parse data-params; a broken value is ignored (the question falls back to its defaults). */
export function parseParams(raw: string | undefined): PredictParams {
  if (!raw) return {};
  try {
    const p = JSON.parse(raw) as unknown;
    return p && typeof p === 'object' && !Array.isArray(p) ? (p as PredictParams) : {};
  } catch {
    return {};
  }
}

/** A whole number from params, or `fallback` (kept within [min, max]). */
export function paramInt(params: PredictParams, name: string, fallback: number, min = 1, max = 1000): number {
  const n = Number(params[name]);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** An observer that mounts the widget once and keeps it (so focus and the live region survive new choices). */
function keep(el: HTMLElement): Observer {
  return {
    pending() {
      el.setAttribute('aria-busy', 'true');
    },
    fulfilled(value) {
      const node = value as Node;
      if (el.firstChild !== node || el.childNodes.length !== 1) el.replaceChildren(node);
      el.dataset.state = 'ready';
      el.removeAttribute('aria-busy');
    },
    rejected(error) {
      const p = el.ownerDocument.createElement('p');
      p.className = 'cell-error';
      p.textContent = t('predict.cellError', { error: error instanceof Error ? error.message : String(error) });
      el.replaceChildren(p);
      el.dataset.state = 'error';
      el.removeAttribute('aria-busy');
    },
  };
}

/**
 * Define the predict cell `name` over its mount `el` (none: the cell is not defined). The widget is
 * made once; new data gives it new choices while the reader has not committed. A committed guess
 * whose run is gone (Reset, a new prompt) is dropped and the question asked again.
 */
export function definePredict<S>(main: Module, el: HTMLElement | undefined, spec: PredictSpec<S>, name = 'predict'): void {
  if (!el) return;
  const extra = spec.extra ?? [];
  let widget: PredictWidget | null = null;
  let live: PredictLive | null = null;
  let snap: { value: S; clock: Clock; promptTokens: ClockState['promptTokens']; ticks: number } | null = null;
  const params = () => parseParams(el.dataset.params);
  // The latest values, with the clock's own state: ticks run by a reveal are there before the cells hear of them.
  const fresh = (): PredictLive => ({ ...live!, state: live!.clock.current });
  const question = () => el.dataset.question ?? '';
  /**
   * The run a committed guess was about is gone (another clock; Reset or a new prompt before the
   * reveal): drop the guess and ask again. While a reveal runs, only another clock counts: a reveal
   * may reset the clock itself (chapter 10), and ticksFrom refuses ticks of another session.
   */
  const dropIfGone = () => {
    const phase = widget?.phase();
    if (!widget || !snap || !live || phase === 'open' || phase === 'revealed') return;
    const s = live.clock.current;
    if (snap.clock !== live.clock || (phase === 'committed' && (s.promptTokens !== snap.promptTokens || s.ticks.length < snap.ticks))) {
      snap = null;
      widget.again();
    }
  };

  main.variable(keep(el)).define(name, ['engine', 'model', 'clock', 'clockState', ...extra],
    async (engine: Engine, model: ModelInfo, clock: Clock, state: ClockState, ...rest: unknown[]) => {
      await nearViewport(el);
      live = { engine, model, clock, state, values: Object.fromEntries(extra.map((k, i) => [k, rest[i]])) };
      dropIfGone();
      const asked = spec.ask(live, params());
      if (typeof asked === 'string') {
        if (!widget || widget.phase() === 'open') return note(asked);
        return widget.element;
      }
      const q: PredictQuestion = { question: question(), ...asked };
      if (!widget) {
        widget = Predict(q, {
          id: `predict-${name}`,
          onCommit: () => {
            const l = fresh();
            snap = { value: spec.commit(l, params()), clock: l.clock, promptTokens: l.state.promptTokens, ticks: l.state.ticks.length };
          },
          onAgain: () => {
            snap = null;
          },
          reveal: (guess) => {
            if (!snap) return Promise.reject(new Error(t('predict.stopped')));
            // A reveal refused because its run is gone leaves a guess that can no longer be answered.
            return spec.reveal(guess, snap.value, fresh, params()).catch((e: unknown) => {
              setTimeout(dropIfGone, 0); // once the widget is back to committed
              throw e;
            });
          },
        });
      } else widget.setQuestion(q);
      return widget.element;
    });
}
