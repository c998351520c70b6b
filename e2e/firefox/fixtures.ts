// The Firefox run's fixtures: one headless Firefox ESR per worker (puppeteer-core over WebDriver
// BiDi), a fresh browser context per test, and the shared specs' `page` as an adapter over it.
import { test as base } from '@playwright/test';
import type { Browser } from 'puppeteer-core';
import { launchFirefox } from '../../scripts/firefox.mjs';
import { KeptEngines, type SharedEngine } from '../kept-engines.js';
import { expectTransferRefused, refuseStreamTransfer } from '../transfer.js';
import { FirefoxPage, asPlaywrightPage } from './page.js';

export interface BrowserOptions {
  /** false: the page refuses to transfer ReadableStreams, so the engine pulls events by id. */
  transferableStreams: boolean;
  /** Set by a block whose tests share one loaded engine (e2e/kept-engines.ts). */
  sharedEngine: SharedEngine | undefined;
}

export const firefoxTest = base.extend<BrowserOptions & { firefoxPage: FirefoxPage }, { firefox: Browser; keptEngines: KeptEngines }>({
  transferableStreams: [true, { option: true }],
  sharedEngine: [undefined, { option: true }],
  firefox: [
    async ({}, use) => {
      const browser = await launchFirefox();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  keptEngines: [
    async ({ firefox }, use, workerInfo) => {
      const kept = new KeptEngines(async () => {
        const context = await firefox.createBrowserContext();
        const page = new FirefoxPage(await context.newPage(), workerInfo.project.use.baseURL ?? 'http://localhost');
        return { page: asPlaywrightPage(page), close: () => context.close() };
      });
      await use(kept);
      await kept.closeAll();
    },
    { scope: 'worker' },
  ],
  firefoxPage: async ({ firefox, baseURL, transferableStreams }, use) => {
    const context = await firefox.createBrowserContext();
    const page = new FirefoxPage(await context.newPage(), baseURL ?? 'http://localhost');
    if (!transferableStreams) await page.addInitScript(refuseStreamTransfer);
    await use(page);
    if (!transferableStreams) await expectTransferRefused(page);
    await context.close();
  },
  page: async ({ firefoxPage, sharedEngine, transferableStreams, keptEngines }, use, testInfo) => {
    await keptEngines.enter(testInfo.file);
    if (sharedEngine) return use(await keptEngines.page(sharedEngine, transferableStreams));
    await use(asPlaywrightPage(firefoxPage));
  },
});
