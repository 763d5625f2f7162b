// components/i18n: keys in both languages, templates filled, paths switched between locales.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineStrings, localeOfPath, messagePairs, pathInLocale, setLocale } from '../../components/i18n/index.ts';
import { t } from '../../site/strings.ts';
import { loadAllStrings, stringsFiles } from '../strings.ts';

describe('i18n', () => {
  it('has every message of every strings file in Chinese, each with the same {placeholders}', async () => {
    await loadAllStrings();
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const { key, en, zh } of messagePairs()) {
      assert.ok(zh, `zh-cn lacks ${key}`);
      assert.deepEqual(names(zh), names(en), key);
    }
  });

  it('keeps one key per message: no key is defined by two owners', async () => {
    await loadAllStrings();
    const seen = new Map<string, number>();
    for (const { key } of messagePairs()) seen.set(key, (seen.get(key) ?? 0) + 1);
    assert.deepEqual([...seen].filter(([, n]) => n > 1).map(([k]) => k), [], `strings files: ${stringsFiles().join(', ')}`);
  });

  it("gives an owner's strings their own t, in the page's locale or a given one", () => {
    const s = defineStrings({ en: { 'test.hello': 'Hello, {name}' }, 'zh-cn': { 'test.hello': '你好，{name}' } });
    setLocale('en');
    assert.equal(s('test.hello', { name: 'Ada' }), 'Hello, Ada');
    assert.equal(s('test.hello', { name: 'Ada' }, 'zh-cn'), '你好，Ada');
    assert.equal(s.template('test.hello'), 'Hello, {name}');
    assert.ok(s.has('test.hello'));
    assert.ok(!s.has('test.other'));
    setLocale(null);
  });

  it('fills placeholders and follows the locale', () => {
    setLocale('zh-cn');
    assert.equal(t('nav.chapters'), '章节');
    setLocale('en');
    assert.equal(t('nav.chapters'), 'Chapters');
    setLocale(null);
  });

  it('maps a page to the same page in the other language, keeping query and hash', () => {
    assert.equal(localeOfPath('/zh-cn/chapters/the-clock/'), 'zh-cn');
    assert.equal(localeOfPath('/chapters/the-clock/'), 'en');
    assert.equal(pathInLocale('/chapters/the-clock/?seed=3#x', 'zh-cn'), '/zh-cn/chapters/the-clock/?seed=3#x');
    assert.equal(pathInLocale('/zh-cn/chapters/the-clock/', 'en'), '/chapters/the-clock/');
    assert.equal(pathInLocale('/', 'zh-cn'), '/zh-cn/');
    assert.equal(pathInLocale('/base/zh-cn/models/', 'en', '/base/'), '/base/models/');
  });
});
