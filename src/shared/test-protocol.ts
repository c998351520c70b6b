// What the test worker (worker/test-model-worker.ts, in worker/test-entry.ts and worker/test-shared-entry.ts) adds to the worker's API, for zstream's own e2e tests
// and bench (src/testing.ts). Types only. Nothing reaches it from src/index.ts, so the package has none of it.
import type { WorkerApi } from './protocol.js';

/**
 * The worker exits, its GPU device is destroyed, its thread hangs, or it reports a failed backend
 * (as transformers.js does after a failed step) while it lives on.
 */
export type WorkerFault = 'exit' | 'lose-device' | 'hang' | 'fail-backend';

/** How a test worker misbehaves from its start (its `name` carries it): it exits before `connect` answers. */
export const EXIT_ON_CONNECT = 'exit-on-connect';

export interface TestWorkerApi extends WorkerApi {
  injectFault(fault: WorkerFault): Promise<void>;
  /** When the last decode steps ended: `performance.timeOrigin + performance.now()`, oldest first. */
  stepTimes(): Promise<number[]>;
  /** GPU compute pipelines this worker has created so far (ONNX Runtime compiles one per shader variant). */
  computePipelines(): Promise<number>;
  /** GPU tensors ONNX Runtime has read back to CPU memory (`Tensor.getData`): a KV cache moved off the GPU. */
  gpuReadbacks(): Promise<number>;
  /** Resolves once the worker has no idle work pending or running (the next turn's warm-up: worker/idle-work.ts). */
  idleWork(): Promise<void>;
}
