import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  it('runs one at a time, in FIFO order', async () => {
    const s = new Scheduler();
    const order: number[] = [];
    const tickets = [1, 2, 3].map((n) => {
      const t = s.reserve();
      void t.ready.then(() => order.push(n));
      return t;
    });
    await Promise.resolve();
    expect(order).toEqual([1]);
    tickets[0]!.release();
    await Promise.resolve();
    expect(order).toEqual([1, 2]);
    tickets[1]!.release();
    await Promise.resolve();
    expect(order).toEqual([1, 2, 3]);
  });

  it('a request that leaves the queue is skipped and its wait rejects', async () => {
    const s = new Scheduler();
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
    const s = new Scheduler();
    const a = s.reserve();
    const b = s.reserve();
    a.release();
    a.release();
    await b.ready;
    const c = s.reserve();
    let started = false;
    void c.ready.then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(false);
  });
});
