// Runs in the page (plain JavaScript, read as source by zh-cn.test.ts): English UI text on a
// Chinese page. `messages` are fixed parts of the English dictionary's messages. Text that is the
// model's (prompts, tokens, generated text), code and formulas are skipped: elements inside code,
// pre, textarea, .katex, [translate="no"], [lang="en"] or [aria-hidden="true"].
// eslint-disable-next-line @typescript-eslint/no-unused-vars
function findEnglish(messages) {
  const skip = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e.matches('code, pre, textarea, script, style, .katex, [translate="no"], [lang="en"], [aria-hidden="true"]')) return true;
    }
    return false;
  };
  const found = [];
  const seen = (text, where) => {
    for (const m of messages) if (text.includes(m)) found.push(`${where}: message “${m}”`);
    const run = /(?:\b[A-Za-z][a-z']*[,;:]?\s+){3,}[A-Za-z][a-z']*/.exec(text);
    if (run) found.push(`${where}: “${run[0]}”`);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent ?? '';
    const el = n.parentElement;
    if (!text.trim() || !el || skip(el)) continue;
    if (el.closest('[hidden]') || getComputedStyle(el).display === 'none') continue;
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : '';
    seen(text, `<${el.tagName.toLowerCase()}${cls}>`);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'title', 'alt', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v) seen(v, `${el.tagName.toLowerCase()}[${a}]`);
    }
  }
  return [...new Set(found)];
}
