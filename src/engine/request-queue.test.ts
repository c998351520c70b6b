// The queue and its jobs against a scripted stand-in for the worker: FIFO, the 429 bound, abort,
// the stall timeout, and what a dead worker does to running and waiting requests.
import type { Remote } from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import { ZStreamError } from '../shared/errors.js';
import { flowSettings, type FlowOptions } from './flow-settings.js';
import type { GenerateHandle, GenerateOptions, GenerateRequest, ModelInfo, StreamBatch, StreamEvent, WorkerApi, WorkerStats } from '../shared/protocol.js';
import { LocalEngine } from './local-engine.js';
import { RequestQueue } from './request-queue.js';
import type { Connection, ConnectionEvents } from './worker-connection.js';

const INFO: ModelInfo = { id: 'fake', backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 64 };
const delta = (text: string): StreamEvent => ({ type: 'delta', text, tokens: 1 });
const done: StreamEvent = { type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } };
/**
 * A request's script: its `messages[0].content` names the events, one batch per word ('a1+a2' is a
 * batch of two); 'hang' stops answering, 'wait30' waits 30 ms before the next word.
 */
const request = (script: string) => ({ messages: [{ role: 'user' as const, content: script }] }) satisfies GenerateRequest;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The worker's side: one generation at a time in FIFO order, each playing its script on demand. */
class FakeWorker {
  readonly log: string[] = [];
  /** Where streams cannot be transferred (GenerateHandle 'pull'): the readers the main thread pulls by id. */
  private readonly byId = new Map<number, ReadableStreamDefaultReader<StreamBatch>>();
  private readonly waiting: Array<() => void> = [];
  private busy = false;
  private readonly open = new Set<ReadableStreamDefaultController<StreamBatch>>();

  /** `firstApart`: as the real worker, the first batch goes through the listener (events.first), the stream starts with an empty batch. */
  constructor(private readonly events: ConnectionEvents, private readonly transfer = true, private readonly firstApart = false) {}

  async generate(req: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle> {
    const script = 'messages' in req ? req.messages[0]!.content.split(' ') : [];
    const { id } = options;
    const turn = new Promise<void>((resolve) => (this.busy ? this.waiting.push(resolve) : ((this.busy = true), resolve())));
    let released = false;
    let hung = false; // a step that never returns: cancel waits for it (worker/generation.ts), so no release
    const release = () => {
      if (released) return;
      released = true;
      this.events.released(id);
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    };
    void turn.then(() => this.events.started(id));
    const apart = this.transfer && this.firstApart;
    if (apart && script[0] !== 'hang') {
      void turn.then(() => {
        const word = script.shift()!;
        this.log.push(`${id}:${word} (apart)`);
        this.events.first(id, word.split('+').map(delta));
      });
    }
    let firstPull = apart;
    // Batches of one event: the worker's batching is tested with the real worker (e2e/flow.spec.ts).
    let controller!: ReadableStreamDefaultController<StreamBatch>;
    const stream = new ReadableStream<StreamBatch>(
      {
        start: (c) => void this.open.add((controller = c)),
        pull: async (c) => {
          await turn;
          if (firstPull) {
            firstPull = false;
            return c.enqueue([]);
          }
          let word = script.shift();
          if (word === 'hang') return new Promise<void>(() => void (hung = true));
          const wait = /^wait(\d+)$/.exec(word ?? '');
          if (wait) {
            await new Promise((resolve) => setTimeout(resolve, Number(wait[1])));
            word = script.shift();
          }
          this.log.push(`${id}:${word ?? 'done'}`);
          if (word) return c.enqueue(word.split('+').map(delta));
          c.enqueue([done]);
          c.close();
          this.open.delete(c);
          release();
        },
        cancel: () => {
          this.log.push(`${id}:cancelled`);
          this.open.delete(controller);
          if (!hung) release();
        },
      },
      new CountQueuingStrategy({ highWaterMark: this.transfer ? options.runAhead - 1 : 0 }),
    );
    if (this.transfer) return { kind: 'stream', stream, firstApart: this.firstApart };
    this.byId.set(id, stream.getReader());
    return { kind: 'pull', id };
  }

  async pull(id: number): Promise<StreamEvent | undefined> {
    const { value } = await this.byId.get(id)!.read();
    return value?.[0];
  }

  async cancel(id: number): Promise<void> {
    await this.byId.get(id)?.cancel();
  }

  async stats(): Promise<WorkerStats> {
    return { generatedTokens: 0, openKvCaches: 0, running: this.busy ? 1 : 0 };
  }

  /** A dead worker's transferred streams close. */
  die(): void {
    for (const c of this.open) c.close();
    this.open.clear();
  }
}

class FakeConnection implements Connection {
  readonly info = INFO;
  alive = true;
  readonly ending: Promise<ZStreamError>;
  readonly ended: Promise<ZStreamError>;
  private endingWith!: (reason: ZStreamError) => void;
  private end!: (reason: ZStreamError) => void;
  private reason: ZStreamError | undefined;

  constructor(readonly worker: FakeWorker) {
    this.ending = new Promise((resolve) => (this.endingWith = resolve));
    this.ended = new Promise((resolve) => (this.end = resolve));
  }

  retire(reason: ZStreamError): void {
    this.endingWith(reason);
  }

  call<T>(fn: (remote: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.reason);
    const dead = this.ended.then((reason) => Promise.reject(reason));
    return Promise.race([fn(this.worker as unknown as Remote<WorkerApi>), dead]);
  }

  terminate(reason: ZStreamError): void {
    if (this.reason) return;
    this.reason = reason;
    this.alive = false;
    this.worker.die();
    this.endingWith(reason);
    this.end(reason);
  }
}

/** runAhead 1 by default: the fake worker generates one event ahead, so requests stay running while read. */
function setup(options: FlowOptions = {}, failLoads = 0, transfer = true, firstApart = false) {
  const connections: FakeConnection[] = [];
  let loads = 0;
  const queue = new RequestQueue(async (events) => {
    if (loads++ > 0 && failLoads-- > 0) throw new ZStreamError('model_load_failed', 'Could not load model: onnx/model.onnx is missing');
    const connection = new FakeConnection(new FakeWorker(events, transfer, firstApart));
    connections.push(connection);
    return connection;
  }, flowSettings({ runAhead: 1, ...options }));
  return { queue, connections, loads: () => loads };
}

async function readAll(stream: ReadableStream<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const texts = (events: StreamEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : e.type)).join(' ');

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
    const { queue, connections } = setup({ runAhead: 1 }, 0, true, true);
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
    const { queue, connections } = setup({}, 0, true, true);
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
