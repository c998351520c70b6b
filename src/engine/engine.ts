// The main-thread engine: the public API over a supervised worker (request-queue.ts). Each
// request's events come as a ReadableStream whose cancel, or the request's AbortSignal, stops its
// generation; the queue hands requests to a new worker when one dies.
import { explainLoadFailure } from '../models/asset-check.js';
import { assetFileURLs, resolveAssets, type AssetOptions } from '../models/assets.js';
import { installErrorTransfer } from '../shared/error-transfer.js';
import { checkCacheBytes, flowSettings, type FlowOptions } from './flow-settings.js';
import type { DevicePreference, LoadOptions, LoadProgress } from '../shared/protocol.js';
import { RemoteEngine, type PassThroughOptions } from './remote-engine.js';
import { LocalEngine } from './local-engine.js';
import type { Engine } from './types.js';
import { resolveModel, type ModelDefinition } from '../models/registry.js';
import { RequestQueue } from './request-queue.js';
import { sharedWorkerOpener } from './shared-worker.js';
import { WorkerConnection, type ConnectionEvents, type WorkerStart } from './worker-connection.js';

export interface EngineOptions extends AssetOptions, FlowOptions {
  /**
   * A registry id (src/models/registry.ts; default: the embedded test model), a transformers.js hub id
   * ('org/name'), a WebLLM prebuilt id ('…-MLC'), or your own definition { backend, id, url, … }.
   */
  model?: string | ModelDefinition;
  /**
   * 'auto' (default) uses WebGPU when an adapter works and WASM otherwise, and WASM first where the
   * adapter is a software fallback (SwiftShader, WARP: many times slower; worker/transformers/devices.ts).
   */
  device?: DevicePreference;
  /** Load progress; called again when the engine reloads the model in a new worker. */
  onProgress?: (progress: LoadProgress) => void;
  /** Fetch models missing locally from the model hub. Default: only for hub ids ('org/name'), never for a folder the page serves. */
  allowRemoteModels?: boolean;
  /** Send requests to an OpenAI-compatible server instead: always, or when the model cannot load here. Off by default. */
  passThrough?: PassThroughOptions;
  /**
   * One model for every tab of the origin: the engine runs in a SharedWorker that tabs asking for the
   * same model, device and assets attach to (docs/multi-tab.md). Where SharedWorker is missing, a
   * dedicated worker runs it and `model.shared` is false, with `model.sharedFallbackReason`. Default: false.
   */
  shared?: boolean;
  /**
   * Bytes of KV cache kept between requests, so that a request that starts like a recent one (the
   * next turn of a chat) computes only its new tokens (transformers.js models; docs/performance.md).
   * Default 128 MiB, on the GPU with WebGPU; 0 turns it off.
   */
  prefixCacheBytes?: number;
  /**
   * Once a chat request has ended, prefill into the prefix cache what the chat's next turn will start
   * with (the answer as the chat template encodes it), while no request waits for the model and
   * after 200 ms of idleness; a request that arrives meanwhile waits for one forward pass at most.
   * It saves the next turn's prefill of the answer where the template's encoding differs from the
   * tokens generated (docs/performance.md). Default: true; false leaves the model idle between requests.
   */
  warmNextTurn?: boolean;
}

export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return createEngineWith(options, {});
}

/** createEngine with another way to start the worker (src/testing.ts); not exported from the package. */
export async function createEngineWith(options: EngineOptions, start: WorkerStart): Promise<Engine> {
  installErrorTransfer();
  if (options.passThrough?.when === 'always') return new RemoteEngine(options.passThrough);
  const resolved = resolveAssets(options);
  const { modelBaseURL, ...assets } = resolved;
  const model = resolveModel(options.model, { modelBaseURL, allowRemoteModels: options.allowRemoteModels, pageURL: location.href });
  const flow = flowSettings(options);
  const scheduling = { maxRunning: flow.maxRunning, preemptIdleMs: flow.preemptIdleMs };
  const load: LoadOptions = {
    model, device: options.device ?? 'auto', ...assets, scheduling,
    ...(options.prefixCacheBytes === undefined ? {} : { prefixCacheBytes: checkCacheBytes(options.prefixCacheBytes) }),
    ...(options.warmNextTurn === false ? { warmNextTurn: false } : {}),
  };
  const open = options.shared
    ? sharedWorkerOpener(load, options.onProgress, start)
    : (events: ConnectionEvents) => WorkerConnection.open(load, events, options.onProgress, start);
  const queue = new RequestQueue(open, flow);
  try {
    await queue.start();
  } catch (error) {
    // A missing or mis-served runtime file is named by its URL (src/asset-check.ts).
    const failure = await explainLoadFailure(error, assetFileURLs(resolved, model));
    if (options.passThrough?.when === 'fallback' && failure.code !== 'model_not_found') {
      return new RemoteEngine(options.passThrough, failure.message);
    }
    throw failure;
  }
  return new LocalEngine(queue);
}

