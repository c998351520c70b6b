// The WebLLM loader's parts that run without a GPU: which record loads, where WebLLM looks for
// weights, and how its progress reports (exact texts of web-llm 0.2.86 / tvmjs) become LoadProgress.
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../../src/shared/errors.js';
import { resolveModel } from '../../src/models/registry.js';
import type { LoadProgress, ModelSpec } from '../../src/shared/protocol.js';
import { dtypeFor } from '../transformers/dtype.js';
import { progressReporter, readReport } from './progress.js';
import { chooseVariant, modelRecord, weightsFolder } from './records.js';

const OPTIONS = { modelBaseURL: 'http://app.test/models/', pageURL: 'http://app.test/' };
const webllm = (id: string) => resolveModel(id, OPTIONS) as Extract<ModelSpec, { backend: 'webllm' }>;

describe('choosing a WebLLM record', () => {
  it('f16 where the adapter has shader-f16, else the f32 record, saying why', () => {
    const spec = webllm('Qwen2.5-0.5B-Instruct-MLC');
    expect(chooseVariant(spec, true, 'nvidia')).toEqual({ variant: spec.variants[0] });
    expect(chooseVariant(spec, false, 'google swiftshader')).toEqual({
      variant: spec.variants[1],
      note: 'the WebGPU adapter lacks shader-f16, so Qwen2.5-0.5B-Instruct-q4f32_1-MLC runs instead of Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    });
  });

  it('an f16-only model on an adapter without shader-f16: the device cannot run it', () => {
    expect(() => chooseVariant(webllm('SmolLM2-360M-Instruct-q4f16_1-MLC'), false, 'google swiftshader')).toThrow(
      /^This device cannot run "SmolLM2-360M-Instruct-q4f16_1-MLC": .* shader-f16, and this adapter \(google swiftshader\) does not have it/,
    );
  });

  it("prebuilt records come from WebLLM's list, with our context window and shader-f16 declared", () => {
    const record = modelRecord({ modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', f16: true }, 4096, prebuiltAppConfig);
    expect(record).toMatchObject({
      model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      model_lib: expect.stringMatching(/^https:\/\/raw\.githubusercontent\.com\/mlc-ai\/binary-mlc-llm-libs\/.*Qwen2-0\.5B-Instruct-q4f16_1.*\.wasm$/),
      overrides: { context_window_size: 4096 },
      required_features: ['shader-f16'],
    });
    for (const id of ['SmolLM2-360M-Instruct-MLC', 'Qwen2.5-0.5B-Instruct-MLC', 'Llama-3.2-1B-Instruct-MLC']) {
      for (const variant of webllm(id).variants) expect(() => modelRecord(variant, 4096, prebuiltAppConfig)).not.toThrow();
    }
  });

  it("an id not in WebLLM's list is model_not_found, listing the list", () => {
    const error = (() => {
      try {
        modelRecord({ modelId: 'Nope-1B-q4f32_1-MLC', f16: false }, 4096, prebuiltAppConfig);
      } catch (e) {
        return e as ZStreamError;
      }
    })();
    expect(error?.code).toBe('model_not_found');
    expect(error?.message).toContain('SmolLM2-360M-Instruct-q4f32_1-MLC');
  });

  it('WebLLM reads weights under resolve/main/ unless the URL names a revision', () => {
    expect(weightsFolder('https://huggingface.co/mlc-ai/X-MLC')).toBe('https://huggingface.co/mlc-ai/X-MLC/resolve/main/');
    expect(weightsFolder('https://cdn.test/X/resolve/v2/')).toBe('https://cdn.test/X/resolve/v2/');
  });
});

describe("WebLLM's progress reports", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('are read by their text: weight shards (fetched or from cache), shader modules, the rest ignored', () => {
    expect(readReport({ progress: 0.25, timeElapsed: 9, text:
      'Fetching param cache[3/24]: 120MB fetched. 25% completed, 9 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.' }))
      .toEqual({ phase: 'download', fraction: 0.25, shards: 24 });
    expect(readReport({ progress: 0.5, timeElapsed: 1, text: 'Loading model from cache[12/24]: 240MB loaded. 50% completed, 1 secs elapsed.' }))
      .toEqual({ phase: 'download', fraction: 0.5, shards: 24 });
    expect(readReport({ progress: 0.14, timeElapsed: 3, text: 'Loading GPU shader modules[12/85]: 14% completed, 3 secs elapsed.' }))
      .toEqual({ phase: 'compile', done: 12, total: 85 });
    expect(readReport({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' })).toBeUndefined();
    expect(readReport({ progress: 1, timeElapsed: 4, text: 'Finish loading on WebGPU - nvidia' })).toBeUndefined();
  });

  it('give bytes from the cached tensor-cache manifest, in order', async () => {
    const manifest = 'https://hf.test/X/resolve/main/tensor-cache.json';
    const records = [{ nbytes: 300 }, { nbytes: 700 }];
    vi.stubGlobal('caches', { match: async (url: string) => (url === manifest ? new Response(JSON.stringify({ records })) : undefined) });
    const events: LoadProgress[] = [];
    const { onReport, flush } = progressReporter((p) => events.push(p), { manifest, modelLib: 'lib.wasm' });
    onReport({ progress: 0.3, timeElapsed: 1, text: 'Fetching param cache[1/2]: 1MB fetched. 30% completed, 1 secs elapsed.' });
    onReport({ progress: 1, timeElapsed: 2, text: 'Fetching param cache[2/2]: 1MB fetched. 100% completed, 2 secs elapsed.' });
    onReport({ progress: 0.5, timeElapsed: 3, text: 'Loading GPU shader modules[1/2]: 50% completed, 3 secs elapsed.' });
    await flush();
    expect(events).toEqual([
      { phase: 'download', file: 'params_shard_*.bin', loaded: 300, total: 1000 },
      { phase: 'download', file: 'params_shard_*.bin', loaded: 1000, total: 1000 },
      { phase: 'compile', file: 'lib.wasm', loaded: 1, total: 2 },
    ]);
  });
});

describe('transformers.js weights per device', () => {
  const dtype = { webgpu: 'q4f16', wasm: 'q4' } as const;
  it('f16 weights on WebGPU need shader-f16, else their f32 counterpart loads', () => {
    expect(dtypeFor(dtype, 'webgpu', true)).toEqual({ dtype: 'q4f16' });
    expect(dtypeFor(dtype, 'webgpu', false)).toEqual({ dtype: 'q4', note: 'the WebGPU adapter lacks shader-f16, so q4 weights run instead of q4f16' });
    expect(dtypeFor(dtype, 'wasm', false)).toEqual({ dtype: 'q4' });
    expect(dtypeFor({}, 'wasm', false)).toEqual({});
  });
});
