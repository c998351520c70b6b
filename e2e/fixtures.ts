// Shared e2e setup: a page on the harness with the engine loaded on the project's device.
import { test as base, expect, type Page } from '@playwright/test';

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

export const test = base;
