// The engine's requests on the main thread, and the worker that runs them. Requests reach the
// worker in FIFO order (its scheduler decides which run); the bound is kept here, where a 429 can
// say when to retry. When the worker dies, loses its GPU device or stays stuck, requests that had not
// started are handed in order to a new worker, which loads the model by itself; started ones get
// what the worker sent, then an error event unless the worker had finished them.
import { ZStreamError, abortReason } from '../shared/errors.js';
import { checkRequestLimits, type FlowSettings } from './flow-settings.js';
import { checkedRequest } from './request-check.js';
import type { GenerateHandle, GenerateRequest, ModelInfo, StreamBatch, StreamEvent, WorkerStats } from '../shared/protocol.js';
import { RequestJob, type JobHooks, type JobLimits } from './request-job.js';
import { supportsReadableStreamTransfer } from './supports.js';
import type { Connection, ConnectionEvents } from './worker-connection.js';

/** A request goes to this many workers at most: a request that crashes every worker fails, once. */
const MAX_ATTEMPTS = 3;
/** The openai SDK honours a retry-after under 60 s only (and otherwise backs off by itself, for under 10 s). */
const MAX_RETRY_AFTER_S = 59;
/** A retired worker is terminated once its finished streams are read, or after this long. */
const DRAIN_LIMIT_MS = 10_000;

export interface EngineStats {
  /** Requests holding a place in the worker (0 up to maxRunning, interleaved), and requests waiting for one. */
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

/** A request a worker started and has not let go of. */
interface Run {
  connection: Connection;
  startedAt: number;
  /** Set once the request stalled: replaces the worker if it does not let go in time. */
  stuck?: ReturnType<typeof setTimeout>;
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
  /**
   * Requests a worker has started and not let go of yet, by id: that worker, when it started them
   * (for `retry-after`), and for a stalled one the timer that replaces the worker if it never lets go.
   */
  private readonly runs = new Map<number, Run>();
  /** For `retry-after`: the mean time a request holds the model. */
  private meanRunMs = 1000;
  private measuredRuns = 0;
  /** When refused requests were told to come back (retry-after), soonest first. */
  private readonly booked: number[] = [];
  /**
   * The reasons given to workers replaced because a stalled request was not let go of in time. Such a
   * worker was slow or stuck on that request: another it had started (with a worker of several
   * requests, or inside the grace) but nothing of which was read moves to the next worker.
   */
  private readonly stallReplacements = new WeakSet<ZStreamError>();

  /**
   * One object for every job, made here: hooks made inside submitAll would hold its scope, and with
   * it the caller's signal, whose listeners hold the caller's stream (no FinalizationRegistry backstop then).
   */
  private readonly jobHooks: JobHooks = {
    onEnd: (job) => this.jobs.delete(job.id),
    onStall: (job) => this.watchStalled(job),
  };

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
    const [stream] = await this.submitAll([request], limits);
    return stream!;
  }

  /**
   * Queues several generations as one unit of work (a request's choices): counted as
   * `requests.length` against `maxQueued`, admitted or refused together, and in the worker's queue
   * one after the other. Resolves once a worker accepted all; if one is refused, none runs.
   */
  async submitAll(unchecked: GenerateRequest[], limits: JobLimits): Promise<Array<ReadableStream<StreamEvent>>> {
    if (this.isDisposed) throw disposed();
    if (limits.signal?.aborted) throw abortReason(limits.signal);
    checkRequestLimits(limits);
    const requests = unchecked.map(checkedRequest);
    const waiting = this.waiting();
    // A unit larger than the bound runs when nothing waits, rather than never.
    if (waiting > 0 && waiting + requests.length > this.settings.maxQueued) {
      throw new ZStreamError(
        'rate_limit_exceeded',
        `The local model is busy: ${waiting} requests are already waiting for it. Retry when one finishes.`,
        { retryAfter: this.retryAfter(waiting, requests.length) },
      );
    }
    const jobLimits: JobLimits = {
      signal: limits.signal,
      stallTimeoutMs: limits.stallTimeoutMs ?? this.settings.stallTimeoutMs,
      idleTimeoutMs: limits.idleTimeoutMs ?? this.settings.idleTimeoutMs,
    };
    const jobs = requests.map((request) => {
      const job = new RequestJob(this.nextId++, request, jobLimits, this.jobHooks);
      this.jobs.set(job.id, job);
      return job;
    });
    try {
      await Promise.all(jobs.map((job) => this.dispatch(job)));
    } catch (error) {
      for (const job of jobs) job.cancel(); // out of the queue, its signal no longer watched
      throw error;
    }
    return jobs.map((job) => job.readable());
  }

  /**
   * Seconds until a refused unit of `size` would find room: the requests that must start first
   * (those over the bound, and those refused earlier that will come back before it) at the rate
   * requests have been finishing. Each refusal books its return, so a crowd of refused clients
   * (the openai SDK waits `retry-after`, then retries twice) comes back spread out, not all at once.
   */
  private retryAfter(waiting: number, size: number): number {
    const now = performance.now();
    while (this.booked.length && this.booked[0]! <= now) this.booked.shift();
    const mustStart = waiting + size - this.settings.maxQueued + this.booked.length;
    const running = Math.max(1, this.runs.size);
    const ms = (1.25 * mustStart * this.meanRunMs) / running;
    const seconds = Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(ms / 1000)));
    const back = now + seconds * 1000;
    for (let i = 0; i < size; i++) this.booked.push(back);
    this.booked.sort((a, b) => a - b);
    return seconds;
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

  dispose(): void {
    this.isDisposed = true;
    this.connection?.terminate(disposed());
    for (const job of this.jobs.values()) job.fail(disposed());
  }

  /** Requests not yet running, in this thread's view. */
  private waiting(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.state === 'waiting') count++;
    return count;
  }

  private ready(): Promise<Connection> {
    if (this.connection?.alive) return Promise.resolve(this.connection);
    if (this.isDisposed) return Promise.reject(disposed());
    return (this.connecting ??= this.connect());
  }

  private async connect(): Promise<Connection> {
    try {
      let opened: Connection | undefined; // its calls come after the load: by then it is set
      const connection = await this.open({
        started: (id) => opened && this.onStarted(opened, id),
        released: (id) => opened && this.onReleased(opened, id),
        first: (id, batch) => opened && this.jobHandedTo(opened, id)?.receiveFirst(opened, batch),
      });
      opened = connection;
      if (this.isDisposed) {
        connection.terminate(disposed());
        throw disposed();
      }
      this.connection = connection;
      this.info = connection.info;
      void connection.ending.then((reason) => this.onWorkerEnding(connection, reason));
      void connection.ended.then((reason) => this.onWorkerGone(connection, reason));
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
      if (job.signal.aborted) return;
      job.countAttempt(connection);
      try {
        const handle = await connection.call<GenerateHandle>((remote) => remote.generate(job.request, options));
        const stream = handle.kind === 'stream' ? handle.stream : this.pullStream(connection, handle.id);
        if (this.connection !== connection && job.attempts < MAX_ATTEMPTS) {
          void stream.cancel().catch(() => undefined); // the worker retired meanwhile: the next one runs it
          job.handBack();
          continue;
        }
        job.attach(connection, stream, handle.kind === 'stream' && handle.firstApart === true);
        return;
      } catch (error) {
        // A worker that died during the call never handed its stream over: the next one runs it.
        if (connection.alive || job.attempts >= MAX_ATTEMPTS) throw error;
        job.handBack();
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

  /**
   * A worker's news is about a request only while the request is handed to it: a worker it was taken
   * from (retired, or dead with messages still on their way) may still say it started or let go of it.
   */
  private jobHandedTo(connection: Connection, id: number): RequestJob | undefined {
    const job = this.jobs.get(id);
    return job?.isHandedTo(connection) ? job : undefined;
  }

  private onStarted(connection: Connection, id: number): void {
    const job = this.jobHandedTo(connection, id);
    if (!job) return;
    this.runs.set(id, { connection, startedAt: performance.now() });
    job.markStarted();
  }

  /** Also for a request already over (its stall ends here): only the worker that started it can end its run. */
  private onReleased(connection: Connection, id: number): void {
    const run = this.runs.get(id);
    if (run?.connection === connection) {
      clearTimeout(run.stuck);
      this.runs.delete(id);
      const ms = performance.now() - run.startedAt;
      this.meanRunMs = this.measuredRuns++ === 0 ? ms : 0.8 * this.meanRunMs + 0.2 * ms; // the first run replaces the guess
    }
    this.jobHandedTo(connection, id)?.markReleased();
  }

  /** A stalled job's worker gets as long again to let go of it; a worker that does not is stuck. */
  private watchStalled(job: RequestJob): void {
    const run = this.runs.get(job.id);
    const ms = job.stallTimeoutMs;
    if (!run || run.connection !== job.connection || ms === undefined) return;
    const stuck = new ZStreamError('worker_crashed', `The worker did not stop a stalled generation within ${ms} ms, so it was replaced.`);
    this.stallReplacements.add(stuck);
    run.stuck = setTimeout(() => run.connection.terminate(stuck), ms);
  }

  /** The worker takes no more work: it is gone, or retired and gone once what it finished is read. */
  private onWorkerEnding(connection: Connection, reason: ZStreamError): void {
    if (this.connection === connection) this.connection = undefined;
    for (const [id, run] of this.runs) {
      if (run.connection !== connection) continue;
      clearTimeout(run.stuck);
      this.runs.delete(id);
    }
    if (this.isDisposed) return;
    this.restarts++;
    // Only what this worker had not finished fails; what it sent still reaches the readers first.
    const draining: RequestJob[] = [];
    for (const job of this.jobs.values()) {
      if (job.connection !== connection) continue;
      const next = job.workerEnding(reason, MAX_ATTEMPTS, this.stallReplacements.has(reason));
      if (next === 'handover') this.dispatch(job).catch((error: unknown) => job.fail(ZStreamError.from(error, 'model_load_failed')));
      else if (next === 'draining') draining.push(job);
    }
    // A retired worker lives until its finished streams are read (bounded: a reader may never come back).
    const drained = Promise.all(draining.map((job) => new Promise((resolve) => job.signal.addEventListener('abort', resolve, { once: true }))));
    const limit = new Promise((resolve) => setTimeout(resolve, DRAIN_LIMIT_MS));
    void Promise.race([drained, limit]).then(() => connection.terminate(reason));
    // Load the model again now, so that the next request finds it ready. A failure here reaches
    // every request that needs the model (503), and the next request tries again.
    this.ready().catch(() => undefined);
  }

  /** The worker is gone: its streams deliver nothing more (a transferred stream of a terminated worker never ends). */
  private onWorkerGone(connection: Connection, reason: ZStreamError): void {
    for (const job of this.jobs.values()) if (job.connection === connection) job.fail(reason);
  }
}
