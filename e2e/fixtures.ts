// Shared e2e setup: a page on the harness with the engine loaded on the project's device. The same
// specs run in Chromium (Playwright) and in Firefox ESR (playwright.firefox.config.ts sets
// ZSTREAM_E2E_BROWSER=firefox; `page` is then an adapter over puppeteer-core, e2e/firefox/).
import { test as base, expect } from '@playwright/test';
import { firefoxTest, type BrowserOptions } from './firefox/fixtures.js';
import { KeptEngines } from './kept-engines.js';
import { expectTransferRefused, refuseStreamTransfer } from './transfer.js';

export { expect };
export { DEVICES, openEngine, openHarness, type DeviceName, type SharedEngine } from './kept-engines.js';

/** Greedy output of the embedded model for any chat prompt: the text its weights were built to tell. */
export { STORY_TEXT as STORY } from '../scripts/story.mjs';

const chromiumTest = base.extend<BrowserOptions, { keptEngines: KeptEngines }>({
  transferableStreams: [true, { option: true }],
  sharedEngine: [undefined, { option: true }],
  keptEngines: [
    async ({ browser }, use, workerInfo) => {
      const kept = new KeptEngines(async () => {
        const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL });
        return { page: await context.newPage(), close: () => context.close() };
      });
      await use(kept);
      await kept.closeAll();
    },
    { scope: 'worker' },
  ],
  page: async ({ page, transferableStreams, sharedEngine, keptEngines }, use, testInfo) => {
    await keptEngines.enter(testInfo.file);
    if (sharedEngine) return use(await keptEngines.page(sharedEngine, transferableStreams));
    if (!transferableStreams) await page.addInitScript(refuseStreamTransfer);
    await use(page);
    if (!transferableStreams) await expectTransferRefused(page);
  },
});

export const test: typeof chromiumTest = process.env.ZSTREAM_E2E_BROWSER === 'firefox' ? firefoxTest : chromiumTest;
