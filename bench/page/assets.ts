// Where the bench's engine, floor and baseline find the model and ONNX Runtime: the same files,
// resolved the way createEngine resolves them (src/engine.ts).
import { EMBEDDED_MODEL, resolveAssets } from '../../src/models/assets.js';
import type { Device, LoadOptions } from '../../src/shared/protocol.js';
import { resolveModel } from '../../src/models/registry.js';
import type { BaselineAssets } from './baseline-client.js';

export const MODEL_BASE = '/models/';
/** The benchmark model with a real vocabulary (scripts/generate-bench-model.mjs); undefined: the embedded one. */
export const BENCH_MODEL = 'zstream-bench-49k';
export type BenchModel = typeof BENCH_MODEL | undefined;
/** The openai SDK's base URL; createFetch answers it, nothing goes to the network. */
export const SDK_BASE = 'http://localhost:8000/v1';

export function baselineAssets(model: BenchModel): BaselineAssets {
  return { model: model ?? EMBEDDED_MODEL, localModelPath: MODEL_BASE, wasmPaths: resolveAssets({}).wasmPaths };
}

export function floorLoadOptions(device: Device, benchModel: BenchModel): LoadOptions {
  const { modelBaseURL, ...assets } = resolveAssets({ modelBaseURL: MODEL_BASE });
  const model = resolveModel(benchModel, { modelBaseURL, allowRemoteModels: false, pageURL: location.href });
  return { model, device, ...assets };
}
