// The 429 bound and its retry-after, against the scripted worker (test/scripted-worker.ts) on a
// clock the test sets: retry-after = 1.25 × the requests that must start first × the mean time a
// request holds the model ÷ the requests running, in whole seconds (1 to 59).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ZStreamError } from '../shared/errors.js';
import { readAll, request, setup, texts, tick } from '../../test/scripted-worker.js';

let now = 0;
afterEach(() => {
  vi.restoreAllMocks();
});
const useClock = (start: number) => {
  now = start;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
};

type Queue = ReturnType<typeof setup>['queue'];
const refusal = async (queue: Queue, size = 1) => {
  const error = await queue.submitAll(Array.from({ length: size }, () => request('x')), {}).then(() => undefined, (e: unknown) => e as ZStreamError);
  expect(error?.code).toBe('rate_limit_exceeded');
  return error!.retryAfter;
};

describe('RequestQueue: the bound', () => {
  it('a unit larger than maxQueued runs when nothing waits', async () => {
    const { queue } = setup({ maxQueued: 2 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const choices = await queue.submitAll([request('b1'), request('c1'), request('d1')], {});
    expect((await queue.stats()).queued).toBe(3);
    await running.cancel();
    expect(await Promise.all(choices.map(async (c) => texts(await readAll(c))))).toEqual(['b1 done', 'c1 done', 'd1 done']);
  });

  it('a request that exactly fills maxQueued is accepted; the next is refused', async () => {
    const { queue } = setup({ maxQueued: 2 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    await queue.submit(request('b1'), {});
    await queue.submit(request('c1'), {});
    await refusal(queue);
    await running.cancel();
  });
});

describe('RequestQueue: retry-after', () => {
  it('the first measured run replaces the 1 s guess, later runs move the mean by a fifth; refused clients are booked until they come back', async () => {
    useClock(0);
    const { queue } = setup({ maxQueued: 1 });
    await queue.start();
    const a = await queue.submit(request('a1'), {});
    await tick(); // started at 0
    now = 4000;
    await readAll(a); // ... and let go of at 4 s: the mean is 4 s
    const b = (await queue.submit(request('b1 b2'), {})).getReader();
    await b.read(); // running from 4 s
    await queue.submit(request('c1'), {}); // waits
    expect(await refusal(queue)).toBe(5); // 1 ahead × 4 s × 1.25
    expect(await refusal(queue)).toBe(10); // and the one refused before, back at 9 s: 2 × 4 s × 1.25
    now = 14_000; // both came back (at 9 s and at 14 s exactly): only the queue is ahead
    expect(await refusal(queue)).toBe(5);
    await b.read();
    await b.read(); // b let go at 14 s, after 10 s: the mean is 0.8 × 4 s + 0.2 × 10 s = 5.2 s
    await queue.submit(request('d1'), {}); // waits, while c runs
    expect(await refusal(queue)).toBe(13); // 2 ahead (the one booked at 19 s) × 5.2 s × 1.25
  });

  it('a client booked to come back sooner than one refused before it is let go first', async () => {
    useClock(6000);
    const { queue } = setup({ maxQueued: 1 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const choices = new AbortController();
    await queue.submitAll([request('b1'), request('c1'), request('d1'), request('e1')], { signal: choices.signal }); // nothing waited
    expect(await refusal(queue)).toBe(5); // 4 ahead × 1 s × 1.25: back at 11 s
    choices.abort();
    await queue.submit(request('f1'), {});
    expect(await refusal(queue)).toBe(3); // 1 ahead and 1 booked: back at 9 s
    now = 10_000; // the second is back, the first not yet
    expect(await refusal(queue)).toBe(3);
    await running.cancel();
  });

  it('is shorter when several requests run at once', async () => {
    useClock(0);
    const { queue } = setup({ maxQueued: 1 }, 0, true, { parallel: 2 });
    await queue.start();
    const readers: Array<ReadableStreamDefaultReader<unknown>> = [];
    for (const script of ['a1 a2', 'b1 b2']) {
      readers.push((await queue.submit(request(script), {})).getReader());
      await readers.at(-1)!.read(); // running
    }
    await queue.submit(request('c1'), {});
    expect(await refusal(queue, 3)).toBe(2); // 3 ahead × 1 s × 1.25 ÷ 2 running
    await Promise.all(readers.map((reader) => reader.cancel()));
  });

  it('stays a whole number of seconds when the worker reports the end of a run it never reported started', async () => {
    useClock(0);
    const { queue, connections } = setup({ maxQueued: 1 });
    await queue.start();
    connections[0]!.worker.events.released(42); // its start was forgotten when a worker retired
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    await queue.submit(request('b1'), {});
    expect(await refusal(queue)).toBe(2);
    await running.cancel();
  });
});
