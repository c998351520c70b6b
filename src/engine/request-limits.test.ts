// One request's limits against a scripted stand-in for the worker (test/scripted-worker.ts): the stall
// timeout, the idle-reader limit, the run-ahead contract on the main thread, and consumers that throw.
import { afterEach, describe, expect, it } from 'vitest';
import { flowSettings } from './flow-settings.js';
import { delta, done, listenerErrors, readAll, request, setup, texts, tick } from '../../test/scripted-worker.js';
import { LocalEngine } from './local-engine.js';
import { ZStreamError } from '../shared/errors.js';

// The worker calls these listeners for requests this thread may have forgotten: they must never throw.
afterEach(() => {
  expect(listenerErrors.splice(0)).toEqual([]);
});

describe('request limits', () => {
  it('a stalled request ends with request_timeout; a worker that does not let go of it is replaced', async () => {
    const { queue, connections } = setup({ stallTimeoutMs: 20 });
    await queue.start();
    const stalled = (await queue.submit(request('a1 hang'), {})).getReader();
    const waiting = await queue.submit(request('b1'), {});
    expect((await stalled.read()).value).toEqual(delta('a1'));
    expect((await stalled.read()).value).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
    // The fake's hung step never lets go: after another 20 ms the worker is replaced and b runs there.
    expect(texts(await readAll(waiting))).toBe('b1 done');
    expect(connections).toHaveLength(2);
  });

  it("a retired worker's late news that it let go of a request does not spare the stuck worker that runs it now", async () => {
    const { queue, connections } = setup({ stallTimeoutMs: 20 });
    await queue.start();
    const running = (await queue.submit(request('a1 a2'), {})).getReader();
    const stalled = (await queue.submit(request('b1 hang'), {})).getReader();
    expect((await running.read()).value).toEqual(delta('a1'));
    connections[0]!.retire(new ZStreamError('device_lost', 'The GPU device was lost.')); // b goes to the next worker
    expect((await stalled.read()).value).toEqual(delta('b1'));
    const waiting = await queue.submit(request('c1'), {});
    expect((await stalled.read()).value).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
    connections[0]!.worker.events.released(2);
    expect(texts(await readAll(waiting))).toBe('c1 done');
    expect(connections).toHaveLength(3);
  });

  it('a per-request stallTimeoutMs overrides the engine default', async () => {
    const { queue } = setup({ stallTimeoutMs: 5 });
    await queue.start();
    // The worker takes 30 ms for a2 while the reader waits: over the default, under the override.
    expect(texts(await readAll(await queue.submit(request('a1 wait30 a2'), { stallTimeoutMs: 1000 })))).toBe('a1 a2 done');
    expect(await readAll(await queue.submit(request('b1 wait30 b2'), {}))).toMatchObject([delta('b1'), { type: 'error', error: { code: 'request_timeout' } }]);
  });

  it('time in the queue does not count against stallTimeoutMs, even while the reader waits', async () => {
    const { queue } = setup({ stallTimeoutMs: 20 });
    await queue.start();
    const first = await queue.submit(request('a1 wait15 a2 wait15 a3 wait15 a4'), {});
    // b's reader waits from now on: 45 ms in the queue, then b runs.
    const [a, b] = await Promise.all([readAll(first), readAll(await queue.submit(request('b1'), {}))]);
    expect(texts(a)).toBe('a1 a2 a3 a4 done');
    expect(texts(b)).toBe('b1 done');
  });

  it('the main thread asks for a batch only once its reader has taken the last one and waits (the run-ahead contract)', async () => {
    const { queue, connections } = setup({ runAhead: 1 }); // the fake worker then produces a batch only when asked
    await queue.start();
    const reader = (await queue.submit(request('a1+a2+a3 a4+a5'), {})).getReader();
    const log = connections[0]!.worker.log;
    expect((await reader.read()).value).toEqual(delta('a1'));
    expect((await reader.read()).value).toEqual(delta('a2'));
    expect((await reader.read()).value).toEqual(delta('a3'));
    await tick();
    expect(log).toEqual(['1:a1+a2+a3']); // the batch is handed out before the next is asked for
    expect((await reader.read()).value).toEqual(delta('a4'));
    expect(log).toEqual(['1:a1+a2+a3', '1:a4+a5']);
    await reader.cancel();
  });

  it('an idle reader is stopped after idleTimeoutMs with request_timeout, and the next request runs', async () => {
    expect(flowSettings({}).idleTimeoutMs).toBe(300_000); // on by default
    const { queue, connections } = setup({ idleTimeoutMs: 30 });
    await queue.start();
    const neverRead = await queue.submit(request('a1 a2'), {});
    const readOnce = (await queue.submit(request('b1 b2 b3'), {})).getReader();
    const waiting = queue.submit(request('c1'), {});
    expect((await readOnce.read()).value).toEqual(delta('b1'));
    expect(texts(await readAll(await waiting))).toBe('c1 done');
    expect(connections[0]!.worker.log).toContain('1:cancelled');
    expect(connections[0]!.worker.log).toContain('2:cancelled');
    // Whoever comes back gets the error.
    expect(await readAll(neverRead)).toMatchObject([{ type: 'error', error: { code: 'request_timeout', message: expect.stringContaining('idleTimeoutMs') } }]);
    expect((await readOnce.read()).value).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
    expect((await readOnce.read()).done).toBe(true);
  });

  it('a throwing onToken, or a chatStream left after one next(), lets go of the model', async () => {
    const { queue } = setup({ idleTimeoutMs: 30 });
    await queue.start();
    const engine = new LocalEngine(queue);
    const messages = request('a1 a2 a3').messages;
    await expect(engine.chat(messages, { onToken: () => { throw new Error('the page broke'); } })).rejects.toThrow('the page broke');
    expect(await engine.chat(request('b1').messages)).toMatchObject({ text: 'b1' });
    const abandoned = engine.chatStream(request('c1 c2 c3').messages)[Symbol.asyncIterator]();
    expect((await abandoned.next()).value).toBe('c1');
    expect(await engine.chat(request('d1').messages)).toMatchObject({ text: 'd1' }); // after the idle limit
    expect(await queue.stats()).toMatchObject({ queued: 0 });
  });

  // Found by review: per-request limits went to setTimeout unchecked (0 or -1 ended the request at
  // once, and one client's stallTimeoutMs 0 could replace the worker under another's request).
  it("a request's own limits are checked as createEngine checks its defaults", async () => {
    const { queue } = setup();
    await queue.start();
    const engine = new LocalEngine(queue);
    const messages = request('a1').messages;
    for (const limits of [{ stallTimeoutMs: 0 }, { idleTimeoutMs: -1 }, { idleTimeoutMs: Number.NaN }, { stallTimeoutMs: 2 ** 31 }]) {
      await expect(engine.chat(messages, limits)).rejects.toMatchObject({ code: 'invalid_value', param: Object.keys(limits)[0] });
    }
    expect(await engine.chat(messages, { stallTimeoutMs: 2 ** 31 - 1, idleTimeoutMs: 0 })).toMatchObject({ text: 'a1' });
  });

  // Found by review: `stop: 5` failed inside a decode step (a model failure: the worker was retired),
  // and OpenAI's string form was read letter by letter.
  it('generation parameters a model cannot use are refused before queueing; stop as a string is one sequence', async () => {
    const { queue, connections } = setup();
    await queue.start();
    const engine = new LocalEngine(queue);
    const messages = request('a1').messages;
    const bad = [{ stop: 5 }, { stop: [5] }, { temperature: '1' }, { temperature: 3 }, { top_p: Number.NaN }, { max_tokens: 0 }, { max_tokens: 2.5 }, { seed: 'x' }];
    for (const params of bad) {
      await expect(engine.chat(messages, params as never)).rejects.toMatchObject({ code: 'invalid_value', param: Object.keys(params)[0] });
    }
    await expect(engine.generate({ ...request('a1'), presence_penalty: -3 })).rejects.toMatchObject({ param: 'presence_penalty' });
    expect(connections[0]!.worker.log).toEqual([]);
    await engine.chat(messages, { stop: 'END' } as never);
    expect(connections[0]!.worker.requests.at(-1)).toMatchObject({ stop: ['END'] });
  });

  // Found by review: chatStream was an async generator, whose return() waits behind a pending next():
  // a Stop button left a queued request to run, and a running one to its next token.
  it("chatStream's return() while a next() waits stops the request at once; the waiting next() ends as done", async () => {
    const { queue, connections } = setup();
    await queue.start();
    const engine = new LocalEngine(queue);
    const first = (await engine.generate(request('a1 hang'))).getReader();
    expect((await first.read()).value).toEqual(delta('a1'));
    const stream = engine.chatStream(request('b1 b2').messages)[Symbol.asyncIterator]();
    const waiting = stream.next();
    expect(await stream.return!()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await first.cancel();
    expect(await engine.chat(request('c1').messages)).toMatchObject({ text: 'c1' });
    expect(connections[0]!.worker.log.filter((line) => line.startsWith('2:b'))).toEqual([]);
  });
});
