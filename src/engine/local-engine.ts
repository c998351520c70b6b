// The engine of a local model: requests go through the queue (request-queue.ts) to the worker
// that runs the model; each request's events come back as its own ReadableStream.
import { abortReason } from '../shared/errors.js';
import type { ChatMessage, GenerateRequest, ModelInfo, StreamEvent } from '../shared/protocol.js';
import { collectResult, textDeltas } from './event-readers.js';
import type { EngineStats, RequestQueue } from './request-queue.js';
import type { Engine, RequestLimits, RequestOptions } from './types.js';

/** The engine of a local model in a worker. */
export class LocalEngine implements Engine {
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
