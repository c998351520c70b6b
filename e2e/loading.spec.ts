// Loading: progress across Comlink, weights and runtime files in Cache Storage (a second visit
// loads with the network off), and the warm-up that keeps the first request fast.
import { statSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { DEVICES, STORY, expect, openEngine, openHarness, test } from './fixtures.js';

/** The embedded model's files and ONNX Runtime's: what a load fetches (module imports have a query). */
const isRuntimeFile = (href: string | URL) => {
  const url = new URL(href);
  return url.search === '' && /^\/models\/|\/ort-wasm-simd-threaded\.asyncify\.(wasm|mjs)$/.test(url.pathname);
};

const tellStory = (page: Page) => page.evaluate(async () => (await window.engine.chat([{ role: 'user', content: 'Hi' }])).text);

for (const device of DEVICES) {
  test(`${device}: a second visit loads from Cache Storage with the network blocked`, async ({ context, page }) => {
    test.slow(device === 'webgpu', 'two WebGPU loads, each compiling every shader on SwiftShader');
    const fetched: string[] = [];
    context.on('request', (request) => {
      if (isRuntimeFile(request.url())) fetched.push(new URL(request.url()).pathname);
    });
    await openEngine(page, device);
    expect(fetched).toContain('/models/zstream-tiny-story/onnx/model.onnx');
    expect(fetched.some((path) => path.endsWith('.asyncify.wasm'))).toBe(true);

    // The network is off for every weight and runtime file from now on.
    const blocked: string[] = [];
    await context.route(isRuntimeFile, (route) => {
      blocked.push(new URL(route.request().url()).pathname);
      return route.abort('internetdisconnected');
    });
    const second = await context.newPage();
    await openEngine(second, device);
    expect(await tellStory(second)).toBe(STORY);
    expect(blocked).toEqual([]);

    // The control: without the cache, the same blocked network fails the load, naming the file.
    await second.evaluate(() => caches.delete('transformers-cache'));
    const third = await context.newPage();
    await openHarness(third);
    const failure = await third.evaluate(
      (device) => window.zstream.createEngine({ device, modelBaseURL: '/models/' }).then(() => 'loaded', (e: Error) => e.message),
      device,
    );
    expect(failure).toContain('zstream-tiny-story');
    expect(blocked.length).toBeGreaterThan(0);
  });
}

test('onProgress reports bytes per file, then compile, warm-up and ready, across the worker boundary', async ({ page }) => {
  await openHarness(page);
  const events = await page.evaluate(async () => {
    const events: Array<{ phase: string; file?: string | undefined; loaded: number; total: number }> = [];
    window.engine = await window.zstream.createEngine({ device: 'wasm', modelBaseURL: '/models/', onProgress: (p) => events.push(p) });
    return events;
  });
  const lastOf = (file: string) => events.filter((e) => e.phase === 'download' && e.file === file).at(-1);
  const onnxBytes = statSync('public/models/zstream-tiny-story/onnx/model.onnx').size;
  expect(lastOf('onnx/model.onnx')).toEqual({ phase: 'download', file: 'onnx/model.onnx', loaded: onnxBytes, total: onnxBytes });
  const tokenizerBytes = statSync('public/models/zstream-tiny-story/tokenizer.json').size;
  expect(lastOf('tokenizer.json')).toMatchObject({ loaded: tokenizerBytes, total: tokenizerBytes });
  // Bytes only grow, per file.
  for (const file of new Set(events.map((e) => e.file))) {
    const loaded = events.filter((e) => e.phase === 'download' && e.file === file).map((e) => e.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  }
  const phases = events.map((e) => e.phase);
  expect(phases).toContain('compile');
  expect(phases.slice(-2)).toEqual(['warmup', 'ready']);
  expect(phases.filter((p) => p === 'warmup' || p === 'ready')).toEqual(['warmup', 'ready']);
  expect(phases.indexOf('compile')).toBeLessThan(phases.indexOf('warmup'));
});

test('webgpu: the first request after load is as warm as the next ones (shaders compiled at load)', async ({ page }) => {
  await openEngine(page, 'webgpu');
  const ttft = await page.evaluate(async () => {
    const measure = async () => {
      const started = performance.now();
      for await (const text of window.engine.chatStream([{ role: 'user', content: 'Hi' }], { max_tokens: 3 })) {
        if (text) return performance.now() - started;
      }
      throw new Error('no text');
    };
    return [await measure(), await measure(), await measure()];
  });
  const [first = 0, ...warm] = ttft;
  const warmest = Math.max(...warm);
  // Without the warm-up, the first request pays shader compilation: over a second on SwiftShader.
  expect(first, `TTFT ms: ${ttft.map((t) => t.toFixed(1)).join(', ')}`).toBeLessThan(3 * warmest + 300);
});
