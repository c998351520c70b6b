// The engine's worker plus fault injection and a decode-step clock, for zstream's own e2e tests and
// bench: run by the test workers (worker/test-entry.ts, dedicated; worker/test-shared-entry.ts,
// shared), which src/testing.ts starts. Not part of the package: scripts/build-lib.mjs builds the
// package's entries only, and checks that dist/ has none of this.
import type { LoadOptions, LoadProgress, ModelInfo, WorkerListener } from '../src/shared/protocol.js';
import { EXIT_ON_CONNECT, type TestWorkerApi, type WorkerFault } from '../src/shared/test-protocol.js';
import { ModelWorker } from './model-worker.js';

const RECENT_STEPS = 256;
const now = () => performance.timeOrigin + performance.now();

let pipelinesCreated = 0;
/** Counts the compute pipelines created on any GPUDevice of this worker, compiled at once or in the background. */
function countComputePipelines(): void {
  const device = globalThis.GPUDevice?.prototype;
  if (!device) return;
  const { createComputePipeline, createComputePipelineAsync } = device;
  device.createComputePipeline = function (this: GPUDevice, descriptor) {
    pipelinesCreated++;
    return createComputePipeline.call(this, descriptor);
  };
  device.createComputePipelineAsync = function (this: GPUDevice, descriptor) {
    pipelinesCreated++;
    return createComputePipelineAsync.call(this, descriptor);
  };
}
countComputePipelines();

let gpuReadbacks = 0;
let countingReadbacks = false;
/**
 * Counts GPU tensors read back to CPU memory through ONNX Runtime Web's tensor class: the one its
 * sessions return (transformers.js's own `Tensor` export is onnxruntime-common's, another class).
 * Set up once a transformers.js model has loaded, so the test worker loads nothing the real one does not.
 * The devDependency on onnxruntime-web pins the version transformers.js names: were they to differ,
 * this would wrap another copy's class and count nothing.
 */
async function countGpuReadbacks(): Promise<void> {
  if (countingReadbacks) return;
  countingReadbacks = true;
  const { Tensor } = await import('onnxruntime-web/webgpu');
  const { getData } = Tensor.prototype;
  Tensor.prototype.getData = function (this: InstanceType<typeof Tensor>, release?: boolean) {
    if (this.location === 'gpu-buffer') gpuReadbacks++;
    return getData.call(this, release);
  };
}

export class TestModelWorker extends ModelWorker implements TestWorkerApi {
  private readonly recentStepTimes: number[] = [];
  private testListener: WorkerListener | undefined;

  override async connect(lockName: string, listener: WorkerListener): Promise<void> {
    // Dies before it holds its life lock: only the connect timeout can tell (src/engine/worker-connection.ts).
    if (self.name.endsWith(EXIT_ON_CONNECT)) return new Promise(() => self.close());
    return super.connect(lockName, listener);
  }

  override async load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo> {
    const info = await super.load(options, onProgress);
    if (info.backend === 'transformers') await countGpuReadbacks();
    return info;
  }

  /** connect() calls it in a dedicated worker; in a SharedWorker the shared model does (worker/shared-model.ts). */
  override listen(listener: WorkerListener): void {
    this.testListener = listener;
    super.listen(listener);
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

  async computePipelines(): Promise<number> {
    return pipelinesCreated;
  }

  async gpuReadbacks(): Promise<number> {
    return gpuReadbacks;
  }

  async idleWork(): Promise<void> {
    return this.idleWorkDone();
  }

  protected override stepped(): void {
    this.recentStepTimes.push(now());
    // Trimmed in bulk, not shifted per token.
    if (this.recentStepTimes.length > 2 * RECENT_STEPS) this.recentStepTimes.splice(0, this.recentStepTimes.length - RECENT_STEPS);
  }
}
