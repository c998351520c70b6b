import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReaderClocks } from './reader-clocks.js';

describe('ReaderClocks', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const clocks = (limits: { stallTimeoutMs?: number; idleTimeoutMs?: number }) => {
    const ended: string[] = [];
    const c = new ReaderClocks(limits, (e) => ended.push(`stall: ${e.message}`), (e) => ended.push(`idle: ${e.message}`));
    return { c, ended };
  };

  it('the idle clock runs while the reader does not ask, and stops when it asks again', () => {
    const { c, ended } = clocks({ idleTimeoutMs: 100 });
    c.readerIdle();
    vi.advanceTimersByTime(99);
    c.readerWaits(); // a wait longer than the idle limit is no idleness
    vi.advanceTimersByTime(500);
    expect(ended).toEqual([]);
    c.stopStall();
    c.readerIdle();
    c.readerIdle(); // once running, it is not restarted
    vi.advanceTimersByTime(100);
    expect(ended).toEqual(['idle: Nobody read this request\'s stream for 100 ms (idleTimeoutMs), so it was stopped.']);
  });

  it('the idle clock runs from the first idle moment: a repeated readerIdle() does not restart it', () => {
    const { c, ended } = clocks({ idleTimeoutMs: 100 });
    c.readerIdle();
    vi.advanceTimersByTime(60);
    c.readerIdle();
    vi.advanceTimersByTime(40);
    expect(ended).toEqual(['idle: Nobody read this request\'s stream for 100 ms (idleTimeoutMs), so it was stopped.']);
  });

  it('the idle clock counts the last idle period only, however often the reader asked before', () => {
    const { c, ended } = clocks({ idleTimeoutMs: 100 });
    for (let t = 0; t < 10; t++) {
      c.readerIdle();
      vi.advanceTimersByTime(60);
      c.readerWaits();
      c.stopStall();
    }
    expect(ended).toEqual([]);
    c.readerIdle();
    vi.advanceTimersByTime(99);
    expect(ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ended).toHaveLength(1);
  });

  it('the stall clock runs while the reader waits, from the first wait, until the wait ends', () => {
    const { c, ended } = clocks({ stallTimeoutMs: 50 });
    c.readerWaits();
    vi.advanceTimersByTime(30);
    c.readerWaits(); // still the same wait's clock
    vi.advanceTimersByTime(19);
    c.stopStall();
    vi.advanceTimersByTime(100);
    expect(ended).toEqual([]);
    c.readerWaits();
    vi.advanceTimersByTime(50);
    expect(ended).toEqual(['stall: The generation made no progress for 50 ms (stallTimeoutMs) and was stopped.']);
  });

  it('no limits: no clock; stop() stops both', () => {
    const none = clocks({ idleTimeoutMs: 0 });
    none.c.readerIdle();
    none.c.readerWaits();
    vi.advanceTimersByTime(1e9);
    expect(none.ended).toEqual([]);
    const both = clocks({ stallTimeoutMs: 10, idleTimeoutMs: 10 });
    both.c.readerWaits();
    both.c.stop();
    both.c.readerIdle();
    both.c.stop();
    vi.advanceTimersByTime(100);
    expect(both.ended).toEqual([]);
  });
});
