// The main-thread engine: the public API over a supervised worker (src/request-queue.ts). Each
// request's events come as a ReadableStream whose cancel, or the request's AbortSignal, stops its
// generation; the queue hands requests to a new worker when one dies.
import { explainLoadFailure } from './asset-check.js';
import { assetFileURLs, resolveAssets, type AssetOptions } from './assets.js';
import { installErrorTransfer } from './comlink-errors.js';
import { abortReason } from './errors.js';
import { collectResult, textDeltas } from './event-readers.js';
import { flowSettings, type FlowOptions } from './flow-settings.js';
import type {
  ChatMessage, DevicePreference, FinishReason, GenerateRequest, GenerationParams, LoadOptions, LoadProgress, ModelInfo,
  StreamEvent, Usage,
} from './protocol.js';
import { PassThroughEngine, type PassThroughOptions } from './pass-through.js';
import { resolveModel, type ModelDefinition } from './registry.js';
import { RequestQueue, type EngineStats } from './request-queue.js';
import { WorkerConnection } from './worker-connection.js';

export type { EngineStats };

export interface EngineOptions extends AssetOptions, FlowOptions {
  /**
   * A registry id (src/registry.ts; default: the embedded test model), a transformers.js hub id
   * ('org/name'), a WebLLM prebuilt id ('…-MLC'), or your own definition { backend, id, url, … }.
   */
  model?: string | ModelDefinition;
  /** 'auto' (default) uses WebGPU when an adapter works and WASM otherwise. */
  device?: DevicePreference;
  /** Load progress; called again when the engine reloads the model in a new worker. */
  onProgress?: (progress: LoadProgress) => void;
  /** Fetch models missing locally from the model hub. Default: only for non-embedded models. */
  allowRemoteModels?: boolean;
  /** Send requests to an OpenAI-compatible server instead: always, or when the model cannot load here. Off by default. */
  passThrough?: PassThroughOptions;
}

/** Per request: how long the reader may wait for the next event once the request runs (FlowOptions). */
export interface RequestLimits {
  stallTimeoutMs?: number | undefined;
}

export interface RequestOptions extends GenerationParams, RequestLimits {
  signal?: AbortSignal | undefined;
}

export interface ChatResult {
  text: string;
  finish_reason: FinishReason;
  usage: Usage;
}

export interface Engine {
  /** What runs and where; after a lost GPU device the reloaded model may run elsewhere. */
  readonly model: ModelInfo;
  /** The events of one request; cancelling the stream, or the signal, stops its generation. */
  generate(request: GenerateRequest, signal?: AbortSignal, limits?: RequestLimits): Promise<ReadableStream<StreamEvent>>;
  /** Text deltas; `break`, `return()` or the signal stop the generation. */
  chatStream(messages: ChatMessage[], options?: RequestOptions): AsyncIterable<string>;
  chat(messages: ChatMessage[], options?: RequestOptions & { onToken?: (text: string) => void }): Promise<ChatResult>;
  /** What the local model is doing: queue, tokens generated, KV caches, worker restarts. */
  stats?(): Promise<EngineStats>;
  /** Terminates the worker; requests still running end with an error. */
  dispose(): void;
}

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  installErrorTransfer();
  if (options.passThrough?.when === 'always') return new PassThroughEngine(options.passThrough);
  const resolved = resolveAssets(options);
  const { modelBaseURL, ...assets } = resolved;
  const model = resolveModel(options.model, { modelBaseURL, allowRemoteModels: options.allowRemoteModels, pageURL: location.href });
  const load: LoadOptions = { model, device: options.device ?? 'auto', ...assets };
  const queue = new RequestQueue((events) => WorkerConnection.open(load, events, options.onProgress), flowSettings(options));
  try {
    await queue.start();
  } catch (error) {
    // A missing or mis-served runtime file is named by its URL (src/asset-check.ts).
    const failure = await explainLoadFailure(error, assetFileURLs(resolved, model));
    if (options.passThrough?.when === 'fallback' && failure.code !== 'model_not_found') {
      return new PassThroughEngine(options.passThrough, failure.message);
    }
    throw failure;
  }
  return new WorkerEngine(queue);
}

/** The engine of a local model in a worker. */
export class WorkerEngine implements Engine {
  constructor(private readonly queue: RequestQueue) {}

  get model(): ModelInfo {
    return this.queue.model;
  }


  async generate(request: GenerateRequest, signal?: AbortSignal, limits: RequestLimits = {}): Promise<ReadableStream<StreamEvent>> {
    if (signal?.aborted) throw abortReason(signal);
    return this.queue.submit(request, { signal, stallTimeoutMs: limits.stallTimeoutMs });
  }

  async *chatStream(messages: ChatMessage[], options: RequestOptions = {}): AsyncGenerator<string> {
    const { signal, stallTimeoutMs, ...params } = options;
    yield* textDeltas(await this.generate({ ...params, messages }, signal, { stallTimeoutMs }));
  }

  async chat(messages: ChatMessage[], options: RequestOptions & { onToken?: (text: string) => void } = {}) {
    const { signal, onToken, stallTimeoutMs, ...params } = options;
    return collectResult(await this.generate({ ...params, messages }, signal, { stallTimeoutMs }), onToken);
  }

  stats(): Promise<EngineStats> {
    return this.queue.stats();
  }

  /** The queue behind it, for src/testing.ts. */
  get requestQueue(): RequestQueue {
    return this.queue;
  }

  dispose(): void {
    this.queue.dispose();
  }
}
