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
 * batch of two); 'hang' stops answering, 'wait30' waits 30 ms before the next word.
 */
export const request = (script: string) => ({ messages: [{ role: 'user' as const, content: script }] }) satisfies GenerateRequest;
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The worker's side: one generation at a time in FIFO order, each playing its script on demand. */
export class FakeWorker {
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
export function setup(options: FlowOptions = {}, failLoads = 0, transfer = true, firstApart = false) {
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

export async function readAll(stream: ReadableStream<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export const texts = (events: StreamEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : e.type)).join(' ');
