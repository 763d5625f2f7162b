/**
 * UI text with the model's own text inside it. `modelText` marks a token or generated text as the
 * model's (translate="no": a browser's translation, a translator and the check for English left
 * on a Chinese page all skip it); `stringNodes` is an owner's message with some placeholders
 * filled by nodes, such as those spans, for an element's children.
 */
import type { Strings } from '../components/i18n/index.ts';
import { h } from './dom.ts';

/** Text the model read or wrote (already made visible, see components/text.ts), marked as such. */
export function modelText(text: string): HTMLSpanElement {
  return h('span', { translate: 'no' }, text);
}

/** An owner's message `key` (see defineStrings) as children: strings, with nodes where `params` gives them. */
export function stringNodes<K extends string>(strings: Strings<K>, key: K, params: Record<string, string | number | Node> = {}): (string | Node)[] {
  return fillNodes(strings.template(key), params);
}

/** A template's `{name}` placeholders filled from `params`, as children: strings and nodes. */
export function fillNodes(template: string, params: Record<string, string | number | Node> = {}): (string | Node)[] {
  const out: (string | Node)[] = [];
  const used = new Set<Node>();
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    if (m.index > last) out.push(template.slice(last, m.index));
    const v = params[m[1]];
    if (v === undefined) out.push(m[0]);
    else if (typeof v === 'object') {
      out.push(used.has(v) ? v.cloneNode(true) : v);
      used.add(v);
    } else out.push(String(v));
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}
