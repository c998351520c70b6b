// The two clocks of a running request (FlowOptions.stallTimeoutMs and idleTimeoutMs): the stall clock
// runs while its reader waits for an event (the worker makes no progress), the idle clock while the
// reader does not ask (nobody reads). Each ends the request with `request_timeout`.
import { ZStreamError } from '../shared/errors.js';

export interface ClockLimits {
  stallTimeoutMs?: number | undefined;
  /** 0 or undefined: no limit. */
  idleTimeoutMs?: number | undefined;
}

export class ReaderClocks {
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * When the reader last stopped asking (performance.now()); undefined while it asks. The idle timer
   * is not cleared and set again at every event (two timer calls per token on the page): once armed
   * it stays, and when it fires it looks at how long the reader has really been idle.
   */
  private idleSince: number | undefined;

  constructor(
    private readonly limits: ClockLimits,
    private readonly onStall: (error: ZStreamError) => void,
    private readonly onIdle: (error: ZStreamError) => void,
  ) {}

  /** The reader waits for an event: the idle clock stops, the stall clock runs (unless it does already). */
  readerWaits(): void {
    this.idleSince = undefined;
    const ms = this.limits.stallTimeoutMs;
    if (ms === undefined || this.stallTimer !== undefined) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.onStall(new ZStreamError('request_timeout', `The generation made no progress for ${ms} ms (stallTimeoutMs) and was stopped.`));
    }, ms);
  }

  /** The reader has its event and does not ask yet: the idle clock runs (unless it does already). */
  readerIdle(): void {
    const ms = this.limits.idleTimeoutMs;
    if (!ms || this.idleSince !== undefined) return;
    this.idleSince = performance.now();
    if (this.idleTimer === undefined) this.armIdle(ms, ms);
  }

  /** The wait for an event is over. */
  stopStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  stop(): void {
    this.stopStall();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.idleSince = undefined;
  }

  private armIdle(ms: number, delay: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.idleSince === undefined) return; // asking again; the next idle period arms it anew
      const left = this.idleSince + ms - performance.now();
      if (left > 0) return this.armIdle(ms, left);
      this.onIdle(new ZStreamError('request_timeout', `Nobody read this request's stream for ${ms} ms (idleTimeoutMs), so it was stopped.`));
    }, delay);
  }
}
