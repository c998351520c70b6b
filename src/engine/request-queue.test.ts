// The queue and its jobs against a scripted stand-in for the worker (test/scripted-worker.ts): FIFO,
// the 429 bound, abort, choices as one unit, retry-after, and what a dead worker does to running and
// waiting requests. The per-request limits are in request-limits.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '../shared/protocol.js';
import { delta, done, listenerErrors, readAll, request, setup, texts, tick } from '../../test/scripted-worker.js';
import { ZStreamError } from '../shared/errors.js';

// The worker calls these listeners for requests this thread may have forgotten: they must never throw.
afterEach(() => {
  expect(listenerErrors.splice(0)).toEqual([]);
});

describe('RequestQueue', () => {
  it('runs requests in FIFO order, each stream with its own events', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const a = await queue.submit(request('a1 a2'), {});
    const b = await queue.submit(request('b1'), {});
    const [ea, eb] = await Promise.all([readAll(a), readAll(b)]);
    expect(texts(ea)).toBe('a1 a2 done');
    expect(texts(eb)).toBe('b1 done');
    expect(connections[0]!.worker.log.indexOf('2:b1')).toBeGreaterThan(connections[0]!.worker.log.indexOf('1:done'));
  });

  it('answers 429 with retry-after once maxQueued requests wait', async () => {
    const { queue } = setup({ maxQueued: 1 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const waiting = await queue.submit(request('b1'), {});
    const refused = await queue.submit(request('c1'), {}).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ZStreamError);
    const response = (refused as ZStreamError).toResponse();
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await response.json()).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    await running.cancel();
    expect(texts(await readAll(waiting))).toBe('b1 done');
    expect(texts(await readAll(await queue.submit(request('d1'), {})))).toBe('d1 done');
  });

  it('an abort errors the stream with the AbortError and cancels the worker stream', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const controller = new AbortController();
    const reader = (await queue.submit(request('a1 a2 a3'), { signal: controller.signal })).getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(connections[0]!.worker.log).toContain('1:cancelled');
    expect((await queue.stats()).queued).toBe(0);
  });

  it('a worker that dies fails the started request and hands the waiting one to a new worker', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const running = (await queue.submit(request('a1 a2 a3'), {})).getReader();
    const waiting = await queue.submit(request('b1 b2'), {});
    expect((await running.read()).value).toEqual(delta('a1'));
    connections[0]!.terminate(new ZStreamError('worker_crashed', 'The worker stopped.'));
    expect((await running.read()).value).toMatchObject({ type: 'error', error: { code: 'worker_crashed' } });
    expect((await running.read()).done).toBe(true);
    expect(texts(await readAll(waiting))).toBe('b1 b2 done');
    expect(connections).toHaveLength(2);
    expect(connections[1]!.worker.log).toEqual(['2:b1', '2:b2', '2:done']);
    expect((await queue.stats()).workerRestarts).toBe(1);
  });

  it('a job that fails before it is read stops listening to its signal', async () => {
    const { queue } = setup();
    await queue.start();
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const stream = await queue.submit(request('a1 a2'), { signal: controller.signal });
    queue.dispose(); // fails the job; nobody has read it
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
    expect(await readAll(stream)).toMatchObject([{ type: 'error', error: { message: 'The engine was disposed.' } }]);
  });

  it('a failed backend: what the worker finished still reaches its reader; only the request it was running fails', async () => {
    const { queue, connections } = setup({ runAhead: 4 }); // the fake worker runs 3 events ahead
    await queue.start();
    const finished = await queue.submit(request('a1 a2'), {}); // generated whole, then released, not read yet
    const running = (await queue.submit(request('b1 b2 b3 b4 b5 b6'), {})).getReader();
    const waiting = await queue.submit(request('c1'), {});
    expect((await running.read()).value).toEqual(delta('b1'));
    // The worker lives on (transformers.js runs nothing after a failed step): it is retired.
    connections[0]!.retire(new ZStreamError('worker_crashed', 'The model failed while generating.'));
    expect(texts(await readAll(finished))).toBe('a1 a2 done');
    await connections[0]!.ended; // terminated once its finished stream was read
    const rest: StreamEvent[] = [];
    for (let r = await running.read(); !r.done; r = await running.read()) rest.push(r.value);
    expect(rest.at(-1)).toMatchObject({ type: 'error', error: { code: 'worker_crashed' } });
    expect(texts(await readAll(waiting))).toBe('c1 done');
  });

  it("a request's choices are one unit: counted against maxQueued together, refused together", async () => {
    const { queue, connections } = setup({ maxQueued: 2 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    const choices = await queue.submitAll([request('b1'), request('c1')], {});
    expect((await queue.stats()).queued).toBe(2);
    // One more choice than there is room for: none of them is queued.
    const refused = await queue.submitAll([request('d1'), request('e1')], {}).then(() => undefined, (e: unknown) => e as ZStreamError);
    expect(refused?.code).toBe('rate_limit_exceeded');
    expect((await queue.stats()).queued).toBe(2);
    await running.cancel();
    expect(await Promise.all(choices.map(async (c) => texts(await readAll(c))))).toEqual(['b1 done', 'c1 done']);
    expect(connections[0]!.worker.log.filter((l) => !l.startsWith('1:'))).toEqual(['2:b1', '2:done', '3:c1', '3:done']);
  });

  it('retry-after grows with the work ahead, so refused clients come back spread out', async () => {
    const { queue } = setup({ maxQueued: 1 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    await running.read();
    await queue.submit(request('b1'), {});
    const retryAfter: number[] = [];
    for (let i = 0; i < 4; i++) {
      const refused = await queue.submit(request('x'), {}).then(() => undefined, (e: unknown) => e as ZStreamError);
      retryAfter.push(refused!.retryAfter!);
    }
    // Each refused request books its return: the next one is told to come later.
    for (let i = 1; i < retryAfter.length; i++) expect(retryAfter[i]).toBeGreaterThan(retryAfter[i - 1]!);
    expect(retryAfter.every((s) => s >= 1 && s < 60)).toBe(true);
    await running.cancel();
  });

  it('when the model cannot load again, waiting requests end with an error and new ones are refused with 503', async () => {
    const { queue, connections } = setup({}, 2);
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    const waiting = await queue.submit(request('b1'), {});
    await running.read();
    connections[0]!.terminate(new ZStreamError('worker_crashed', 'The worker stopped.'));
    expect(await readAll(waiting)).toEqual([
      { type: 'error', error: { code: 'model_load_failed', message: 'Could not load model: onnx/model.onnx is missing', param: null } },
    ]);
    const refused = await queue.submit(request('c1'), {}).then(() => undefined, (e: unknown) => e as ZStreamError);
    expect(refused?.status).toBe(503);
    // The load works again: the next request loads a new worker.
    expect(texts(await readAll(await queue.submit(request('d1'), {})))).toBe('d1 done');
  });

  it('without transferable streams it pulls by id, runAhead events ahead, and cancels by id', async () => {
    const { queue, connections } = setup({ runAhead: 2 }, 0, false);
    await queue.start();
    const reader = (await queue.submit(request('a1 a2 a3 a4 a5'), {})).getReader();
    expect((await reader.read()).value).toEqual(delta('a1'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(connections[0]!.worker.log).toEqual(['1:a1', '1:a2', '1:a3']); // the one read, and two ahead
    await reader.cancel();
    expect(connections[0]!.worker.log.at(-1)).toBe('1:cancelled');
    expect(texts(await readAll(await queue.submit(request('b1'), {})))).toBe('b1 done');
  });

  it('a first batch sent apart reaches the reader first; the stream is read only once it was handed out', async () => {
    const { queue, connections } = setup({ runAhead: 1 }, 0, true, { firstApart: true });
    await queue.start();
    const reader = (await queue.submit(request('a1+a2 a3 a4'), {})).getReader();
    const log = connections[0]!.worker.log;
    expect((await reader.read()).value).toEqual(delta('a1'));
    expect((await reader.read()).value).toEqual(delta('a2'));
    await tick();
    expect(log).toEqual(['1:a1+a2 (apart)']); // nothing asked of the stream yet
    expect((await reader.read()).value).toEqual(delta('a3'));
    expect(log).toEqual(['1:a1+a2 (apart)', '1:a3']);
    expect((await reader.read()).value).toEqual(delta('a4'));
    expect((await reader.read()).value).toEqual(done);
    expect((await reader.read()).done).toBe(true);
  });

  it('a first batch sent apart: FIFO requests each get their own, and a worker that dies before it comes fails the request', async () => {
    const { queue, connections } = setup({}, 0, true, { firstApart: true });
    await queue.start();
    const [a, b] = [await queue.submit(request('a1 a2'), {}), await queue.submit(request('b1+b2 b3'), {})];
    expect([texts(await readAll(a)), texts(await readAll(b))]).toEqual(['a1 a2 done', 'b1 b2 b3 done']);
    const hung = (await queue.submit(request('hang'), {})).getReader();
    const waiting = hung.read();
    await tick();
    connections[0]!.terminate(new ZStreamError('worker_crashed', 'The worker stopped.'));
    expect((await waiting).value).toMatchObject({ type: 'error', error: { code: 'worker_crashed' } });
  });
});
