// Which WebLLM model record to load: the f16 variant only where the adapter has `shader-f16`
// (WebLLM's prebuilt q4f16 records do not all declare it), and the record itself, from WebLLM's
// prebuilt list or from the user's own URLs (self-hosted weights and model library).
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { ZStreamError } from '../../src/shared/errors.js';
import type { ModelSpec, WebLLMVariant } from '../../src/shared/protocol.js';

type WebLLMSpec = Extract<ModelSpec, { backend: 'webllm' }>;

export interface Choice {
  variant: WebLLMVariant;
  /** Why the preferred variant was not chosen. */
  note?: string;
}

export function chooseVariant(spec: WebLLMSpec, shaderF16: boolean, adapterName: string): Choice {
  const [preferred] = spec.variants;
  const usable = spec.variants.find((v) => shaderF16 || !v.f16);
  if (!preferred) throw new ZStreamError('model_load_failed', `No WebLLM record for "${spec.id}".`);
  if (!usable) {
    throw new ZStreamError(
      'model_load_failed',
      `This device cannot run "${spec.id}": ${preferred.modelId} computes in f16, which needs the WebGPU feature ` +
        `shader-f16, and this adapter (${adapterName}) does not have it. Choose an f32 model (q4f32_1 or q0f32) instead.`,
    );
  }
  if (usable === preferred) return { variant: usable };
  return { variant: usable, note: `the WebGPU adapter lacks shader-f16, so ${usable.modelId} runs instead of ${preferred.modelId}` };
}

/** WebLLM reads weights from `<model>/resolve/main/` unless the URL names a revision (web-llm cleanModelUrl). */
export function weightsFolder(model: string): string {
  const url = model.endsWith('/') ? model : `${model}/`;
  return /.+\/resolve\/.+\//.test(url) ? url : `${url}resolve/main/`;
}

export function modelRecord(variant: WebLLMVariant, contextLength: number, prebuilt: AppConfig): ModelRecord {
  const known = prebuilt.model_list.find((r) => r.model_id === variant.modelId);
  const base = variant.model && variant.modelLib
    ? { model: variant.model, model_id: variant.modelId, model_lib: variant.modelLib }
    : known;
  if (!base) {
    const ids = prebuilt.model_list.map((r) => r.model_id).filter((id) => !/embed/i.test(id));
    throw new ZStreamError('model_not_found', `"${variant.modelId}" is not in WebLLM's prebuilt list. It has: ${ids.join(', ')}.`, {
      param: 'model',
    });
  }
  return {
    ...base,
    overrides: { ...base.overrides, context_window_size: contextLength },
    ...(variant.f16 ? { required_features: ['shader-f16'] } : {}),
  };
}
