/**
 * The page's side of a shareable run (url-state.ts is the pure part). One PageLink per window:
 * it reads the URL once, hands the linked values to the inputs, lists what it refused in the
 * notice (as text, never HTML), keeps the URL up to date with history.replaceState as inputs
 * change and ticks run, and wires the Copy link button. A page tells it which parameters it has
 * (`use`) and, once set up, calls `settle`: linked parameters the page has no input for are then
 * listed as ignored too.
 */
import { strings } from './strings.ts';
import type { ModelInfo } from '../engine/protocol.ts';
import { InputError } from './runtime.ts';
import { describeRejection, hasStateParams, hrefWithState, LIMITS, parseUrlState, serializeUrlState, type Param, type Rejection, type UrlModel, type UrlState } from './url-state.ts';

/** Why the page does not run the model a link names. */
export type LinkModelProblem =
  | { kind: 'not-stored'; repo: string } // not in this browser's store: nothing was downloaded
  | { kind: 'failed'; repo: string; error: string }; // stored, but it did not load

/** The same, with the model the page runs instead. */
export type LinkModelNotice = LinkModelProblem & { running: string };

/** The model parameter for what the page runs: undefined for a reader's own files (a link cannot carry them). */
export function modelParam(info: Pick<ModelInfo, 'key'>): UrlModel | undefined {
  if (info.key.startsWith('hub:')) {
    const m = /([^/]+\/[^/]+)$/.exec(info.key);
    return m ? { kind: 'hub', repo: m[1] } : undefined;
  }
  if (info.key.startsWith('local:')) return undefined;
  return { kind: 'bundled' };
}

/**
 * How long the URL waits after a change before it is rewritten (browsers throttle replaceState).
 * Then it waits for the page to be idle, at most IDLE_WAIT_MS more: a replaceState blocks the page
 * for 0.5–15 ms in Chromium (measured over 20 ticks of chapter 1, median ≈ 1 ms), and written in
 * the middle of a tick's redraw it would delay the figures.
 */
export const WRITE_DELAY_MS = 250;
export const IDLE_WAIT_MS = 1000;

const links = new WeakMap<object, PageLink>();

interface ShareElements {
  notice?: HTMLElement;
  copy?: HTMLButtonElement;
  copyStatus?: HTMLElement;
  box?: HTMLElement;
  url?: HTMLElement;
  notes?: HTMLElement;
  modelsHref?: string;
}

export class PageLink {
  /** The values the URL carried, each checked (model-dependent checks come later, through `guard`). */
  readonly linked: Readonly<Partial<UrlState>>;
  private readonly refused: Rejection[];
  private readonly hadParams: boolean;
  private readonly writable: boolean; // a page with a real URL (not about:blank, as in jsdom)
  private readonly used = new Set<Param>();
  private readonly guarded = new Set<Param>();
  private settled = false;
  private current: Partial<UrlState> = {};
  private touched = false; // the reader changed an input or ran a tick
  private timer: ReturnType<typeof setTimeout> | null = null;
  private idle: number | null = null; // a requestIdleCallback handle, while the write waits for an idle moment
  private written = '';
  private replayed = false;
  private modelNotice: LinkModelNotice | null = null;
  private mixed = false; // ticks ran under other settings than the current ones
  private local = false; // the page runs files from disk
  private ui: ShareElements = {};

  /** The PageLink of the window that holds `node` (one per window, made on first use). */
  static of(node: Node | Window): PageLink {
    const doc = 'nodeType' in node ? (node.nodeType === 9 ? (node as Document) : node.ownerDocument) : null;
    const win = doc?.defaultView ?? (node as Window);
    let link = links.get(win);
    if (!link) links.set(win, (link = new PageLink(win)));
    return link;
  }

  constructor(private readonly win: Window) {
    const search = win.location?.search ?? '';
    const { state, rejected } = parseUrlState(search);
    this.linked = state;
    this.refused = rejected;
    this.hadParams = hasStateParams(search);
    this.writable = /^(https?|file):$/.test(win.location?.protocol ?? '');
  }

  /** This page has inputs for these parameters. */
  use(...params: Param[]): void {
    for (const p of params) this.used.add(p);
  }

  /** The page is set up: linked parameters it has no input for are listed as ignored. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const p of Object.keys(this.linked) as Param[]) {
      if (!this.used.has(p)) this.refused.push({ param: p, reason: 'not-on-page' });
    }
    this.render();
  }

  /** Refuse a linked value (a check that needed the model), and list it. */
  reject(r: Rejection): void {
    this.refused.push(r);
    this.render();
  }

  /** Everything refused so far. */
  get rejected(): readonly Rejection[] {
    return this.refused;
  }

  /** Put the linked value of `param` into its input, if the link has one. */
  fill(param: 'prompt' | 'temperature' | 'topK' | 'topP' | 'seed' | 'layer' | 'head', el: HTMLInputElement | HTMLTextAreaElement | undefined): void {
    this.use(param);
    const v = this.linked[param];
    if (el && v !== undefined) el.value = String(v);
  }

  /**
   * A parser that, the first time the linked value of `param` is refused by the page's own check
   * (one that needs the model: the prompt's length in tokens, top-k against the vocabulary, layer
   * and head against the model), lists it as ignored, puts the input's default back and parses
   * that instead, so the page runs rather than waiting for a valid value.
   */
  guard<E extends HTMLInputElement | HTMLTextAreaElement, T>(param: Param, parse: (el: E) => T | Promise<T>, why: () => Omit<Rejection, 'param'>): (el: E) => Promise<T> {
    return async (el) => {
      const first = this.linked[param] !== undefined && !this.guarded.has(param) && el.value === String(this.linked[param]);
      this.guarded.add(param);
      try {
        return await parse(el);
      } catch (e) {
        if (!first || !(e instanceof InputError)) throw e;
        this.reject({ param, ...why() });
        el.value = el.defaultValue;
        return parse(el);
      }
    };
  }

  /** The number of ticks the link asks for, once (later calls get 0). */
  takeReplay(): number {
    if (this.replayed) return 0;
    this.replayed = true;
    return this.linked.tick ?? 0;
  }

  /** Why the page does not run the link's model. */
  setModelNotice(n: LinkModelNotice | null): void {
    this.modelNotice = n;
    this.render();
  }

  /** The reader changed something: from now on the URL follows the page. */
  touch(): void {
    this.touched = true;
  }

  /** The page's state now (merged into what it had); the URL follows shortly after. */
  update(patch: Partial<UrlState> & { model?: UrlModel }, info?: { mixed?: boolean; local?: boolean }): void {
    this.current = { ...this.current, ...patch };
    if ('model' in patch && patch.model === undefined) delete this.current.model;
    if (info?.mixed !== undefined) this.mixed = info.mixed;
    if (info?.local !== undefined) this.local = info.local;
    if ((patch.tick ?? 0) > 0) this.touched = true;
    this.schedule();
  }

  /** The link to this run as the page is now. */
  href(): string {
    return hrefWithState(this.win.location.href, this.current);
  }

  /** Rewrite the URL now (when it should change at all); returns the link. */
  flush(): string {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.idle !== null) {
      this.win.cancelIdleCallback?.(this.idle);
      this.idle = null;
    }
    const href = this.href();
    if ((this.touched || this.hadParams) && href !== this.written && this.writable) {
      try {
        this.win.history.replaceState(this.win.history.state, '', href);
        this.written = href;
      } catch {
        // a browser that refuses (too many calls): the next change tries again
      }
    }
    this.renderShare(href);
    return href;
  }

  private schedule(): void {
    if (this.timer !== null || this.idle !== null || !this.writable) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (typeof this.win.requestIdleCallback !== 'function') {
        this.flush();
        return;
      }
      this.idle = this.win.requestIdleCallback(() => {
        this.idle = null;
        this.flush();
      }, { timeout: IDLE_WAIT_MS });
    }, WRITE_DELAY_MS);
  }

  /**
   * Find the share block (site/components/ShareLink.astro) in `root` and wire it; input events in
   * `form` mark the page as changed by the reader.
   */
  attach(root: ParentNode, form?: HTMLElement): void {
    const share = root.querySelector<HTMLElement>('[data-role="share"]');
    form?.addEventListener('input', () => this.touch());
    if (!share) return;
    this.ui = {
      notice: share.querySelector<HTMLElement>('[data-role="link-notice"]') ?? undefined,
      copy: share.querySelector<HTMLButtonElement>('[name="copy-link"]') ?? undefined,
      copyStatus: share.querySelector<HTMLElement>('[data-role="copy-status"]') ?? undefined,
      box: share.querySelector<HTMLElement>('[data-role="share-url-box"]') ?? undefined,
      url: share.querySelector<HTMLElement>('[data-role="share-url"]') ?? undefined,
      notes: share.querySelector<HTMLElement>('[data-role="share-notes"]') ?? undefined,
      modelsHref: share.dataset.modelsHref,
    };
    this.ui.copy?.addEventListener('click', () => void this.copy());
    this.render();
  }

  /** Copy the link, show it as text (for a projector) and say whether the copy worked. */
  async copy(): Promise<boolean> {
    const href = this.flush();
    const { box, url, copyStatus } = this.ui;
    if (box) box.hidden = false;
    this.renderShare(href);
    let ok = false;
    try {
      await this.win.navigator.clipboard.writeText(href);
      ok = true;
    } catch {
      // No clipboard API here (or no permission): select the shown link and copy the old way.
      if (url) {
        const range = this.win.document.createRange();
        range.selectNodeContents(url);
        const sel = this.win.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        try {
          ok = this.win.document.execCommand('copy');
        } catch {
          ok = false;
        }
      }
    }
    if (copyStatus) copyStatus.textContent = ok ? strings('share.copied', { ticks: Math.min(this.current.tick ?? 0, LIMITS.tick.max) }) : strings('share.copyFailed');
    if (copyStatus) copyStatus.dataset.copied = String(ok);
    return ok;
  }

  private renderShare(href: string): void {
    const { box, url, notes, copyStatus } = this.ui;
    if (!box || box.hidden) return;
    if (url && url.textContent !== href) {
      url.textContent = href;
      if (copyStatus?.dataset.copied) {
        copyStatus.textContent = ''; // the link shown is no longer the one copied
        delete copyStatus.dataset.copied;
      }
    }
    if (notes) {
      const lines = [
        ...(this.local ? [strings('share.local')] : []),
        ...(this.mixed ? [strings('share.mixed')] : []),
        ...((this.current.tick ?? 0) > LIMITS.tick.max ? [strings('share.capped', { max: LIMITS.tick.max })] : []),
        ...this.untravelled(),
      ];
      notes.textContent = lines.join(' ');
    }
  }

  /** What of the run a link cannot carry (a prompt longer than a link takes, say), checked by reading the link back. */
  private untravelled(): string[] {
    const { rejected } = parseUrlState(serializeUrlState(this.current));
    return rejected.length ? [strings('share.untravelled', { list: rejected.map(describeRejection).join('; ') })] : [];
  }

  /** The notice: why the link's model is not running, and each ignored parameter. Text only. */
  private render(): void {
    const el = this.ui.notice;
    if (!el) return;
    const doc = el.ownerDocument;
    const parts: HTMLElement[] = [];
    const n = this.modelNotice;
    if (n) {
      const p = doc.createElement('p');
      const template = n.kind === 'not-stored'
        ? strings('url.model.notStored', { repo: n.repo, model: n.running })
        : strings('url.model.failed', { repo: n.repo, model: n.running, error: n.error });
      const [before, after = ''] = template.split('{link}');
      p.append(before);
      const label = strings('url.model.modelsPage');
      if (this.ui.modelsHref) {
        const a = doc.createElement('a');
        a.href = this.ui.modelsHref;
        a.textContent = label;
        p.append(a);
      } else p.append(label);
      p.append(after);
      parts.push(p);
    }
    const shown = this.settled ? this.refused : this.refused.filter((r) => r.reason !== 'not-on-page');
    if (shown.length > 0) {
      const p = doc.createElement('p');
      p.textContent = strings('url.ignored');
      const ul = doc.createElement('ul');
      for (const r of shown) {
        const li = doc.createElement('li');
        li.dataset.param = r.param;
        li.textContent = describeRejection(r);
        ul.append(li);
      }
      parts.push(p, ul);
    }
    el.replaceChildren(...parts);
  }
}
