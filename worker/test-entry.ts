// The test worker: the engine's worker plus fault injection and a decode-step clock, for zstream's
// own e2e tests and bench (src/testing.ts starts it). Not part of the package: scripts/build-lib.mjs
// builds worker/index.ts only, and checks that dist/ has none of this.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/shared/error-transfer.js';
import type { WorkerListener } from '../src/shared/protocol.js';
import { EXIT_ON_CONNECT, type TestWorkerApi, type WorkerFault } from '../src/shared/test-protocol.js';
import { ModelWorker } from './model-worker.js';

const RECENT_STEPS = 256;
const now = () => performance.timeOrigin + performance.now();

class TestModelWorker extends ModelWorker implements TestWorkerApi {
  private readonly recentStepTimes: number[] = [];
  private testListener: WorkerListener | undefined;

  override async connect(lockName: string, listener: WorkerListener): Promise<void> {
    // Dies before it holds its life lock: only the connect timeout can tell (src/engine/worker-connection.ts).
    if (self.name.endsWith(EXIT_ON_CONNECT)) return new Promise(() => self.close());
    this.testListener = listener;
    return super.connect(lockName, listener);
  }

  async injectFault(fault: WorkerFault): Promise<void> {
    if (fault === 'fail-backend') return this.testListener?.backendFailed('an injected failure');
    if (fault === 'lose-device') {
      const device = await this.backend?.gpuDevice?.();
      if (!device) throw new Error('No GPU device runs the model in this worker.');
      device.destroy();
      return;
    }
    // After this call has answered: the worker ends, or its thread stops in a loop like a hung kernel.
    setTimeout(fault === 'exit' ? () => self.close() : () => { for (;;); });
  }

  async stepTimes(): Promise<number[]> {
    return this.recentStepTimes.slice(-RECENT_STEPS);
  }

  protected override stepped(): void {
    this.recentStepTimes.push(now());
    // Trimmed in bulk, not shifted per token.
    if (this.recentStepTimes.length > 2 * RECENT_STEPS) this.recentStepTimes.splice(0, this.recentStepTimes.length - RECENT_STEPS);
  }
}

installErrorTransfer();
expose(new TestModelWorker());
