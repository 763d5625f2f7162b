// The Chinese edition (/zh-cn/) in Chromium: every English page has its Chinese twin, each loads
// cleanly with <html lang="zh-CN">, ticks with the real model, and shows no English UI left over:
// no English message of any strings file and no run of four English words outside the text that is
// the model's (prompts, tokens, code, formulas: marked translate="no" or lang="en"). Chinese fonts
// render, the language switch keeps the page's state, and axe finds nothing to fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { messagePairs } from '../../components/i18n/index.ts';
import { loadAllStrings } from '../strings.ts';
import { checkAxe, collectConsoleErrors, distDir, formatViolations, launchBrowser, openPage, startPreview, visitFigures } from './harness.ts';

/** Every page of the English site, as a path, and whether it runs a notebook. */
function englishPages(): string[] {
  const chapters = readdirSync(join(distDir, 'chapters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `chapters/${d.name}/`);
  return ['', 'chapters/', 'models/', ...chapters.sort()];
}

/**
 * English UI text on the page, found two ways: whole messages of the English dictionary (their
 * fixed parts, when they have {placeholders}), and runs of four or more English words. Text the
 * model reads or writes, code and formulas do not count.
 */
async function findEnglish(page: Page): Promise<string[]> {
  await loadAllStrings();
  const messages = messagePairs()
    .filter(({ en, zh }) => zh !== en && /[a-z]{3,} [a-z]{2,}/i.test(en))
    .flatMap(({ en: v }) => v.split(/\{\w+\}/).map((s) => s.trim()).filter((s) => s.length >= 14 && /[a-z]{3,} [a-z]{2,}/i.test(s)));
  return page.evaluate(`(${FIND_ENGLISH})(${JSON.stringify(messages)})`) as Promise<string[]>;
}

// Plain JavaScript run in the page (the test runner's transpiler would add helpers the page lacks).
const FIND_ENGLISH = readFileSync(fileURLToPath(new URL('./find-english.js', import.meta.url)), 'utf8').replace(/^[\s\S]*?(?=function findEnglish)/, '');

describe('the Chinese edition', { timeout: 600_000 }, () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  const pages = englishPages();

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('has a Chinese twin of every English page', () => {
    const missing = pages.filter((p) => !existsSync(join(distDir, 'zh-cn', p, 'index.html')));
    assert.deepEqual(missing, []);
  });

  it('has the Noto CJK fonts the pages name (Debian fonts-noto-cjk)', () => {
    const fonts = execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8' });
    assert.match(fonts, /Noto Sans CJK SC/);
  });

  for (const path of pages) {
    it(`/zh-cn/${path}: loads, ticks, shows no English UI, axe clean in light and dark`, async () => {
      const page = await openPage(browser);
      const errors = collectConsoleErrors(page);
      const res = await page.goto(`${preview.url}/zh-cn/${path}`, { waitUntil: 'load' });
      assert.equal(res?.status(), 200);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      const notebook = await page.locator('[data-notebook]').count();
      if (notebook || path === '') {
        await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
        assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready');
        await visitFigures(page);
        const next = page.getByRole('button', { name: '下一个词元' }).first();
        await next.scrollIntoViewIfNeeded();
        await next.click();
        if (notebook) {
          await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-cell="controls"]')?.dataset.ticks ?? 0) >= 1, null, { timeout: 60_000 });
        } else {
          await page.waitForFunction(() => /^第 0 拍/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 60_000 });
        }
        await page.waitForTimeout(300);
      }
      // The glyphs really are drawn with a CJK font: 汉 is as wide as it is tall.
      const wide = await page.evaluate(() => {
        const c = document.createElement('canvas').getContext('2d')!;
        c.font = `32px ${getComputedStyle(document.body).fontFamily}`;
        return c.measureText('汉').width;
      });
      assert.ok(wide > 28 && wide < 36, `汉 measured ${wide}px at 32px`);
      const english = await findEnglish(page);
      assert.deepEqual(english, [], `English left on /zh-cn/${path}:\n${english.join('\n')}`);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const violations = await checkAxe(page);
        assert.equal(violations.length, 0, `${colorScheme}:\n${formatViolations(violations)}`);
      }
      assert.deepEqual(errors, []);
      await page.context().close();
    });
  }

  it('the language switch goes to the same page in the other language and keeps the URL state', async () => {
    const page = await openPage(browser);
    await page.goto(`${preview.url}/chapters/${pages.find((p) => p.startsWith('chapters/the-'))?.slice(9) ?? 'the-clock/'}?seed=7#controls`);
    await page.getByRole('link', { name: '用简体中文阅读本页' }).click();
    await page.waitForURL(/\/zh-cn\/chapters\/.+\?seed=7#controls$/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.getByRole('link', { name: 'Read this page in English' }).click();
    await page.waitForURL(/\/chapters\/.+\?seed=7#controls$/);
    assert.ok(!page.url().includes('/zh-cn/'));
    await page.context().close();
  });
});
