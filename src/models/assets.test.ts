// Where runtime files resolve from in this repo's Vite app (src/default-assets.ts), and with the
// options that move them. The package's defaults: assets.package.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assetFileURLs, EMBEDDED_MODEL, EMBEDDED_MODEL_FILES, resolveAssets } from './assets.js';
import type { ModelSpec } from '../shared/protocol.js';

const PAGE = 'http://app.test/chat/index.html';
const WASM = 'ort-wasm-simd-threaded.asyncify.wasm';
const MJS = 'ort-wasm-simd-threaded.asyncify.mjs';

function embeddedSpec(baseURL: string): Extract<ModelSpec, { backend: 'transformers' }> {
  return { backend: 'transformers', id: EMBEDDED_MODEL, name: EMBEDDED_MODEL, baseURL, allowRemote: false, dtype: {}, registered: true };
}

beforeEach(() => vi.stubGlobal('location', new URL(PAGE)));
afterEach(() => vi.unstubAllGlobals());

describe('resolveAssets in the Vite app', () => {
  it('serves ONNX Runtime from the build and the model from the app\'s models/ folder', () => {
    const assets = resolveAssets({});
    expect(assets.wasmPaths.wasm).toMatch(new RegExp(`^http://app\\.test/.*${WASM}`));
    expect(assets.wasmPaths.mjs).toMatch(new RegExp(`^http://app\\.test/.*${MJS}`));
    expect(assets.modelBaseURL).toBe('http://app.test/models/');
    expect(assets.assetURLs).toBeUndefined();
  });

  it('takes every file from assetsBaseURL, laid out like the package\'s dist/', () => {
    const assets = resolveAssets({ assetsBaseURL: '/static/zstream' });
    expect(assets.wasmPaths).toEqual({ wasm: `http://app.test/static/zstream/${WASM}`, mjs: `http://app.test/static/zstream/${MJS}` });
    expect(assets.modelBaseURL).toBe('http://app.test/static/zstream/models/');
  });

  it('lets modelBaseURL move the models alone', () => {
    const assets = resolveAssets({ assetsBaseURL: 'https://cdn.test/z/', modelBaseURL: '../weights' });
    expect(assets.wasmPaths.wasm).toBe(`https://cdn.test/z/${WASM}`);
    expect(assets.modelBaseURL).toBe('http://app.test/weights/');
  });
});

describe('assetFileURLs', () => {
  it('lists ONNX Runtime\'s files and, for the embedded model, each of its files', () => {
    const assets = resolveAssets({ assetsBaseURL: '/a/' });
    const urls = assetFileURLs(assets, embeddedSpec(assets.modelBaseURL));
    expect(urls).toEqual([
      `http://app.test/a/${WASM}`,
      `http://app.test/a/${MJS}`,
      ...EMBEDDED_MODEL_FILES.map((path) => `http://app.test/a/models/${EMBEDDED_MODEL}/${path}`),
    ]);
  });

  it('lists no model files for a hub model, and nothing for WebLLM', () => {
    const assets = resolveAssets({});
    const hub: ModelSpec = { ...embeddedSpec('https://huggingface.co/'), id: 'org/model', name: 'org/model' };
    expect(assetFileURLs(assets, hub)).toEqual([assets.wasmPaths.wasm, assets.wasmPaths.mjs]);
    expect(assetFileURLs(assets, { backend: 'webllm', id: 'x-MLC', variants: [], contextLength: 4096 })).toEqual([]);
  });
});
