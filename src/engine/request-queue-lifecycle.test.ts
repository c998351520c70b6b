// The queue's edges against the scripted worker (test/scripted-worker.ts): start and dispose, stats,
// requests refused or aborted before they run, workers that die or retire while a request is being
// handed to them, what a retired worker's finished streams get, and late news from a replaced worker.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../shared/errors.js';
import { INFO, delta, listenerErrors, readAll, request, setup, texts, tick } from '../../test/scripted-worker.js';

const crashed = () => new ZStreamError('worker_crashed', 'The worker stopped.');
const lost = () => new ZStreamError('device_lost', 'The GPU device was lost.');

afterEach(() => {
  vi.useRealTimers();
  expect(listenerErrors.splice(0)).toEqual([]);
});

describe('RequestQueue: start and dispose', () => {
  it('start loads the model; before that there is no model to name', async () => {
    const { queue, connections } = setup();
    expect(() => queue.model).toThrow('has not started');
    await queue.start();
    expect(queue.model).toEqual(INFO);
    expect(connections).toHaveLength(1);
  });

  it('dispose: harmless before start; afterwards requests are refused and no worker loads again', async () => {
    expect(() => setup().queue.dispose()).not.toThrow();
    const { queue, connections } = setup();
    await queue.start();
    queue.dispose();
    expect(connections[0]!.alive).toBe(false);
    await expect(queue.submit(request('a1'), {})).rejects.toThrow('The engine was disposed.');
    await expect(queue.start()).rejects.toThrow('The engine was disposed.');
    await tick();
    expect(connections).toHaveLength(1);
    expect(await queue.stats()).toMatchObject({ running: 0, workerRestarts: 0 });
  });

  it('a dispose while the model loads ends the worker it was loading', async () => {
    const { queue, connections } = setup();
    const starting = queue.start();
    queue.dispose();
    await expect(starting).rejects.toThrow('The engine was disposed.');
    expect(connections[0]!.alive).toBe(false);
  });
});

describe('RequestQueue: stats', () => {
  it("zeros before the worker loads, then the worker's counters; connections only from a shared worker", async () => {
    const { queue, connections } = setup();
    const none = { running: 0, queued: 0, generatedTokens: 0, openKvCaches: 0, workerRestarts: 0 };
    expect(await queue.stats()).toStrictEqual(none);
    await queue.start();
    const reader = (await queue.submit(request('a1+a2 a3'), {})).getReader();
    await reader.read();
    expect(await queue.stats()).toStrictEqual({ ...none, running: 1, generatedTokens: 2, openKvCaches: 1 });
    connections[0]!.worker.stats = async () => ({ generatedTokens: 0, openKvCaches: 0, running: 0, connections: 3 });
    expect((await queue.stats()).connections).toBe(3);
    await reader.cancel();
  });

  it("a live worker's failure is reported; a worker that dies during the call counts as none", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const { worker } = connections[0]!;
    worker.stats = () => Promise.reject(new Error('stats broke'));
    await expect(queue.stats()).rejects.toThrow('stats broke');
    worker.stats = () => new Promise(() => {});
    const stats = queue.stats();
    connections[0]!.terminate(crashed());
    expect(await stats).toMatchObject({ running: 0, generatedTokens: 0 });
  });
});

describe('RequestQueue: requests that do not run', () => {
  it('a request whose signal has already aborted is refused with its reason and never reaches the worker', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(queue.submit(request('a1'), { signal: controller.signal })).rejects.toThrow('gone');
    await tick();
    expect(connections[0]!.worker.log).toEqual([]);
    expect(texts(await readAll(await queue.submit(request('b1'), {})))).toBe('b1 done');
  });

  it('a request aborted while the worker loads never reaches it', async () => {
    const { queue, connections } = setup();
    const controller = new AbortController();
    const submitted = queue.submit(request('a1'), { signal: controller.signal });
    controller.abort();
    await expect(readAll(await submitted)).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(connections[0]!.worker.log).toEqual([]);
  });

  it('a request the worker refuses rejects submit with its error, asked once; nothing stays queued', async () => {
    const { queue, connections } = setup();
    await queue.start();
    await expect(queue.submit(request('refuse'), {})).rejects.toMatchObject({ code: 'context_length_exceeded' });
    expect(connections[0]!.worker.log).toEqual(['1:refused']);
    expect(await queue.stats()).toMatchObject({ queued: 0, workerRestarts: 0 });
    expect(texts(await readAll(await queue.submit(request('b1'), {})))).toBe('b1 done');
  });

  it('a request that kills every worker it reaches fails after three workers; the next request runs', async () => {
    const { queue, connections } = setup();
    await queue.start();
    await expect(queue.submit(request('crash'), {})).rejects.toMatchObject({ code: 'worker_crashed' });
    expect(connections.flatMap((c) => c.worker.log)).toEqual(['1:crashed', '1:crashed', '1:crashed']);
    expect(texts(await readAll(await queue.submit(request('b1'), {})))).toBe('b1 done');
  });

  it("the worker's started/released for a request the queue has forgotten are ignored (they can cross its cancel)", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const { events } = connections[0]!.worker;
    expect(() => {
      events.started(99);
      events.released(99);
      events.released(98); // never seen started (its worker retired meanwhile)
    }).not.toThrow();
    expect(await queue.stats()).toMatchObject({ running: 0, queued: 0 });
  });
});

describe('RequestQueue: a worker that goes while a request reaches it', () => {
  it('a request submitted as its worker dies runs once, on the next worker', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const submitted = queue.submit(request('a1'), {});
    connections[0]!.terminate(crashed());
    expect(texts(await readAll(await submitted))).toBe('a1 done');
    expect(connections[1]!.worker.log).toEqual(['1:a1', '1:done']);
  });

  it('a request accepted just as its worker retires runs on the next worker', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const submitted = queue.submit(request('a1'), {});
    connections[0]!.retire(lost());
    expect(texts(await readAll(await submitted))).toBe('a1 done');
    expect(connections[1]!.worker.log).toEqual(['1:a1', '1:done']);
  });

  it('a request whose worker retires as it is handed over, three times, stays with the third', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const stream = await queue.submit(request('retire a1'), {});
    expect(connections.flatMap((c) => c.worker.log).filter((line) => line.endsWith('retired'))).toEqual(['1:retired', '1:retired', '1:retired']);
    // The third worker retired, so it ends once its streams are read or dropped: the request fails there.
    expect(await readAll(stream)).toMatchObject([{ type: 'error', error: { code: 'device_lost' } }]);
  });

  // Its news of the request can be on the way already (it had started it): that must not make the
  // request look started on the next worker (clocks running, not queued, not handed over again).
  for (const [late, end] of [[false, 'crashed'], [true, 'crashed'], [true, 'retired']] as const) {
    it(`a request whose worker ${end} during the call, ${late ? 'with its late news of it' : 'silent'}, is handed over again when the next worker dies first`, async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { queue, connections } = setup({ idleTimeoutMs: 0, stallTimeoutMs: 50 }, 0, true, { reloadMs: 30 });
      await queue.start();
      const w0 = connections[0]!;
      const running = (await queue.submit(request('a1 hang'), {})).getReader();
      expect((await running.read()).value).toEqual(delta('a1'));
      const waiting = await queue.submit(request('r1 r2'), {}); // behind a on w0, then runs on w1 unread
      const generate = w0.worker.generate.bind(w0.worker);
      w0.worker.generate = async (req, options) => {
        if (end === 'crashed') w0.terminate(crashed());
        else w0.retire(lost());
        if (late) setTimeout(() => w0.worker.events.started(options.id), 5);
        return generate(req, options);
      };
      const t = queue.submit(request('t1'), {});
      await vi.advanceTimersByTimeAsync(60); // w1 loaded: r runs there (nobody reads it), t waits behind it
      expect(await queue.stats()).toMatchObject({ running: 1, queued: 1 });
      connections[1]!.terminate(crashed());
      await vi.advanceTimersByTimeAsync(60);
      expect(texts(await readAll(await t))).toBe('t1 done');
      void waiting;
    });
  }

  for (const transfer of [true, false]) {
    it(`a worker stream that ends without its last event fails the request (${transfer ? 'transferred' : 'pulled by id'})`, async () => {
      const { queue } = setup({}, 0, transfer);
      await queue.start();
      expect(await readAll(await queue.submit(request('a1 cut'), {}))).toMatchObject([
        delta('a1'),
        { type: 'error', error: { code: 'generation_failed', message: 'The generation ended without a result.' } },
      ]);
      expect(texts(await readAll(await queue.submit(request('b1'), {})))).toBe('b1 done');
    });
  }
});

describe('RequestQueue: a retired worker and what it finished', () => {
  it('is terminated 10 s after it retired when nobody reads what it finished; that reader then gets the error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue, connections } = setup({ runAhead: 4, idleTimeoutMs: 0 });
    await queue.start();
    const finished = await queue.submit(request('a1'), {});
    await vi.advanceTimersByTimeAsync(0); // generated whole, and let go of
    connections[0]!.retire(lost());
    await vi.advanceTimersByTimeAsync(9_999);
    expect(connections[0]!.alive).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(connections[0]!.alive).toBe(false);
    expect(await readAll(finished)).toMatchObject([{ type: 'error', error: { code: 'device_lost' } }]);
  });

  it('a finished request still on a retired worker gets an error when that worker dies before it is read', async () => {
    const { queue, connections } = setup({ runAhead: 4 }, 0, true, { deadStreams: 'hang' });
    await queue.start();
    const finished = await queue.submit(request('a1 a2'), {});
    await tick(); // generated whole, and let go of
    connections[0]!.retire(lost());
    await tick(); // draining: it waits for its reader
    connections[0]!.terminate(crashed());
    expect(await readAll(finished)).toMatchObject([{ type: 'error', error: { code: 'worker_crashed' } }]);
  });

  it('a stalled request whose worker already let go of it times out, and that worker is kept', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue, connections } = setup({ stallTimeoutMs: 20 });
    await queue.start();
    const events = readAll(await queue.submit(request('a1 stuck'), {}));
    await vi.advanceTimersByTimeAsync(20);
    expect(await events).toMatchObject([delta('a1'), { type: 'error', error: { code: 'request_timeout' } }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(connections[0]!.alive).toBe(true);
    expect(connections).toHaveLength(1);
  });
});

describe("RequestQueue: a worker replaced for a request's stall", () => {
  // e2e/time.spec.ts met it on SwiftShader: with stallTimeoutMs 5 a step outlasts the grace, and a
  // request the worker started meanwhile went down with it (worker_crashed) though none of it was read.
  it('moves another request it had started, none of which was read, to the next worker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue, connections } = setup({ stallTimeoutMs: 20, idleTimeoutMs: 0 }, 0, true, { parallel: 2 });
    await queue.start();
    const stalled = readAll(await queue.submit(request('a1 hang'), {}));
    const other = await queue.submit(request('b1 b2'), {});
    await vi.advanceTimersByTimeAsync(0);
    expect(await queue.stats()).toMatchObject({ running: 2 }); // both started on the first worker
    await vi.advanceTimersByTimeAsync(20); // a stalls; its worker gets as long again to let go of it
    expect(await stalled).toMatchObject([delta('a1'), { type: 'error', error: { code: 'request_timeout' } }]);
    await vi.advanceTimersByTimeAsync(20); // it did not: replaced
    expect(connections[0]!.alive).toBe(false);
    expect(texts(await readAll(other))).toBe('b1 b2 done');
    expect(connections[1]!.worker.log).toEqual(['2:b1', '2:b2', '2:done']);
    expect(await queue.stats()).toMatchObject({ workerRestarts: 1 });
  });

  it('moves a request it had finished (let go of), none of which was read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue, connections } = setup({ stallTimeoutMs: 20, idleTimeoutMs: 0, runAhead: 4 }, 0, true, { parallel: 2 });
    await queue.start();
    const other = await queue.submit(request('b1'), {}); // generated whole within runAhead, let go of
    await vi.advanceTimersByTimeAsync(0);
    const stalled = readAll(await queue.submit(request('a1 hang'), {}));
    await vi.advanceTimersByTimeAsync(20);
    expect(await stalled).toMatchObject([delta('a1'), { type: 'error', error: { code: 'request_timeout' } }]);
    await vi.advanceTimersByTimeAsync(20); // replaced
    expect(connections[0]!.alive).toBe(false);
    expect(texts(await readAll(other))).toBe('b1 done');
    expect(connections[1]!.worker.log).toEqual(['1:b1', '1:done']);
  });

  it('still fails a request it had started whose events were read (they cannot be taken back)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue, connections } = setup({ stallTimeoutMs: 20, idleTimeoutMs: 0 }, 0, true, { parallel: 2 });
    await queue.start();
    const stalled = readAll(await queue.submit(request('a1 hang'), {}));
    const other = (await queue.submit(request('b1 b2'), {})).getReader();
    expect((await other.read()).value).toEqual(delta('b1'));
    await vi.advanceTimersByTimeAsync(40);
    await stalled;
    expect(connections[0]!.alive).toBe(false);
    expect((await other.read()).value).toMatchObject({ type: 'error', error: { code: 'worker_crashed' } });
    expect(connections[1]!.worker.log).toEqual([]);
  });
});

describe('RequestQueue: late news from a replaced worker', () => {
  // The old worker's started/released/first can cross the cancel of a request it handed over (a
  // failed backend starts and fails its queued requests; a dead worker's messages may still arrive).
  for (const end of ['retired', 'crashed'] as const) {
    it(`a ${end} worker's started/released/first for a request now on the next worker are ignored`, async () => {
      const { queue, connections } = setup({ maxQueued: 2 });
      await queue.start();
      const running = (await queue.submit(request('a1 a2 a3'), {})).getReader();
      const [b, c] = [await queue.submit(request('b1 b2'), {}), await queue.submit(request('c1'), {})];
      expect((await running.read()).value).toEqual(delta('a1'));
      if (end === 'retired') connections[0]!.retire(lost());
      else connections[0]!.terminate(crashed());
      // b runs there, c waits. A retired worker already sent news of b itself: a's cancel let it start b.
      await vi.waitFor(async () => expect(await queue.stats()).toMatchObject({ running: 1, queued: 1 }));
      await tick();
      const { events } = connections[0]!.worker;
      events.started(3);
      events.released(3);
      events.first(3, [delta('x')]);
      // c still waits: it counts against maxQueued, and the next worker's death hands it over again.
      expect(await queue.stats()).toMatchObject({ running: 1, queued: 1 });
      await expect(queue.submitAll([request('d1'), request('e1')], {})).rejects.toMatchObject({ code: 'rate_limit_exceeded' });
      connections[1]!.terminate(crashed());
      const [bEvents, cEvents] = await Promise.all([readAll(b), readAll(c)]); // b had started there, c had not
      expect(bEvents).toMatchObject([{ type: 'error', error: { code: 'worker_crashed' } }]);
      expect(texts(cEvents)).toBe('c1 done');
      expect(connections[2]!.worker.log).toEqual(['3:c1', '3:done']);
      expect((await running.read()).value).toMatchObject({ type: 'error', error: { code: end === 'retired' ? 'device_lost' : 'worker_crashed' } });
    });
  }
});
