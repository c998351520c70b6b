// Hooks for zstream's own e2e tests (e2e/faults.spec.ts, e2e/flow.spec.ts): faults injected into an
// engine's worker, and the worker's decode-step clock. Deliberately not exported from index.ts.
import { LocalEngine } from './engine/local-engine.js';
import type { Engine, EngineStats } from './engine/types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EngineTestHooks {
  /** The worker closes itself, as a crash would end it; the engine learns of it from its Web Lock. */
  crashWorker(): Promise<void>;
  /** ONNX Runtime's GPUDevice is destroyed, so its `lost` promise resolves. */
  loseDevice(): Promise<void>;
  /** The worker's thread spins forever, like a kernel that never returns. */
  hangWorker(): Promise<void>;
  /** When the worker's recent decode steps ended, as `performance.timeOrigin + performance.now()`. */
  stepTimes(): Promise<number[]>;
  /** The engine's stats once the worker has run no decode step for `quietMs` (polled; gives up after `timeoutMs`). */
  settled(quietMs?: number, timeoutMs?: number): Promise<EngineStats>;
  /** The engine's stats once `predicate` holds for them (polled; after `timeoutMs`, the last ones). */
  statsWhen(predicate: (stats: EngineStats) => boolean, timeoutMs?: number): Promise<EngineStats>;
}

export function engineTestHooks(engine: Engine): EngineTestHooks {
  if (!(engine instanceof LocalEngine)) throw new Error('Test hooks need an engine with a local worker.');
  const queue = engine.requestQueue;
  return {
    crashWorker: () => queue.injectFault('exit'),
    loseDevice: () => queue.injectFault('lose-device'),
    hangWorker: () => queue.injectFault('hang'),
    stepTimes: async () => (await queue.workerStats())?.recentStepTimes ?? [],
    async settled(quietMs = 400, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      let last = await queue.stats();
      let quietSince = performance.now();
      while (performance.now() - quietSince < quietMs && performance.now() < deadline) {
        await sleep(50);
        const now = await queue.stats();
        if (now.generatedTokens !== last.generatedTokens || now.openKvCaches !== last.openKvCaches) quietSince = performance.now();
        last = now;
      }
      return last;
    },
    async statsWhen(predicate, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const stats = await queue.stats();
        if (predicate(stats) || performance.now() > deadline) return stats;
        await sleep(25);
      }
    },
  };
}
