// The test SharedWorker: the SharedWorker entry over the test worker (worker/test-model-worker.ts),
// whose sessions also take faults and read its decode-step clock, for zstream's own e2e tests
// (src/testing.ts starts it for createTestEngine({ shared: true })). Not part of the package:
// scripts/build-lib.mjs builds worker/shared-entry.ts only, and checks that dist/ has none of this.
import type { TestWorkerApi, WorkerFault } from '../src/shared/test-protocol.js';
import { serveTabs } from './shared-host.js';
import type { SharedModel } from './shared-model.js';
import { WorkerSession } from './shared-session.js';
import { TestModelWorker } from './test-model-worker.js';

class TestWorkerSession extends WorkerSession implements TestWorkerApi {
  constructor(model: SharedModel, private readonly worker: TestModelWorker) {
    super(model);
  }

  /** Into the one worker every tab shares: all of them hear of it. */
  injectFault(fault: WorkerFault): Promise<void> {
    return this.worker.injectFault(fault);
  }

  stepTimes(): Promise<number[]> {
    return this.worker.stepTimes();
  }

  computePipelines(): Promise<number> {
    return this.worker.computePipelines();
  }

  gpuReadbacks(): Promise<number> {
    return this.worker.gpuReadbacks();
  }

  idleWork(): Promise<void> {
    return this.worker.idleWork();
  }
}

const worker = new TestModelWorker();
serveTabs(worker, (model) => new TestWorkerSession(model, worker));
