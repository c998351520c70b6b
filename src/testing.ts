// Hooks for zstream's own e2e tests and bench: an engine whose worker is the test worker
// (worker/test-entry.ts, or worker/test-shared-entry.ts with `shared: true`: faults injected into
// it, its decode-step clock), and waits on the engine's stats that fail loudly. Deliberately not exported from index.ts: the package has none of this.
import { wrap, type Remote } from 'comlink';
import { createEngineWith, type EngineOptions } from './engine/engine.js';
import type { Engine, EngineStats } from './engine/types.js';
import { EXIT_ON_CONNECT, type TestWorkerApi } from './shared/test-protocol.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestEngineOptions extends EngineOptions {
  /** The first worker exits before it answers `connect` (later ones start normally). */
  exitOnConnect?: boolean;
  /** WorkerStart.connectTimeoutMs (src/engine/worker-connection.ts). */
  connectTimeoutMs?: number;
}

/** The test worker behind each engine that createTestEngine made: the latest one started. */
const testWorkers = new WeakMap<Engine, { current: Remote<TestWorkerApi> | undefined }>();

/** createEngine, with the test worker (the test SharedWorker with `shared: true`). */
export async function createTestEngine(options: TestEngineOptions = {}): Promise<Engine> {
  const { exitOnConnect = false, connectTimeoutMs, ...engineOptions } = options;
  const workers: { current: Remote<TestWorkerApi> | undefined } = { current: undefined };
  let started = 0;
  const createWorker = () => {
    const fault = exitOnConnect && started++ === 0 ? ` ${EXIT_ON_CONNECT}` : '';
    const worker = new Worker(new URL('../worker/test-entry.ts', import.meta.url), { type: 'module', name: `zstream-test${fault}` });
    workers.current = wrap<TestWorkerApi>(worker);
    return worker;
  };
  // One port of the SharedWorker per engine: its session there takes the faults (all tabs share them).
  const createSharedWorker = (name: string) => {
    const worker = new SharedWorker(new URL('../worker/test-shared-entry.ts', import.meta.url), { type: 'module', name });
    workers.current = wrap<TestWorkerApi>(worker.port);
    return worker;
  };
  const engine = await createEngineWith(engineOptions, { createWorker, createSharedWorker, ...(connectTimeoutMs ? { connectTimeoutMs } : {}) });
  testWorkers.set(engine, workers);
  return engine;
}

export interface EngineTestHooks {
  /** The worker closes itself, as a crash would end it; the engine learns of it from its Web Lock. */
  crashWorker(): Promise<void>;
  /** ONNX Runtime's GPUDevice is destroyed, so its `lost` promise resolves. */
  loseDevice(): Promise<void>;
  /** The worker's thread spins forever, like a kernel that never returns. */
  hangWorker(): Promise<void>;
  /** The worker reports a failed backend (as after a failed decode step) and lives on. */
  failBackend(): Promise<void>;
  /** When the worker's recent decode steps ended, as `performance.timeOrigin + performance.now()`. */
  stepTimes(): Promise<number[]>;
  /** GPU compute pipelines the worker has created (0 on WASM): a request that compiles a shader adds to it. */
  computePipelines(): Promise<number>;
  /** GPU tensors the worker has read back to CPU memory (0 on WASM): a KV cache that left the GPU. */
  gpuReadbacks(): Promise<number>;
  /** Resolves once the worker has no idle work pending or running (the next turn's warm-up). */
  idleWork(): Promise<void>;
  /** The engine's stats once the worker has run no decode step for `quietMs`; throws after `timeoutMs`. */
  settled(quietMs?: number, timeoutMs?: number): Promise<EngineStats>;
  /** The engine's stats once `predicate` holds for them; throws with the last ones after `timeoutMs`. */
  statsWhen(predicate: (stats: EngineStats) => boolean, timeoutMs?: number): Promise<EngineStats>;
}

export function engineTestHooks(engine: Engine): EngineTestHooks {
  const workers = testWorkers.get(engine);
  if (!workers) throw new Error('Test hooks need an engine made by createTestEngine (src/testing.ts).');
  const worker = () => {
    if (!workers.current) throw new Error('The engine has no worker.');
    return workers.current;
  };
  const stats = () => {
    if (!engine.stats) throw new Error('The engine has no stats.');
    return engine.stats();
  };
  return {
    crashWorker: () => worker().injectFault('exit'),
    loseDevice: () => worker().injectFault('lose-device'),
    hangWorker: () => worker().injectFault('hang'),
    failBackend: () => worker().injectFault('fail-backend'),
    stepTimes: () => worker().stepTimes(),
    computePipelines: () => worker().computePipelines(),
    gpuReadbacks: () => worker().gpuReadbacks(),
    idleWork: () => worker().idleWork(),
    async settled(quietMs = 400, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      let last = await stats();
      let quietSince = performance.now();
      while (performance.now() - quietSince < quietMs) {
        if (performance.now() > deadline) throw new Error(`settled(): the worker was still generating after ${timeoutMs} ms: ${JSON.stringify(last)}`);
        await sleep(50);
        const now = await stats();
        if (now.generatedTokens !== last.generatedTokens || now.openKvCaches !== last.openKvCaches) quietSince = performance.now();
        last = now;
      }
      return last;
    },
    async statsWhen(predicate, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const now = await stats();
        if (predicate(now)) return now;
        if (performance.now() > deadline) throw new Error(`statsWhen(): not reached after ${timeoutMs} ms; last stats: ${JSON.stringify(now)}`);
        await sleep(25);
      }
    },
  };
}
