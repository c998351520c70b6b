// Loads a causal LM with transformers.js: local files first (the embedded model), the model hub
// only when allowed. WebGPU on a GPU, else WASM (devices.ts); the weight format per device comes
// from the registry. A warm-up pass compiles shaders before the first request.
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel } from '@huggingface/transformers';
import { ZStreamError } from '../../src/shared/errors.js';
import type { LoadOptions, LoadProgress, ModelInfo, ModelSpec } from '../../src/shared/protocol.js';
import { describeRegistry } from '../../src/models/registry.js';
import type { BackendLoader } from '../backend.js';
import { TransformersBackend, type ModelDefaults } from './backend.js';
import { candidateDevices } from './devices.js';
import { dtypeFor } from './dtype.js';
import { fetchRenamedFiles } from './renamed-files.js';

type TransformersSpec = Extract<ModelSpec, { backend: 'transformers' }>;
type ProgressInfo = { status: string; file?: string; loaded?: number; total?: number };

const HUB = { host: 'https://huggingface.co/', template: '{model}/resolve/{revision}/' };

function configureEnvironment(spec: TransformersSpec, options: LoadOptions): void {
  const base = new URL(spec.baseURL);
  env.allowLocalModels = true;
  env.allowRemoteModels = spec.allowRemote;
  env.remoteHost = HUB.host;
  env.remotePathTemplate = HUB.template;
  if (base.origin === self.location.origin) {
    // transformers.js treats an absolute URL as "not local": give it the path.
    env.localModelPath = base.pathname;
  } else {
    // A model folder on another origin is served the way the hub serves files.
    env.allowRemoteModels = true;
    env.remoteHost = base.href;
    env.remotePathTemplate = '{model}/';
  }
  env.fetch = fetchRenamedFiles(options.assetURLs);
  // Cache Storage ('transformers-cache') keeps every model file, local ones included (keyed by
  // their URL), and ONNX Runtime's wasm and mjs: a second visit loads with the network off.
  env.useBrowserCache = true;
  env.useWasmCache = true;
  // Mutate the field: ONNX Runtime holds on to the wasm settings object.
  const wasm = env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = { ...options.wasmPaths };
}

function progressReporter(report: (p: LoadProgress) => void) {
  return (info: ProgressInfo) => {
    if (info.status === 'progress' && info.file) {
      report({ phase: 'download', file: info.file, loaded: info.loaded ?? 0, total: info.total ?? 0 });
    } else if (info.status === 'done' && info.file?.endsWith('.onnx')) {
      report({ phase: 'compile', file: info.file, loaded: 0, total: 0 });
    }
  };
}

function modelDefaults(model: PreTrainedModel): { eos: number[]; defaults: ModelDefaults; contextLength: number } {
  const generation = (model.generation_config ?? {}) as Record<string, unknown>;
  const config = model.config as unknown as Record<string, unknown>;
  const eos = generation['eos_token_id'] ?? config['eos_token_id'];
  const sample = generation['do_sample'] === true;
  return {
    eos: (Array.isArray(eos) ? eos : [eos]).filter((id): id is number => typeof id === 'number'),
    // Without a temperature in the request, follow the model's own generation config.
    defaults: {
      temperature: sample ? Number(generation['temperature'] ?? 1) : 0,
      top_p: sample ? Number(generation['top_p'] ?? 1) : 1,
    },
    contextLength: Number(config['max_position_embeddings'] ?? 2048),
  };
}

/** A bare id outside the registry is a folder under baseURL, or a typo: a missing config.json says which. */
async function checkUnregistered(spec: TransformersSpec): Promise<void> {
  if (spec.registered) return;
  const url = `${spec.baseURL}${spec.name}/config.json`;
  const response = await fetch(url).catch(() => undefined); // offline: the cache may still hold it
  if (response?.status === 404) {
    throw new ZStreamError('model_not_found', `Unknown model '${spec.id}' (no ${url}). ${describeRegistry()}`, { param: 'model' });
  }
}

export const loadTransformersBackend: BackendLoader = async (options, report) => {
  const spec = options.model;
  if (spec.backend !== 'transformers') throw new Error(`not a transformers.js model: ${spec.id}`);
  configureEnvironment(spec, options);
  await checkUnregistered(spec);
  const progress_callback = progressReporter(report);
  const candidates = await candidateDevices(options.device);
  let reason = candidates.reason;
  const failures: string[] = [];
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(spec.name, { progress_callback });
    for (const device of candidates.devices) {
      let model: PreTrainedModel | undefined;
      const { dtype, note } = dtypeFor(spec.dtype, device, candidates.shaderF16);
      try {
        model = await AutoModelForCausalLM.from_pretrained(spec.name, { device, progress_callback, ...(dtype ? { dtype } : {}) });
        const { eos, defaults, contextLength } = modelDefaults(model);
        const fallbackReason = [reason, note].filter(Boolean).join('; ');
        const info: ModelInfo = {
          id: spec.id, backend: 'transformers', device, weights: dtype ?? 'default', contextLength,
          ...(fallbackReason ? { fallbackReason } : {}),
        };
        const backend = new TransformersBackend(info, model, tokenizer, eos, defaults, options.prefixCacheBytes, options.warmNextTurn);
        report({ phase: 'warmup', loaded: 0, total: 0 });
        await backend.warmUp();
        return backend;
      } catch (error) {
        await model?.dispose().catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${device}: ${message}`);
        reason = `${device} failed: ${message}`;
      }
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
  throw new ZStreamError('model_load_failed', `Could not load model "${spec.id}". ${failures.join('; ')}`);
};
