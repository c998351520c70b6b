// What the worker tells the main thread when a step fails: a failure retires the worker
// (backendFailed) unless the worker watches a GPU device whose `lost` tells it (deviceLost, once).
import { describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../src/shared/errors.js';
import type { LoadOptions, WorkerListener } from '../src/shared/protocol.js';
import type { Backend } from './backend.js';

const backend = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock('./backends.js', () => ({ loadBackend: async () => backend.current }));
const { ModelWorker } = await import('./model-worker.js');

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
