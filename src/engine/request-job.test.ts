// One request's job on the main thread (src/engine/request-job.ts), driven through the queue and the
// scripted worker (test/scripted-worker.ts): aborts, cancelled choices, broken worker streams, which
// requests a dying worker hands over, and the two clocks when they are off.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../shared/errors.js';
import type { GenerateHandle } from '../shared/protocol.js';
import { delta, listenerErrors, readAll, request, setup, texts, tick } from '../../test/scripted-worker.js';

const crashed = () => new ZStreamError('worker_crashed', 'The worker stopped.');

afterEach(() => {
  vi.useRealTimers();
  expect(listenerErrors.splice(0)).toEqual([]);
});

describe('RequestJob: aborts and cancels', () => {
  it("the caller's abort errors the stream at once, with the caller's reason, even with no read pending", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const controller = new AbortController();
    const reader = (await queue.submit(request('a1 a2'), { signal: controller.signal })).getReader();
    expect((await reader.read()).value).toEqual(delta('a1'));
    const reason = new Error('the page went away');
    controller.abort(reason);
    await expect(reader.closed).rejects.toBe(reason);
    await tick();
    expect(connections[0]!.worker.log.at(-1)).toBe('1:cancelled');
  });

  it("a request aborted while the worker accepts it: the worker's stream is cancelled", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const { worker } = connections[0]!;
    const generate = worker.generate.bind(worker);
    const controller = new AbortController();
    worker.generate = async (req, options): Promise<GenerateHandle> => {
      controller.abort(); // the caller gives up while the call is on its way
      return generate(req, options);
    };
    const stream = await queue.submit(request('a1'), { signal: controller.signal });
    await expect(readAll(stream)).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(worker.log).toEqual(['1:cancelled']);
  });

  it('choices are refused together: when the worker refuses one, the others are cancelled and leave the queue', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    await expect(queue.submitAll([request('b1'), request('refuse')], {})).rejects.toMatchObject({ code: 'context_length_exceeded' });
    expect((await queue.stats()).queued).toBe(0);
    await running.cancel();
    expect(texts(await readAll(await queue.submit(request('c1'), {})))).toBe('c1 done');
    expect(connections[0]!.worker.log.filter((line) => line.startsWith('2:'))).not.toContain('2:b1');
  });
});

describe('RequestJob: broken worker streams', () => {
  it("a worker stream that errors fails the request with the stream's error", async () => {
    const { queue } = setup();
    await queue.start();
    expect(await readAll(await queue.submit(request('a1 error'), {}))).toMatchObject([
      delta('a1'),
      { type: 'error', error: { code: 'device_lost', message: 'The stream broke.' } },
    ]);
  });

  it('a stream that ends early from a worker that cannot answer but lives fails the request', async () => {
    const { queue, connections } = setup();
    await queue.start();
    connections[0]!.worker.stats = () => Promise.reject(new Error('busy'));
    expect(await readAll(await queue.submit(request('a1 cut'), {}))).toMatchObject([delta('a1'), { type: 'error', error: { code: 'generation_failed' } }]);
  });
});

describe('RequestJob: what a dying worker hands over', () => {
  it('a request its worker had started is not run again, even with nothing read yet', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const started = await queue.submit(request('a1'), {});
    await tick(); // the worker started it
    connections[0]!.terminate(crashed());
    expect(await readAll(started)).toMatchObject([{ type: 'error', error: { code: 'worker_crashed' } }]);
    await tick();
    expect(connections[1]!.worker.log).toEqual([]);
  });

  it('a waiting reader gets its request from a worker that takes a while to load', async () => {
    const { queue, connections } = setup({}, 0, true, { reloadMs: 20 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const waiting = readAll(await queue.submit(request('b1'), {})); // its reader waits from now on
    await tick();
    connections[0]!.terminate(crashed());
    expect(texts(await waiting)).toBe('b1 done');
  });

  it("a request whose worker's streams close a moment before its death is known is handed over, not failed", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const waiting = readAll(await queue.submit(request('b1'), {}));
    await tick();
    connections[0]!.dieUnnoticed(crashed());
    expect(texts(await waiting)).toBe('b1 done');
    expect((await running.read()).value).toMatchObject({ type: 'error', error: { code: 'worker_crashed' } });
  });

  it('a request that waited on three workers that died fails with the last one', async () => {
    const { queue, connections } = setup();
    await queue.start();
    // Each worker dies while running the first of these; the last waits behind them each time.
    const ahead = await queue.submitAll([request('x1'), request('y1'), request('z1')], {});
    const last = await queue.submit(request('b1'), {});
    for (let worker = 0; worker < 3; worker++) {
      await tick();
      connections[worker]!.terminate(crashed());
    }
    expect(await readAll(last)).toMatchObject([{ type: 'error', error: { code: 'worker_crashed' } }]);
    for (const stream of ahead) expect(await readAll(stream)).toMatchObject([{ type: 'error', error: { code: 'worker_crashed' } }]);
    await tick();
    expect(connections.flatMap((c) => c.worker.log)).toEqual([]);
  });

  it('a finished request keeps draining from its retired worker after its reader has read part of it', async () => {
    const { queue, connections } = setup({ runAhead: 4 });
    await queue.start();
    const reader = (await queue.submit(request('a1 a2'), {})).getReader();
    await tick(); // generated whole, and let go of
    expect((await reader.read()).value).toEqual(delta('a1'));
    connections[0]!.retire(new ZStreamError('device_lost', 'The GPU device was lost.'));
    await tick();
    expect((await reader.read()).value).toEqual(delta('a2'));
    expect((await reader.read()).value).toMatchObject({ type: 'done' });
  });
});

describe('RequestJob: the clocks when they are off', () => {
  it('without stallTimeoutMs a slow worker is waited for', async () => {
    const { queue } = setup();
    await queue.start();
    expect(texts(await readAll(await queue.submit(request('a1 wait30 a2'), {})))).toBe('a1 a2 done');
  });

  it('with idleTimeoutMs 0 a reader may pause for as long as it likes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { queue } = setup({ idleTimeoutMs: 0 });
    await queue.start();
    const reader = (await queue.submit(request('a1 a2'), {})).getReader();
    expect((await reader.read()).value).toEqual(delta('a1'));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect((await reader.read()).value).toEqual(delta('a2'));
    expect((await reader.read()).value).toMatchObject({ type: 'done' });
  });
});
