// The package as users get it (e2e/package/packaged-app.ts): packed, installed from the tarball into
// a fresh Vite app and under a plain page with an import map, each running the official openai SDK
// through createFetch in Chromium (e2e/package/app.js). Also: publint on the tarball, and load errors
// that name the file that is missing or served as something else.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { STORY, expect, test } from './fixtures.js';
import type { AppState } from './package/app-state.js';
import { setUpPackagedApp, typeCheckApp, type PackagedApp } from './package/packaged-app.js';

test.describe.configure({ mode: 'serial' });

let app: PackagedApp;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  app = await setUpPackagedApp(Number(process.env.E2E_PORT ?? 5173));
});
test.afterAll(async () => app?.close());

/** Opens the app at `url`, waits until it streamed or failed, and returns its state and every response. */
async function runApp(page: Page, url: string): Promise<{ state: AppState; responses: { url: string; status: number }[] }> {
  const responses: { url: string; status: number }[] = [];
  page.context().on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
  await page.goto(url);
  await page.waitForFunction(() => window.appState?.status === 'done' || window.appState?.status === 'error');
  return { state: await page.evaluate(() => window.appState!), responses };
}

/** The story arrived in many deltas, and every file came from the app's own server. */
function expectStreamedStory({ state, responses }: Awaited<ReturnType<typeof runApp>>, url: string): void {
  expect(state.error).toBeNull();
  expect(state.deltas.join('')).toBe(STORY);
  expect(state.deltas.length).toBeGreaterThan(20);
  expect(state.chunks).toBeGreaterThan(state.deltas.length); // plus the role chunk and the finish_reason chunk
  const origin = new URL(url).origin;
  expect(responses.filter((r) => r.status >= 400)).toEqual([]);
  expect(responses.filter((r) => !r.url.startsWith(origin) && !/^(blob|data):/.test(r.url))).toEqual([]);
}

test('the tarball holds the whole runtime, depends only on comlink (for its types) and passes publint', async () => {
  const { files, bytes, path } = app.tarball;
  test.info().annotations.push({ type: 'tarball', description: `${(bytes / 1e6).toFixed(1)} MB, ${files.length} files` });
  for (const file of [
    'dist/index.js', 'dist/worker.js', 'dist/worker-transformers.js', 'dist/types/index.d.ts',
    'dist/ort-wasm-simd-threaded.asyncify.wasm', 'dist/ort-wasm-simd-threaded.asyncify.mjs',
    'dist/models/zstream-tiny-story/config.json', 'dist/models/zstream-tiny-story/onnx/model.onnx',
    'dist/THIRD_PARTY_LICENSES.md', 'package.json',
  ]) expect(files).toContain(`package/${file}`);
  expect(files.filter((file) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE)/.test(file))).toEqual([]);
  const installed = JSON.parse(await readFile(`${app.dir}/node_modules/zstream/package.json`, 'utf8'));
  expect(Object.keys(installed.dependencies ?? {})).toEqual(['comlink']);
  const tarball = await readFile(path);
  const { messages, pkg } = await publint({ pack: { tarball: new Uint8Array(tarball).buffer }, strict: true });
  expect(messages.map((message) => formatMessage(message, pkg, { color: false }))).toEqual([]);
});

test('its types resolve in a strict TypeScript app with skipLibCheck off', async () => {
  expect(await typeCheckApp(app.dir)).toBe('');
});

test('a fresh Vite app, dev server: the openai SDK streams the story', async ({ page }) => {
  const url = `${app.urls.viteDev}?device=wasm`;
  expectStreamedStory(await runApp(page, url), url);
});

test('the same app after vite build: createEngine() with no options streams the story (WASM over a software WebGPU adapter), and on WebGPU', async ({ page }) => {
  const run = await runApp(page, app.urls.vitePreview);
  expectStreamedStory(run, app.urls.vitePreview);
  // This Chromium's only WebGPU adapter is SwiftShader, a fallback adapter: 'auto' prefers WASM there (worker/transformers/devices.ts).
  expect(run.state).toMatchObject({ device: 'wasm', fallbackReason: 'the WebGPU adapter is a software fallback (google swiftshader), slower than WASM' });
  const webgpu = `${app.urls.vitePreview}?device=webgpu`;
  const onGpu = await runApp(page, webgpu);
  expectStreamedStory(onGpu, webgpu);
  expect(onGpu.state).toMatchObject({ device: 'webgpu', fallbackReason: null });
});

test('a plain page with an import map, no bundler: the openai SDK streams the story', async ({ page }) => {
  const url = `${app.urls.plain}?device=wasm`;
  expectStreamedStory(await runApp(page, url), url);
});

test('createEngine({ shared: true }) in the Vite app, dev server and built: the model runs in a SharedWorker', async ({ page }) => {
  for (const base of [app.urls.viteDev, app.urls.vitePreview]) {
    const url = `${base}?device=wasm&shared`;
    const run = await runApp(page, url);
    expectStreamedStory(run, url);
    expect(run.state.shared).toBe(true);
    expect(page.workers()).toHaveLength(0); // no dedicated worker: the shared one holds the model
  }
});

test('installServiceWorker(engine) with no options: XMLHttpRequest to /v1 is answered in the Vite app (dev, built) and on the plain page', async ({ page }) => {
  for (const base of [app.urls.viteDev, app.urls.vitePreview, app.urls.plain]) {
    const url = `${base}?device=wasm&serviceWorker`;
    expectStreamedStory(await runApp(page, url), url);
  }
});

test('a runtime file missing from the server is named in the error', async ({ page }) => {
  const { state } = await runApp(page, `${app.urls.plain}?device=wasm&assetsBaseURL=/partial/`);
  expect(state.status).toBe('error');
  expect(state.error?.code).toBe('model_load_failed');
  const origin = new URL(app.urls.plain).origin;
  expect(state.error?.message).toContain(`${origin}/partial/ort-wasm-simd-threaded.asyncify.wasm answered 404`);
  // The files that are there are not blamed.
  expect(state.error?.message).not.toContain('.mjs');
  expect(state.error?.message).not.toContain('config.json');
});

test('an HTML page served instead of a runtime file is named, with its content type', async ({ page }) => {
  // Vite's dev server, like many hosts, answers unknown paths with the app's index.html.
  const { state } = await runApp(page, `${app.urls.viteDev}?device=wasm&assetsBaseURL=/not-deployed/`);
  expect(state.error?.code).toBe('model_load_failed');
  const origin = new URL(app.urls.viteDev).origin;
  expect(state.error?.message).toContain(`${origin}/not-deployed/ort-wasm-simd-threaded.asyncify.wasm was served as "text/html`);
  expect(state.error?.message).toContain(`${origin}/not-deployed/models/zstream-tiny-story/config.json was served as "text/html`);
});
