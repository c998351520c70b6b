// The demo as a static site: `vite build` (what `npm run build` runs) into a folder, served by
// `vite preview` (what `npm run preview` runs) from a sub-folder, so every asset path must be
// relative. Everything comes from that one origin, and the chat works with the network off.
import { resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { DemoPage } from './demo-page.js';
import { DEVICES, STORY, expect, test } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '..');
// Not the site root: a static host may serve the folder anywhere.
const FOLDER = '/some/folder/';

test.describe('static build', () => {
  let server: PreviewServer;
  let site: string;

  test.beforeAll(async ({}, testInfo) => {
    testInfo.setTimeout(120_000);
    const outDir = testInfo.outputPath('site');
    await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    // Port 0: the system picks a free one, so side-by-side runs never collide.
    server = await preview({ root: ROOT, logLevel: 'warn', base: FOLDER, build: { outDir }, preview: { port: 0, strictPort: false, host: 'localhost', open: false } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview reported no URL');
    site = url;
  });

  test.afterAll(async () => {
    await server?.close();
  });

  for (const device of DEVICES) {
    test(`${device}: the built folder loads from one origin, then chats with the network off`, async ({ page, context }) => {
      expect(site.endsWith(FOLDER)).toBe(true);
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const demo = new DemoPage(page);
      // Playwright does not see a SharedWorker's requests: this tab runs its own worker.
      await page.goto(`${site}?device=${device}&shared=0`);
      await demo.ready();
      await expect(demo.load).toHaveAttribute('data-device', device);

      const origin = new URL(site).origin;
      const foreign = requests.filter((url) => !url.startsWith(`${origin}${FOLDER}`) && !/^(data|blob):/.test(url));
      expect(foreign).toEqual([]);
      // The model and ONNX Runtime's wasm came from the built folder.
      expect(requests).toContainEqual(`${origin}${FOLDER}models/zstream-tiny-story/onnx/model.onnx`);
      expect(requests.some((url) => /\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(url))).toBe(true);

      await context.setOffline(true);
      const count = requests.length;
      await demo.say('Tell me a story');
      expect((await demo.finished()).text).toBe(STORY);
      await demo.say('And again, offline');
      expect((await demo.finished(1)).text).toBe(STORY);
      expect(requests.slice(count)).toEqual([]);
    });
  }
});
