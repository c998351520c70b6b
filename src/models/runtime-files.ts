// The runtime files a build provides by default (default-assets.ts in this repo's Vite app,
// default-assets.package.ts in the npm package), and the embedded model's file list.

/** The embedded model's files, by path inside its folder. */
export const EMBEDDED_MODEL_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
] as const;

/** Where the runtime files are when no option says otherwise. */
export interface DefaultAssets {
  /** ONNX Runtime's wasm binary and its JavaScript glue. */
  wasm: string;
  mjs: string;
  /** The folder that holds local models, `<id>/config.json`, `<id>/onnx/model.onnx`, ... */
  modelBaseURL: string;
  /** The embedded model's files by path in its folder, where a bundler may serve them under new names. */
  embeddedModelFiles?: Record<(typeof EMBEDDED_MODEL_FILES)[number], string>;
}
