import { describe, expect, it, vi } from 'vitest';
import { derive } from './derived-stream.js';

/** A source whose next event comes when the test says; it counts its pulls and records a cancel. */
function source<T>() {
  const waiting: Array<(event: T | undefined) => void> = [];
  const seen = { pulls: 0, cancelled: undefined as unknown };
  const stream = new ReadableStream<T>({
    pull: (controller) => new Promise<void>((resolve) => {
      seen.pulls++;
      waiting.push((event) => {
        if (event === undefined) controller.close();
        else controller.enqueue(event);
        resolve();
      });
    }),
    cancel: (reason) => void (seen.cancelled = reason),
  }, new CountQueuingStrategy({ highWaterMark: 0 }));
  return { stream, seen, send: (event?: T) => waiting.shift()!(event) };
}

describe('derive', () => {
  it('reads the source only while someone reads, one event per output at most', async () => {
    const { stream, seen, send } = source<number>();
    const reader = derive(stream, { map: (n) => (n % 2 === 0 ? [n * 10] : []) }).getReader();
    expect(seen.pulls).toBe(0);
    const first = reader.read();
    await vi.waitFor(() => expect(seen.pulls).toBe(1));
    send(1); // maps to nothing: the same read goes on to the next event
    await vi.waitFor(() => expect(seen.pulls).toBe(2));
    send(2);
    expect((await first).value).toBe(20);
    await Promise.resolve();
    expect(seen.pulls).toBe(2); // nothing read ahead
  });

  it('flushes at the end, and cancelling cancels the source without a flush', async () => {
    const ended = source<number>();
    const flushed = derive(ended.stream, { map: (n) => [n], flush: () => [99] }).getReader();
    const reads = [flushed.read(), flushed.read()];
    await vi.waitFor(() => expect(ended.seen.pulls).toBe(1));
    ended.send(1);
    await vi.waitFor(() => expect(ended.seen.pulls).toBe(2));
    ended.send();
    expect((await Promise.all(reads)).map((r) => r.value)).toEqual([1, 99]);
    expect((await flushed.read()).done).toBe(true);

    const cancelled = source<number>();
    const flush = vi.fn(() => [99]);
    const reader = derive(cancelled.stream, { map: (n) => [n], flush }).getReader();
    const pending = reader.read();
    await vi.waitFor(() => expect(cancelled.seen.pulls).toBe(1));
    await reader.cancel('stop');
    expect(cancelled.seen.cancelled).toBe('stop');
    expect((await pending).done).toBe(true);
    expect(flush).not.toHaveBeenCalled();
  });

  it('a failing source errors the derived stream with its error', async () => {
    const failure = new Error('lost');
    const failing = new ReadableStream<number>({ pull: (controller) => controller.error(failure) });
    await expect(derive(failing, { map: (n) => [n] }).getReader().read()).rejects.toBe(failure);
  });

  it('gives the idle value only to a reader that waits, never while nobody reads', async () => {
    vi.useFakeTimers();
    try {
      const { stream, send } = source<string>();
      const reader = derive(stream, { map: (s) => [s], idle: { afterMs: 5, value: 'idle' } }).getReader();
      const first = reader.read();
      await vi.advanceTimersByTimeAsync(1);
      send('a');
      expect((await first).value).toBe('a');
      await vi.advanceTimersByTimeAsync(100); // nobody reads: nothing may be queued
      let settled = false;
      void reader.read().then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(5);
      expect(settled).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
