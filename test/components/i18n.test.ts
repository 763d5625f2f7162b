// components/i18n: keys in both languages, templates filled, paths switched between locales.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { en } from '../../components/i18n/en.ts';
import { zhCn } from '../../components/i18n/zh-cn.ts';
import { localeOfPath, pathInLocale, setLocale, t } from '../../components/i18n/index.ts';

describe('i18n', () => {
  it('has every English key in Chinese, each with the same {placeholders}', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.ok(zhCn[key], `zh-cn lacks ${key}`);
      assert.deepEqual(names(zhCn[key]), names(en[key]), key);
    }
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
