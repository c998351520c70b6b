// What the worker tells the main thread when a step fails: a failure retires the worker
// (backendFailed) unless the worker watches a GPU device whose `lost` tells it (deviceLost, once).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../src/shared/errors.js';
import type { LoadOptions, LoadProgress, StreamEvent, WorkerListener } from '../src/shared/protocol.js';
import { scriptedBackend } from '../test/scripted-backend.js';
import type { Backend } from './backend.js';

const backend = vi.hoisted(() => ({
  current: undefined as unknown,
  /** The loader: by default it resolves with `current`. */
  load: undefined as ((report: (progress: LoadProgress) => void) => Promise<unknown>) | undefined,
}));
vi.mock('./backends.js', () => ({
  loadBackend: (_options: unknown, report: (progress: LoadProgress) => void) => (backend.load ? backend.load(report) : Promise.resolve(backend.current)),
}));
const { ModelWorker } = await import('./model-worker.js');

afterEach(() => {
  backend.load = undefined;
  vi.useRealTimers();
});

const LOAD = { model: { backend: 'transformers' }, device: 'wasm' } as unknown as LoadOptions;

describe('ModelWorker: load', () => {
  it('a failed load names the file it was loading: the model being compiled for a session error, else the last', async () => {
    const heard: string[] = [];
    for (const [message, file] of [["Can't create a session: protobuf parsing failed", 'onnx/model.onnx'], ['network error', 'tokenizer.json']] as const) {
      backend.load = async (report) => {
        report({ phase: 'download', loaded: 1, total: 2, file: 'tokenizer.json' });
        report({ phase: 'compile', loaded: 0, total: 1, file: 'onnx/model.onnx' });
        throw new Error(message);
      };
      const error = await new ModelWorker().load(LOAD, (p) => heard.push(p.phase)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'model_load_failed', message: `${message} (while loading ${file})` });
    }
    expect(heard).toEqual(['download', 'compile', 'download', 'compile']);
  });
});

describe('ModelWorker: requests', () => {
  it('pull hands out the events, then undefined, and forgets the request; stats count its steps and caches', async () => {
    backend.current = scriptedBackend(['a', 'b']).backend;
    const worker = new ModelWorker();
    const { news, listener } = recorder();
    worker.listen(listener);
    await worker.load(LOAD);
    await worker.generate({ messages: [{ role: 'user', content: 'hi' }] }, { id: 7, transfer: false, runAhead: 4 });
    const events: StreamEvent[] = [];
    for (let e = await worker.pull(7); e; e = await worker.pull(7)) events.push(e);
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'done']);
    expect(await worker.pull(7)).toBeUndefined();
    expect(await worker.stats()).toMatchObject({ generatedTokens: 3, openKvCaches: 0, running: 0 });
    expect(news).toEqual([]);
  });

  it('cancel ends a request still running: its token stream is closed and the model is free', async () => {
    const story = scriptedBackend(['a', 'b', 'c', 'd']);
    backend.current = story.backend;
    const worker = new ModelWorker();
    worker.listen(recorder().listener);
    await worker.load(LOAD);
    await worker.generate({ messages: [{ role: 'user', content: 'hi' }] }, { id: 1, transfer: false, runAhead: 4 });
    expect(await worker.pull(1)).toMatchObject({ type: 'delta', text: 'a' });
    expect(await worker.stats()).toMatchObject({ openKvCaches: 1, running: 1 });
    await worker.cancel(1);
    expect(story.log.closed).toBe(1);
    expect(await worker.stats()).toMatchObject({ openKvCaches: 0, running: 0 });
    expect(await worker.pull(1)).toBeUndefined();
  });
});

/** A backend whose first step fails with `error`; `lost` gives it a GPU device whose loss resolves then. */
function failingBackend(error: ZStreamError, lost?: Promise<{ message: string; reason: string }>): Backend {
  return {
    info: { id: 'failing', backend: 'webllm', device: 'webgpu', weights: 'q4f32_1', contextLength: 100 },
    async prepare() {
      return { promptTokens: 1, maxNewTokens: 10, start: () => ({ next: () => Promise.reject(error), close: async () => undefined }) };
    },
    async warmUp() {},
    async unload() {},
    ...(lost ? { gpuDevice: async () => ({ lost }) as unknown as GPUDevice } : {}),
  };
}

async function failOnce(worker: InstanceType<typeof ModelWorker>): Promise<unknown> {
  await worker.load({ model: { backend: 'webllm' }, device: 'webgpu' } as unknown as LoadOptions);
  await worker.generate({ messages: [{ role: 'user', content: 'hi' }] }, { id: 1, transfer: false, runAhead: 4 });
  return worker.pull(1);
}

function recorder(): { news: string[]; listener: WorkerListener } {
  const news: string[] = [];
  const listener: WorkerListener = {
    started: () => {},
    released: () => {},
    first: () => {},
    deviceLost: (message) => void news.push(`deviceLost: ${message}`),
    backendFailed: (message) => void news.push(`backendFailed: ${message}`),
  };
  return { news, listener };
}

describe('ModelWorker: a failed step', () => {
  it('device_lost from a backend with no device to watch (WebLLM) retires the worker', async () => {
    backend.current = failingBackend(new ZStreamError('device_lost', 'The GPU device was lost: Device was lost.'));
    const worker = new ModelWorker();
    const { news, listener } = recorder();
    worker.listen(listener);
    expect(await failOnce(worker)).toMatchObject({ type: 'error', error: { code: 'device_lost' } });
    expect(news).toEqual(['backendFailed: The GPU device was lost: Device was lost.']);
  });

  it("a request's own fault (a 400: a schema the grammar engine rejects) fails that request only: the worker stays", async () => {
    backend.current = failingBackend(new ZStreamError('invalid_request', 'Invalid schema for response_format: …', { param: 'response_format' }));
    const worker = new ModelWorker();
    const { news, listener } = recorder();
    worker.listen(listener);
    expect(await failOnce(worker)).toMatchObject({ type: 'error', error: { code: 'invalid_request', param: 'response_format' } });
    expect(news).toEqual([]);
  });

  it('on a watched device that is not lost within the grace: the failure as it was, and the worker retires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    backend.current = failingBackend(new ZStreamError('generation_failed', 'out of memory'), new Promise(() => {}));
    const worker = new ModelWorker();
    const { news, listener } = recorder();
    worker.listen(listener);
    const event = failOnce(worker);
    await vi.advanceTimersByTimeAsync(250);
    expect(await event).toMatchObject({ type: 'error', error: { code: 'generation_failed', message: 'out of memory' } });
    expect(news).toEqual(['backendFailed: out of memory']);
  });

  it('on a watched device that is lost, is told once, as the loss', async () => {
    let lose = (_info: { message: string; reason: string }) => {};
    const lost = new Promise<{ message: string; reason: string }>((resolve) => (lose = resolve));
    backend.current = failingBackend(new ZStreamError('generation_failed', 'Failed to download data from buffer'), lost);
    const worker = new ModelWorker();
    const { news, listener } = recorder();
    worker.listen(listener);
    const event = failOnce(worker);
    lose({ message: 'destroyed', reason: 'destroyed' });
    expect(await event).toMatchObject({ type: 'error', error: { code: 'device_lost' } });
    expect(news).toEqual(['deviceLost: destroyed']);
  });
});
