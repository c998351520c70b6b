// Where runtime files come from: ONNX Runtime's wasm and the embedded model. By default they come
// with the code (./default-assets.ts: this repo's Vite app; ./default-assets.package.ts: the npm
// package, where they sit next to dist/index.js). `assetsBaseURL` serves them from elsewhere.
// Nothing is fetched from a CDN.
import { defaultAssets } from './default-assets.js';
import { EMBEDDED_MODEL_FILES } from './runtime-files.js';
import type { ModelSpec } from '../shared/protocol.js';
import { EMBEDDED_MODEL } from './registry.js';

export { EMBEDDED_MODEL, EMBEDDED_MODEL_FILES };

const WASM = 'ort-wasm-simd-threaded.asyncify.wasm';
const MJS = 'ort-wasm-simd-threaded.asyncify.mjs';

export interface AssetOptions {
  /**
   * A folder laid out like the package's `dist/` (ONNX Runtime's `.wasm` and `.mjs`, and `models/`),
   * to serve the runtime files from there (another path, a CDN) instead of from the package.
   */
  assetsBaseURL?: string | undefined;
  /** Folder holding local models (`<id>/config.json`, `<id>/onnx/model.onnx`, ...). Default: the package's. */
  modelBaseURL?: string | undefined;
}

export interface ResolvedAssets {
  /** Absolute URLs of ONNX Runtime's files. */
  wasmPaths: { wasm: string; mjs: string };
  /** Absolute URL of the local models folder, ending in '/'. */
  modelBaseURL: string;
  /** Files served under another URL than their place in that folder: URL in the folder → URL served. */
  assetURLs?: Record<string, string>;
}

const absolute = (url: string, base = location.href) => new URL(url, base).href;
const folder = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export function resolveAssets(options: AssetOptions): ResolvedAssets {
  const base = options.assetsBaseURL ? folder(absolute(options.assetsBaseURL)) : undefined;
  const modelBaseURL = folder(absolute(options.modelBaseURL ?? (base ? `${base}models/` : defaultAssets.modelBaseURL)));
  const wasmPaths = {
    wasm: base ? `${base}${WASM}` : absolute(defaultAssets.wasm),
    mjs: base ? `${base}${MJS}` : absolute(defaultAssets.mjs),
  };
  const files = options.modelBaseURL || base ? undefined : defaultAssets.embeddedModelFiles;
  if (!files) return { wasmPaths, modelBaseURL };
  const assetURLs = Object.fromEntries(
    EMBEDDED_MODEL_FILES.map((path) => [`${modelBaseURL}${EMBEDDED_MODEL}/${path}`, absolute(files[path])]),
  );
  return { wasmPaths, modelBaseURL, assetURLs };
}

/** The URLs that loading `model` fetches runtime files from: ONNX Runtime's, and the embedded model's. */
export function assetFileURLs(assets: ResolvedAssets, model: ModelSpec): string[] {
  if (model.backend !== 'transformers') return [];
  const modelFiles = model.id === EMBEDDED_MODEL
    ? EMBEDDED_MODEL_FILES.map((path) => `${model.baseURL}${model.name}/${path}`)
    : [];
  return [assets.wasmPaths.wasm, assets.wasmPaths.mjs, ...modelFiles.map((url) => assets.assetURLs?.[url] ?? url)];
}
