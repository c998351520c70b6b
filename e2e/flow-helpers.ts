// Shared setup of the flow-control and fault specs: an engine with chosen options, and the
// counters that tell what the worker really generated (engine.stats(), src/testing.ts).
import type { Page } from '@playwright/test';
import type { EngineOptions } from '../src/index.js';
import { expect, type DeviceName } from './fixtures.js';

export const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];
export const BASE_URL = 'http://localhost:8000/v1';

/** Opens the harness and creates `window.engine` on `device` with `options`, with the test worker (src/testing.ts). */
export async function openEngineWith(page: Page, device: DeviceName, options: Omit<EngineOptions, 'device' | 'onProgress'> = {}): Promise<void> {
  await page.goto('/e2e/harness.html');
  await page.waitForFunction(() => window.harnessReady === true);
  const info = await page.evaluate(async ({ device, options }) => {
    window.engine = await window.zstreamTesting.createTestEngine({ device, modelBaseURL: '/models/', ...options });
    return window.engine.model;
  }, { device, options });
  expect(info.device).toBe(device);
}
