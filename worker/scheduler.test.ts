import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_RUNNING, DEFAULT_PREEMPT_IDLE_MS, Scheduler, schedulerOptions } from './scheduler.js';

const settled = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('Scheduler: places (KV caches)', () => {
  it(`admits ${DEFAULT_MAX_RUNNING} requests by default; the next one waits, FIFO, until one leaves`, async () => {
    const s = new Scheduler();
    const order: number[] = [];
    const tickets = Array.from({ length: DEFAULT_MAX_RUNNING + 2 }, (_, n) => {
      const t = s.reserve();
      void t.ready.then(() => order.push(n));
      return t;
    });
    await settled();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(s.running).toBe(DEFAULT_MAX_RUNNING);
    expect(s.queued).toBe(2);
    tickets[2]!.release();
    await settled();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    tickets[0]!.release();
    await settled();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.queued).toBe(0);
  });

  it('with maxRunning 1, runs one at a time, in FIFO order', async () => {
    const s = new Scheduler({ maxRunning: 1 });
    const order: number[] = [];
    const tickets = [1, 2, 3].map((n) => {
      const t = s.reserve();
      void t.ready.then(() => order.push(n));
      return t;
    });
    await settled();
    expect(order).toEqual([1]);
    tickets[0]!.release();
    await settled();
    expect(order).toEqual([1, 2]);
    tickets[1]!.release();
    await settled();
    expect(order).toEqual([1, 2, 3]);
  });

  it('a request that leaves the queue is skipped and its wait rejects', async () => {
    const s = new Scheduler({ maxRunning: 1 });
    const a = s.reserve();
    const b = s.reserve();
    const c = s.reserve();
    b.release();
    await expect(b.ready).rejects.toThrow();
    a.release();
    await expect(c.ready).resolves.toBeUndefined();
    expect(s.queued).toBe(0);
  });

  it('release is idempotent', async () => {
    const s = new Scheduler({ maxRunning: 1 });
    const a = s.reserve();
    const b = s.reserve();
    a.release();
    a.release();
    await b.ready;
    const c = s.reserve();
    let started = false;
    void c.ready.then(() => (started = true));
    await settled();
    expect(started).toBe(false);
    expect(s.running).toBe(1);
  });

  it('refuses a maxRunning below 1', () => {
    expect(() => new Scheduler({ maxRunning: 0 })).toThrow('maxRunning');
  });
});

describe('Scheduler: decode steps', () => {
  /** A step that runs until `finish` is called, logging its start and end. */
  function deviceLog() {
    const log: string[] = [];
    let running = 0;
    let maxOverlap = 0;
    const step = (name: string) => async () => {
      running++;
      maxOverlap = Math.max(maxOverlap, running);
      log.push(name);
      await settled();
      running--;
      return name;
    };
    return { log, step, overlap: () => maxOverlap };
  }

  it('never runs two steps at once, and alternates between requests that keep asking (round-robin)', async () => {
    const s = new Scheduler();
    const device = deviceLog();
    const run = async (name: string, steps: number) => {
      const t = s.reserve();
      await t.ready;
      for (let i = 0; i < steps; i++) await t.step(device.step(name));
    };
    await Promise.all([run('a', 4), run('b', 4), run('c', 2)]);
    expect(device.overlap()).toBe(1);
    expect(device.log.join('')).toBe('abcabcabab');
  });

  it('a request that stops asking takes no turn and holds up no one', async () => {
    const s = new Scheduler();
    const device = deviceLog();
    const paused = s.reserve();
    await paused.ready;
    await paused.step(device.step('p'));
    const other = s.reserve();
    await other.ready;
    for (let i = 0; i < 5; i++) await other.step(device.step('o'));
    expect(device.log.join('')).toBe('pooooo');
  });

  it('a failed step passes the turn on', async () => {
    const s = new Scheduler();
    const t = s.reserve();
    await expect(t.step(() => Promise.reject(new Error('device lost')))).rejects.toThrow('device lost');
    await expect(t.step(async () => 'next')).resolves.toBe('next');
  });
});

describe('Scheduler: preemption', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('preempts the request idle the longest once another waits longer than preemptIdleMs, then admits the waiter', async () => {
    const s = new Scheduler({ maxRunning: 1, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const holder = s.reserve(() => {
      preempted.push('holder');
      holder.release();
    });
    holder.setIdle(false);
    holder.setIdle(true); // its reader has what it asked for
    vi.advanceTimersByTime(5000); // idle, but nobody waits: it keeps its place
    expect(preempted).toEqual([]);
    let admitted = false;
    const waiter = s.reserve(() => preempted.push('waiter'));
    void waiter.ready.then(() => (admitted = true));
    // Idle far longer than the bound already: it goes at once.
    vi.advanceTimersByTime(0);
    expect(preempted).toEqual(['holder']);
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toBe(true);
  });

  it('never preempts a request whose reader is asking, and counts idle time from the last ask', async () => {
    const s = new Scheduler({ maxRunning: 1, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const holder = s.reserve(() => {
      preempted.push('holder');
      holder.release();
    });
    holder.setIdle(false);
    s.reserve();
    vi.advanceTimersByTime(10_000);
    expect(preempted).toEqual([]);
    holder.setIdle(true);
    vi.advanceTimersByTime(999);
    expect(preempted).toEqual([]);
    holder.setIdle(false);
    holder.setIdle(true);
    vi.advanceTimersByTime(999);
    expect(preempted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(preempted).toEqual(['holder']);
  });

  it('a request admitted while its reader already waits for it is not idle: it is not preempted during its first step', async () => {
    const s = new Scheduler({ maxRunning: 1, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const first = s.reserve(() => preempted.push('first'));
    const second = s.reserve(() => preempted.push('second'));
    second.setIdle(false); // its reader asks while it waits for a place
    s.reserve(); // a third waits behind it
    first.release();
    await second.ready;
    vi.advanceTimersByTime(5000); // a long prefill
    expect(preempted).toEqual([]);
    second.setIdle(true);
    vi.advanceTimersByTime(1000);
    expect(preempted).toEqual(['second']);
  });

  it('one waiter preempts one request, also while the preempted one takes a moment to give its place back', async () => {
    const s = new Scheduler({ maxRunning: 2, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const idleHolder = (name: string) => {
      const ticket = s.reserve(() => {
        preempted.push(name);
        setTimeout(() => ticket.release(), 50); // closing its token stream
      });
      return ticket;
    };
    idleHolder('a');
    vi.advanceTimersByTime(10);
    idleHolder('b');
    vi.advanceTimersByTime(5000); // both idle far past the bound
    let admitted = false;
    void s.reserve().ready.then(() => (admitted = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(preempted).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(50);
    expect(admitted).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(preempted).toEqual(['a']);
  });

  it('does not preempt when the waiter left, or without preemptIdleMs', () => {
    const withBound = new Scheduler({ maxRunning: 1, preemptIdleMs: 1000 });
    const without = new Scheduler({ maxRunning: 1 });
    const preempted: string[] = [];
    withBound.reserve(() => preempted.push('bound'));
    without.reserve(() => preempted.push('none'));
    withBound.reserve().release();
    without.reserve();
    vi.advanceTimersByTime(60_000);
    expect(preempted).toEqual([]);
  });
});

describe('Scheduler: preemption, who and when', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('preempts the request whose reader has been idle the longest, wherever it is in the list', () => {
    const s = new Scheduler({ maxRunning: 3, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const tickets = ['a', 'b', 'c'].map((name) => {
      const ticket = s.reserve(() => {
        preempted.push(name);
        ticket.release();
      });
      ticket.setIdle(false);
      return ticket;
    });
    for (const [name, at] of [['b', 100], ['c', 200], ['a', 300]] as const) {
      vi.advanceTimersByTime(at - performance.now());
      tickets['abc'.indexOf(name)]!.setIdle(true);
    }
    s.reserve(); // waits
    vi.advanceTimersByTime(1099 - performance.now());
    expect(preempted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(preempted).toEqual(['b']); // idle since 100 ms
  });

  it('telling it again that its reader is idle does not restart the clock', () => {
    const s = new Scheduler({ maxRunning: 1, preemptIdleMs: 1000 });
    const preempted: string[] = [];
    const holder = s.reserve(() => {
      preempted.push('holder');
      holder.release();
    });
    holder.setIdle(false);
    holder.setIdle(true);
    s.reserve();
    vi.advanceTimersByTime(500);
    holder.setIdle(true);
    vi.advanceTimersByTime(500);
    expect(preempted).toEqual(['holder']);
  });

  it('a bound that setTimeout cannot hold (2^31 ms or more) means never', () => {
    expect(new Scheduler({ preemptIdleMs: 2 ** 31 - 1 }).preemptIdleMs).toBe(2 ** 31 - 1);
    expect(new Scheduler({ preemptIdleMs: 2 ** 31 }).preemptIdleMs).toBeUndefined();
    expect(new Scheduler({ preemptIdleMs: undefined }).preemptIdleMs).toBeUndefined();
  });
});

describe('schedulerOptions', () => {
  it('interleaves 4 requests without preemption by default; the app may change both', () => {
    expect(schedulerOptions()).toEqual({ maxRunning: 4, preemptIdleMs: undefined });
    expect(schedulerOptions({ maxRunning: 2, preemptIdleMs: 500 })).toEqual({ maxRunning: 2, preemptIdleMs: 500 });
    expect(schedulerOptions({ maxRunning: 1 })).toEqual({ maxRunning: 1, preemptIdleMs: undefined });
  });

  it('a backend with one conversation (WebLLM) runs one request at a time and preempts an idle reader', () => {
    expect(schedulerOptions({}, 1)).toEqual({ maxRunning: 1, preemptIdleMs: DEFAULT_PREEMPT_IDLE_MS });
    expect(schedulerOptions({ maxRunning: 8, preemptIdleMs: 10_000 }, 1)).toEqual({ maxRunning: 1, preemptIdleMs: 10_000 });
  });
});
