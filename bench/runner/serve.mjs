// Builds the bench page for production (as users ship it: bundled, minified, workers emitted)
// and serves it with `vite preview`. Its own config, so the app's build inputs stay untouched.
import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { startupCompileHint } from '../../scripts/compile-hints.mjs';
import { copyBenchModel } from './bench-model.mjs';

const root = resolve(import.meta.dirname, '../..');
const outDir = resolve(root, 'bench/tmp/dist');

export const PAGE_PATH = '/bench/page/index.html';

/**
 * As docs/first-token.md advises apps: entry chunks (the page's, the engine's worker's) start with V8's
 * compile hint. Not the floor's and the baseline's workers (bench/workers/): they stay as they were
 * measured. BENCH_COMPILE_HINTS=0 builds without it (bench/runner/compile-hints.mjs measures both).
 */
const hinted = process.env.BENCH_COMPILE_HINTS === '0'
  ? {}
  : { postBanner: (chunk) => (/[\\/]bench[\\/]workers[\\/]/.test(chunk.facadeModuleId ?? '') ? '' : startupCompileHint(chunk)) };

export async function buildBench() {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    worker: { format: 'es', rollupOptions: { output: hinted } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      // Wasm and model files stay files, as in the app's build.
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      rollupOptions: {
        input: { bench: resolve(root, 'bench/page/index.html') },
        output: hinted,
      },
    },
  });
  copyBenchModel(outDir);
}

/** Serves the build (or another build folder) on localhost:port (a secure context, as WebGPU needs). Returns a closer. */
export async function serveBench(port, dir = outDir) {
  const server = await preview({
    configFile: false,
    root,
    logLevel: 'warn',
    build: { outDir: dir },
    preview: { port, strictPort: true, host: 'localhost' },
  });
  return { url: `http://localhost:${port}`, close: () => server.close() };
}
