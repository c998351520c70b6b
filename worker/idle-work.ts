// Work the model does while nobody waits for it: a backend's guess at what the next request will
// need (the next turn of a chat, prefilled into the prefix cache: docs/performance.md). Requests
// always come first: the work starts only after the model has been idle for IDLE_DELAY_MS, runs
// in steps that take the scheduler's turn like any decode step, and stops at its next step once a
// request asked for a place since it started. So a request that arrives meanwhile waits for one step
// of it at most, and finds in the cache what the steps before had done; the work goes on once the
// model is idle again (after the delay, counted anew).

/** What idle work sees of the scheduler. */
export interface IdleSlot {
  /** False once a request asked for a place since the work started (even if it went), or the model unloads: the work returns. */
  stillIdle(): boolean;
  /** Runs one step of the work, never at once with a decode step (the scheduler's turn). */
  step<T>(run: () => Promise<T>): Promise<T>;
}

/** Runs again from the start after a request stopped it: it must find what its earlier steps did and go on. */
export type IdleWork = (slot: IdleSlot) => Promise<void>;

/**
 * How long the model must have been idle before idle work starts: a client that sends its next
 * request at once (an agent's loop, a benchmark) never waits behind a step of it; a person reading
 * the answer and typing the next question leaves seconds.
 */
export const IDLE_DELAY_MS = 200;

/** Pieces of work kept while requests run; the newest go first, the oldest are dropped. */
export const MAX_IDLE_WORK = 4;

export interface IdleWorkOptions {
  isIdle(): boolean;
  /** Default IDLE_DELAY_MS. */
  delayMs?: number | undefined;
  step<T>(run: () => Promise<T>): Promise<T>;
  /** A piece of work failed (not its slot's fault): the model's failure, for the worker to report. */
  onFailure(error: unknown): void;
}

export class IdleWorkQueue {
  /** Oldest first. */
  private readonly pending: IdleWork[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Requests that asked for a place so far: work that saw another count stops. */
  private arrivals = 0;
  private readonly whenDone: Array<() => void> = [];

  constructor(private readonly options: IdleWorkOptions) {}

  /** Pieces waiting or running. */
  get size(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  add(work: IdleWork): void {
    if (this.stopped) return;
    this.keep(work);
    this.wake();
  }

  /** A request asks for a place: the work that runs returns at its next step. */
  arrived(): void {
    this.arrivals++;
  }

  /**
   * The model may have become idle (a request let go of its place): work starts after IDLE_DELAY_MS
   * if it is idle then: each request that goes starts the delay again.
   */
  wake(): void {
    if (this.running || this.pending.length === 0 || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.options.isIdle()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.options.isIdle()) this.running = this.run();
    }, this.options.delayMs ?? IDLE_DELAY_MS);
  }

  /** Resolves once nothing is pending or running (tests and the bench wait on it; it may never come while requests keep arriving). */
  done(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenDone.push(resolve));
  }

  /** The model unloads: drops what is pending and resolves once what runs has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.length = 0;
    await this.running;
    this.settle();
  }

  private keep(work: IdleWork): void {
    this.pending.push(work);
    if (this.pending.length > MAX_IDLE_WORK) this.pending.shift();
  }

  private async run(): Promise<void> {
    const seen = this.arrivals;
    const slot: IdleSlot = {
      stillIdle: () => !this.stopped && this.arrivals === seen && this.options.isIdle(),
      step: (run) => this.options.step(run),
    };
    try {
      for (let work = this.pending.pop(); work; work = slot.stillIdle() ? this.pending.pop() : undefined) {
        try {
          await work(slot);
        } catch (error) {
          this.options.onFailure(error);
          continue;
        }
        // Stopped early for a request: it goes on later, after anything newer (pieces are idempotent).
        if (!slot.stillIdle() && !this.stopped) this.keep(work);
      }
    } finally {
      this.running = undefined;
      this.settle();
      this.wake();
    }
  }

  private settle(): void {
    if (this.size > 0) return;
    for (const resolve of this.whenDone.splice(0)) resolve();
  }
}
