// `npm run screenshot`: the README's picture (docs/screenshot.png), taken from the built site:
// the whole landing page, 1280 px wide, after twelve ticks of the bundled model at the default settings.
// Run `npm run build` first.
import { launchBrowser, startPreview } from './harness.ts';

const preview = await startPreview();
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await page.goto(`${preview.url}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.engine === 'ready', null, { timeout: 60_000 });
  for (let i = 0; i < 12; i++) {
    await page.getByRole('button', { name: 'Next token' }).click();
    await page.waitForFunction((i) => (document.getElementById('status')?.textContent ?? '').startsWith(`Tick ${i} `), i);
  }
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
  console.log('docs/screenshot.png: the landing page after 12 ticks');
} finally {
  await browser.close();
  await preview.close();
}
