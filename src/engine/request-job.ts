// One request on the main thread: the stream its caller reads, fed by whichever worker runs it.
// A request outlives its worker: one that has not started when the worker dies is handed to the
// next worker (detach, then attach again); one that has started ends with an error event. Abort,
// cancel and the stall timeout end it here and cancel its worker stream, which stops generation
// within one decode step and frees the KV cache (worker/generation.ts).
import { ZStreamError, abortReason, endedEarly } from '../shared/errors.js';
import type { GenerateRequest, StreamBatch, StreamEvent } from '../shared/protocol.js';
import type { Connection } from './worker-connection.js';

export interface JobLimits {
  signal?: AbortSignal | undefined;
  /** See FlowOptions.stallTimeoutMs. */
  stallTimeoutMs?: number | undefined;
}

export interface JobHooks {
  /** Called once, when the job is over for its reader: read to the end, cancelled or aborted. */
  onEnd(job: RequestJob): void;
  /** The stall timeout failed the job: its worker should let go of it soon. */
  onStall(job: RequestJob): void;
}


export class RequestJob {
  readonly stream: ReadableStream<StreamEvent>;
  /** It got the model (the worker said so, or an event arrived). */
  started = false;
  /** An event reached the reader: another worker could not take the request over unnoticed. */
  delivered = false;
  ended = false;
  /** The worker it is attached to, while it is. */
  connection: Connection | undefined;
  /** How many workers it was handed to. */
  attempts = 0;
  /** Its worker let go of it (the queue sets this). */
  released = false;

  private source: ReadableStreamDefaultReader<StreamBatch> | undefined;
  /** The rest of the last batch read from the source: the source is read again only once it is empty. */
  private unread: StreamEvent[] = [];
  private failure: ZStreamError | undefined;
  /** Ends a wait for a source (see `changed`). */
  private wake: () => void = () => {};
  private reading = false;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private unlistenAbort: () => void = () => {};

  constructor(
    readonly id: number,
    readonly request: GenerateRequest,
    private readonly limits: JobLimits,
    private readonly hooks: JobHooks,
  ) {
    const { signal } = limits;
    // highWaterMark 0: nothing is read from the worker before the caller asks (runAhead: request-queue.ts).
    this.stream = new ReadableStream<StreamEvent>(
      {
        start: (controller) => {
          if (!signal) return;
          const onAbort = () => {
            controller.error(abortReason(signal)); // reading rejects with the AbortError, as with fetch
            this.stop();
          };
          signal.addEventListener('abort', onAbort, { once: true });
          this.unlistenAbort = () => signal.removeEventListener('abort', onAbort);
        },
        pull: (controller) => this.pull(controller),
        cancel: () => this.stop(),
      },
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
  }

  /** Feeds the job from a worker's stream of batches for it. */
  attach(connection: Connection, stream: ReadableStream<StreamBatch>): void {
    if (this.ended || this.failure) {
      void stream.cancel();
      return;
    }
    this.connection = connection;
    this.source = stream.getReader();
    this.wake();
  }

  /** Its worker died before it started: it waits, unnoticed by the reader, for the next worker. */
  detach(): void {
    this.dropSource();
    this.connection = undefined;
    this.wake();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  get stallTimeoutMs(): number | undefined {
    return this.limits.stallTimeoutMs;
  }

  markStarted(): void {
    this.started = true;
    this.armStall();
  }

  /** Ends the job with an error event (the reader sees it next) and stops its generation. */
  fail(error: ZStreamError): void {
    if (this.ended || this.failure) return;
    this.failure = error;
    this.disarmStall();
    this.dropSource();
    this.wake();
  }

  private async pull(controller: ReadableStreamDefaultController<StreamEvent>): Promise<void> {
    const event = await this.next();
    if (!event || this.ended) return; // cancelled or aborted meanwhile: the stream is over already
    this.delivered = true;
    this.started = true;
    controller.enqueue(event);
    if (event.type !== 'delta') {
      controller.close();
      this.finish();
    }
  }

  private async next(): Promise<StreamEvent | undefined> {
    this.reading = true;
    this.armStall();
    try {
      for (;;) {
        if (this.ended) return undefined;
        if (this.failure) return { type: 'error', error: this.failure.serialize() };
        const source = this.source;
        if (!source) {
          await this.changed();
          continue;
        }
        const buffered = this.unread.shift();
        if (buffered) return buffered;
        // Whatever ends the job or moves it (fail, detach, cancel) cancels this source, which ends this read.
        let result: ReadableStreamReadResult<StreamBatch> | undefined;
        let failure: unknown;
        try {
          result = await source.read();
        } catch (error) {
          failure = error;
        }
        if (this.source !== source) continue;
        if (result && !result.done) {
          this.unread = result.value;
          continue;
        }
        // The worker's stream ended or broke before its last event. If the worker died, the queue
        // decides (hand over or fail); otherwise the failure is the request's.
        if (!(await this.workerLost())) this.fail(failure === undefined ? endedEarly() : ZStreamError.from(failure));
        else if (this.source === source) await this.changed();
      }
    } finally {
      this.reading = false;
      this.disarmStall();
    }
  }

  /** Resolves at the next attach, detach, fail or end. */
  private changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The worker's lock may report its death a moment after its streams closed: ask what it cannot answer. */
  private async workerLost(): Promise<boolean> {
    const { connection } = this;
    if (!connection?.alive) return true;
    try {
      await connection.call((remote) => remote.stats());
      return false;
    } catch {
      return !connection.alive;
    }
  }

  /** Ends the job for good (its reader cancelled, its signal aborted, or it never got a worker): its generation stops. */
  stop(): void {
    if (this.ended) return;
    this.dropSource();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.disarmStall();
    this.unlistenAbort();
    this.wake();
    this.hooks.onEnd(this);
  }

  /** Cancelling the worker's stream stops its generation (a transferred stream's cancel posts one message). */
  private dropSource(): void {
    const source = this.source;
    this.source = undefined;
    this.unread = [];
    void source?.cancel();
  }

  /** The stall clock runs while the reader waits for an event of a started request. */
  private armStall(): void {
    const ms = this.limits.stallTimeoutMs;
    if (ms === undefined || !this.started || !this.reading || this.stallTimer !== undefined || this.failure) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.fail(new ZStreamError('request_timeout', `The generation made no progress for ${ms} ms (stallTimeoutMs) and was stopped.`));
      this.hooks.onStall(this);
    }, ms);
  }

  private disarmStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }
}
