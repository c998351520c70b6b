// The model registry and the WebLLM backend in real Chromium. No WebLLM model can run here (its
// libraries and weights are on the internet): these tests take the real MLCEngine as far as it goes
// offline, and check that every way it cannot run fails fast with a ZStreamError that says why.
import type { Page } from '@playwright/test';
import { STORY, expect, openHarness, test } from './fixtures.js';

const INTERNET = /huggingface\.co|githubusercontent\.com/;

/** createEngine's outcome as data: the engine's model info, or the error it rejected with. */
async function tryCreate(page: Page, options: Parameters<typeof window.zstream.createEngine>[0]) {
  return page.evaluate(async (options) => {
    const started = performance.now();
    try {
      const engine = await window.zstream.createEngine(options);
      window.engine = engine;
      return { ok: true as const, model: engine.model, ms: performance.now() - started };
    } catch (error) {
      const e = error as InstanceType<typeof window.zstream.ZStreamError>;
      return {
        ok: false as const, ms: performance.now() - started, isZStreamError: error instanceof window.zstream.ZStreamError,
        code: e.code, message: e.message, status: e.status, body: e.toJSON?.(),
      };
    }
  }, options);
}

test.describe('registry and WebLLM', () => {
  let internet: string[];

  test.beforeEach(async ({ page, context }) => {
    internet = [];
    // Offline for the internet, as on these machines and in any fully offline site.
    await context.route(INTERNET, (route) => {
      internet.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await openHarness(page);
  });

  test('a WebLLM model offline fails within seconds, naming the model and the file it could not fetch', async ({ page }) => {
    const result = await tryCreate(page, { model: 'SmolLM2-360M-Instruct-MLC', modelBaseURL: '/models/' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.isZStreamError).toBe(true);
    expect(result.code).toBe('model_load_failed');
    expect(result.status).toBe(503);
    expect(result.ms).toBeLessThan(15_000);
    // The adapter here (SwiftShader) has no shader-f16, so the registry id chose the f32 record.
    expect(result.message).toContain('"SmolLM2-360M-Instruct-MLC" (SmolLM2-360M-Instruct-q4f32_1-MLC)');
    expect(result.message).toContain(
      'could not fetch https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/mlc-chat-config.json',
    );
    expect(result.body?.error.code).toBe('model_load_failed');
    expect(internet.length).toBeGreaterThan(0);
    // Nothing hangs or leaks: the same page loads the embedded model right after.
    const next = await tryCreate(page, { model: 'zstream-tiny-story', device: 'wasm', modelBaseURL: '/models/' });
    expect(next.ok).toBe(true);
    expect(await page.evaluate(async () => (await window.engine.chat([{ role: 'user', content: 'Hi' }])).text)).toBe(STORY);
  });

  test('an f16 WebLLM model on an adapter without shader-f16: the device cannot run it, said before any download', async ({ page }) => {
    const hasF16 = await page.evaluate(async () => (await navigator.gpu.requestAdapter())?.features.has('shader-f16'));
    test.skip(hasF16 !== false, 'this adapter has shader-f16');
    const result = await tryCreate(page, { model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('model_load_failed');
    expect(result.message).toMatch(/^This device cannot run "Llama-3\.2-1B-Instruct-q4f16_1-MLC": .*shader-f16.*does not have it/);
    expect(internet).toEqual([]);
  });

  test('a WebLLM model on WASM is refused: WebLLM runs on WebGPU only', async ({ page }) => {
    const result = await tryCreate(page, { model: 'Qwen2.5-0.5B-Instruct-MLC', device: 'wasm' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('WebLLM runs on WebGPU only');
    expect(internet).toEqual([]);
  });

  test('a self-hosted WebLLM definition fetches from its own URLs and reaches the model library', async ({ page, baseURL }) => {
    const served: string[] = [];
    await page.route('**/self-hosted/**', (route) => {
      const url = route.request().url();
      served.push(url);
      if (url.endsWith('/mlc-chat-config.json')) return route.fulfill({ json: { context_window_size: 1024 } });
      // The smallest valid WebAssembly module: it compiles, and is no TVM model library.
      if (url.endsWith('.wasm')) return route.fulfill({ body: Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]), contentType: 'application/wasm' });
      return route.fulfill({ status: 404 });
    });
    const result = await tryCreate(page, {
      model: { backend: 'webllm', id: 'my-smollm', url: '/self-hosted/SmolLM2/', modelLib: '/self-hosted/libs/SmolLM2-q4f32_1-webgpu.wasm' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('model_load_failed');
    // TVM's runtime rejects a module that is no model library: WebLLM got that far, from these URLs only.
    expect(result.message).toMatch(/^Could not load WebLLM model "my-smollm" \(my-smollm\): TypeError: /);
    expect(served).toEqual([
      `${baseURL}/self-hosted/SmolLM2/resolve/main/mlc-chat-config.json`,
      `${baseURL}/self-hosted/libs/SmolLM2-q4f32_1-webgpu.wasm`,
    ]);
    expect(internet).toEqual([]);
  });

  test('unknown ids fail with a list of what is available', async ({ page }) => {
    for (const model of ['gpt 4', 'no-such-model']) {
      const result = await tryCreate(page, { model, modelBaseURL: '/models/' });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.code).toBe('model_not_found');
      expect(result.body?.error.param).toBe('model');
      expect(result.message).toContain('Built-in models: zstream-tiny-story, SmolLM2-135M-Instruct, SmolLM2-360M-Instruct');
      expect(result.message).toContain('Llama-3.2-1B-Instruct-MLC');
    }
    const prebuilt = await tryCreate(page, { model: 'Made-Up-1B-q4f32_1-MLC' });
    expect(prebuilt.ok ? '' : prebuilt.message).toMatch(/not in WebLLM's prebuilt list\. It has: .*SmolLM2-135M-Instruct-q0f32-MLC/);
    expect(internet).toEqual([]);
  });

  test('the engine reports its backend, device, weights and limits; /v1/models lists the loaded id', async ({ page }) => {
    const result = await tryCreate(page, { model: 'zstream-tiny-story', device: 'wasm', modelBaseURL: '/models/' });
    expect(result.ok && result.model).toEqual({
      id: 'zstream-tiny-story', backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 2048,
    });
    const ids = await page.evaluate(async () => {
      const res = await window.zstream.createFetch(window.engine)('/v1/models');
      return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    });
    expect(ids).toEqual(['zstream-tiny-story']);
    expect(await page.evaluate(() => window.zstream.builtInModels().map((m) => `${m.backend}:${m.id}`))).toEqual([
      'transformers:zstream-tiny-story', 'transformers:SmolLM2-135M-Instruct', 'transformers:SmolLM2-360M-Instruct',
      'transformers:Qwen2.5-0.5B-Instruct', 'webllm:SmolLM2-360M-Instruct-MLC', 'webllm:Qwen2.5-0.5B-Instruct-MLC',
      'webllm:Llama-3.2-1B-Instruct-MLC',
    ]);
  });
});
