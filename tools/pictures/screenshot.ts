// Screenshot of an HTML report in headless Chromium (Debian's /usr/bin/chromium), to look at it:
//   node dist/tools/pictures/screenshot.js report.html shot.png [css-selector]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [html, png, selector] = process.argv.slice(2);
if (!html || !png) throw new Error('usage: screenshot.js <report.html> <out.png>');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => console.log(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  if (selector) await page.locator(selector).first().screenshot({ path: png });
  else await page.screenshot({ path: png, fullPage: true });
} finally {
  await browser.close();
}
