// The registry: every form `createEngine({ model })` takes, and the error for an unknown id.
import { describe, expect, it } from 'vitest';
import { ZStreamError } from '../shared/errors.js';
import { EMBEDDED_MODEL, builtInModels, resolveModel } from './registry.js';

const OPTIONS = { modelBaseURL: 'http://app.test/models/', pageURL: 'http://app.test/chat/index.html' };

describe('resolveModel', () => {
  it('the embedded model by default: local only, fp32 on both devices', () => {
    expect(resolveModel(undefined, OPTIONS)).toEqual({
      backend: 'transformers', id: EMBEDDED_MODEL, name: EMBEDDED_MODEL, baseURL: OPTIONS.modelBaseURL,
      allowRemote: false, dtype: { webgpu: 'fp32', wasm: 'fp32' }, registered: true,
    });
  });

  it('a built-in transformers.js id: its hub repo (local folder first), q4f16 on WebGPU, by id or by repo', () => {
    const spec = { backend: 'transformers', id: 'Qwen2.5-0.5B-Instruct', name: 'onnx-community/Qwen2.5-0.5B-Instruct',
      baseURL: OPTIONS.modelBaseURL, allowRemote: true, dtype: { webgpu: 'q4f16', wasm: 'q8' }, registered: true };
    expect(resolveModel('Qwen2.5-0.5B-Instruct', OPTIONS)).toEqual(spec);
    expect(resolveModel('onnx-community/Qwen2.5-0.5B-Instruct', OPTIONS)).toEqual(spec);
    expect(resolveModel('SmolLM2-135M-Instruct', { ...OPTIONS, allowRemoteModels: false })).toMatchObject({
      name: 'HuggingFaceTB/SmolLM2-135M-Instruct', allowRemote: false, dtype: { webgpu: 'q4f16', wasm: 'q4' },
    });
  });

  it('a built-in WebLLM id: the f16 record first, the f32 one for adapters without shader-f16', () => {
    expect(resolveModel('Llama-3.2-1B-Instruct-MLC', OPTIONS)).toEqual({
      backend: 'webllm', id: 'Llama-3.2-1B-Instruct-MLC', contextLength: 4096, variants: [
        { modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', f16: true },
        { modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', f16: false },
      ],
    });
  });

  it('any other WebLLM prebuilt id, and any hub id, pass to their backend as they are', () => {
    expect(resolveModel('Phi-3.5-mini-instruct-q4f16_1-MLC', OPTIONS)).toMatchObject({
      backend: 'webllm', variants: [{ modelId: 'Phi-3.5-mini-instruct-q4f16_1-MLC', f16: true }],
    });
    expect(resolveModel('someone/Some-Model-ONNX', OPTIONS)).toMatchObject({ backend: 'transformers', name: 'someone/Some-Model-ONNX', dtype: {} });
  });

  it("a user's own definitions: URLs relative to the page, one dtype or one per device", () => {
    expect(resolveModel({ backend: 'transformers', id: 'mine', url: '../weights/my-model', dtype: 'q8' }, OPTIONS)).toMatchObject({
      id: 'mine', name: 'my-model', baseURL: 'http://app.test/weights/', dtype: { webgpu: 'q8', wasm: 'q8' }, registered: true,
    });
    expect(resolveModel({ backend: 'webllm', id: 'my-llm', url: '/mlc/Llama/', modelLib: '/mlc/libs/Llama-q4f16_1-webgpu.wasm', contextLength: 2048 }, OPTIONS))
      .toEqual({
        backend: 'webllm', id: 'my-llm', contextLength: 2048,
        variants: [{ modelId: 'my-llm', model: 'http://app.test/mlc/Llama/', modelLib: 'http://app.test/mlc/libs/Llama-q4f16_1-webgpu.wasm', f16: true }],
      });
  });

  // Found by review: a model the page serves itself fell back to huggingface.co for a missing file.
  it('the hub by default for hub ids only: never for a folder URL or a bare id under modelBaseURL', () => {
    expect(resolveModel({ backend: 'transformers', id: 'mine', url: '/models/my-model/' }, OPTIONS)).toMatchObject({ allowRemote: false });
    expect(resolveModel('my-local-model', OPTIONS)).toMatchObject({ allowRemote: false });
    expect(resolveModel('someone/Some-Model-ONNX', OPTIONS)).toMatchObject({ allowRemote: true });
    expect(resolveModel({ backend: 'transformers', id: 'mine', url: '/models/my-model/' }, { ...OPTIONS, allowRemoteModels: true })).toMatchObject({ allowRemote: true });
  });

  it('a bare unknown id may be a local folder: the worker checks, with the listing at hand', () => {
    expect(resolveModel('my-local-model', OPTIONS)).toMatchObject({ backend: 'transformers', name: 'my-local-model', registered: false });
  });

  it('an id no backend could know is model_not_found, listing what is available', () => {
    const error = (() => {
      try {
        resolveModel('gpt 4o', OPTIONS);
      } catch (e) {
        return e;
      }
    })() as ZStreamError;
    expect(error).toBeInstanceOf(ZStreamError);
    expect(error.code).toBe('model_not_found');
    expect(error.toJSON().error.param).toBe('model');
    for (const { id } of builtInModels()) expect(error.message).toContain(id);
  });
});
