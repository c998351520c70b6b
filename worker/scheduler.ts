// How requests share the one loaded model (docs/scheduling.md).
//
// Admission: at most `maxRunning` requests hold a KV cache at once; the others wait in FIFO order.
// The bound on waiting requests lives on the main thread (src/engine/request-queue.ts), which also
// knows the requests a new worker must take over.
//
// Decode steps: the running requests take turns, one step at a time, never two at once on the
// device (transformers.js chains every inference of a session; WebGPU runs one queue). A turn goes
// to the request that asked first; a request whose reader keeps up asks again right after its step
// and so lines up behind the others: round-robin. A request whose reader pauses stops asking (its
// run-ahead is full, worker/batched-stream.ts), takes no turn and holds up no one.
//
// Idle work: a backend's guess at what the next request will need runs while no request holds or
// waits for a place, one scheduler turn per step (worker/idle-work.ts).
//
// Preemption: where requests cannot interleave (a backend with one conversation, `maxRunning` 1)
// a paused reader would hold the model for everyone. With `preemptIdleMs` set, a running request
// whose reader has asked for nothing for that long is preempted while another request waits.

import { IdleWorkQueue, type IdleWork } from './idle-work.js';

export interface SchedulerOptions {
  /** Requests holding a KV cache at once (≥ 1). Default DEFAULT_MAX_RUNNING. */
  maxRunning?: number;
  /** Preempt a running request whose reader has been idle this long while another waits (ms). Default: never. */
  preemptIdleMs?: number | undefined;
  /** How long the model must have been idle before idle work starts (ms). Default IDLE_DELAY_MS. */
  idleDelayMs?: number;
  /** Idle work failed (a forward pass of it): the model's failure. Default: logged. */
  onIdleFailure?: (error: unknown) => void;
}

/** Requests holding a KV cache at once, by default: each cache is small next to the weights. */
export const DEFAULT_MAX_RUNNING = 4;

/**
 * How long a reader may ask for nothing while others wait, where requests cannot interleave (a
 * backend with `maxConcurrent: 1`, i.e. WebLLM): long enough for an app that renders or speaks
 * each piece before asking for the next, short enough that a forgotten stream costs seconds.
 */
export const DEFAULT_PREEMPT_IDLE_MS = 2000;

/**
 * The scheduler for a backend: the app's settings (LoadOptions.scheduling), capped by the requests the
 * backend can hold at once; where requests cannot interleave, an idle reader is preempted by default.
 */
export function schedulerOptions(settings: SchedulerOptions = {}, maxConcurrent = Infinity): SchedulerOptions {
  const maxRunning = Math.min(settings.maxRunning ?? DEFAULT_MAX_RUNNING, maxConcurrent);
  const preemptIdleMs = settings.preemptIdleMs ?? (maxConcurrent === 1 ? DEFAULT_PREEMPT_IDLE_MS : undefined);
  return { maxRunning, preemptIdleMs };
}

export interface Ticket {
  /** Resolves when this request may hold a KV cache; rejects if released while still waiting. */
  readonly ready: Promise<void>;
  /** Runs one decode step once no other request's step runs, after the requests that asked before. */
  step<T>(run: () => Promise<T>): Promise<T>;
  /** Whether the reader has everything it asked for (idle) or waits for more: only idle requests are preempted. */
  setIdle(idle: boolean): void;
  /** Frees the place for the next waiting request, or leaves the queue if still waiting. Idempotent. */
  release(): void;
}

interface Holder {
  state: 'waiting' | 'running' | 'released';
  admit(): void;
  refuse(reason: Error): void;
  /** Ends the request (its ticket is released soon after); absent once called. */
  onPreempt: (() => void) | undefined;
  /** When its reader stopped asking (performance.now()); undefined while it asks or waits for a place. */
  idleSince: number | undefined;
  /** Whether its reader waits for an event, also while the request waits for a place. */
  asking: boolean;
  /** Preempted, its place not yet given back: it already makes room for one waiting request. */
  preempted: boolean;
}

export class Scheduler {
  readonly maxRunning: number;
  readonly preemptIdleMs: number | undefined;
  private readonly holders = new Set<Holder>();
  private readonly waiting: Holder[] = [];
  /** Requests waiting for their decode step, in the order they asked. */
  private readonly turns: Array<() => void> = [];
  private stepping = false;
  private preemptTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly idleWork: IdleWorkQueue;

  constructor(options: SchedulerOptions = {}) {
    this.idleWork = new IdleWorkQueue({
      isIdle: () => this.holders.size === 0 && this.waiting.length === 0,
      delayMs: options.idleDelayMs,
      step: (run) => this.turn(run),
      onFailure: options.onIdleFailure ?? ((error) => console.error('zstream: idle work failed', error)),
    });
    this.maxRunning = options.maxRunning ?? DEFAULT_MAX_RUNNING;
    // setTimeout fires at once beyond 2^31 - 1 ms: a longer bound means never.
    const idle = options.preemptIdleMs;
    this.preemptIdleMs = idle !== undefined && idle < 2 ** 31 ? idle : undefined;
    if (!Number.isInteger(this.maxRunning) || this.maxRunning < 1) throw new RangeError(`maxRunning must be ≥ 1; got ${this.maxRunning}`);
  }

  /** Requests waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Requests holding a place (a KV cache, once they have run their first step). */
  get running(): number {
    return this.holders.size;
  }

  /** Runs `work` once no request holds or waits for a place (worker/idle-work.ts). */
  whenIdle(work: IdleWork): void {
    this.idleWork.add(work);
  }

  /** Resolves once no idle work is pending or running. */
  idleWorkDone(): Promise<void> {
    return this.idleWork.done();
  }

  /** The model unloads: idle work is dropped, and what runs returns at its next step. */
  stopIdleWork(): Promise<void> {
    return this.idleWork.stop();
  }

  /** Takes a place in the queue. `onPreempt` ends the request when the scheduler needs its place back. */
  reserve(onPreempt?: () => void): Ticket {
    let admit!: () => void;
    let refuse!: (reason: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      admit = resolve;
      refuse = reject;
    });
    ready.catch(() => {}); // a request that leaves the queue may never await its turn
    const holder: Holder = { state: 'waiting', admit, refuse, onPreempt, idleSince: undefined, asking: false, preempted: false };
    this.waiting.push(holder);
    this.idleWork.arrived();
    this.admitWaiting();
    return {
      ready,
      step: (run) => this.turn(run),
      setIdle: (idle) => this.setIdle(holder, idle),
      release: () => this.release(holder),
    };
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.holders.size < this.maxRunning) {
      const next = this.waiting.shift()!;
      next.state = 'running';
      // Idle from now unless its reader already waits (it asked while the request waited for a place).
      next.idleSince = next.asking ? undefined : performance.now();
      this.holders.add(next);
      next.admit();
    }
    this.schedulePreemption();
  }

  private release(holder: Holder): void {
    if (holder.state === 'released') return;
    if (holder.state === 'waiting') {
      this.waiting.splice(this.waiting.indexOf(holder), 1);
      holder.refuse(new Error('left the queue'));
    } else {
      this.holders.delete(holder);
    }
    holder.state = 'released';
    this.admitWaiting();
    this.idleWork.wake();
  }

  private async turn<T>(run: () => Promise<T>): Promise<T> {
    if (this.stepping) await new Promise<void>((resolve) => this.turns.push(resolve));
    this.stepping = true;
    try {
      return await run();
    } finally {
      // Handed straight to the next in line, so that nobody can slip in between.
      const next = this.turns.shift();
      if (next) next();
      else this.stepping = false;
    }
  }

  private setIdle(holder: Holder, idle: boolean): void {
    holder.asking = !idle;
    if (holder.state !== 'running' || idle === (holder.idleSince !== undefined)) return;
    holder.idleSince = idle ? performance.now() : undefined;
    if (this.preemptIdleMs !== undefined && this.waiting.length > 0) this.schedulePreemption();
  }

  /** Arms one timer, for the request idle the longest, while someone waits for a place. */
  private schedulePreemption(): void {
    clearTimeout(this.preemptTimer);
    this.preemptTimer = undefined;
    const limit = this.preemptIdleMs;
    // A preempted request gives its place back once it has closed: each makes room for one waiter.
    const leaving = [...this.holders].filter((holder) => holder.preempted).length;
    if (limit === undefined || this.waiting.length <= leaving) return;
    let oldest: Holder | undefined;
    for (const holder of this.holders) {
      if (holder.idleSince === undefined || !holder.onPreempt) continue;
      if (!oldest || holder.idleSince < oldest.idleSince!) oldest = holder;
    }
    if (!oldest) return;
    const victim = oldest;
    this.preemptTimer = setTimeout(() => {
      this.preemptTimer = undefined;
      const preempt = victim.onPreempt;
      victim.onPreempt = undefined;
      victim.preempted = true;
      preempt?.(); // releases its ticket (once closed), which admits the next request and looks again
      this.schedulePreemption();
    }, Math.max(0, victim.idleSince! + limit - performance.now()));
  }
}
