import { ZStreamError } from '../src/shared/errors.js';
import { describe, expect, it, vi } from 'vitest';
import type { GenerateRequest, StreamEvent } from '../src/shared/protocol.js';
import { scriptedBackend } from '../test/scripted-backend.js';
import type { Backend } from './backend.js';
import { createGeneration } from './generation.js';
import { Scheduler } from './scheduler.js';

/** A backend whose every step fails with `message`. */
function failingBackend(message: string): Backend {
  const { backend } = scriptedBackend([]);
  return {
    ...backend,
    async prepare(request) {
      const prepared = await backend.prepare(request);
      return { ...prepared, start: () => ({ next: () => Promise.reject(new Error(message)), close: async () => undefined }) };
    },
  };
}

async function drain(pieces: string[], request: Partial<GenerateRequest> = {}) {
  const { backend, log } = scriptedBackend(pieces);
  const source = await createGeneration(backend, { messages: [], ...request }, new Scheduler());
  const events: StreamEvent[] = [];
  for (let e = await source.pull(); e; e = await source.pull()) events.push(e);
  return { events, log };
}

const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');

describe('createGeneration', () => {
  it('emits one delta per token, then done with usage', async () => {
    const { events, log } = await drain(['a', 'b', 'c']);
    expect(events).toEqual([
      { type: 'delta', text: 'a', tokens: 1 },
      { type: 'delta', text: 'b', tokens: 1 },
      { type: 'delta', text: 'c', tokens: 1 },
      { type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } },
    ]);
    expect(log.closed).toBe(1);
  });

  it('counts tokens whose text is still partial, but emits no empty delta', async () => {
    const { events } = await drain(['', '👋']);
    expect(events.filter((e) => e.type === 'delta')).toEqual([{ type: 'delta', text: '👋', tokens: 2 }]);
    expect(events.at(-1)).toMatchObject({ usage: { completion_tokens: 2 } });
  });

  it('ends with length at max_tokens without running another step', async () => {
    const { events, log } = await drain(['a', 'b', 'c', 'd'], { max_tokens: 2 });
    expect(textOf(events)).toBe('ab');
    expect(events.at(-1)).toMatchObject({ type: 'done', finish_reason: 'length', usage: { completion_tokens: 2 } });
    expect(log.steps).toBe(2);
  });

  it('ends before a stop sequence that spans tokens', async () => {
    const { events } = await drain(['Once', ' up', 'on', ' a'], { stop: ['upon'] });
    expect(textOf(events)).toBe('Once ');
    expect(events.at(-1)).toMatchObject({ finish_reason: 'stop', usage: { completion_tokens: 3 } });
    // 'up' is held back as a possible stop; ' ' goes out with the token it came from.
    expect(events.filter((e) => e.type === 'delta')).toEqual([
      { type: 'delta', text: 'Once', tokens: 1 },
      { type: 'delta', text: ' ', tokens: 1 },
    ]);
  });

  it('turns a backend failure into an error event and frees the request', async () => {
    const { backend, log } = scriptedBackend(['a']);
    const failing: Backend = {
      ...backend,
      async prepare(request) {
        const prepared = await backend.prepare(request);
        return {
          ...prepared,
          start() {
            const tokens = prepared.start();
            return { next: () => Promise.reject(new Error('device lost')), close: () => tokens.close() };
          },
        };
      },
    };
    const scheduler = new Scheduler();
    const source = await createGeneration(failing, { messages: [] }, scheduler);
    expect(await source.pull()).toEqual({ type: 'error', error: { code: 'generation_failed', message: 'device lost', param: null } });
    expect(await source.pull()).toBeUndefined();
    expect(log.closed).toBe(1);
    // The model is free for the next request.
    await expect(scheduler.reserve().ready).resolves.toBeUndefined();
  });

  it('reports a backend failure, but not a cancel while queued', async () => {
    const failing = failingBackend('device lost');
    const failures: string[] = [];
    const onFailure = (error: Error) => failures.push(error.message);
    const scheduler = new Scheduler({ maxRunning: 1 });
    const running = await createGeneration(failing, { messages: [] }, scheduler, { onFailure });
    const queued = await createGeneration(failing, { messages: [] }, scheduler, { onFailure });
    const waiting = queued.pull();
    await queued.cancel();
    expect(await waiting).toBeUndefined();
    expect(await running.pull()).toMatchObject({ type: 'error' });
    expect(failures).toEqual(['device lost']);
  });

  it('a failed step is told as explainFailure tells it: in the error event and to onFailure', async () => {
    const failing = failingBackend('Failed to download data from buffer');
    const failures: string[] = [];
    const source = await createGeneration(failing, { messages: [] }, new Scheduler(), {
      explainFailure: async (error) => new ZStreamError('device_lost', `The GPU device was lost (${error.message})`),
      onFailure: (error) => failures.push(`${error.code}: ${error.message}`),
    });
    expect(await source.pull()).toEqual({
      type: 'error', error: { code: 'device_lost', message: 'The GPU device was lost (Failed to download data from buffer)', param: null },
    });
    expect(failures).toEqual(['device_lost: The GPU device was lost (Failed to download data from buffer)']);
  });

  it('cancel stops decoding, closes the stream and frees the model', async () => {
    const { backend, log } = scriptedBackend(['a', 'b', 'c']);
    const scheduler = new Scheduler();
    const source = await createGeneration(backend, { messages: [] }, scheduler);
    await source.pull();
    await source.cancel();
    expect(await source.pull()).toBeUndefined();
    expect(log).toEqual({ steps: 1, closed: 1 });
    await expect(scheduler.reserve().ready).resolves.toBeUndefined();
  });

  it('a queued request waits for the running one', async () => {
    const { backend } = scriptedBackend(['a']);
    const scheduler = new Scheduler({ maxRunning: 1 });
    const first = await createGeneration(backend, { messages: [] }, scheduler);
    const second = await createGeneration(backend, { messages: [] }, scheduler);
    await first.pull();
    let secondDone = false;
    const pending = second.pull().then((e) => ((secondDone = true), e));
    await new Promise((r) => setTimeout(r, 10));
    expect(secondDone).toBe(false);
    await first.pull(); // done: releases the model
    expect(await pending).toEqual({ type: 'delta', text: 'a', tokens: 1 });
  });

  it('reports start, every decode step and the release of the model, once each', async () => {
    const { backend } = scriptedBackend(['a', 'b']);
    const calls: string[] = [];
    const hooks = { onStart: () => calls.push('start'), onStep: () => calls.push('step'), onRelease: () => calls.push('release') };
    const source = await createGeneration(backend, { messages: [] }, new Scheduler(), hooks);
    expect(calls).toEqual([]); // nothing runs before the first pull
    while (await source.pull());
    await source.cancel();
    expect(calls).toEqual(['start', 'step', 'step', 'step', 'release']);
  });

  it('a request cancelled while queued leaves the queue without an event, a step or a release', async () => {
    const { backend, log } = scriptedBackend(['a']);
    const scheduler = new Scheduler({ maxRunning: 1 });
    const first = await createGeneration(backend, { messages: [] }, scheduler);
    const calls: string[] = [];
    const queued = await createGeneration(backend, { messages: [] }, scheduler, {
      onStart: () => calls.push('start'), onRelease: () => calls.push('release'),
    });
    await first.pull();
    const pending = queued.pull();
    expect(scheduler.queued).toBe(1);
    await queued.cancel();
    expect(await pending).toBeUndefined();
    expect(scheduler.queued).toBe(0);
    expect(calls).toEqual([]);
    expect(log.steps).toBe(1); // the first request's step only
  });

  it('takes its place in the queue before tokenizing, so a slow prepare keeps its turn', async () => {
    const { backend } = scriptedBackend(['x']);
    let releasePrepare!: () => void;
    const slow: Backend = {
      ...backend,
      async prepare(request) {
        await new Promise<void>((resolve) => (releasePrepare = resolve));
        return backend.prepare(request);
      },
    };
    const scheduler = new Scheduler({ maxRunning: 1 });
    const order: string[] = [];
    const running = await createGeneration(backend, { messages: [] }, scheduler);
    await running.pull();
    const slowSource = createGeneration(slow, { messages: [] }, scheduler, { onStart: () => order.push('slow') });
    const fast = await createGeneration(backend, { messages: [] }, scheduler, { onStart: () => order.push('fast') });
    const fastFirst = fast.pull();
    await running.cancel(); // the model goes to the next in line: the slow one, still tokenizing
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    releasePrepare();
    const slowGeneration = await slowSource;
    while (await slowGeneration.pull());
    await fastFirst;
    expect(order).toEqual(['slow', 'fast']);
  });

  it('is not preempted while it is tokenized; once its reader could ask, an idle one is, and the waiter runs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { backend } = scriptedBackend(['x']);
      const slow: Backend = {
        ...backend,
        prepare: (request) => new Promise((resolve) => setTimeout(() => resolve(backend.prepare(request)), 50)),
      };
      const scheduler = new Scheduler({ maxRunning: 1, preemptIdleMs: 10 });
      const idle = createGeneration(slow, { messages: [] }, scheduler); // admitted, tokenizing for 50 ms
      const waiter = createGeneration(backend, { messages: [] }, scheduler);
      await vi.advanceTimersByTimeAsync(30);
      expect(scheduler.running).toBe(1); // not preempted mid-prepare (its reader could not ask yet)
      await vi.advanceTimersByTimeAsync(30); // prepared at 50; nobody reads it: preempted at 60
      const events: StreamEvent[] = [];
      const source = await waiter;
      for (let e = await source.pull(); e; e = await source.pull()) events.push(e);
      expect(textOf(events)).toBe('x');
      expect(await (await idle).pull()).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed prepare gives back its place in the queue', async () => {
    const { backend } = scriptedBackend(['a']);
    const failing: Backend = { ...backend, prepare: () => Promise.reject(new Error('context length')) };
    const scheduler = new Scheduler();
    await expect(createGeneration(failing, { messages: [] }, scheduler)).rejects.toThrow('context length');
    expect(scheduler.running).toBe(0);
    expect(scheduler.queued).toBe(0);
  });
});
