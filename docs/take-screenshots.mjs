// Takes the README's screenshots of the demo page. Start a server first, then:
//   npx vite --port 5204 &   node docs/take-screenshots.mjs http://localhost:5204/ [wasm|webgpu]
// Uses the system Chromium like the tests (CHROMIUM_PATH to override); writes docs/*.png.
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const base = process.argv[2] ?? 'http://localhost:5173/';
const device = process.argv[3] ?? 'wasm';
const out = new URL('.', import.meta.url);
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });

/** A finished answer with its stats, then a second one caught mid-stream with its cursor. */
async function shoot(name, viewport, colorScheme = 'light') {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 2, colorScheme });
  await page.goto(new URL(`?device=${device}`, base).href);
  await page.locator('#load[data-phase="ready"]').waitFor({ timeout: 60_000 });
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('Tell me a story');
  await input.press('Enter');
  await page.locator('.message.assistant[data-state="done"]').waitFor();
  await input.fill('Lovely. Can you tell it again, but slower?');
  await input.press('Enter');
  await page.waitForFunction(() => (document.querySelectorAll('.message.assistant .text')[1]?.textContent ?? '').length > 60);
  await page.screenshot({ path: new URL(`${name}.png`, out).pathname, animations: 'disabled' });
  await page.close();
}

await shoot('screenshot', { width: 960, height: 640 });
await shoot('screenshot-narrow', { width: 390, height: 760 });
await shoot('screenshot-dark', { width: 960, height: 640 }, 'dark');
await browser.close();
