// The engine's requests on the main thread, and the worker that runs them. Requests queue in FIFO
// order (the worker's scheduler runs one at a time); the bound is kept here, where a 429 can say
// when to retry. When the worker dies, loses its GPU device or stays stuck, requests that had not
// started are handed in order to a new worker, which loads the model by itself; started ones end
// with an error event.
import { ZStreamError } from '../shared/errors.js';
import type { FlowSettings } from './flow-settings.js';
import type { GenerateHandle, GenerateRequest, ModelInfo, StreamBatch, StreamEvent, WorkerFault, WorkerStats } from '../shared/protocol.js';
import { RequestJob, type JobLimits } from './request-job.js';
import { supportsReadableStreamTransfer } from './supports.js';
import type { Connection, ConnectionEvents } from './worker-connection.js';

/** A request goes to this many workers at most: a request that crashes every worker fails, once. */
const MAX_ATTEMPTS = 3;

export interface EngineStats {
  /** Requests that have the model (0 or 1), and requests waiting for it. */
  running: number;
  queued: number;
  /** Decode steps the current worker ran: tokens generated, also those no reader has read yet. */
  generatedTokens: number;
  /** KV caches allocated in the current worker and not yet freed. */
  openKvCaches: number;
  /** Workers replaced after a crash, a lost GPU device or a stuck generation. */
  workerRestarts: number;
  /** With createEngine({ shared: true }): the tabs attached to the shared worker, this one included. */
  connections?: number;
}

const disposed = () => new ZStreamError('generation_failed', 'The engine was disposed.');

export class RequestQueue {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private info: ModelInfo | undefined;
  /** Jobs whose reader has not seen their end, in arrival (= FIFO) order. */
  private readonly jobs = new Map<number, RequestJob>();
  private nextId = 1;
  private restarts = 0;
  private isDisposed = false;
  /** Stalled jobs the worker has not let go of yet: id → the timer that replaces the worker. */
  private readonly stalled = new Map<number, ReturnType<typeof setTimeout>>();
  /** For `retry-after`: when running requests started, and the mean time one holds the model. */
  private readonly startedAt = new Map<number, number>();
  private meanRunMs = 1000;

  constructor(
    private readonly open: (events: ConnectionEvents) => Promise<Connection>,
    readonly settings: FlowSettings,
  ) {}

  /** Loads the first worker; rejects when the model cannot load. */
  async start(): Promise<void> {
    await this.ready();
  }

  get model(): ModelInfo {
    if (!this.info) throw new Error('the engine has not started');
    return this.info;
  }

  /** Queues a request; resolves once a worker has accepted it (so request errors reject here). */
  async submit(request: GenerateRequest, limits: JobLimits): Promise<ReadableStream<StreamEvent>> {
    if (this.isDisposed) throw disposed();
    const waiting = this.waiting();
    if (waiting >= this.settings.maxQueued) {
      throw new ZStreamError(
        'rate_limit_exceeded',
        `The local model is busy: ${waiting} requests are already waiting for it. Retry when one finishes.`,
        { retryAfter: Math.max(1, Math.ceil(this.meanRunMs / 1000)) },
      );
    }
    const job = new RequestJob(
      this.nextId++,
      request,
      { signal: limits.signal, stallTimeoutMs: limits.stallTimeoutMs ?? this.settings.stallTimeoutMs },
      { onEnd: (j) => this.jobs.delete(j.id), onStall: (j) => this.watchStalled(j) },
    );
    this.jobs.set(job.id, job);
    try {
      await this.dispatch(job);
    } catch (error) {
      job.stop(); // out of the queue, its signal no longer watched
      throw error;
    }
    return job.stream;
  }

  async stats(): Promise<EngineStats> {
    const worker = await this.workerStats();
    return {
      running: worker?.running ?? 0,
      queued: this.waiting(),
      generatedTokens: worker?.generatedTokens ?? 0,
      openKvCaches: worker?.openKvCaches ?? 0,
      workerRestarts: this.restarts,
      ...(worker?.connections !== undefined && { connections: worker.connections }),
    };
  }

  /** The current worker's counters; undefined while there is none. */
  async workerStats(): Promise<WorkerStats | undefined> {
    const connection = this.connection;
    if (!connection?.alive) return undefined;
    return connection.call((remote) => remote.stats()).catch((error: unknown) => {
      if (connection.alive) throw error;
      return undefined; // it died meanwhile: there is no current worker
    });
  }

  /** For tests (src/testing.ts): a fault in the current worker. */
  async injectFault(fault: WorkerFault): Promise<void> {
    const connection = await this.ready();
    await connection.call((remote) => remote.injectFault(fault));
  }

  dispose(): void {
    this.isDisposed = true;
    this.connection?.terminate(disposed());
    for (const job of this.jobs.values()) job.fail(disposed());
  }

  /** Requests not yet running, in this thread's view. */
  private waiting(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (!job.started && !job.failed) count++;
    return count;
  }

  private ready(): Promise<Connection> {
    if (this.connection?.alive) return Promise.resolve(this.connection);
    if (this.isDisposed) return Promise.reject(disposed());
    return (this.connecting ??= this.connect());
  }

  private async connect(): Promise<Connection> {
    try {
      const connection = await this.open({ started: (id) => this.onStarted(id), released: (id) => this.onReleased(id) });
      if (this.isDisposed) {
        connection.terminate(disposed());
        throw disposed();
      }
      this.connection = connection;
      this.info = connection.info;
      void connection.ended.then((reason) => this.onWorkerEnded(connection, reason));
      return connection;
    } finally {
      this.connecting = undefined;
    }
  }

  private async dispatch(job: RequestJob): Promise<void> {
    // runAhead, exactly: the worker counts the events in its batches until this thread has asked for
    // the next one (worker/batched-stream.ts); the job reads a batch only once it has handed out the
    // last one, and every stream on this thread has highWaterMark 0. Measured in e2e/flow.spec.ts.
    const options = { id: job.id, transfer: supportsReadableStreamTransfer(), runAhead: this.settings.runAhead };
    for (;;) {
      const connection = await this.ready();
      if (job.ended) return;
      job.attempts++;
      try {
        const handle = await connection.call<GenerateHandle>((remote) => remote.generate(job.request, options));
        job.attach(connection, handle.kind === 'stream' ? handle.stream : this.pullStream(connection, handle.id));
        return;
      } catch (error) {
        // A worker that died during the call never started the request: the next one may.
        if (connection.alive || job.attempts >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Where streams cannot be transferred: one call per event, a batch of one; runAhead events are read ahead here. */
  private pullStream(connection: Connection, id: number): ReadableStream<StreamBatch> {
    return new ReadableStream<StreamBatch>(
      {
        pull: async (controller) => {
          const event = await connection.call<StreamEvent | undefined>((remote) => remote.pull(id));
          if (event) controller.enqueue([event]);
          else controller.close();
        },
        cancel: () =>
          connection.call((remote) => remote.cancel(id)).catch((error: unknown) => {
            if (connection.alive) throw error; // a dead worker has nothing left to cancel
          }),
      },
      new CountQueuingStrategy({ highWaterMark: this.settings.runAhead }),
    );
  }

  private onStarted(id: number): void {
    this.startedAt.set(id, performance.now());
    this.jobs.get(id)?.markStarted();
  }

  private onReleased(id: number): void {
    clearTimeout(this.stalled.get(id));
    this.stalled.delete(id);
    const started = this.startedAt.get(id);
    this.startedAt.delete(id);
    if (started !== undefined) this.meanRunMs = 0.8 * this.meanRunMs + 0.2 * (performance.now() - started);
    const job = this.jobs.get(id);
    if (job) job.released = true;
  }

  /** A stalled job's worker gets as long again to let go of it; a worker that does not is stuck. */
  private watchStalled(job: RequestJob): void {
    const { connection } = job;
    const ms = job.stallTimeoutMs;
    if (!connection || job.released || ms === undefined) return;
    const stuck = new ZStreamError('worker_crashed', `The worker did not stop a stalled generation within ${ms} ms, so it was replaced.`);
    this.stalled.set(job.id, setTimeout(() => connection.terminate(stuck), ms));
  }

  private onWorkerEnded(connection: Connection, reason: ZStreamError): void {
    if (this.connection === connection) this.connection = undefined;
    for (const timer of this.stalled.values()) clearTimeout(timer);
    this.stalled.clear();
    this.startedAt.clear();
    if (this.isDisposed) return;
    this.restarts++;
    for (const job of this.jobs.values()) {
      if (job.connection !== connection) continue;
      if (job.started || job.delivered || job.attempts >= MAX_ATTEMPTS) {
        job.fail(reason);
      } else {
        job.detach();
        this.dispatch(job).catch((error: unknown) => job.fail(ZStreamError.from(error, 'model_load_failed')));
      }
    }
    // Load the model again now, so that the next request finds it ready. A failure here reaches
    // every request that needs the model (503), and the next request tries again.
    this.ready().catch(() => undefined);
  }
}
