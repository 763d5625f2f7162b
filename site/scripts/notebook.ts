/**
 * A chapter page's notebook: one engine worker for the page, one Observable runtime, and the
 * chapter's module (named by the page's data-notebook) defining its cells over the page's mounts
 * (data-cell). The model loads when a cell first needs it.
 */
import { loadChosenModel } from '../../notebooks/chosen-model.ts';
import { EngineClient } from '../../engine/client.ts';
import { chapters } from '../../notebooks/chapters/index.ts';
import { computeOnNextTask, Runtime, widthOf, type Mounts } from '../../notebooks/runtime.ts';
import { PageLink } from '../../notebooks/url-link.ts';
import { DEFAULT_MODEL, WASM_PATH } from '../config.ts';
import { ModelStore } from '../../engine/model-store.ts';
import { pageStorage, readBackend } from '../../engine/model-source.ts';
import type { SecondEngines } from '../../notebooks/chapters/06-logits-to-token/compare.ts';

/** Resolves after the page's load event, at its next idle moment (1 s at the latest). */
function settled(): Promise<void> {
  return new Promise((resolve) => {
    const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(() => resolve(), { timeout: 1_000 }) : setTimeout(resolve, 0));
    if (document.readyState === 'complete') idle();
    else addEventListener('load', idle, { once: true });
  });
}

const root = document.querySelector<HTMLElement>('[data-notebook]');
const name = root?.dataset.notebook ?? '';
const load = chapters[name];

if (root && load) {
  const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;
  // The engine's worker starts once the page has loaded and its first work is done (an idle
  // moment, 1 s at the latest). Started at once, its 0.5 s of CPU (tfjs, the model, the first
  // tick) competed with the page's own first layouts and scripts on a 2-core device: Lighthouse
  // on chapter 1, 10 runs each, total blocking time median 200 ms with the worker, 100 ms without.
  // Cells that ask the engine before then wait.
  const engine = EngineClient.create({ startAfter: settled() });
  // The site's own model: its folder also holds train-log.json, which chapter 8 plots.
  const bundledModel = { name: DEFAULT_MODEL.name, url: new URL(base + DEFAULT_MODEL.path, location.href).href };
  // The page's URL may name a model (a shared link): it wins over the reader's choice, but is
  // only read from the browser's store, never downloaded.
  const link = PageLink.of(window);
  link.use('model');
  const model = () =>
    loadChosenModel(engine, { bundled: { url: bundledModel.url, label: bundledModel.name }, wasmPath: new URL(base + WASM_PATH, location.href).href, linked: link.linked.model })
      .then(
        ({ info, notice, linkNotice }) => {
          if (linkNotice) link.setModelNotice({ ...linkNotice, running: info.label });
          document.body.dataset.engine = 'ready';
          return notice ? { ...info, notice } : info;
        },
        (e: Error) => {
          document.body.dataset.engine = 'error';
          throw e;
        },
      );
  const mounts: Mounts = {};
  for (const el of document.querySelectorAll<HTMLElement>('[data-cell]')) mounts[el.dataset.cell!] = el;
  // Enter in a field must not submit (and reload) the page.
  mounts.controls?.addEventListener('submit', (e) => e.preventDefault());
  // A second engine worker, only when a cell asks (chapter 6 runs a stored model beside the page's).
  const secondEngines: SecondEngines = {
    stored: async () => (await ModelStore.open()?.list().catch(() => [])) ?? [],
    spawn: () => {
      const client = EngineClient.create();
      return { engine: client, terminate: () => client.terminate() };
    },
    wasmPath: new URL(base + WASM_PATH, location.href).href,
    backend: readBackend(pageStorage()),
  };
  const runtime = new Runtime({ engine, model, bundledModel, secondEngines, width: () => widthOf(root) });
  computeOnNextTask(runtime);
  load()
    .then((chapter) => {
      chapter.define(runtime, mounts);
      link.settle(); // the chapter has said which of the URL's settings it has inputs for
    })
    .catch((e: Error) => {
      root.dataset.notebookError = e.message;
      const status = mounts.controls?.querySelector('[data-role="status"]');
      if (status) status.textContent = `This chapter's notebook could not start: ${e.message}`;
    });
}
