// A scripted stand-in for the model's worker, for the request queue's unit tests
// (src/engine/request-queue.test.ts, src/engine/request-limits.test.ts).
import type { Remote } from 'comlink';
import { ZStreamError } from '../src/shared/errors.js';
import { flowSettings, type FlowOptions } from '../src/engine/flow-settings.js';
import type { GenerateHandle, GenerateOptions, GenerateRequest, ModelInfo, StreamBatch, StreamEvent, WorkerApi, WorkerStats } from '../src/shared/protocol.js';
import { RequestQueue } from '../src/engine/request-queue.js';
import type { Connection, ConnectionEvents } from '../src/engine/worker-connection.js';

export const INFO: ModelInfo = { id: 'fake', backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: 64 };
export const delta = (text: string): StreamEvent => ({ type: 'delta', text, tokens: 1 });
export const done: StreamEvent = { type: 'done', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } };
/**
 * A request's script: its `messages[0].content` names the events, one batch per word ('a1+a2' is a
 * batch of two); 'hang' stops answering, 'wait30' waits 30 ms before the next word, 'stuck' lets go
 * of the model and then stops answering, 'cut' ends the stream without a done event, 'error' errors it. As the first
 * word, 'refuse' makes the worker reject the request, 'crash' kills the worker during the call, and
 * 'retire' retires it during the call (the request is then played on).
 */
export const request = (script: string) => ({ messages: [{ role: 'user' as const, content: script }] }) satisfies GenerateRequest;
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** What the main thread's started/released listeners threw (a worker would get a rejected call): tests expect none. */
export const listenerErrors: unknown[] = [];

export interface FakeOptions {
  /** Generations the fake worker runs at once (1: one at a time, FIFO). */
  parallel?: number;
  /** What a terminated worker's transferred streams do: close (default), or hang, as a real one's do. */
  deadStreams?: 'close' | 'hang';
  /** How long loading the model again takes (a timer, as a real load is: not microtasks). */
  reloadMs?: number;
  /** As the real worker: the first batch goes through the listener (events.first), the stream starts with an empty batch. */
  firstApart?: boolean;
}

/** The worker's side: `parallel` generations at a time in FIFO order, each playing its script on demand. */
export class FakeWorker {
  readonly log: string[] = [];
  /** Every request generate() was called with, as the worker got it. */
  readonly requests: GenerateRequest[] = [];
  /** Set by its connection: ends the worker, as a crash does. */
  crash: () => void = () => {};
  /** Set by its connection: the worker takes no more work (a lost GPU device), and lives on. */
  retire: () => void = () => {};
  /** Where streams cannot be transferred (GenerateHandle 'pull'): the readers the main thread pulls by id. */
  private readonly byId = new Map<number, ReadableStreamDefaultReader<StreamBatch>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private generatedTokens = 0;
  private readonly open = new Set<ReadableStreamDefaultController<StreamBatch>>();
  private dead = false;
  private readonly onDeath: Array<() => void> = [];

  constructor(
    /** The main thread's listeners, as the worker calls them. */
    readonly events: ConnectionEvents,
    private readonly transfer = true,
    private readonly options: FakeOptions = {},
  ) {}

  async generate(req: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle> {
    this.requests.push(req);
    const script = 'messages' in req ? req.messages[0]!.content.split(' ') : [];
    const { id } = options;
    if (script[0] === 'refuse') {
      this.log.push(`${id}:refused`);
      throw new ZStreamError('context_length_exceeded', 'The worker refused this request.');
    }
    if (script[0] === 'retire') {
      this.log.push(`${id}:retired`);
      this.retire();
      script.shift();
    }
    if (script[0] === 'crash') {
      this.log.push(`${id}:crashed`);
      this.crash();
      return new Promise<never>(() => {});
    }
    const parallel = this.options.parallel ?? 1;
    let admitted = false;
    let admit!: () => void;
    const turn = new Promise<void>((resolve) => {
      admit = () => ((admitted = true), resolve());
      if (this.running < parallel) (this.running++, admit());
      else this.waiting.push(admit);
    });
    let released = false;
    let hung = false; // a step that never returns: cancel waits for it (worker/generation.ts), so no release
    const release = () => {
      if (released) return;
      released = true;
      // Cancelled before its turn: it leaves the queue, with no event (released only follows started).
      if (!admitted) return void this.waiting.splice(this.waiting.indexOf(admit), 1);
      this.tell(() => this.events.released(id));
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
    void turn.then(() => this.tell(() => this.events.started(id)));
    const apart = this.transfer && this.options.firstApart === true;
    if (apart && script[0] !== 'hang') {
      void turn.then(() => {
        const word = script.shift()!;
        this.log.push(`${id}:${word} (apart)`);
        this.tell(() => this.events.first(id, word.split('+').map(delta)));
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
          if (word === 'stuck') {
            release();
            return new Promise<void>(() => {});
          }
          const wait = /^wait(\d+)$/.exec(word ?? '');
          if (wait) {
            await new Promise((resolve) => setTimeout(resolve, Number(wait[1])));
            word = script.shift();
          }
          this.log.push(`${id}:${word ?? 'done'}`);
          if (word === 'error') {
            c.error(new ZStreamError('device_lost', 'The stream broke.'));
            this.open.delete(c);
            return release();
          }
          if (word === 'cut') {
            c.close();
            this.open.delete(c);
            return release();
          }
          if (word) {
            this.generatedTokens += word.split('+').length;
            return c.enqueue(word.split('+').map(delta));
          }
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
    if (!this.transfer) {
      this.byId.set(id, stream.getReader());
      return { kind: 'pull', id };
    }
    const firstApart = this.options.firstApart === true;
    return { kind: 'stream', stream: this.options.deadStreams === 'hang' ? this.hangsWhenDead(stream) : stream, firstApart };
  }

  async pull(id: number): Promise<StreamEvent | undefined> {
    const { value } = await this.byId.get(id)!.read();
    return value?.[0];
  }

  async cancel(id: number): Promise<void> {
    await this.byId.get(id)?.cancel();
  }

  async stats(): Promise<WorkerStats> {
    if (this.dead) return new Promise(() => {}); // a dead worker answers nothing
    return { generatedTokens: this.generatedTokens, openKvCaches: this.running, running: this.running };
  }

  /** A dead worker's transferred streams close (or hang: see FakeOptions.deadStreams). */
  die(): void {
    this.dead = true;
    for (const wake of this.onDeath.splice(0)) wake();
    for (const c of this.open) c.close();
    this.open.clear();
  }

  /** A transferred stream of a terminated worker delivers nothing more and never ends. */
  private hangsWhenDead(stream: ReadableStream<StreamBatch>): ReadableStream<StreamBatch> {
    const reader = stream.getReader();
    const death = new Promise<void>((resolve) => (this.dead ? resolve() : this.onDeath.push(resolve)));
    return new ReadableStream<StreamBatch>(
      {
        pull: async (c) => {
          const result = await Promise.race([reader.read(), death.then(() => undefined)]);
          if (this.dead || !result) return new Promise<void>(() => {});
          if (result.done) c.close();
          else c.enqueue(result.value);
        },
        cancel: () => reader.cancel(),
      },
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
  }

  private tell(event: () => void): void {
    try {
      event();
    } catch (error) {
      listenerErrors.push(error);
    }
  }
}

export class FakeConnection implements Connection {
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
    worker.crash = () => this.terminate(new ZStreamError('worker_crashed', 'The worker stopped.'));
    worker.retire = () => this.retire(new ZStreamError('device_lost', 'The GPU device was lost.'));
  }

  retire(reason: ZStreamError): void {
    this.endingWith(reason);
  }

  call<T>(fn: (remote: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.reason);
    const dead = this.ended.then((reason) => Promise.reject(reason));
    return Promise.race([fn(this.worker as unknown as Remote<WorkerApi>), dead]);
  }

  /** The worker dies, but its death is reported a moment after its streams closed (as a Web Lock's release is). */
  dieUnnoticed(reason: ZStreamError): void {
    this.worker.die();
    setTimeout(() => this.terminate(reason), 0);
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
export function setup(options: FlowOptions = {}, failLoads = 0, transfer = true, fake: FakeOptions = {}) {
  const connections: FakeConnection[] = [];
  let loads = 0;
  const queue = new RequestQueue(async (events) => {
    if (loads++ > 0 && failLoads-- > 0) throw new ZStreamError('model_load_failed', 'Could not load model: onnx/model.onnx is missing');
    if (loads > 1 && fake.reloadMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fake.reloadMs));
    const connection = new FakeConnection(new FakeWorker(events, transfer, fake));
    connections.push(connection);
    return connection;
  }, flowSettings({ runAhead: 1, ...options }));
  return { queue, connections, loads: () => loads };
}

export async function readAll(stream: ReadableStream<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export const texts = (events: StreamEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : e.type)).join(' ');
