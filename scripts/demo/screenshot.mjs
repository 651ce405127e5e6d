// `node scripts/demo/screenshot.mjs`: after `npm run demo -- --html`, takes a full-page PNG of
// every demo-out/*.html page in light and dark (Debian's chromium through playwright-core), to
// look at what a reviewer sees. Prints where Mermaid failed, if it did.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium.ts';

const OUT = fileURLToPath(new URL('../../demo-out/', import.meta.url));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const file of readdirSync(OUT).filter((f) => f.endsWith('.html'))) {
    for (const colorScheme of ['light', 'dark']) {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 }, colorScheme });
      await page.goto(pathToFileURL(join(OUT, file)).href);
      await page.waitForFunction(() => document.body.dataset.mermaid, null, { timeout: 20_000 });
      const state = await page.evaluate(() => document.body.dataset.mermaid);
      // Open every <details>, so the picture shows the evidence and full names too.
      await page.evaluate(() => {
        for (const d of document.querySelectorAll('details')) d.open = true;
      });
      const png = join(OUT, file.replace(/\.html$/, `-${colorScheme}.png`));
      await page.screenshot({ path: png, fullPage: true });
      console.log(`${png}${state === 'done' ? '' : ` (mermaid ${state})`}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
