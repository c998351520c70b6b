// The engine as the worker exposes it: one loaded backend, a scheduler that interleaves requests, and each
// request's events handed over as a transferred ReadableStream of batches (or pulled by id as fallback).
// It tells the main thread when a request starts and lets go of the model, and when the GPU
// device is lost, so that a crash loses no queued request (src/request-queue.ts).
import { transfer } from 'comlink';
import { ZStreamError, deviceLost } from '../src/shared/errors.js';
import type {
  GenerateHandle, GenerateOptions, GenerateRequest, LoadOptions, LoadProgress, ModelInfo, StreamBatch, StreamEvent, WorkerApi,
  WorkerListener, WorkerStats,
} from '../src/shared/protocol.js';
import type { Backend } from './backend.js';
import { loadBackend } from './backends.js';
import { toBatchedStream } from './batched-stream.js';
import { createGeneration, type EventSource, type GenerationHooks } from './generation.js';
import { holdForLife } from './life-lock.js';
import { Scheduler, schedulerOptions } from './scheduler.js';

/** How long a failed step on a GPU waits for the device's loss to show (only failures wait: a step that fails for another reason is reported that much later). */
const DEVICE_LOSS_GRACE_MS = 250;

export class ModelWorker implements WorkerApi {
  /** Protected for the test worker (worker/test-model-worker.ts), which injects faults into it. */
  protected backend: Backend | undefined;
  private listener: WorkerListener | undefined;
  private scheduler = new Scheduler();
  private readonly sources = new Map<number, EventSource>();
  /** Generations that hold or wait for the model, by id, however handed over: `cancel(id)` stops any of them. */
  private readonly live = new Map<number, EventSource>();
  private readonly counts = { generatedTokens: 0, openKvCaches: 0 };
  /** Resolves with the browser's message once the backend's GPU device is lost; undefined on WASM. */
  private deviceLoss: Promise<string> | undefined;

  async connect(lockName: string, listener: WorkerListener): Promise<void> {
    this.listen(listener);
    await holdForLife(lockName);
  }

  /** Where lifecycle news goes; a SharedWorker routes it to the tab that sent each request (worker/shared-model.ts). */
  listen(listener: WorkerListener): void {
    this.listener = listener;
  }

  async load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo> {
    await this.scheduler.stopIdleWork();
    await this.backend?.unload();
    this.backend = undefined;
    const files: LoadingFiles = {};
    try {
      this.backend = await loadBackend(options, (p) => {
        if (p.file) files[p.phase === 'compile' ? 'compiling' : 'last'] = p.file;
        onProgress?.(p);
      });
    } catch (error) {
      throw namingFile(ZStreamError.from(error, 'model_load_failed'), files);
    }
    this.scheduler = new Scheduler({
      ...schedulerOptions(options.scheduling, this.backend.maxConcurrent),
      onIdleFailure: (error) => void this.explainFailure(ZStreamError.from(error)).then((failure) => this.modelFailed(failure)),
    });
    const device = await this.backend.gpuDevice?.();
    this.deviceLoss = device?.lost.then((info) => info.message || `the device was ${info.reason}`);
    void this.deviceLoss?.then((message) => this.listener?.deviceLost(message));
    return this.backend.info;
  }

  /**
   * `sendFirst`: where a transferred stream's first batch goes, through a port long open rather than
   * the new stream's (docs/first-token.md); by default this worker's listener. A SharedWorker's
   * session sends it to its own tab (worker/shared-session.ts).
   */
  async generate(request: GenerateRequest, options: GenerateOptions, sendFirst = this.firstSender(options.id)): Promise<GenerateHandle> {
    if (!this.backend) throw new ZStreamError('model_load_failed', 'No model is loaded.');
    const source = await createGeneration(this.backend, request, this.scheduler, this.hooks(options.id));
    this.live.set(options.id, source);
    if (options.transfer) {
      const stream = toBatchedStream(source, options.runAhead, sendFirst);
      return transfer({ kind: 'stream', stream, firstApart: sendFirst !== undefined }, [stream]);
    }
    this.sources.set(options.id, source);
    return { kind: 'pull', id: options.id };
  }

  async pull(id: number): Promise<StreamEvent | undefined> {
    const event = await this.sources.get(id)?.pull();
    if (!event) this.sources.delete(id);
    return event;
  }

  async cancel(id: number): Promise<void> {
    const source = this.sources.get(id) ?? this.live.get(id);
    this.sources.delete(id);
    this.live.delete(id);
    await source?.cancel();
  }

  async stats(): Promise<WorkerStats> {
    return {
      ...this.counts,
      running: this.scheduler.running,
    };
  }

  /** Resolves once the scheduler has no idle work pending or running (the test worker's hook). */
  protected idleWorkDone(): Promise<void> {
    return this.scheduler.idleWorkDone();
  }

  private firstSender(id: number): ((batch: StreamBatch) => void) | undefined {
    const listener = this.listener;
    return listener && ((batch) => listener.first(id, batch));
  }

  /** A decode step ended (the test worker keeps a clock of them for the bench). */
  protected stepped(): void {}

  private hooks(id: number): GenerationHooks {
    return {
      onStart: () => {
        this.counts.openKvCaches++;
        this.listener?.started(id);
      },
      onStep: () => {
        this.counts.generatedTokens++;
        this.stepped();
      },
      onRelease: () => {
        this.live.delete(id);
        this.counts.openKvCaches--;
        this.listener?.released(id);
      },
      explainFailure: (error) => this.explainFailure(error),
      onFailure: (error) => this.modelFailed(error),
    };
  }

  /** A forward pass failed: a request's step, or idle work's (the scheduler's onIdleFailure). */
  private modelFailed(error: ZStreamError): void {
    // A request's own fault (a 4xx: a schema the grammar engine rejects) says nothing of the model.
    if (error.status < 500) return;
    // A device this worker watches reports its loss once, by its own `lost` (load()). A backend
    // with no device to watch (WebLLM's own DeviceLostError) is reported here like any failure.
    if (error.code !== 'device_lost' || !this.deviceLoss) this.listener?.backendFailed(error.message);
  }

  /**
   * A step that fails because the GPU device was lost (destroyed, a driver reset) often fails before
   * the device's `lost` settles (ONNX Runtime: "Failed to download data from buffer … unmapped"):
   * such a failure waits up to DEVICE_LOSS_GRACE_MS for it, to be told as the loss it was.
   */
  private async explainFailure(error: ZStreamError): Promise<ZStreamError> {
    if (!this.deviceLoss) return error;
    let stopWaiting = () => {};
    const grace = new Promise<undefined>((resolve) => {
      const timer = setTimeout(resolve, DEVICE_LOSS_GRACE_MS, undefined);
      stopWaiting = () => clearTimeout(timer);
    });
    const message = await Promise.race([this.deviceLoss, grace]);
    stopWaiting();
    return message === undefined ? error : deviceLost(message);
  }
}

/** The model file ONNX Runtime compiles last, and the file loaded last (files load in parallel). */
type LoadingFiles = { compiling?: string; last?: string };

/**
 * Load errors say which file failed when their message does not: ONNX Runtime's session errors
 * ("Can't create a session … protobuf parsing failed") concern the model file being compiled.
 */
function namingFile(error: ZStreamError, files: LoadingFiles): ZStreamError {
  const file = /create a session|protobuf|onnx/i.test(error.message) ? files.compiling ?? files.last : files.last;
  if (!file || error.message.includes(file)) return error;
  return new ZStreamError(error.code, `${error.message} (while loading ${file})`, { param: error.param, cause: error });
}
