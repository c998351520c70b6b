// Shared e2e setup: a page on the harness with the engine loaded on the project's device. The same
// specs run in Chromium (Playwright) and in Firefox ESR (playwright.firefox.config.ts sets
// ZSTREAM_E2E_BROWSER=firefox; `page` is then an adapter over puppeteer-core, e2e/firefox/).
import { test as base, expect, type Page } from '@playwright/test';
import { firefoxTest, type BrowserOptions } from './firefox/fixtures.js';
import { expectTransferRefused, refuseStreamTransfer } from './transfer.js';

export { expect };

/** Greedy output of the embedded model for any chat prompt: the text its weights were built to tell. */
export { STORY_TEXT as STORY } from '../scripts/story.mjs';

export const DEVICES = ['webgpu', 'wasm'] as const;
export type DeviceName = (typeof DEVICES)[number];

/** Opens the harness (or another page that sets `harnessReady`) and creates `window.engine` on `device`. */
export async function openEngine(page: Page, device: DeviceName, harness = '/e2e/harness.html'): Promise<void> {
  await page.goto(harness);
  await page.waitForFunction(() => window.harnessReady === true);
  const info = await page.evaluate(async (device) => {
    window.engine = await window.zstream.createEngine({ device, modelBaseURL: '/models/' });
    return window.engine.model;
  }, device);
  expect(info.device).toBe(device);
}

const chromiumTest = base.extend<BrowserOptions>({
  transferableStreams: [true, { option: true }],
  page: async ({ page, transferableStreams }, use) => {
    if (!transferableStreams) await page.addInitScript(refuseStreamTransfer);
    await use(page);
    if (!transferableStreams) await expectTransferRefused(page);
  },
});

export const test: typeof chromiumTest = process.env.ZSTREAM_E2E_BROWSER === 'firefox' ? firefoxTest : chromiumTest;
