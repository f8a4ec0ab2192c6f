// Renders the web UI's PNG icons from their SVG sources in packages/web/public/icons with Debian's
// chromium (playwright-core): the manifest's 192/512 px icons, the maskable one, and the Apple
// touch icon. Run after changing an SVG: `node --import tsx scripts/render-icons.ts`; the PNGs
// are committed.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'web', 'public', 'icons');
const CHROMIUM = process.env.PILOTHOUSE_CHROMIUM ?? '/usr/bin/chromium';

const outputs: { svg: string; png: string; size: number; transparent: boolean }[] = [
  { svg: 'icon.svg', png: 'icon-192.png', size: 192, transparent: true },
  { svg: 'icon.svg', png: 'icon-512.png', size: 512, transparent: true },
  { svg: 'icon-maskable.svg', png: 'icon-maskable-512.png', size: 512, transparent: false },
  // iOS rounds the corners itself and shows transparency as black: the full-bleed square.
  { svg: 'icon-maskable.svg', png: 'apple-touch-icon.png', size: 180, transparent: false },
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const o of outputs) {
    const page = await browser.newPage({ viewport: { width: o.size, height: o.size } });
    const src = `data:image/svg+xml;base64,${readFileSync(join(dir, o.svg)).toString('base64')}`;
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${src}" width="${o.size}" height="${o.size}" style="display:block"></body></html>`);
    await page.locator('img').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    await page.screenshot({ path: join(dir, o.png), omitBackground: o.transparent });
    await page.close();
    console.log(`${o.png} (${o.size}px)`);
  }
} finally {
  await browser.close();
}
