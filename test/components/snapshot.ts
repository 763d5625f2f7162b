// Snapshot testing for charts, in Observable Plot's manner: a chart rendered from fixed data is
// compared with test/output/<name>.svg (or .html). A missing snapshot is written and passes; a
// different one is written beside it as <name>-changed.svg and fails (UPDATE_SNAPSHOTS=1 overwrites).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'output');

/** A fresh jsdom document (and its window, for events). */
export function dom(): { document: Document; window: Window & typeof globalThis } {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  return { document: window.document, window: window as unknown as Window & typeof globalThis };
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

function openTag(el: Element, root: boolean): string {
  let attrs = '';
  if (root && el.localName === 'svg' && !el.hasAttribute('xmlns')) attrs += ' xmlns="http://www.w3.org/2000/svg"';
  for (const a of Array.from(el.attributes)) attrs += ` ${a.name}="${escapeAttr(a.value)}"`;
  return `<${el.localName}${attrs}>`;
}

function inline(el: Element): string {
  let inner = '';
  for (const k of Array.from(el.childNodes)) {
    if (k.nodeType === 1) inner += inline(k as Element);
    else if (k.nodeType === 3) inner += escapeText(k.textContent ?? '');
  }
  return `${openTag(el, false)}${inner}</${el.localName}>`;
}

/**
 * Markup with one element per line, indented by depth; an element holding only text stays on one
 * line. Valid XML too: the root <svg> gets its xmlns so the file opens in a browser as an image.
 */
export function pretty(node: Element): string {
  const lines: string[] = [];
  const walk = (el: Element, depth: number) => {
    const tag = el.localName; // lower case for HTML, as written for SVG (clipPath)
    const pad = '  '.repeat(depth);
    const kids = Array.from(el.childNodes);
    // Text-only elements, and SVG <text> (whose <tspan>s would gain spaces), stay on one line.
    if (kids.every((k) => k.nodeType === 3) || tag === 'text') {
      lines.push(`${pad}${inline(el)}`);
      return;
    }
    lines.push(`${pad}${openTag(el, depth === 0)}`);
    for (const k of kids) {
      if (k.nodeType === 1) walk(k as Element, depth + 1);
      else if (k.nodeType === 3 && k.textContent) lines.push(`${pad}  ${escapeText(k.textContent)}`);
    }
    lines.push(`${pad}</${tag}>`);
  };
  walk(node, 0);
  return lines.join('\n') + '\n';
}

/** Compare `node` with test/output/<name>.<ext>; see the header for what happens on a difference. */
export function assertSnapshot(node: Element, name: string): void {
  const ext = node.namespaceURI === 'http://www.w3.org/2000/svg' ? 'svg' : 'html';
  const actual = pretty(node);
  const file = join(OUTPUT, `${name}.${ext}`);
  const changed = join(OUTPUT, `${name}-changed.${ext}`);
  mkdirSync(OUTPUT, { recursive: true });
  if (!existsSync(file) || process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, actual);
    rmSync(changed, { force: true });
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (actual === expected) {
    rmSync(changed, { force: true });
    return;
  }
  writeFileSync(changed, actual);
  assert.fail(`${name}.${ext} changed: see test/output/${name}-changed.${ext} (UPDATE_SNAPSHOTS=1 accepts it)`);
}
