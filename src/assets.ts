// Where runtime files come from: ONNX Runtime's wasm is bundled with the app (Vite emits the
// files and rewrites these URLs); the embedded model is served from the app's `models/` folder.
// Nothing is fetched from a CDN.
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

/** The generated test model that ships with the app (see scripts/generate-model.mjs). */
export const EMBEDDED_MODEL = 'zstream-tiny-story';

export interface AssetOptions {
  /** Serve ONNX Runtime's wasm files from this folder instead of the bundled ones. */
  assetsBaseURL?: string | undefined;
  /** Folder holding local models (`<id>/config.json`, `<id>/onnx/model.onnx`, ...). */
  modelBaseURL?: string | undefined;
}

const absolute = (url: string, base = location.href) => new URL(url, base).href;
const folder = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export function resolveAssets(options: AssetOptions) {
  const assets = options.assetsBaseURL ? folder(absolute(options.assetsBaseURL)) : undefined;
  return {
    wasmPaths: {
      wasm: assets ? `${assets}ort-wasm-simd-threaded.asyncify.wasm` : absolute(ortWasm),
      mjs: assets ? `${assets}ort-wasm-simd-threaded.asyncify.mjs` : absolute(ortMjs),
    },
    modelBaseURL: folder(absolute(options.modelBaseURL ?? `${import.meta.env.BASE_URL}models/`)),
  };
}
