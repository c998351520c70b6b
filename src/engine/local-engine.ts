// The engine of a local model: requests go through the queue (request-queue.ts) to the worker
// that runs the model; each request's events come back as its own ReadableStream.
import type { ChatMessage, GenerateRequest, ModelInfo, StreamEvent } from '../shared/protocol.js';
import { chatDeltas, collectResult } from './event-readers.js';
import { splitRequestOptions } from './request-options.js';
import type { EngineStats, RequestQueue } from './request-queue.js';
import type { Engine, RequestLimits, RequestOptions } from './types.js';

/** The engine of a local model in a worker. */
export class LocalEngine implements Engine {
  constructor(private readonly queue: RequestQueue) {}

  get model(): ModelInfo {
    return this.queue.model;
  }


  async generate(request: GenerateRequest, signal?: AbortSignal, limits: RequestLimits = {}): Promise<ReadableStream<StreamEvent>> {
    return this.queue.submit(request, { ...limits, signal });
  }

  async generateAll(requests: GenerateRequest[], signal?: AbortSignal, limits: RequestLimits = {}): Promise<Array<ReadableStream<StreamEvent>>> {
    return this.queue.submitAll(requests, { ...limits, signal });
  }

  chatStream(messages: ChatMessage[], options: RequestOptions = {}): AsyncIterableIterator<string> {
    const { params, signal, limits } = splitRequestOptions(options);
    return chatDeltas((stop) => this.generate({ ...params, messages }, stop, limits), signal);
  }

  async chat(messages: ChatMessage[], options: RequestOptions & { onToken?: (text: string) => void } = {}) {
    const { onToken, ...rest } = options;
    const { params, signal, limits } = splitRequestOptions(rest);
    return collectResult(await this.generate({ ...params, messages }, signal, limits), onToken);
  }

  stats(): Promise<EngineStats> {
    return this.queue.stats();
  }

  dispose(): void {
    this.queue.dispose();
  }
}
