/**
 * The whole tick on one screen: the loaded model's stages from the text to the token it appends,
 * drawn from its config (one card per block) and filled with one tick's real numbers — the fed
 * tokens and their ids, the embedding's lengths, each block's attention from the new token per
 * head (a small heatmap) and how far the block moved the residual stream, the largest logit, the
 * probabilities, the dice and the appended token — with the clock beside it (tick, phase, time,
 * KV cache, the weights' checksum). Every stage links to its chapter and carries its numbers as
 * text (aria-describedby; shown in the detail line on hover or focus, and as a table). With
 * `onForce`, each candidate the dice did not choose is a button that asks to append it instead.
 * Pure DOM from data: the page computes the data from the engine's tick (notebooks/whole-tick.ts).
 */
import { elementBuilder } from './dom.ts';
import { table } from './dom.ts';
import { chartDocument, px, SVG_NS } from './chart.ts';
import { BLUE, GREY_OPACITY, ORANGE, sequential } from './color.ts';
import { formatBytes, formatDecimal, formatInteger, formatMs, formatProb } from './format.ts';
import { visibleText } from './text.ts';
import { cellsImage, rampBytes } from './png.ts';
import { rgb } from 'd3';
import { strings as t } from './whole-tick.strings.ts';

export type WholeTickStage = 'tokens' | 'embeddings' | 'attention' | 'mlp' | 'logits' | 'probs' | 'dice' | 'append';

/** The loaded model's shape: what the map is drawn from before any tick. */
export interface WholeTickShape {
  layers: number;
  heads: number;
  width: number; // n_embd
  hidden: number; // the MLP's inner width (4 · n_embd)
  vocab: number;
  context: number;
}

export interface WholeTickToken {
  id: number;
  text: string;
  position: number;
  fed: boolean; // run through the model this tick
}

/** One block's part of the tick, for the newest position. */
export interface WholeTickBlock {
  attention: { keys: number; offset: number; rows: number[][]; top: { head: number; position: number; text: string; weight: number }[] } | null; // rows: per head, weights over positions offset … keys − 1
  norm: number; // ‖x‖ of the residual stream after the block
  delta: number; // ‖x_after − x_before‖: what the block added
}

export interface WholeTickCandidate {
  id: number;
  text: string;
  prob: number; // after temperature, before the filters
  kept: boolean;
  rank: number;
}

export interface WholeTickData {
  shape: WholeTickShape;
  tick: null | {
    index: number;
    kind: 'prefill' | 'decode';
    fed: number; // tokens run through the model this tick
    position: number; // the first fed token's position
    ms: number;
    cacheLength: number;
    cacheBytes: number;
    checksum: string;
    same: boolean; // the checksum equals the one at load
  };
  tokens: WholeTickToken[]; // the last few tokens of the text this tick saw
  tokenCount: number;
  embedding: { id: number; position: number; token: number; pos: number; sum: number } | null; // lengths, newest position
  blocks: (WholeTickBlock | null)[]; // one per layer (null: not traced)
  logits: { max: number; text: string } | null;
  draw: null | {
    candidates: WholeTickCandidate[]; // best first
    chosen: { id: number; text: string; prob: number; rank: number };
    u: number | null; // null when greedy
    interval: [number, number] | null;
    keptMass: number;
    kept: number; // tokens kept by top-k and top-p
    temperature: number;
    topK: number;
    topP: number;
    forced: boolean;
  };
  appended: { id: number; text: string; position: number } | null;
}

export interface WholeTickOptions {
  document?: Document;
  links: Record<WholeTickStage, string>; // each stage's chapter
  flow?: boolean; // the tick just ran: stages light up one after another (the page's CSS; off under reduced motion)
  onForce?: (id: number) => void; // given: candidates are buttons that fork the run with that token
  keys?: number; // positions each heatmap shows at most (default 16)
}

const KEYS = 16;

/** The numbers of every stage as text: what hover, focus and the table show. */
export function wholeTickNumbers(d: WholeTickData): { stage: WholeTickStage; layer?: number; name: string; text: string }[] {
  const s = d.shape;
  const out: { stage: WholeTickStage; layer?: number; name: string; text: string }[] = [];
  const fed = d.tokens.filter((k) => k.fed);
  out.push({
    stage: 'tokens',
    name: t('wt.stage.tokens'),
    text: d.tick
      ? t('wt.num.tokens', { n: formatInteger(d.tokenCount), fed: formatInteger(d.tick.fed), from: d.tick.position, to: d.tick.position + d.tick.fed - 1, list: fed.slice(-6).map((k) => `“${visibleText(k.text)}” ${k.id}`).join(', ') })
      : t('wt.shape.tokens.waiting', { vocab: formatInteger(s.vocab) }),
  });
  const e = d.embedding;
  out.push({
    stage: 'embeddings',
    name: t('wt.stage.embeddings'),
    text: e
      ? t('wt.num.embeddings', { id: e.id, position: e.position, width: s.width, token: formatDecimal(e.token), pos: formatDecimal(e.pos), sum: formatDecimal(e.sum) })
      : t('wt.num.embeddings.waiting', { width: s.width, vocab: formatInteger(s.vocab), context: formatInteger(s.context) }),
  });
  for (let l = 0; l < s.layers; l++) {
    const b = d.blocks[l];
    const name = t('wt.stage.block', { layer: l });
    const a = b?.attention;
    out.push({
      stage: 'attention',
      layer: l,
      name: `${name}: ${t('wt.stage.attention')}`,
      text: a
        ? t('wt.num.attention', { layer: l, heads: s.heads, keys: a.keys, list: a.top.map((x) => t('wt.num.attention.head', { head: x.head, position: x.position, text: visibleText(x.text), w: formatDecimal(x.weight) })).join('; ') })
        : t('wt.num.attention.waiting', { layer: l, heads: s.heads, width: s.width, hidden: s.hidden }),
    });
    out.push({
      stage: 'mlp',
      layer: l,
      name: `${name}: ${t('wt.stage.mlp')}`,
      text: b
        ? t('wt.num.mlp', { layer: l, width: s.width, hidden: s.hidden, norm: formatDecimal(b.norm), delta: formatDecimal(b.delta) })
        : t('wt.num.attention.waiting', { layer: l, heads: s.heads, width: s.width, hidden: s.hidden }),
    });
  }
  out.push({
    stage: 'logits',
    name: t('wt.stage.logits'),
    text: d.logits
      ? t('wt.num.logits', { vocab: formatInteger(s.vocab), max: formatDecimal(d.logits.max), text: visibleText(d.logits.text) })
      : t('wt.num.logits.waiting', { width: s.width, vocab: formatInteger(s.vocab) }),
  });
  const w = d.draw;
  const list = w ? w.candidates.slice(0, 5).map((c) => t('wt.num.probs.item', { text: visibleText(c.text), p: formatProb(c.prob) })).join(', ') : '';
  out.push({
    stage: 'probs',
    name: t('wt.stage.probs'),
    text: !w ? t('wt.num.waiting')
      : w.temperature === 0 ? t('wt.num.probs.greedy', { list })
      : t('wt.num.probs', { temperature: formatDecimal(w.temperature), vocab: formatInteger(s.vocab), topK: w.topK, topP: formatDecimal(w.topP), kept: formatInteger(w.kept), list }),
  });
  out.push({
    stage: 'dice',
    name: t('wt.stage.dice'),
    text: !w ? t('wt.num.waiting')
      : w.u === null ? t('wt.num.dice.greedy')
      : w.forced ? t('wt.num.dice.forced', { u: formatDecimal(w.u, 4), text: visibleText(w.chosen.text) })
      : t('wt.num.dice', { u: formatDecimal(w.u, 4), text: visibleText(w.chosen.text), start: formatDecimal(w.interval?.[0] ?? 0, 4), end: formatDecimal(w.interval?.[1] ?? 0, 4) }),
  });
  out.push({
    stage: 'append',
    name: t('wt.stage.append'),
    text: d.appended && w
      ? t('wt.num.append', { text: visibleText(d.appended.text), id: d.appended.id, p: formatProb(w.chosen.prob), rank: w.chosen.rank + 1, position: d.appended.position })
      : t('wt.num.waiting'),
  });
  return out;
}

/** The map. */
export function WholeTick(d: WholeTickData, opts: WholeTickOptions): HTMLElement {
  const doc = chartDocument(opts.document);
  const h = elementBuilder(doc);
  const s = d.shape;
  const numbers = wholeTickNumbers(d);
  const num = (stage: WholeTickStage, layer?: number) => numbers.find((n) => n.stage === stage && n.layer === layer)!;
  // Each stage's place in the flow (the CSS animation's delay): tokens 0, embeddings 1, block l 2 + l, then the head.
  const STEP: Record<WholeTickStage | 'blocks', number> = { tokens: 0, embeddings: 1, blocks: 2, attention: 2, mlp: 2, logits: 2 + s.layers, probs: 3 + s.layers, dice: 4 + s.layers, append: 5 + s.layers };
  const idOf = (stage: WholeTickStage, layer?: number) => `wt-${stage}${layer === undefined ? '' : `-${layer}`}`;
  /** A stage's name as a link to its chapter, described by its numbers (hidden text, shown by the detail line). */
  const name = (stage: WholeTickStage, label: string, layer?: number) =>
    h('a', { class: 'wt-name', href: opts.links[stage], 'aria-describedby': idOf(stage, layer), 'data-stage': stage, 'data-layer': layer ?? null }, label);
  const desc = (stage: WholeTickStage, layer?: number) => h('span', { class: 'wt-numbers', id: idOf(stage, layer), hidden: true }, num(stage, layer).text);
  const stage = (key: WholeTickStage | 'blocks', ...children: (Node | null | false)[]) =>
    h('li', { class: 'wt-stage', 'data-stage': key, style: `--step: ${STEP[key]}` }, ...children);

  // Tokens: the last few, newest last, the fed ones marked.
  const chips = h('ol', { class: 'wt-tokens', translate: 'no' },
    ...(d.tokens.length && d.tokenCount > d.tokens.length ? [h('li', { class: 'wt-more' }, '…')] : []),
    ...d.tokens.map((k) => h('li', { class: k.fed ? 'wt-token fed' : 'wt-token' }, h('span', { class: 'wt-piece' }, visibleText(k.text)), h('span', { class: 'wt-id' }, String(k.id)))));

  const e = d.embedding;
  const embedBody = e
    ? h('p', { class: 'wt-value' }, `wte[${e.id}] + wpe[${e.position}] → x₀ · ${t('wt.norm', { norm: formatDecimal(e.sum, 2) })}`)
    : h('p', { class: 'wt-value' }, `wte ${formatInteger(s.vocab)} × ${s.width} · wpe ${formatInteger(s.context)} × ${s.width}`);

  const maxDelta = Math.max(1e-9, ...d.blocks.map((b) => b?.delta ?? 0));
  // Laid out wide (presenter mode), the blocks sit in rows this many across: 2 × 2 for 4 blocks, 3 × 2 for 6, 4 × 3 for 12.
  const across = s.layers <= 4 ? 2 : s.layers <= 6 ? 3 : 4;
  const blocks = h('ol', { class: 'wt-blocks', style: `--wt-across: ${across}` },
    ...Array.from({ length: s.layers }, (_, l) => {
      const b = d.blocks[l] ?? null;
      return h('li', { class: 'wt-block', 'data-layer': l, style: `--step: ${STEP.blocks + l}` },
        h('p', { class: 'wt-block-title' }, t('wt.stage.block', { layer: l })),
        name('attention', t('wt.stage.attention'), l),
        desc('attention', l),
        b?.attention ? heatmap(doc, b.attention, l, opts.keys ?? KEYS) : h('span', { class: 'wt-placeholder' }, `${s.heads} × ${s.width / s.heads}`),
        name('mlp', t('wt.stage.mlp'), l),
        desc('mlp', l),
        b ? h('p', { class: 'wt-value' }, t('wt.norm', { norm: formatDecimal(b.norm, 2) }), ' ', h('span', { class: 'wt-delta' }, t('wt.delta', { delta: formatDecimal(b.delta, 2) })))
          : h('p', { class: 'wt-value' }, `${s.width} → ${s.hidden} → ${s.width}`),
        b ? h('span', { class: 'wt-bar', 'aria-hidden': 'true' }, h('span', { style: `width: ${px((100 * b.delta) / maxDelta)}%` })) : null,
      );
    }));
  const blocksStage = stage('blocks', h('p', { class: 'wt-name wt-plain' }, s.layers === 1 ? t('wt.stage.blocks.one') : t('wt.stage.blocks', { n: s.layers })), blocks);

  const w = d.draw;
  const maxP = w ? Math.max(1e-9, ...w.candidates.map((c) => c.prob)) : 1;
  const probs = w
    ? h('ol', { class: 'wt-probs', translate: 'no' },
      ...w.candidates.map((c) => {
        const chosen = c.id === w.chosen.id;
        const label = h('span', { class: 'wt-piece' }, visibleText(c.text));
        const bar = h('span', { class: 'wt-bar', 'aria-hidden': 'true' }, h('span', { style: `width: ${px((100 * c.prob) / maxP)}%` }));
        const p = h('span', { class: 'wt-p' }, formatProb(c.prob));
        const cls = ['wt-cand', chosen ? 'chosen' : '', c.kept ? '' : 'dropped'].filter(Boolean).join(' ');
        const onForce = opts.onForce;
        if (onForce && !chosen && d.tick) {
          const btn = h('button', { type: 'button', class: cls, 'data-id': c.id, 'aria-label': t('wt.force', { text: visibleText(c.text), index: d.tick.index, p: formatProb(c.prob) }) }, label, bar, p);
          btn.addEventListener('click', () => onForce(c.id));
          return h('li', {}, btn);
        }
        return h('li', {}, h('span', { class: cls, 'data-id': c.id }, label, bar, p, chosen && w.forced ? h('span', { class: 'wt-forced' }, ` ${t('wt.forced')}`) : null));
      }))
    : null;

  const appended = d.appended
    ? h('p', { class: 'wt-value', translate: 'no' }, h('mark', { class: 'wt-appended' }, visibleText(d.appended.text)), ` → ${d.appended.id}`, w?.forced ? h('span', { class: 'wt-forced' }, ` ${t('wt.forced')}`) : null)
    : null;

  const map = h('ol', { class: 'wt-stages' },
    stage('tokens', name('tokens', t('wt.stage.tokens')), desc('tokens'), d.tokens.length ? chips : h('p', { class: 'wt-value' }, t('wt.shape.tokens.waiting', { vocab: formatInteger(s.vocab) }))),
    stage('embeddings', name('embeddings', t('wt.stage.embeddings')), desc('embeddings'), embedBody),
    blocksStage,
    stage('logits', name('logits', t('wt.stage.logits')), desc('logits'),
      h('p', { class: 'wt-value' }, d.logits ? t('wt.value.logits', { vocab: formatInteger(s.vocab), max: formatDecimal(d.logits.max, 2) }) : `${s.width} × ${formatInteger(s.vocab)}`)),
    stage('probs', name('probs', t('wt.stage.probs')), desc('probs'), probs ?? h('p', { class: 'wt-value' }, t('wt.waiting')),
      opts.onForce && w && d.tick ? h('p', { class: 'wt-hint' }, t('wt.forceHint')) : null),
    stage('dice', name('dice', t('wt.stage.dice')), desc('dice'), w ? dice(doc, w) : null),
    stage('append', name('append', t('wt.stage.append')), desc('append'), appended),
  );

  const k = d.tick;
  const dd = (label: string, value: string, key: string) => [h('dt', {}, label), h('dd', { 'data-clock': key }, value)];
  const none = t('wt.clock.none');
  const clock = h('aside', { class: 'wt-clock', 'aria-label': t('wt.clock.title') },
    h('p', { class: 'wt-clock-title' }, t('wt.clock.title')),
    h('dl', {},
      ...dd(t('wt.clock.tick'), k ? String(k.index) : none, 'tick'),
      ...dd(t('wt.clock.phase'), k ? t(k.kind === 'prefill' ? 'wt.phase.prefill' : 'wt.phase.decode') : none, 'phase'),
      ...dd(t('wt.clock.ms'), k ? formatMs(k.ms) : none, 'ms'),
      ...dd(t('wt.clock.cache'), k ? t(k.cacheLength === 1 ? 'wt.clock.cacheValue.one' : 'wt.clock.cacheValue', { positions: formatInteger(k.cacheLength), bytes: formatBytes(k.cacheBytes) }) : none, 'cache'),
      ...dd(t('wt.clock.weights'), k ? t(k.same ? 'wt.clock.same' : 'wt.clock.changed', { checksum: k.checksum }) : none, 'weights'),
    ));

  const detail = h('p', { class: 'wt-detail', 'aria-hidden': 'true' }, d.tick ? t('wt.hint') : t('wt.waiting'));
  const root = h('div', { class: `whole-tick${opts.flow ? ' flow' : ''}`, role: 'group', 'aria-label': t('wt.label'), 'data-layers': s.layers, 'data-tick': k?.index ?? null },
    h('div', { class: 'wt-main' }, map, clock), detail, WholeTickTable(d, { document: doc }));
  // Hover or focus on a stage: its numbers in the detail line.
  const show = (ev: Event) => {
    const a = (ev.target as Element).closest?.('[aria-describedby]');
    const text = a ? root.querySelector(`#${a.getAttribute('aria-describedby')}`)?.textContent : null;
    if (text) detail.textContent = text;
  };
  root.addEventListener('mouseover', show);
  root.addEventListener('focusin', show);
  return root;
}

/** The table alternative: every stage's numbers, in a disclosure. */
export function WholeTickTable(d: WholeTickData, opts: { document?: Document } = {}): HTMLElement {
  const doc = chartDocument(opts.document);
  const h = elementBuilder(doc);
  const rows = wholeTickNumbers(d).map((n) => [n.name, n.text]);
  return h('details', { class: 'wt-table' }, h('summary', {}, t('wt.table.summary')),
    table(t('wt.table.caption'), [t('wt.table.stage'), t('wt.table.numbers')], rows, { document: doc, model: { columns: [] } }));
}

const sequentialBytes = rampBytes(sequential, rgb);
const CELL_W = 10;
const CELL_H = 8;

/** One block's attention from the new token: a row per head over the last `max` positions. */
function heatmap(doc: Document, a: NonNullable<WholeTickBlock['attention']>, layer: number, max: number): SVGSVGElement {
  const shown = Math.min(max, a.keys - a.offset);
  const from = a.keys - a.offset - shown; // index into each row
  const W = shown * CELL_W;
  const H = a.rows.length * CELL_H;
  const svg = doc.createElementNS(SVG_NS, 'svg');
  const label = t('wt.heatmap', { layer, keys: shown });
  svg.setAttribute('class', 'wt-heat');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  // One image, a cell per head and position (2 × 2 pixels each), drawn unsmoothed: the map redraws
  // every tick, and a rect per cell was most of its time.
  const img = doc.createElementNS(SVG_NS, 'image');
  img.setAttribute('width', String(W));
  img.setAttribute('height', String(H));
  img.setAttribute('preserveAspectRatio', 'none');
  img.setAttribute('style', 'image-rendering: pixelated');
  img.setAttribute('data-cells', `${a.rows.length}x${shown}`);
  img.setAttribute('href', cellsImage(a.rows.map((row) => Array.from({ length: shown }, (_, j) => row[from + j] ?? 0)), (w) => sequentialBytes(Math.sqrt(Math.max(0, Math.min(1, w)))), 2, 2));
  svg.append(img);
  return svg;
}

const DICE_W = 300;
const DICE_H = 22;

/** The dice: kept candidates end to end on [0, 1) (the rest of the kept mass pale), u marked. */
function dice(doc: Document, w: NonNullable<WholeTickData['draw']>): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'wt-dice');
  svg.setAttribute('viewBox', `0 0 ${DICE_W} ${DICE_H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('wt.dice', { u: w.u === null ? '—' : formatDecimal(w.u, 4) }));
  let acc = 0;
  const rect = (x0: number, x1: number, fill: string, opacity = 1) => {
    const r = doc.createElementNS(SVG_NS, 'rect');
    r.setAttribute('x', String(px(x0 * DICE_W)));
    r.setAttribute('y', '4');
    r.setAttribute('width', String(px(Math.max(0, (x1 - x0) * DICE_W - 1))));
    r.setAttribute('height', String(DICE_H - 8));
    r.setAttribute('fill', fill);
    if (opacity < 1) r.setAttribute('fill-opacity', String(opacity));
    svg.append(r);
  };
  for (const c of w.candidates) {
    if (!c.kept) continue;
    const width = c.prob / w.keptMass;
    rect(acc, acc + width, c.id === w.chosen.id ? ORANGE : BLUE, c.id === w.chosen.id ? 1 : 0.55);
    acc += width;
  }
  if (acc < 0.999) rect(acc, 1, 'currentColor', GREY_OPACITY);
  if (w.u !== null) {
    const x = px(w.u * DICE_W);
    const line = doc.createElementNS(SVG_NS, 'path');
    line.setAttribute('d', `M${x},0V${DICE_H}`);
    line.setAttribute('stroke', 'currentColor');
    line.setAttribute('stroke-width', '2');
    svg.append(line);
  }
  return svg;
}
