// Path (a), the floor: the transformers.js backend used directly inside a worker, with no
// generation loop, no stream, no Comlink per token. Tokens are timed here, in the worker.
// It also runs the engine's worker-side layers one at a time, so the bench can show which layer
// costs what: the generation loop alone, its events over a transferred ReadableStream, and its
// events pulled one call at a time (the engine's fallback where streams cannot be transferred).
// 'transfer' keeps the transport the engine had before batching, one event per chunk, for
// comparison; 'batched' is the engine's transport now (worker/batched-stream.ts). One prototype shows
// what the first event in the reply would gain.
import { expose, transfer } from 'comlink';
import type { GenerateRequest, LoadOptions, ModelInfo, StreamBatch, StreamEvent } from '../../src/shared/protocol.js';
import type { Backend } from '../../worker/backend.js';
import { toBatchedStream } from '../../worker/batched-stream.js';
import { createGeneration, toEventStream, type EventSource } from '../../worker/generation.js';
import { Scheduler } from '../../worker/scheduler.js';
import { loadTransformersBackend } from '../../worker/transformers/load.js';
import type { FloorApi, RunRecord } from './messages.js';

let backend: Backend | undefined;
const scheduler = new Scheduler();
const sources = new Map<number, EventSource>();
let nextId = 1;

const loaded = (): Backend => {
  if (!backend) throw new Error('The floor worker has no model loaded.');
  return backend;
};

const api: FloorApi = {
  async load(options: LoadOptions): Promise<ModelInfo> {
    await backend?.unload();
    backend = await loadTransformersBackend(options, () => undefined);
    return backend.info;
  },

  async run(request: GenerateRequest): Promise<RunRecord> {
    const start = performance.now();
    const prepared = await loaded().prepare(request);
    const limit = Math.min(request.max_tokens ?? Infinity, prepared.maxNewTokens);
    const stream = prepared.start();
    const deltas: number[] = [];
    let text = '';
    let tokens = 0;
    try {
      while (tokens < limit) {
        const step = await stream.next();
        if (step.kind === 'end') break;
        tokens++;
        if (step.text) {
          deltas.push(performance.now() - start);
          text += step.text;
        }
      }
    } finally {
      await stream.close();
    }
    return { deltas, end: performance.now() - start, tokens, text };
  },

  async runLoop(request: GenerateRequest): Promise<RunRecord> {
    const start = performance.now();
    const source = await createGeneration(loaded(), request, scheduler);
    const deltas: number[] = [];
    let text = '';
    let tokens: number | null = null;
    for (let event = await source.pull(); event; event = await source.pull()) {
      if (event.type === 'delta') {
        deltas.push(performance.now() - start);
        text += event.text;
      } else if (event.type === 'done') tokens = event.usage.completion_tokens;
    }
    return { deltas, end: performance.now() - start, tokens, text };
  },

  async openStream(request: GenerateRequest, queued: number): Promise<ReadableStream<StreamEvent>> {
    const stream = toEventStream(await createGeneration(loaded(), request, scheduler), queued);
    return transfer(stream, [stream]);
  },

  async openStreamFirst(request: GenerateRequest, queued: number) {
    const source = await createGeneration(loaded(), request, scheduler);
    const first = await source.pull();
    const stream = toEventStream(source, queued);
    return transfer({ first, stream }, [stream]);
  },

  async openBatched(request: GenerateRequest, limit: number): Promise<ReadableStream<StreamBatch>> {
    const stream = toBatchedStream(await createGeneration(loaded(), request, scheduler), limit);
    return transfer(stream, [stream]);
  },

  async open(request: GenerateRequest): Promise<number> {
    const id = nextId++;
    sources.set(id, await createGeneration(loaded(), request, scheduler));
    return id;
  },

  async pull(id: number): Promise<StreamEvent | undefined> {
    const event = await sources.get(id)?.pull();
    if (!event) sources.delete(id);
    return event;
  },
};

expose(api);
