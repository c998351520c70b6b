// Loads a causal LM with transformers.js: local files first (the embedded model), the model hub
// only when allowed. WebGPU when the adapter works, else WASM; a warm-up pass compiles shaders
// before the first request.
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel } from '@huggingface/transformers';
import { ZStreamError } from '../../src/errors.js';
import type { Device, LoadOptions, LoadProgress, ModelInfo } from '../../src/protocol.js';
import { TransformersBackend, type ModelDefaults } from './backend.js';

type ProgressInfo = { status: string; file?: string; loaded?: number; total?: number };

function configureEnvironment(options: LoadOptions): void {
  const base = new URL(options.modelBaseURL);
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemoteModels;
  if (base.origin === self.location.origin) {
    // transformers.js treats an absolute URL as "not local": give it the path.
    env.localModelPath = base.pathname;
  } else {
    // A model folder on another origin is served the way the hub serves files.
    env.allowRemoteModels = true;
    env.remoteHost = base.href;
    env.remotePathTemplate = '{model}/';
  }
  // Mutate the field: ONNX Runtime holds on to the wasm settings object.
  const wasm = env.backends.onnx.wasm;
  if (wasm) wasm.wasmPaths = { ...options.wasmPaths };
}

/** Devices to try, best first, and why WebGPU is not among them when it is not. */
async function candidateDevices(preference: LoadOptions['device']): Promise<{ devices: Device[]; reason?: string }> {
  if (preference === 'wasm') return { devices: ['wasm'] };
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  if (adapter) return { devices: preference === 'webgpu' ? ['webgpu'] : ['webgpu', 'wasm'] };
  const reason = navigator.gpu ? 'no WebGPU adapter is available' : 'this browser has no WebGPU';
  if (preference === 'webgpu') throw new ZStreamError('model_load_failed', `Cannot run on WebGPU: ${reason}.`);
  return { devices: ['wasm'], reason };
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

export async function loadTransformersBackend(
  options: LoadOptions,
  report: (p: LoadProgress) => void,
): Promise<TransformersBackend> {
  configureEnvironment(options);
  const progress_callback = progressReporter(report);
  let { devices, reason } = await candidateDevices(options.device);
  const failures: string[] = [];
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(options.model, { progress_callback });
    for (const device of devices) {
      let model: PreTrainedModel | undefined;
      try {
        model = await AutoModelForCausalLM.from_pretrained(options.model, { device, progress_callback });
        const { eos, defaults, contextLength } = modelDefaults(model);
        const info: ModelInfo = { id: options.model, device, contextLength, ...(reason ? { fallbackReason: reason } : {}) };
        const backend = new TransformersBackend(info, model, tokenizer, eos, defaults);
        report({ phase: 'warmup', loaded: 0, total: 0 });
        await warmUp(backend);
        report({ phase: 'ready', loaded: 0, total: 0 });
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
  throw new ZStreamError('model_load_failed', `Could not load model "${options.model}". ${failures.join('; ')}`);
}

/** Runs a short generation so that kernels and shaders are compiled before the first request. */
async function warmUp(backend: TransformersBackend): Promise<void> {
  const prepared = await backend.prepare({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 });
  const tokens = prepared.start();
  try {
    await tokens.next();
    await tokens.next();
  } finally {
    await tokens.close();
  }
}
