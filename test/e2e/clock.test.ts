// The landing page's clock, in Chromium against the built site: the real model loads in the
// engine worker (wasm), Next token runs one tick, and bad input is refused without losing state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkAxe, collectConsoleErrors, formatViolations, launchBrowser, openPage, startPreview } from './harness.ts';

describe('the clock on the landing page', () => {
  let preview: Awaited<ReturnType<typeof startPreview>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    preview = await startPreview();
    browser = await launchBrowser();
    page = await openPage(browser);
    errors = collectConsoleErrors(page);
    await page.goto(`${preview.url}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.engine === 'ready' || document.body.dataset.engine === 'error', null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('loads the model in the worker on the wasm backend and shows its checksum', async () => {
    const status = await page.locator('#status').textContent();
    assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', status ?? '');
    assert.match(status ?? '', /on wasm \(\d+ threads?\)/, 'the status says how many threads the arithmetic runs on');
    assert.match(status ?? '', /checksum [0-9a-f]{8}/);
  });

  it('Next token runs one tick: a token is appended and the status reports it', async () => {
    const before = await page.locator('#generated').textContent();
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => /^Tick 0 \(prefill\)/.test(document.getElementById('status')?.textContent ?? ''));
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => /^Tick 1 \(decode\)/.test(document.getElementById('status')?.textContent ?? ''));
    const after = await page.locator('#generated').textContent();
    assert.ok(after && before !== null && after.startsWith('The clock struck one, and'), after ?? '');
    const status = (await page.locator('#status').textContent()) ?? '';
    assert.match(status, /weights [0-9a-f]{8} \(unchanged\)/);
    assert.match(status, /KV cache \d+ positions/);
  });

  it('the same seed gives the same tokens after Reset', async () => {
    const tickN = async (n: number) => {
      await page.getByRole('button', { name: 'Reset' }).click();
      for (let i = 0; i < n; i++) {
        await page.getByRole('button', { name: 'Next token' }).click();
        await page.waitForFunction((i) => (document.getElementById('status')?.textContent ?? '').startsWith(`Tick ${i} `), i);
      }
      return page.locator('#generated').textContent();
    };
    const a = await tickN(4);
    const b = await tickN(4);
    assert.equal(a, b);
  });

  it('a temperature typed as text is refused beside the input and the text so far is kept', async () => {
    const kept = await page.locator('#generated').textContent();
    await page.getByLabel('Temperature').fill('');
    await page.getByLabel('Temperature').pressSequentially('-1');
    await page.getByRole('button', { name: 'Next token' }).click();
    assert.match((await page.locator('#temperature-error').textContent()) ?? '', /Temperature must be a number/);
    assert.equal(await page.getByLabel('Temperature').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#generated').textContent(), kept);
    await page.getByLabel('Temperature').fill('0.8');
    assert.equal(await page.locator('#temperature-error').textContent(), '');
  });

  it('a prompt that looks like HTML is shown as text, never run', async () => {
    await page.evaluate(() => ((window as unknown as { pwned?: boolean }).pwned = false));
    await page.getByLabel('Prompt').fill('<img src=x onerror="window.pwned=true">');
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 0 '));
    assert.equal(await page.locator('#generated img').count(), 0);
    assert.match((await page.locator('#generated').textContent()) ?? '', /^<img src=x onerror="window.pwned=true">/);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned), false);
  });

  it('an empty prompt starts from <|endoftext|>, and a prompt longer than the context still ticks', async () => {
    const tickAfter = async () => {
      await page.evaluate(() => (document.getElementById('status')!.textContent = ''));
      await page.getByRole('button', { name: 'Next token' }).click();
      await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 0 '));
      return (await page.locator('#status').textContent()) ?? '';
    };
    await page.getByLabel('Prompt').fill('');
    assert.match(await tickAfter(), /KV cache 1 position, /);
    await page.getByLabel('Prompt').fill('tick tock '.repeat(400) + '\u0007\u0000 control characters');
    assert.match(await tickAfter(), /context full at tick 0: dropped the \d+ oldest tokens, kept 128/);
    // The slide stays in force, and is still said, on the ticks after it.
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 1 '));
    assert.match((await page.locator('#status').textContent()) ?? '', /context full at tick 0: dropped the \d+ oldest tokens, kept 128/);
  });

  it('Play ticks back to back and becomes Pause; Pause stops it and Next token works again', async () => {
    await page.getByLabel('Prompt').fill('The clock struck one, and');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    await assert.doesNotReject(page.getByRole('button', { name: 'Pause' }).waitFor());
    assert.equal(await page.getByRole('button', { name: 'Next token' }).isDisabled(), true);
    await page.waitForFunction(() => /^Tick ([5-9]|\d\d+) /.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await assert.doesNotReject(page.getByRole('button', { name: 'Play' }).waitFor());
    await page.waitForFunction(() => !(document.getElementById('next-token') as HTMLButtonElement).disabled);
    const stopped = await page.locator('#status').textContent();
    const tick = Number(/^Tick (\d+) /.exec(stopped ?? '')?.[1]);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#status').textContent(), stopped, 'no tick runs after Pause');
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction((n) => (document.getElementById('status')?.textContent ?? '').startsWith(`Tick ${n} `), tick + 1);
  });

  it('Reset during Play stops it and starts again from the prompt', async () => {
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => /^Tick \d+ /.test(document.getElementById('status')?.textContent ?? ''));
    await page.getByRole('button', { name: 'Reset' }).click();
    await assert.doesNotReject(page.getByRole('button', { name: 'Play' }).waitFor());
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#generated').textContent(), '');
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 0 '));
    assert.match((await page.locator('#generated').textContent()) ?? '', /^The clock struck one, and/);
  });

  it('the newest token is marked and in view after Next token (1280×900), and edited inputs mark the text as stale', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Prompt').fill('The clock struck one, and');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Tick 0 '));
    const mark = page.locator('#generated mark.newest');
    assert.equal(await mark.count(), 1);
    const text = (await page.locator('#generated').textContent()) ?? '';
    const marked = (await mark.textContent()) ?? '';
    assert.ok(marked.length > 0 && text === 'The clock struck one, and' + marked, `the mark holds what the tick added: ${JSON.stringify(marked)}`);
    await page.waitForFunction(() => {
      const r = document.getElementById('status')!.getBoundingClientRect();
      const m = document.querySelector('#generated mark.newest')!.getBoundingClientRect();
      return r.bottom <= innerHeight + 1 && r.top >= 0 && m.top >= 0 && m.bottom <= innerHeight + 1;
    }, null, { timeout: 5000 });
    assert.equal(await page.locator('#stale').isVisible(), false);
    await page.getByLabel('Temperature').fill('1.2');
    assert.equal(await page.locator('#stale').isVisible(), true, 'text from the old settings is marked');
    assert.match((await page.locator('#generated').getAttribute('class')) ?? '', /\bstale\b/);
    await page.getByLabel('Temperature').fill('0.8');
    assert.equal(await page.locator('#stale').isVisible(), false, 'back to the session’s settings: current again');
  });

  it('Play runs at the chosen speed: 4 ticks a second by default, faster when asked', async () => {
    assert.equal(await page.getByLabel('Play speed').inputValue(), '4');
    const rate = async () => {
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.getByRole('button', { name: 'Play' }).click();
      const at = (n: number) => page.waitForFunction((n) => Number(/^Tick (\d+) /.exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1) >= n, n, { timeout: 30_000, polling: 5 });
      const tickOf = () => page.evaluate(() => Number(/^Tick (\d+) /.exec(document.getElementById('status')?.textContent ?? '')?.[1] ?? -1));
      await at(1);
      const [t0, n0] = [Date.now(), await tickOf()];
      await at(n0 + 4);
      const [t1, n1] = [Date.now(), await tickOf()];
      const perSecond = (n1 - n0) / ((t1 - t0) / 1000);
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Play' }).waitFor();
      return perSecond;
    };
    const paced = await rate();
    assert.ok(paced <= 4.5, `${paced.toFixed(1)} ticks/s at 4 a second`);
    await page.getByLabel('Play speed').selectOption('0');
    const fast = await rate();
    assert.ok(fast > paced, `${fast.toFixed(1)} ticks/s as fast as it runs vs ${paced.toFixed(1)}`);
    await page.getByLabel('Play speed').selectOption('4');
  });

  it('has no console errors and no axe violations after ticking', async () => {
    assert.deepEqual(errors, []);
    const violations = await checkAxe(page);
    assert.equal(violations.length, 0, formatViolations(violations));
  });
});
