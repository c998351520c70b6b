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

  constructor(
    private readonly limits: ClockLimits,
    private readonly onStall: (error: ZStreamError) => void,
    private readonly onIdle: (error: ZStreamError) => void,
  ) {}

  /** The reader waits for an event: the idle clock stops, the stall clock runs (unless it does already). */
  readerWaits(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
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
    if (!ms || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.onIdle(new ZStreamError('request_timeout', `Nobody read this request's stream for ${ms} ms (idleTimeoutMs), so it was stopped.`));
    }, ms);
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
  }
}
