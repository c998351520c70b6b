// One request on the main thread: the stream its caller reads, fed by whichever worker runs it.
//
// One owner: the job holds the request's only AbortController. Whatever ends the request — its
// reader reaching the end or cancelling, the caller's signal, the idle-reader and stall limits, a
// failure of its worker, the engine's disposal, or its stream becoming unreachable — aborts that
// controller, and one handler (`over`) then does every cleanup: the worker's stream is cancelled
// (which stops generation within one decode step and frees the KV cache, worker/generation.ts),
// timers stop, the caller's abort listener goes (it was added with the job's signal), and the queue
// forgets the job.
//
// A request outlives its worker: one that has not started when the worker dies is handed to the
// next worker (detach, then attach again), and so is one that started but had nothing read yet when
// its worker is replaced for another request's stall. One that has started otherwise still gets the
// events its worker already sent, then the worker's error (only if it had not finished).
import { ZStreamError, abortReason, endedEarly } from '../shared/errors.js';
import type { GenerateRequest, StreamBatch, StreamEvent } from '../shared/protocol.js';
import { FirstBatch } from './first-batch.js';
import { ReaderClocks } from './reader-clocks.js';
import type { Connection } from './worker-connection.js';

export interface JobLimits {
  signal?: AbortSignal | undefined;
  /** See FlowOptions.stallTimeoutMs. */
  stallTimeoutMs?: number | undefined;
  /** See FlowOptions.idleTimeoutMs; 0: no limit. */
  idleTimeoutMs?: number | undefined;
}

export interface JobHooks {
  /** Called once, when the job is over (ended, cancelled, aborted or failed): the queue forgets it. */
  onEnd(job: RequestJob): void;
  /** The stall timeout failed the job: its worker should let go of it soon. */
  onStall(job: RequestJob): void;
}

/**
 * waiting: not started by a worker yet (queued there, or between workers);
 * running: its worker generates for it; released: its worker let go of it (generation ended),
 * events may still be on their way; over: nothing more happens (an error event may wait for the reader).
 */
export type JobState = 'waiting' | 'running' | 'released' | 'over';

/** Why a job ended without a failure to report: the reader read the end, or cancelled. */
const FINISHED = Symbol('finished');
const CANCELLED = Symbol('cancelled');

/** Backstop: a request whose stream nobody can read any more is cancelled (issue #12 §1). */
const unreachable = new FinalizationRegistry<RequestJob>((job) =>
  job.fail(new ZStreamError('request_timeout', 'The stream of this request was dropped unread, so the request was cancelled.')),
);

export class RequestJob {
  private readonly controller = new AbortController();
  private state_: JobState = 'waiting';
  private connection_: Connection | undefined;
  /**
   * The worker it was last handed to, from before that worker's reply (its news can come first) until
   * it is handed over again: news from any other worker (WorkerListener) is stale.
   */
  private handedTo_: Connection | undefined;
  private attempts_ = 0;
  private source: ReadableStreamDefaultReader<StreamBatch> | undefined;
  /** The rest of the last batch read from the source: the source is read again only once it is empty. */
  private unread: StreamEvent[] = [];
  private readonly first = new FirstBatch();
  /** The error event the reader gets after `unread`. */
  private failure: ZStreamError | undefined;
  /** An event was handed to the reader: another worker could not take the request over unnoticed. */
  private delivered = false;
  /** The reader waits for an event (a pull is pending). */
  private reading = false;
  /** Ends a wait for a source (see `changed`). */
  private wake: () => void = () => {};
  private readonly clocks: ReaderClocks;
  /** Weak, so that the job (held by the queue) never keeps its stream reachable. */
  private streamController: WeakRef<ReadableStreamDefaultController<StreamEvent>> | undefined;

  private readonly limits: Omit<JobLimits, 'signal'>;
  private unlisten: () => void = () => {};

  constructor(
    readonly id: number,
    readonly request: GenerateRequest,
    limits: JobLimits,
    private readonly hooks: JobHooks,
  ) {
    const { signal: caller, ...own } = limits;
    // The job keeps no strong reference to the caller's signal: whatever listens to that signal (a
    // fetch body's abort handler) must not keep the stream reachable, or the FinalizationRegistry
    // backstop could never fire. The listener goes when the job is over, on every path.
    this.limits = own;
    this.clocks = new ReaderClocks(
      own,
      (error) => {
        this.fail(error);
        this.hooks.onStall(this);
      },
      (error) => this.fail(error),
    );
    if (caller) {
      const callerRef = new WeakRef(caller);
      const onAbort = () => this.controller.abort(abortReason(callerRef.deref() ?? this.signal)); // it is alive while it fires
      caller.addEventListener('abort', onAbort, { once: true });
      this.unlisten = () => callerRef.deref()?.removeEventListener('abort', onAbort);
    }
    this.signal.addEventListener('abort', () => this.over(), { once: true });
  }

  /** Aborts when the job is over, whatever ended it; its reason says why. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get state(): JobState {
    return this.state_;
  }

  /** The worker it is attached to, while it is. */
  get connection(): Connection | undefined {
    return this.connection_;
  }

  /** How many workers it was handed to. */
  get attempts(): number {
    return this.attempts_;
  }

  get stallTimeoutMs(): number | undefined {
    return this.limits.stallTimeoutMs;
  }

  /**
   * The stream the caller reads (call once). highWaterMark 0: nothing is read from the worker before
   * the caller asks (the run-ahead contract, src/shared/protocol.ts).
   */
  readable(): ReadableStream<StreamEvent> {
    const source: UnderlyingDefaultSource<StreamEvent> = {
      start: (controller) => {
        this.streamController = new WeakRef(controller);
      },
      pull: (controller) => this.pull(controller),
      cancel: () => this.controller.abort(CANCELLED),
    };
    const stream = new ReadableStream<StreamEvent>(source, new CountQueuingStrategy({ highWaterMark: 0 }));
    // The backstop watches the underlying source, which the stream holds for as long as it lives, not
    // the stream object: Chromium drops an unmodified JavaScript wrapper of a stream in a minor GC
    // (and makes a new one when asked) while the stream itself lives on, held by its reader; a
    // caller who kept only `getReader()` would then lose a request it still reads.
    if (!this.signal.aborted) unreachable.register(source, this, this);
    return stream;
  }

  /** A worker takes it over (its dispatch is the attempt counted here). */
  countAttempt(connection: Connection): number {
    this.handedTo_ = connection;
    return ++this.attempts_;
  }

  /**
   * The worker it was handed to retired or died before its stream was attached (or, through
   * workerEnding, with nothing read): it waits for the next one as if it had never been handed over. That worker's news of it (started, released, a first
   * batch) is forgotten, so its clocks do not run and it counts as queued again.
   */
  handBack(): void {
    if (this.state_ === 'over') return;
    this.handedTo_ = undefined;
    this.state_ = 'waiting';
    this.clocks.stop();
    this.first.reset();
  }

  /** Whether `connection`'s news (started, released, first) is about this job: a worker it was taken from may still send some. */
  isHandedTo(connection: Connection): boolean {
    return this.handedTo_ === connection;
  }

  /** Feeds the job from a worker's stream of batches for it; with `firstApart`, its first batch comes through receiveFirst. */
  attach(connection: Connection, stream: ReadableStream<StreamBatch>, firstApart = false): void {
    if (this.signal.aborted) {
      void stream.cancel();
      return;
    }
    this.connection_ = connection;
    this.source = stream.getReader();
    this.unread.push(...(this.first.attached(connection, firstApart) ?? []));
    this.wake();
  }

  /** The first batch of its stream, sent apart by `connection` (WorkerListener.first). */
  receiveFirst(connection: Connection, batch: StreamBatch): void {
    if (this.signal.aborted) return;
    const first = this.first.received(connection, batch, this.source !== undefined);
    if (!first) return;
    this.unread.push(...first);
    this.wake();
  }

  markStarted(): void {
    if (this.state_ !== 'waiting') return;
    this.state_ = 'running';
    this.armTimers();
  }

  /** Its worker let go of it: the model is free, whatever is left is on its way. */
  markReleased(): void {
    if (this.state_ === 'over') return;
    this.state_ = 'released';
  }

  /**
   * Its worker takes no more work. 'handover': the job goes to the next worker (it had not started,
   * or it had and `startedMayMove`; nothing reached its reader; attempts are left). 'draining': its
   * worker had finished it and still lives (retired): the rest of its stream comes from there.
   * 'failed': it ends with `reason`, after the events already on this thread.
   */
  workerEnding(reason: ZStreamError, maxAttempts: number, startedMayMove = false): 'handover' | 'draining' | 'failed' {
    // Started there and maybe finished (released), its stream dies with the worker: it may start over.
    const movable = this.state_ === 'waiting' || (startedMayMove && (this.state_ === 'running' || this.state_ === 'released'));
    if (movable && !this.delivered && this.attempts_ < maxAttempts) {
      // Started there: it waits again, and its clocks with it (the next worker may still be loading).
      this.handBack(); // first: cancelling its stream there may bring news of it
      this.dropSource();
      this.unread = [];
      this.connection_ = undefined;
      this.wake();
      return 'handover';
    }
    if (this.state_ === 'released' && this.source && this.connection_?.alive) return 'draining';
    this.fail(reason);
    return 'failed';
  }

  /** Ends the job with an error event (the reader sees it after the events already here) and stops its generation. */
  fail(error: ZStreamError): void {
    if (this.signal.aborted) return;
    this.failure = error;
    this.controller.abort(error);
  }

  /** Ends the job for good, with nothing more for its reader. */
  cancel(): void {
    this.controller.abort(CANCELLED);
  }

  /** The one cleanup, whatever ended the job. */
  private over(): void {
    this.state_ = 'over';
    this.unlisten();
    this.clocks.stop();
    this.dropSource();
    unreachable.unregister(this);
    const reason: unknown = this.signal.reason;
    // The caller's abort errors the stream at once, as a real fetch body errors.
    if (reason !== FINISHED && reason !== CANCELLED && !(reason instanceof ZStreamError)) this.streamController?.deref()?.error(reason);
    this.wake();
    this.hooks.onEnd(this);
  }

  private async pull(controller: ReadableStreamDefaultController<StreamEvent>): Promise<void> {
    const event = await this.next();
    if (!event) {
      const reason: unknown = this.signal.reason;
      if (reason === FINISHED || reason === CANCELLED) return; // the stream is closed or cancelled already
      return controller.error(reason); // a no-op when errored at the abort already
    }
    this.delivered = true;
    this.markStarted();
    controller.enqueue(event);
    if (event.type === 'delta') return this.armTimers();
    controller.close();
    this.controller.abort(FINISHED); // a no-op after a failure: the error event was its last word
  }

  private async next(): Promise<StreamEvent | undefined> {
    this.reading = true;
    this.armTimers();
    try {
      for (;;) {
        const buffered = this.unread.shift();
        if (buffered) return buffered;
        const { failure } = this;
        if (failure) {
          this.failure = undefined;
          return { type: 'error', error: failure.serialize() };
        }
        if (this.signal.aborted) return undefined;
        const source = this.source;
        if (!source || this.first.awaited) {
          await this.changed(); // no worker yet, or its first batch is on its way
          continue;
        }
        // Whatever ends the job or moves it (fail, detach, cancel) cancels this source, which ends this read.
        let result: ReadableStreamReadResult<StreamBatch> | undefined;
        let error: unknown;
        try {
          result = await source.read();
        } catch (thrown) {
          error = thrown;
        }
        if (this.source !== source) continue;
        if (result && !result.done) {
          this.unread = result.value;
          continue;
        }
        // The worker's stream ended or broke before its last event. If the worker died, the queue
        // decides (hand over or fail); otherwise the failure is the request's.
        if (!(await this.workerLost())) this.fail(error === undefined ? endedEarly() : ZStreamError.from(error));
        else if (this.source === source) await this.changed();
      }
    } finally {
      this.reading = false;
      this.clocks.stopStall();
    }
  }

  /** Resolves at the next attach, detach or end. */
  private changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The worker's lock may report its death a moment after its streams closed: ask what it cannot answer. */
  private async workerLost(): Promise<boolean> {
    const connection = this.connection_;
    if (!connection?.alive) return true;
    try {
      await connection.call((remote) => remote.stats());
      return false;
    } catch {
      return !connection.alive;
    }
  }

  /** Cancelling the worker's stream stops its generation (a transferred stream's cancel posts one message). */
  private dropSource(): void {
    const source = this.source;
    this.source = undefined;
    this.first.reset();
    void source?.cancel().catch(() => undefined); // a dead worker's stream has nothing left to cancel
  }

  /** The reader's clocks (reader-clocks.ts) run only once the request runs. */
  private armTimers(): void {
    if (this.state_ === 'waiting' || this.state_ === 'over') return;
    if (this.reading) this.clocks.readerWaits();
    else this.clocks.readerIdle();
  }
}
