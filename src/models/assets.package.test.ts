// The npm package's defaults (src/default-assets.package.ts, which scripts/build-lib.mjs swaps in):
// files next to the module, and the embedded model file by file, because an app's bundler renames them.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { assetFileURLs, EMBEDDED_MODEL, EMBEDDED_MODEL_FILES, resolveAssets } from './assets.js';
import type { ModelSpec } from '../shared/protocol.js';

vi.mock('./default-assets.js', () => import('./default-assets.package.js'));

beforeEach(() => vi.stubGlobal('location', new URL('http://app.test/')));
afterEach(() => vi.unstubAllGlobals());

const here = new URL('./', import.meta.url).href;
const embedded = (baseURL: string): ModelSpec =>
  ({ backend: 'transformers', id: EMBEDDED_MODEL, name: EMBEDDED_MODEL, baseURL, allowRemote: false, dtype: {}, registered: true });

it('finds ONNX Runtime and the model next to the package\'s index.js', () => {
  const assets = resolveAssets({});
  expect(assets.wasmPaths.wasm).toBe(`${here}ort-wasm-simd-threaded.asyncify.wasm`);
  expect(assets.modelBaseURL).toBe(`${here}models/`);
});

it('maps each embedded model file from its place in the model folder to the URL it is served at', () => {
  const assets = resolveAssets({});
  const inFolder = EMBEDDED_MODEL_FILES.map((path) => `${here}models/${EMBEDDED_MODEL}/${path}`);
  expect(Object.keys(assets.assetURLs ?? {})).toEqual(inFolder);
  // Without a bundler the served URL is the file in the package; with one, whatever it emitted.
  expect(Object.values(assets.assetURLs ?? {})).toEqual(inFolder);
  expect(assetFileURLs(assets, embedded(assets.modelBaseURL))).toContain(`${here}models/${EMBEDDED_MODEL}/onnx/model.onnx`);
});

it('maps nothing once assetsBaseURL or modelBaseURL moves the model', () => {
  expect(resolveAssets({ assetsBaseURL: '/z/' }).assetURLs).toBeUndefined();
  expect(resolveAssets({ modelBaseURL: '/models/' }).assetURLs).toBeUndefined();
});
