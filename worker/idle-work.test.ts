import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDLE_DELAY_MS, MAX_IDLE_WORK, type IdleSlot } from './idle-work.js';
import { Scheduler } from './scheduler.js';

/** A piece of idle work that records its steps and runs `steps` of them while still idle. */
function recorder(log: string[], name: string, steps = 1, onStep?: () => void) {
  return async (slot: IdleSlot) => {
    for (let i = 0; i < steps && slot.stillIdle(); i++) {
      await slot.step(async () => {
        log.push(`${name}${i}`);
        onStep?.();
      });
    }
  };
}

afterEach(() => vi.useRealTimers());

describe('idle work (the scheduler)', () => {
  it('runs only once no request holds or waits for a place, newest first', async () => {
    const s = new Scheduler({ idleDelayMs: 0 });
    const log: string[] = [];
    const ticket = s.reserve();
    await ticket.ready;
    s.whenIdle(recorder(log, 'a'));
    s.whenIdle(recorder(log, 'b'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(log).toEqual([]); // a request holds a place
    ticket.release();
    await s.idleWorkDone();
    expect(log).toEqual(['b0', 'a0']);
  });

  it(`waits ${IDLE_DELAY_MS} ms of idleness: a request that comes back at once never waits behind it`, async () => {
    vi.useFakeTimers();
    const s = new Scheduler();
    const log: string[] = [];
    let started = 0;
    const work = recorder(log, 'a');
    s.whenIdle((slot) => (started++, work(slot)));
    await vi.advanceTimersByTimeAsync(IDLE_DELAY_MS - 1);
    const ticket = s.reserve(); // the client's next request
    await vi.advanceTimersByTimeAsync(IDLE_DELAY_MS * 2);
    expect(started).toBe(0); // the delay ended while the request held its place: not even begun
    ticket.release();
    await vi.advanceTimersByTimeAsync(IDLE_DELAY_MS - 1);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['a0']);
    expect(started).toBe(1);
  });

  it('counts the delay from the last request that went', async () => {
    vi.useFakeTimers();
    const s = new Scheduler();
    const log: string[] = [];
    s.whenIdle(recorder(log, 'a'));
    await vi.advanceTimersByTimeAsync(IDLE_DELAY_MS - 10);
    s.reserve().release(); // a short request
    await vi.advanceTimersByTimeAsync(IDLE_DELAY_MS - 1);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['a0']);
  });

  it('stops at its next step once a request asks for a place; the request steps after the step in flight; the work goes on after', async () => {
    const s = new Scheduler({ idleDelayMs: 0 });
    const log: string[] = [];
    let request: ReturnType<Scheduler['reserve']> | undefined;
    let stepped!: () => void;
    const requestArrived = new Promise<void>((resolve) => (stepped = resolve));
    s.whenIdle(recorder(log, 'w', 3, () => {
      if (log.length === 2) {
        request = s.reserve(); // during the work's second step
        stepped();
      }
    }));
    await requestArrived;
    await request!.ready;
    await request!.step(async () => log.push('request'));
    expect(log).toEqual(['w0', 'w1', 'request']);
    // Newer work (the request's own next turn) first, then the stopped one, from its start.
    s.whenIdle(recorder(log, 'x'));
    request!.release();
    await s.idleWorkDone();
    expect(log).toEqual(['w0', 'w1', 'request', 'x0', 'w0', 'w1', 'w2']);
  });

  it('a request that comes and goes during a step stops the work too; it goes on after the delay, counted anew', async () => {
    vi.useFakeTimers();
    const s = new Scheduler();
    const log: Array<[string, number]> = [];
    let interrupted = false;
    s.whenIdle(async (slot) => {
      for (let i = 0; i < 2 && slot.stillIdle(); i++) {
        await slot.step(async () => {
          log.push([`pass${i}`, Date.now()]);
          if (!interrupted) {
            interrupted = true;
            s.reserve().release(); // refused (a 400) or cancelled while the pass runs
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        });
      }
    });
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(4 * IDLE_DELAY_MS);
    // The first pass at the delay; the request went during it; the work again a delay after that pass (5 ms).
    const again = 2 * IDLE_DELAY_MS + 5;
    expect(log.map(([name, at]) => [name, at - t0])).toEqual([['pass0', IDLE_DELAY_MS], ['pass0', again], ['pass1', again + 5]]);
  });

  it(`keeps the ${MAX_IDLE_WORK} newest pieces while requests run`, async () => {
    const s = new Scheduler({ idleDelayMs: 0 });
    const log: string[] = [];
    const ticket = s.reserve();
    for (let n = 0; n < MAX_IDLE_WORK + 2; n++) s.whenIdle(recorder(log, String(n)));
    ticket.release();
    await s.idleWorkDone();
    expect(log).toEqual(Array.from({ length: MAX_IDLE_WORK }, (_, i) => `${MAX_IDLE_WORK + 1 - i}0`));
  });

  it('reports a piece that fails and goes on with the next', async () => {
    const failures: unknown[] = [];
    const s = new Scheduler({ idleDelayMs: 0, onIdleFailure: (error) => failures.push(error) });
    const log: string[] = [];
    s.whenIdle(recorder(log, 'a'));
    s.whenIdle(async () => {
      throw new Error('forward pass failed');
    });
    await s.idleWorkDone();
    expect(failures).toEqual([new Error('forward pass failed')]);
    expect(log).toEqual(['a0']);
  });

  it('stopIdleWork (the model unloads) drops what is pending and waits for the step in flight', async () => {
    const s = new Scheduler({ idleDelayMs: 0 });
    const log: string[] = [];
    let stopping: Promise<void> | undefined;
    s.whenIdle(recorder(log, 'later'));
    s.whenIdle(recorder(log, 'w', 10, () => {
      stopping ??= s.stopIdleWork();
    }));
    await s.idleWorkDone();
    await stopping;
    expect(log).toEqual(['w0']);
    s.whenIdle(recorder(log, 'after'));
    await s.idleWorkDone();
    expect(log).toEqual(['w0']);
  });
});
