// The engine as the worker exposes it: one loaded backend, a FIFO scheduler, and each
// request's events handed over as a transferred ReadableStream (or pulled by id as fallback).
import { transfer } from 'comlink';
import { ZStreamError } from '../src/errors.js';
import type {
  GenerateHandle, GenerateOptions, GenerateRequest, LoadOptions, LoadProgress, ModelInfo, StreamEvent, WorkerApi,
} from '../src/protocol.js';
import type { Backend } from './backend.js';
import { createGeneration, type EventSource } from './generation.js';
import { Scheduler } from './scheduler.js';
import { loadTransformersBackend } from './transformers/load.js';

export function toReadableStream(source: EventSource, runAhead: number): ReadableStream<StreamEvent> {
  return new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        const event = await source.pull();
        if (event) controller.enqueue(event);
        else controller.close();
      },
      cancel: () => source.cancel(),
    },
    new CountQueuingStrategy({ highWaterMark: runAhead }),
  );
}

export class EngineHost implements WorkerApi {
  private backend: Backend | undefined;
  private readonly scheduler = new Scheduler(64);
  private readonly sources = new Map<number, EventSource>();
  private nextId = 1;

  async load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo> {
    await this.backend?.unload();
    this.backend = undefined;
    this.backend = await loadTransformersBackend(options, (p) => onProgress?.(p));
    return this.backend.info;
  }

  async generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle> {
    if (!this.backend) throw new ZStreamError('model_load_failed', 'No model is loaded.');
    const source = await createGeneration(this.backend, request, this.scheduler);
    if (options.transfer) {
      const stream = toReadableStream(source, options.runAhead);
      return transfer({ kind: 'stream', stream }, [stream]);
    }
    const id = this.nextId++;
    this.sources.set(id, source);
    return { kind: 'pull', id };
  }

  async pull(id: number): Promise<StreamEvent | undefined> {
    const event = await this.sources.get(id)?.pull();
    if (!event) this.sources.delete(id);
    return event;
  }

  async cancel(id: number): Promise<void> {
    const source = this.sources.get(id);
    this.sources.delete(id);
    await source?.cancel();
  }
}
