// One model, one generation at a time: requests wait in FIFO order. The queue's bound lives on
// the main thread (src/request-queue.ts), which also knows the requests a new worker must take over.

export interface Ticket {
  /** Resolves when this request may use the model; rejects if released while still waiting. */
  readonly ready: Promise<void>;
  /** Gives the model to the next request, or leaves the queue if still waiting. Idempotent. */
  release(): void;
}

export class Scheduler {
  private running = false;
  private readonly waiting: Array<() => void> = [];

  get queued(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.running;
  }

  reserve(): Ticket {
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
