// Default runtime files for this repo's Vite app (demo, e2e harness, bench): Vite emits ONNX
// Runtime's files from node_modules and rewrites these URLs; the embedded model is in the app's
// `models/` folder (public/, written by `npm run model`). The npm package replaces this module with
// ./default-assets.package.ts (scripts/build-lib.mjs): `import.meta.env` exists only under Vite.
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import type { DefaultAssets } from './runtime-files.js';

export const defaultAssets: DefaultAssets = {
  wasm: ortWasm,
  mjs: ortMjs,
  modelBaseURL: `${import.meta.env.BASE_URL}models/`,
};
