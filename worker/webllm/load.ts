// Loads a WebLLM model inside our worker: checks the WebGPU adapter first (WebLLM runs on WebGPU
// only, f16 models need shader-f16), then MLCEngine.reload with progress, then a warm-up. Weights,
// model library and config land in Cache Storage (WebLLM's default), so a second visit loads offline.
import { MLCEngine, TENSOR_CACHE_MANIFEST_FILENAME, prebuiltAppConfig, type ModelRecord } from '@mlc-ai/web-llm';
import { ZStreamError } from '../../src/shared/errors.js';
import type { ModelInfo } from '../../src/shared/protocol.js';
import type { BackendLoader } from '../backend.js';
import { WebLLMBackend } from './backend.js';
import { progressReporter } from './progress.js';
import { chooseVariant, modelRecord, weightsFolder } from './records.js';

async function webgpuAdapter(id: string): Promise<GPUAdapter> {
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  if (adapter) return adapter;
  const reason = navigator.gpu ? 'no WebGPU adapter is available' : 'this browser has no WebGPU';
  throw new ZStreamError('model_load_failed', `This device cannot run "${id}": WebLLM needs WebGPU, and ${reason}.`);
}

const adapterName = (adapter: GPUAdapter) =>
  [adapter.info.vendor, adapter.info.architecture, adapter.info.description].filter(Boolean).join(' ') || 'unnamed';

/** The files a load needs first, in WebLLM's order: what could not be fetched is the first that fails here. */
function neededFiles(record: ModelRecord) {
  const folder = weightsFolder(new URL(record.model, self.location.href).href);
  return {
    config: `${folder}mlc-chat-config.json`,
    modelLib: new URL(record.model_lib, self.location.href).href,
    manifest: `${folder}${TENSOR_CACHE_MANIFEST_FILENAME}`,
  };
}

/** Why a load failed, naming the file that could not be fetched where that is why. */
async function loadError(error: unknown, id: string, record: ModelRecord): Promise<ZStreamError> {
  const prefix = `Could not load WebLLM model "${id}" (${record.model_id})`;
  if (error instanceof ZStreamError) return new ZStreamError(error.code, `${prefix}: ${error.message}`, { cause: error });
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // WebLLM fetches through Cache.add(), whose network errors name no URL: find the file.
  const fetchFailed = /fetch|network/i.test(cause);
  for (const url of fetchFailed ? Object.values(neededFiles(record)) : []) {
    if (await caches.match(url).catch(() => undefined)) continue;
    const problem = await fetch(url, { method: 'HEAD' }).then(
      (response) => (response.ok ? undefined : `${url} answered ${response.status}`),
      (failure: unknown) => `could not fetch ${url} (${failure instanceof Error ? failure.message : String(failure)})`,
    );
    if (problem) return new ZStreamError('model_load_failed', `${prefix}: ${problem}. WebLLM said: ${cause}`, { cause: error });
  }
  return new ZStreamError('model_load_failed', `${prefix}: ${cause}`, { cause: error });
}

export const loadWebLLMBackend: BackendLoader = async (options, report) => {
  const spec = options.model;
  if (spec.backend !== 'webllm') throw new Error(`not a WebLLM model: ${spec.id}`);
  if (options.device === 'wasm') {
    throw new ZStreamError('model_load_failed', `"${spec.id}" is a WebLLM model, and WebLLM runs on WebGPU only, not on WASM.`);
  }
  const adapter = await webgpuAdapter(spec.id);
  const { variant, note } = chooseVariant(spec, adapter.features.has('shader-f16'), adapterName(adapter));
  const record = modelRecord(variant, spec.contextLength, prebuiltAppConfig);
  const progress = progressReporter(report, neededFiles(record));
  const engine = new MLCEngine({ appConfig: { model_list: [record] }, initProgressCallback: progress.onReport, logLevel: 'WARN' });
  try {
    await engine.reload(record.model_id);
    await progress.flush();
  } catch (error) {
    await engine.unload().catch(() => undefined);
    throw await loadError(error, spec.id, record);
  }
  const info: ModelInfo = {
    id: spec.id, backend: 'webllm', device: 'webgpu', weights: record.model_id, contextLength: spec.contextLength,
    ...(note ? { fallbackReason: note } : {}),
  };
  const backend = new WebLLMBackend(info, engine);
  report({ phase: 'warmup', loaded: 0, total: 0 });
  try {
    await backend.warmUp();
  } catch (error) {
    await engine.unload().catch(() => undefined);
    throw await loadError(error, spec.id, record);
  }
  return backend;
};
