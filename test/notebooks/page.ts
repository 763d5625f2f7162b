// A chapter's cell graph in Node: the chapter's own module on @observablehq/runtime, a jsdom page
// with the controls and mounts the site renders, and a real engine (small random model) behind it.
import { JSDOM } from 'jsdom';
import { Runtime, type Mounts } from '../../notebooks/runtime.ts';
import type { Chapter } from '../../notebooks/runtime.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo } from '../../engine/protocol.ts';

/** The markup of site/components/Controls.astro that the notebooks rely on (names, ids, error slots). */
const CONTROLS = `
<form data-cell="controls">
  <label for="prompt">Prompt</label><textarea id="prompt" name="prompt">The clock struck one, and</textarea><p id="prompt-error"></p>
  <label for="temperature">Temperature</label><input id="temperature" name="temperature" type="number" value="0.8"><p id="temperature-error"></p>
  <label for="top-k">Top-k</label><input id="top-k" name="top-k" type="number" value="0"><p id="top-k-error"></p>
  <label for="top-p">Top-p</label><input id="top-p" name="top-p" type="number" value="1"><p id="top-p-error"></p>
  <label for="seed">Seed</label><input id="seed" name="seed" type="number" value="42"><p id="seed-error"></p>
  <label for="layer">Layer</label><input id="layer" name="layer" type="number" value="0"><p id="layer-error"></p>
  <label for="head">Head</label><input id="head" name="head" type="number" value="0"><p id="head-error"></p>
  <button type="button" name="next-token">Next token</button>
  <button type="button" name="play">Play</button>
  <button type="button" name="reset">Reset</button>
  <p data-role="status">Loading the model…</p>
</form>`;

export interface Page {
  window: JSDOM['window'];
  document: Document;
  mounts: Mounts;
  $: <T extends Element = HTMLElement>(selector: string) => T;
  control: <T extends HTMLElement = HTMLInputElement>(name: string) => T;
  set: (name: string, value: string) => void; // type into an input (fires 'input')
  ticks: () => number; // ticks the page says it has run
  until: (what: string, cond: () => boolean, timeoutMs?: number) => Promise<void>;
  close: () => void;
}

/** Open `chapter` over a page with `cells` mounts, on `engine`; `builtins` adds to (or replaces) the page's. */
export async function openChapter(chapter: Chapter, cells: string[], engine: Engine, info: ModelInfo, builtins: Record<string, unknown> = {}): Promise<Page> {
  const dom = new JSDOM(`<!doctype html><html><body><main>${CONTROLS}${cells.map((c) => `<div data-cell="${c}"></div>`).join('')}</main></body></html>`);
  const { window } = dom;
  const document = window.document;
  const g = globalThis as unknown as { document?: Document };
  const previous = g.document;
  g.document = document; // charts, KaTeX and the cells' DOM builders create elements in the global document
  const mounts: Mounts = {};
  for (const el of document.querySelectorAll<HTMLElement>('[data-cell]')) mounts[el.dataset.cell!] = el;
  const runtime = new Runtime({ engine, model: () => Promise.resolve(info), width: 600, ...builtins });
  chapter.define(runtime, mounts);
  const $ = <T extends Element = HTMLElement>(selector: string) => {
    const el = document.querySelector<T>(selector);
    if (!el) throw new Error(`no ${selector}`);
    return el;
  };
  const page: Page = {
    window,
    document,
    mounts,
    $,
    control: <T extends HTMLElement = HTMLInputElement>(name: string) => $<T>(`[name="${name}"]`),
    set(name, value) {
      const el = $<HTMLInputElement>(`[name="${name}"]`);
      el.value = value;
      el.dispatchEvent(new window.Event('input', { bubbles: true }));
    },
    ticks: () => Number(mounts.controls!.dataset.ticks ?? 0),
    async until(what, cond, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close() {
      runtime.dispose();
      g.document = previous;
      window.close();
    },
  };
  return page;
}
