// Shared setup of the flow-control and fault specs: an engine with chosen options, and the
// counters that tell what the worker really generated (engine.stats(), src/testing.ts).
import type { Page } from '@playwright/test';
import type { EngineOptions } from '../src/index.js';
import { expect, openHarness, type DeviceName } from './fixtures.js';

export const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];
export const BASE_URL = 'http://localhost:8000/v1';

/**
 * The run-ahead the e2e engines get unless a test says otherwise: under the story's 33 events, so that
 * a paused or idle reader holds its request mid-answer (with the default, 32, the worker could finish
 * the whole story ahead of a reader that read one event). Tests of the bound pass their own.
 */
export const STORY_RUN_AHEAD = 16;

/** Opens the harness and creates `window.engine` on `device` with `options`, with the test worker (src/testing.ts). */
export async function openEngineWith(page: Page, device: DeviceName, options: Omit<EngineOptions, 'device' | 'onProgress'> = {}): Promise<void> {
  options = { runAhead: STORY_RUN_AHEAD, ...options };
  await openHarness(page);
  const info = await page.evaluate(async ({ device, options }) => {
    window.engine = await window.zstreamTesting.createTestEngine({ device, modelBaseURL: '/models/', ...options });
    return window.engine.model;
  }, { device, options });
  expect(info.device).toBe(device);
}
