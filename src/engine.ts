// The main-thread engine: starts the worker, loads a model, and hands out each request's
// events as a ReadableStream whose cancel reaches the worker.
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { EMBEDDED_MODEL, resolveAssets, type AssetOptions } from './assets.js';
import { installErrorTransfer } from './comlink-errors.js';
import { ZStreamError } from './errors.js';
import type {
  ChatMessage, DevicePreference, FinishReason, GenerateRequest, GenerationParams, LoadProgress, ModelInfo,
  StreamEvent, Usage, WorkerApi,
} from './protocol.js';
import { supportsReadableStreamTransfer } from './supports.js';

export interface EngineOptions extends AssetOptions {
  /** Model id: the embedded test model by default, or a transformers.js model on the hub. */
  model?: string;
  /** 'auto' (default) uses WebGPU when an adapter works and WASM otherwise. */
  device?: DevicePreference;
  onProgress?: (progress: LoadProgress) => void;
  /** Fetch models missing locally from the model hub. Default: only for non-embedded models. */
  allowRemoteModels?: boolean;
  /** Events generated ahead of a slow reader at most. Default 4. */
  runAhead?: number;
}

export interface RequestOptions extends GenerationParams {
  signal?: AbortSignal | undefined;
}

export interface ChatResult {
  text: string;
  finish_reason: FinishReason;
  usage: Usage;
}

export interface Engine {
  readonly model: ModelInfo;
  /** The events of one request; cancelling the stream stops its generation. */
  generate(request: GenerateRequest, signal?: AbortSignal): Promise<ReadableStream<StreamEvent>>;
  /** Text deltas; `break`, `return()` or the signal stop the generation. */
  chatStream(messages: ChatMessage[], options?: RequestOptions): AsyncIterable<string>;
  chat(messages: ChatMessage[], options?: RequestOptions & { onToken?: (text: string) => void }): Promise<ChatResult>;
  /** Terminates the worker. */
  dispose(): void;
}

const abortError = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  installErrorTransfer();
  const model = options.model ?? EMBEDDED_MODEL;
  const worker = new Worker(new URL('../worker/index.ts', import.meta.url), { type: 'module', name: 'zstream' });
  const remote = wrap<WorkerApi>(worker);
  try {
    const info = await remote.load(
      {
        model,
        device: options.device ?? 'auto',
        allowRemoteModels: options.allowRemoteModels ?? model !== EMBEDDED_MODEL,
        ...resolveAssets(options),
      },
      options.onProgress ? proxy(options.onProgress) : undefined,
    );
    return new WorkerEngine(worker, remote, info, options.runAhead ?? 4);
  } catch (error) {
    remote[releaseProxy]();
    worker.terminate();
    throw ZStreamError.from(error, 'model_load_failed');
  }
}

class WorkerEngine implements Engine {
  constructor(
    private readonly worker: Worker,
    private readonly remote: Remote<WorkerApi>,
    readonly model: ModelInfo,
    private readonly runAhead: number,
  ) {}

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<ReadableStream<StreamEvent>> {
    if (signal?.aborted) throw abortError(signal);
    const handle = await this.remote.generate(request, {
      transfer: supportsReadableStreamTransfer(),
      runAhead: this.runAhead,
    });
    const stream = handle.kind === 'stream' ? handle.stream : this.pullById(handle.id);
    return signal ? abortable(stream, signal) : stream;
  }

  /** Fallback where streams cannot be transferred: one round trip per event. */
  private pullById(id: number): ReadableStream<StreamEvent> {
    return new ReadableStream<StreamEvent>(
      {
        pull: async (controller) => {
          const event = await this.remote.pull(id);
          if (event) controller.enqueue(event);
          else controller.close();
        },
        cancel: () => this.remote.cancel(id),
      },
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
  }

  async *chatStream(messages: ChatMessage[], options: RequestOptions = {}): AsyncGenerator<string> {
    const { signal, ...params } = options;
    const reader = (await this.generate({ ...params, messages }, signal)).getReader();
    let finished = false;
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.type === 'delta') yield value.text;
        else if (value.type === 'error') throw ZStreamError.deserialize(value.error);
      }
      finished = true;
    } finally {
      // `break`, `return()` or a throw in the loop body land here: stop the generation.
      if (!finished) await reader.cancel();
    }
  }

  async chat(messages: ChatMessage[], options: RequestOptions & { onToken?: (text: string) => void } = {}) {
    const { signal, onToken, ...params } = options;
    const reader = (await this.generate({ ...params, messages }, signal)).getReader();
    let text = '';
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new ZStreamError('generation_failed', 'The generation ended without a result.');
      if (value.type === 'delta') {
        text += value.text;
        onToken?.(value.text);
      } else if (value.type === 'error') {
        throw ZStreamError.deserialize(value.error);
      } else {
        return { text, finish_reason: value.finish_reason, usage: value.usage };
      }
    }
  }

  dispose(): void {
    this.remote[releaseProxy]();
    this.worker.terminate();
  }
}

/** Wraps `stream` so that `signal` errors it with an AbortError and cancels the source. */
function abortable<T>(stream: ReadableStream<T>, signal: AbortSignal): ReadableStream<T> {
  const reader = stream.getReader();
  let onAbort: (() => void) | undefined;
  const detach = () => signal.removeEventListener('abort', onAbort!);
  return new ReadableStream<T>(
    {
      start(controller) {
        onAbort = () => {
          controller.error(abortError(signal));
          reader.cancel(abortError(signal)).catch(() => undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) {
          detach();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      },
      cancel(reason) {
        detach();
        return reader.cancel(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
}
