/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { startupCompileHint } from './scripts/compile-hints.mjs';

const SERVICE_WORKER_HEADERS = { 'Service-Worker-Allowed': '/' };

export default defineConfig({
  // Relative asset paths: the built demo works from any folder of any static host.
  base: './',
  // Real 404s for missing files (no SPA fallback to index.html): load errors must name the file.
  appType: 'mpa',
  // V8 compiles the startup chunks while they load, not function by function on the first request
  // (scripts/compile-hints.mjs, docs/first-token.md): the demo follows its own advice to apps.
  worker: { format: 'es', rollupOptions: { output: { postBanner: startupCompileHint } } },
  build: {
    target: 'es2022',
    // The demo site; dist/ is the npm package's (scripts/build-lib.mjs). `vite preview` serves this.
    outDir: 'site',
    // Wasm and model files stay files (never inlined as base64).
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'index.html'), examples: resolve(import.meta.dirname, 'demo/examples.html') },
      output: { postBanner: startupCompileHint },
    },
  },
  // Under Playwright (ZSTREAM_E2E=1) nothing is watched: an edit elsewhere must not reload a page mid-test.
  // Service-Worker-Allowed: installServiceWorker() registers its script (under /worker/) for scope '/'.
  server: { headers: SERVICE_WORKER_HEADERS, ...(process.env.ZSTREAM_E2E ? { hmr: false, watch: null } : { port: 5173, strictPort: true }) },
  // One dependency cache per e2e port, so side-by-side dev servers never share one.
  cacheDir: process.env.E2E_PORT ? `node_modules/.vite-${process.env.E2E_PORT}` : undefined,
  preview: { port: 4173, strictPort: true, headers: SERVICE_WORKER_HEADERS },
  // Pre-bundle up front so the dev server never reloads a page mid-test to add a dependency.
  optimizeDeps: {
    include: ['comlink', 'axios', 'openai', 'ai', '@ai-sdk/openai', '@ai-sdk/openai-compatible', '@langchain/openai', 'eventsource-parser/stream'],
    // Served as they are; WebLLM (one self-contained ESM file) is imported by the worker on first use.
    exclude: ['@huggingface/transformers', 'onnxruntime-web', '@mlc-ai/web-llm'],
  },
  test: {
    include: ['src/**/*.test.ts', 'worker/**/*.test.ts', 'scripts/**/*.test.ts', 'demo/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/vitest-setup.ts'],
  },
});
