// One worker with one loaded model, and the news of its end. The worker holds a Web Lock for life
// (worker/life-lock.ts); waiting here for the same lock resolves when it ends, however it ended:
// terminate(), a crash, out of memory. Every call into the worker races that end, because a dead
// worker never answers a Comlink call.
import { proxy, releaseProxy, wrap, type Endpoint, type Remote } from 'comlink';
import { ZStreamError, deviceLost } from '../shared/errors.js';
import type { LoadOptions, LoadProgress, ModelInfo, WorkerApi, WorkerListener } from '../shared/protocol.js';

/** What the queue hears from the worker; `deviceLost` and `backendFailed` end the connection instead. */
export type ConnectionEvents = Pick<WorkerListener, 'started' | 'released' | 'first'>;

/** What the queue and its jobs use of a worker (an interface, so unit tests can stand in for one). */
export interface Connection {
  readonly info: ModelInfo;
  readonly alive: boolean;
  /**
   * Resolves (never rejects) with the reason once the worker takes no more work: retired or gone.
   * What it has not started goes to a new worker; what it was running fails.
   */
  readonly ending: Promise<ZStreamError>;
  /** Resolves (never rejects) with the reason once the worker is gone. */
  readonly ended: Promise<ZStreamError>;
  /** Calls the worker; rejects with the end's reason if the worker is or becomes gone first. */
  call<T>(fn: (remote: Remote<WorkerApi>) => Promise<T>): Promise<T>;
  /** Ends the worker (idempotent): calls in flight reject with `reason`, and `ended` resolves with it. */
  terminate(reason: ZStreamError): void;
  /**
   * The worker can run nothing more but lives (a failed backend, a lost device): `ending` resolves,
   * and the streams it already finished can still be read to their end before it is terminated.
   */
  retire(reason: ZStreamError): void;
}

/** What a connection talks to: a dedicated worker (the default), or a port of a shared one (shared-worker.ts). */
export interface WorkerEndpoint {
  /** What Comlink talks over. */
  readonly port: Endpoint;
  /** Calls `fail` when the worker's script fails or throws, or a message cannot be decoded. */
  onFailure(fail: (detail: string) => void): void;
  /** A Web Lock this thread holds while connected; a shared worker cancels its requests once it is released. */
  readonly clientLock?: string;
  /** Ends this connection: terminates a dedicated worker, lets go of a shared one. */
  close(): void;
}

const startWorker = () => new Worker(new URL('../../worker/index.ts', import.meta.url), { type: 'module', name: 'zstream' });

/** The default: a dedicated module worker of its own. */
export function dedicatedWorker(worker: Worker = startWorker()): WorkerEndpoint {
  return {
    port: worker,
    onFailure(fail) {
      worker.addEventListener('error', (event) => fail(event.message || 'its script failed to load or threw'));
      worker.addEventListener('messageerror', () => fail('a message could not be decoded'));
    },
    close: () => worker.terminate(),
  };
}

const crashed = (detail: string) =>
  new ZStreamError('worker_crashed', `The model's worker stopped: ${detail}.`);

/** How the engine starts its worker; src/testing.ts starts a test worker instead (not in the package). */
export interface WorkerStart {
  createWorker?: () => Worker;
  /** For createEngine({ shared: true }): starts (or attaches to) the SharedWorker of this name (shared-worker.ts). */
  createSharedWorker?: (name: string) => SharedWorker;
  /**
   * Until the worker holds its life lock, only an `error` event would tell of its death, and a worker
   * that closes or runs out of memory early sends none: a worker that has not answered `connect` by
   * then counts as crashed. Default 30 000 ms.
   */
  connectTimeoutMs?: number;
  /** A port of a shared worker (shared-worker.ts) instead of a worker of its own. */
  endpoint?: WorkerEndpoint;
  /** Called once the worker has answered `connect`: it lives, and the model's load (however long) follows. */
  onConnected?: () => void;
}

export class WorkerConnection implements Connection {
  readonly ending: Promise<ZStreamError>;
  readonly ended: Promise<ZStreamError>;
  private endingWith!: (reason: ZStreamError) => void;
  private endReason: ZStreamError | undefined;
  private endWith!: (reason: ZStreamError) => void;
  /** Calls in flight, to reject when the worker is gone. */
  private readonly calls = new Set<(reason: ZStreamError) => void>();
  private readonly lockWait = new AbortController();
  private info_: ModelInfo | undefined;

  private constructor(private readonly endpoint: WorkerEndpoint, private readonly remote: Remote<WorkerApi>) {
    this.ending = new Promise((resolve) => (this.endingWith = resolve));
    this.ended = new Promise((resolve) => (this.endWith = resolve));
    // Uncaught errors and undecodable messages: the worker's state is unknown from here on.
    endpoint.onFailure((detail) => this.terminate(crashed(detail)));
  }

  /** Starts a worker and loads the model; rejects (and leaves no worker behind) if either fails. */
  static async open(
    load: LoadOptions,
    events: ConnectionEvents,
    onProgress?: (progress: LoadProgress) => void,
    { createWorker = startWorker, connectTimeoutMs = 30_000, endpoint, onConnected }: WorkerStart = {},
  ): Promise<WorkerConnection> {
    const port = endpoint ?? dedicatedWorker(createWorker());
    const connection = new WorkerConnection(port, wrap<WorkerApi>(port.port));
    try {
      const lockName = `zstream-worker-${crypto.randomUUID()}`;
      const listener: WorkerListener = {
        started: (id) => events.started(id),
        released: (id) => events.released(id),
        first: (id, batch) => events.first(id, batch),
        deviceLost: (message) => connection.retire(deviceLost(message)),
        backendFailed: (message) =>
          connection.retire(new ZStreamError('generation_failed', `The model failed while generating: ${message}`)),
      };
      const silent = setTimeout(() => connection.terminate(crashed(`it did not start within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      try {
        await connection.call((remote) => remote.connect(lockName, proxy(listener), port.clientLock));
      } finally {
        clearTimeout(silent);
      }
      onConnected?.();
      connection.watchLock(lockName);
      connection.info_ = await connection.call((remote) => remote.load(load, onProgress ? proxy(onProgress) : undefined));
      return connection;
    } catch (error) {
      const failure = ZStreamError.from(error, 'model_load_failed');
      connection.terminate(failure);
      // A worker that died while loading did not load the model: say so with the load's code.
      throw failure.code === 'worker_crashed' ? new ZStreamError('model_load_failed', failure.message, { cause: failure }) : failure;
    }
  }

  get info(): ModelInfo {
    if (!this.info_) throw new Error('the model is not loaded yet');
    return this.info_;
  }

  get alive(): boolean {
    return this.endReason === undefined;
  }

  call<T>(fn: (remote: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.endReason) return Promise.reject(this.endReason);
    return new Promise<T>((resolve, reject) => {
      this.calls.add(reject);
      fn(this.remote)
        .then(resolve, reject)
        .finally(() => this.calls.delete(reject));
    });
  }

  retire(reason: ZStreamError): void {
    this.endingWith(reason); // a second resolve is a no-op
  }

  terminate(reason: ZStreamError): void {
    if (this.endReason) return;
    this.endReason = reason;
    this.endingWith(reason);
    this.endpoint.close();
    this.lockWait.abort();
    this.remote[releaseProxy]();
    for (const reject of this.calls) reject(reason);
    this.calls.clear();
    this.endWith(reason);
  }

  private watchLock(name: string): void {
    // Without Web Locks (insecure contexts) only error events reveal a dead worker.
    const locks = navigator.locks as LockManager | undefined;
    locks
      ?.request(name, { signal: this.lockWait.signal }, async () => {
        this.terminate(crashed('it crashed, ran out of memory or was terminated'));
      })
      .catch((error: unknown) => {
        if (this.alive) throw error; // an AbortError after terminate() is the expected end of the wait
      });
  }
}
