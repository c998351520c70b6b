// Firefox without a usable WebGPU: with `dom.webgpu.enabled` it has navigator.gpu but no adapter
// here (no Vulkan driver); without it, no navigator.gpu at all. Either way the engine loads on WASM
// and says which of the two it was, in engine.model and in GET /v1/models.
import { expect } from '@playwright/test';
import { launchFirefox } from '../../scripts/firefox.mjs';
import { FirefoxPage } from './page.js';
import { firefoxTest as test } from './fixtures.js';

async function fallbackIn(page: FirefoxPage) {
  await page.goto('/e2e/harness.html');
  await page.waitForFunction(() => window.harnessReady === true);
  return page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    const webgpuOnly = await window.zstream.createEngine({ device: 'webgpu', modelBaseURL: '/models/' }).then(
      () => undefined,
      (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
    );
    const engine = await window.zstream.createEngine({ modelBaseURL: '/models/' });
    const res = await window.zstream.createFetch(engine)('/v1/models');
    const listed = (await res.json()).data[0];
    engine.dispose();
    return { hasGpu: 'gpu' in navigator, adapter: adapter === undefined ? 'undefined' : String(adapter), webgpuOnly, model: engine.model, listed };
  });
}

test('firefox: without WebGPU the engine falls back to WASM and says "this browser has no WebGPU"', async ({ firefoxPage }) => {
  const seen = await fallbackIn(firefoxPage);
  expect(seen).toMatchObject({ hasGpu: false, model: { device: 'wasm', fallbackReason: 'this browser has no WebGPU' } });
  expect(seen.listed).toMatchObject({ device: 'wasm', fallback_reason: 'this browser has no WebGPU' });
  expect(seen.webgpuOnly).toEqual({ code: 'model_load_failed', message: 'Cannot run on WebGPU: this browser has no WebGPU.' });
});

test('firefox: with dom.webgpu.enabled and no adapter the reason is "no WebGPU adapter is available"', async ({ baseURL }) => {
  const browser = await launchFirefox({ 'dom.webgpu.enabled': true });
  try {
    const seen = await fallbackIn(new FirefoxPage(await browser.newPage(), baseURL ?? 'http://localhost'));
    expect(seen).toMatchObject({ hasGpu: true, adapter: 'null', model: { device: 'wasm', fallbackReason: 'no WebGPU adapter is available' } });
    expect(seen.listed).toMatchObject({ device: 'wasm', fallback_reason: 'no WebGPU adapter is available' });
    expect(seen.webgpuOnly).toEqual({ code: 'model_load_failed', message: 'Cannot run on WebGPU: no WebGPU adapter is available.' });
  } finally {
    await browser.close();
  }
});
