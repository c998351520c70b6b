// Default runtime files in the npm package: scripts/build-lib.mjs puts them next to dist/index.js.
// Every URL is a literal `new URL('./…', import.meta.url)`, the form Vite and webpack 5 recognise:
// an app's bundler copies each file into its build and rewrites the URL (under a new name, which is
// why the model's files are listed one by one). Without a bundler the URLs point into the package.
import type { DefaultAssets } from './runtime-files.js';

const wasm = new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url).href;

export const defaultAssets: DefaultAssets = {
  wasm,
  mjs: new URL('./ort-wasm-simd-threaded.asyncify.mjs', import.meta.url).href,
  // The package's layout; with a bundler the files are elsewhere and `embeddedModelFiles` says where.
  modelBaseURL: new URL('models/', wasm).href,
  embeddedModelFiles: {
    'config.json': new URL('./models/zstream-tiny-story/config.json', import.meta.url).href,
    'generation_config.json': new URL('./models/zstream-tiny-story/generation_config.json', import.meta.url).href,
    'tokenizer.json': new URL('./models/zstream-tiny-story/tokenizer.json', import.meta.url).href,
    'tokenizer_config.json': new URL('./models/zstream-tiny-story/tokenizer_config.json', import.meta.url).href,
    'onnx/model.onnx': new URL('./models/zstream-tiny-story/onnx/model.onnx', import.meta.url).href,
  },
};
