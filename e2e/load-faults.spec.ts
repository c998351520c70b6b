// A model that cannot load: createEngine rejects naming the file, and never hangs; an engine whose
// model cannot be reloaded after a crash answers 503 until it can; no WebGPU adapter, or only a
// software one, means WASM under 'auto', reported in engine.model and /v1/models. The model's files are broken on the wire with page.route.
import { chromium, type Page } from '@playwright/test';
import { STORY, expect, openHarness, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

const MODEL = '**/models/zstream-tiny-story';

async function createEngineError(page: Page) {
  await openHarness(page);
  return page.evaluate(async () => {
    const t0 = performance.now();
    return window.zstream.createEngine({ device: 'wasm', modelBaseURL: '/models/' }).then(
      () => undefined,
      (e: Error & { code?: string }) => ({ name: e.name, code: e.code, message: e.message, ms: performance.now() - t0 }),
    );
  });
}

const BROKEN = [
  { file: 'onnx/model.onnx', how: 'missing', route: { status: 404, body: 'Not Found' } },
  { file: 'onnx/model.onnx', how: 'corrupt', route: { status: 200, contentType: 'application/octet-stream', body: Buffer.from('this is not a protobuf') } },
  { file: 'config.json', how: 'not JSON', route: { status: 200, contentType: 'application/json', body: '{"model_type": "llama",' } },
  { file: 'tokenizer.json', how: 'missing', route: { status: 404, body: 'Not Found' } },
] as const;

for (const { file, how, route } of BROKEN) {
  test(`${file} ${how}: createEngine rejects with an error naming it`, async ({ page }) => {
    await page.route(`${MODEL}/${file}`, (r) => r.fulfill(route));
    const error = await createEngineError(page);
    expect(error).toMatchObject({ name: 'ZStreamError', code: 'model_load_failed', message: expect.stringContaining(file) });
    expect(error!.ms).toBeLessThan(20_000);
  });
}

test('an engine whose model cannot be reloaded answers 503, then serves again once it can', async ({ page }) => {
  await openEngineWith(page, 'wasm');
  let broken = true;
  await page.route(`${MODEL}/onnx/model.onnx`, (r) => (broken ? r.fulfill({ status: 404, body: 'Not Found' }) : r.fallback()));
  const result = await page.evaluate(async ({ messages, BASE_URL }) => {
    const { engine, zstream, zstreamTesting } = window;
    await caches.delete('transformers-cache'); // the reload must fetch the (now missing) file again
    const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
    const post = () => fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) });
    await zstreamTesting.engineTestHooks(engine).crashWorker();
    const t0 = performance.now();
    const refused = await post();
    return { status: refused.status, retry: refused.headers.get('x-should-retry'), body: await refused.json(), ms: performance.now() - t0 };
  }, { messages: MESSAGES, BASE_URL });
  expect(result.status).toBe(503);
  expect(result.retry).toBe('false');
  expect(result.body.error).toMatchObject({ type: 'server_error', code: 'model_load_failed', message: expect.stringContaining('onnx/model.onnx') });
  expect(result.ms).toBeLessThan(20_000);
  broken = false;
  const text = await page.evaluate(async (messages) => (await window.engine.chat(messages)).text, MESSAGES);
  expect(text).toBe(STORY);
});

/** `createEngine()` with device 'auto' on `page`: it must run the story on WASM and give `reason` in engine.model and /v1/models. */
async function expectAutoOnWasm(page: Page, reason: string): Promise<void> {
  await openHarness(page);
  const result = await page.evaluate(async ({ messages, BASE_URL }) => {
    window.engine = await window.zstream.createEngine({ modelBaseURL: '/models/' }); // device: 'auto'
    const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL });
    const models = await (await fetch(`${BASE_URL}/models`)).json();
    return { model: window.engine.model, models, text: (await window.engine.chat(messages)).text };
  }, { messages: MESSAGES, BASE_URL });
  expect(result.model).toMatchObject({ device: 'wasm', fallbackReason: reason });
  expect(result.models.data[0]).toMatchObject({ object: 'model', device: 'wasm', fallback_reason: reason });
  expect(result.text).toBe(STORY);
}

test('without a WebGPU adapter the engine runs on WASM and says why, also in /v1/models', async ({ baseURL }) => {
  // A browser without --enable-unsafe-webgpu: navigator.gpu exists, requestAdapter() gives null.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    await expectAutoOnWasm(await browser.newPage({ baseURL }), 'no WebGPU adapter is available');
  } finally {
    await browser.close();
  }
});

test("on a software WebGPU adapter (SwiftShader here) 'auto' runs on WASM and says why, also in /v1/models", async ({ page }) => {
  await expectAutoOnWasm(page, 'the WebGPU adapter is a software fallback (google swiftshader), slower than WASM');
  expect(await page.evaluate(async () => (await navigator.gpu.requestAdapter())?.info.isFallbackAdapter)).toBe(true);
});
