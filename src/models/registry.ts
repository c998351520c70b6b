// The model registry: what `createEngine({ model })` accepts. A built-in id, a hub repo id
// ('org/name', transformers.js), a WebLLM prebuilt id ('…-MLC'), or the user's own definition.
// The worker imports this file too (for the listing in errors): no DOM, no `location`.
import { ZStreamError } from '../shared/errors.js';
import type { BackendName, ModelSpec, TransformersDtype, WebLLMVariant } from '../shared/protocol.js';

/** The generated test model that ships with the app (see scripts/generate-model.mjs). */
export const EMBEDDED_MODEL = 'zstream-tiny-story';

/** A transformers.js model: ONNX weights, a tokenizer.json and a config.json in one folder. */
export interface TransformersModelDefinition {
  backend: 'transformers';
  id: string;
  /** A hub repo id ('org/name') or a folder URL (absolute or relative to the page). Default: `id`. */
  url?: string;
  /** One weight format, or one per device. Default: transformers.js's choice. */
  dtype?: TransformersDtype | { webgpu?: TransformersDtype; wasm?: TransformersDtype };
  description?: string;
}

/** A WebLLM (MLC) model: weights and a compiled model library. */
export interface WebLLMModelDefinition {
  backend: 'webllm';
  id: string;
  /** The weights folder; WebLLM reads `<url>/resolve/main/…` unless the URL already has `/resolve/<rev>/`. */
  url: string;
  /** The compiled model library (.wasm) for these weights. */
  modelLib: string;
  /** Its quantisation, e.g. 'q4f32_1' or 'q4f16_1'; f16 ones need `shader-f16`. Default: read from `modelLib`. */
  dtype?: string;
  /** Default 4096. */
  contextLength?: number;
  description?: string;
}

export type ModelDefinition = TransformersModelDefinition | WebLLMModelDefinition;

export interface RegistryEntry {
  id: string;
  backend: BackendName;
  description: string;
}

type BuiltIn = RegistryEntry &
  (
    | { backend: 'transformers'; /** Its hub repo, or its folder name under modelBaseURL. */ source: string; dtype: { webgpu: TransformersDtype; wasm: TransformersDtype } }
    | { backend: 'webllm'; /** WebLLM prebuilt ids, the f16 one first. */ variants: string[] }
  );

/** f16 weights on WebGPU; their f32 counterpart where the adapter lacks shader-f16 (worker/transformers/dtype.ts). */
const ONNX_Q4 = { webgpu: 'q4f16', wasm: 'q4' } as const;
const mlc = (name: string) => [`${name}-q4f16_1-MLC`, `${name}-q4f32_1-MLC`];

const BUILT_IN: readonly BuiltIn[] = [
  { id: EMBEDDED_MODEL, backend: 'transformers', source: EMBEDDED_MODEL, dtype: { webgpu: 'fp32', wasm: 'fp32' },
    description: 'The 600 KB test model that ships with zstream: tells one story, offline.' },
  { id: 'SmolLM2-135M-Instruct', backend: 'transformers', source: 'HuggingFaceTB/SmolLM2-135M-Instruct', dtype: ONNX_Q4,
    description: 'SmolLM2 135M, ONNX (134 MB q4f16 on WebGPU, 200 MB q4 otherwise).' },
  { id: 'SmolLM2-360M-Instruct', backend: 'transformers', source: 'HuggingFaceTB/SmolLM2-360M-Instruct', dtype: ONNX_Q4,
    description: 'SmolLM2 360M, ONNX (299 MB q4f16 on WebGPU, 417 MB q4 otherwise).' },
  { id: 'Qwen2.5-0.5B-Instruct', backend: 'transformers', source: 'onnx-community/Qwen2.5-0.5B-Instruct',
    dtype: { webgpu: 'q4f16', wasm: 'q8' }, description: 'Qwen2.5 0.5B, ONNX (483 MB q4f16 on WebGPU, 512 MB q8 on WASM).' },
  { id: 'SmolLM2-360M-Instruct-MLC', backend: 'webllm', variants: mlc('SmolLM2-360M-Instruct'),
    description: 'SmolLM2 360M on WebLLM: q4f16_1 with shader-f16, else q4f32_1 (WebGPU only).' },
  { id: 'Qwen2.5-0.5B-Instruct-MLC', backend: 'webllm', variants: mlc('Qwen2.5-0.5B-Instruct'),
    description: 'Qwen2.5 0.5B on WebLLM: q4f16_1 with shader-f16, else q4f32_1 (WebGPU only).' },
  { id: 'Llama-3.2-1B-Instruct-MLC', backend: 'webllm', variants: mlc('Llama-3.2-1B-Instruct'),
    description: 'Llama 3.2 1B on WebLLM: q4f16_1 with shader-f16, else q4f32_1 (WebGPU only).' },
];

/** The built-in models, for a model picker. */
export function builtInModels(): RegistryEntry[] {
  return BUILT_IN.map(({ id, backend, description }) => ({ id, backend, description }));
}

/** The built-in ids and the other forms `model` takes, for error messages. */
export function describeRegistry(): string {
  return `Built-in models: ${BUILT_IN.map((m) => m.id).join(', ')}. Also accepted: a transformers.js hub id ` +
    "('org/name'), any WebLLM prebuilt id ('…-MLC'), or a definition { backend, id, url, … }.";
}

export interface ResolveOptions {
  /** Absolute folder URL (ending in '/') of local transformers.js models: the embedded one lives there. */
  modelBaseURL: string;
  /** Whether transformers.js may fetch from the hub; default: for hub ids ('org/name') only. */
  allowRemoteModels?: boolean | undefined;
  /** What relative URLs in a definition are relative to (the page). */
  pageURL: string;
}

const isF16 = (quantisation: string) => /f16/.test(quantisation);
const folder = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const isHubId = (id: string) => /^[\w.-]+\/[\w.-]+$/.test(id);

type TransformersSpec = Extract<ModelSpec, { backend: 'transformers' }>;

function transformersSpec(id: string, source: string, options: ResolveOptions, extra: Pick<TransformersSpec, 'dtype' | 'registered'>): ModelSpec {
  let name = source;
  let baseURL = options.modelBaseURL;
  if (!isHubId(source) && source !== id) {
    // A folder URL: transformers.js loads `<baseURL><name>/…`.
    const url = new URL(folder(source), options.pageURL);
    name = url.pathname.split('/').at(-2) ?? '';
    baseURL = new URL('../', url).href;
  }
  // The hub by default only for a hub id ('org/name'): a model the page serves itself (a folder URL,
  // a bare id under modelBaseURL) must not fall back to huggingface.co for a missing file.
  return { backend: 'transformers', id, name, baseURL, ...extra, allowRemote: options.allowRemoteModels ?? (isHubId(source) && id !== EMBEDDED_MODEL) };
}

function definitionSpec(definition: ModelDefinition, options: ResolveOptions): ModelSpec {
  if (definition.backend === 'transformers') {
    const { dtype } = definition;
    const perDevice = typeof dtype === 'string' ? { webgpu: dtype, wasm: dtype } : dtype;
    return transformersSpec(definition.id, definition.url ?? definition.id, options, { dtype: perDevice ?? {}, registered: true });
  }
  const variant: WebLLMVariant = {
    modelId: definition.id,
    model: new URL(definition.url, options.pageURL).href,
    modelLib: new URL(definition.modelLib, options.pageURL).href,
    f16: isF16(definition.dtype ?? definition.modelLib),
  };
  return { backend: 'webllm', id: definition.id, variants: [variant], contextLength: definition.contextLength ?? 4096 };
}

/** Turns `createEngine`'s `model` option into what the worker loads. */
export function resolveModel(model: string | ModelDefinition | undefined, options: ResolveOptions): ModelSpec {
  if (typeof model === 'object') return definitionSpec(model, options);
  const id = model ?? EMBEDDED_MODEL;
  // A built-in, by its id or (transformers.js) by its hub repo.
  const builtIn = BUILT_IN.find((m) => m.id === id || (m.backend === 'transformers' && m.source === id));
  if (builtIn?.backend === 'webllm') {
    const variants = builtIn.variants.map((modelId) => ({ modelId, f16: isF16(modelId) }));
    return { backend: 'webllm', id: builtIn.id, variants, contextLength: 4096 };
  }
  if (builtIn) return transformersSpec(builtIn.id, builtIn.source, options, { dtype: builtIn.dtype, registered: true });
  // WebLLM names every prebuilt model '<name>-<quantisation>-MLC'; the worker checks its list.
  if (id.endsWith('-MLC')) return { backend: 'webllm', id, variants: [{ modelId: id, f16: isF16(id) }], contextLength: 4096 };
  if (isHubId(id)) return transformersSpec(id, id, options, { dtype: {}, registered: true });
  if (!/^[\w.-]+$/.test(id)) {
    throw new ZStreamError('model_not_found', `The model '${id}' does not exist. ${describeRegistry()}`, { param: 'model' });
  }
  // A bare id: a folder under modelBaseURL, or a typo. The worker tells which (with this listing).
  return transformersSpec(id, id, options, { dtype: {}, registered: false });
}
