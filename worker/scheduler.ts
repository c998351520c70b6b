// One model, one generation at a time: requests wait in FIFO order. The queue is bounded;
// past the bound a request is refused at once with OpenAI's 429.
import { ZStreamError } from '../src/errors.js';

export interface Ticket {
  /** Resolves when this request may use the model; rejects if released while still waiting. */
  readonly ready: Promise<void>;
  /** Gives the model to the next request, or leaves the queue if still waiting. Idempotent. */
  release(): void;
}

export class Scheduler {
  private running = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly maxQueued: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  reserve(): Ticket {
    if (this.running && this.waiting.length >= this.maxQueued) {
      throw new ZStreamError(
        'rate_limit_exceeded',
        `The local model is busy: ${this.waiting.length} requests are already queued. Retry when one finishes.`,
      );
    }
    let state: 'waiting' | 'running' | 'released' = 'waiting';
    let start!: () => void;
    let leave!: (reason: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      start = resolve;
      leave = reject;
    });
    ready.catch(() => {}); // a request that leaves the queue may never await its turn
    const grant = () => {
      state = 'running';
      this.running = true;
      start();
    };
    if (this.running) this.waiting.push(grant);
    else grant();
    return {
      ready,
      release: () => {
        if (state === 'released') return;
        if (state === 'waiting') {
          this.waiting.splice(this.waiting.indexOf(grant), 1);
          leave(new Error('left the queue'));
        } else {
          this.running = false;
          this.waiting.shift()?.();
        }
        state = 'released';
      },
    };
  }
}
