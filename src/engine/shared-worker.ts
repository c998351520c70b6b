// createEngine({ shared: true }): the model lives in a SharedWorker (worker/shared-entry.ts) that
// every tab of the origin asking for the same model, device and assets attaches to, each over its
// own MessagePort. The worker's `name` is derived from exactly those, so different models never
// share a worker. Each tab keeps its own RequestQueue (429s, stall timeouts, handing over waiting
// requests after a crash); the worker's scheduler is shared by all tabs.
//
// Where SharedWorker is missing (some mobile browsers) or its script does not start, the tab falls
// back to a dedicated worker of its own and says so in `engine.model` (shared: false, with a reason).
import { ZStreamError } from '../shared/errors.js';
import type { LoadOptions, LoadProgress } from '../shared/protocol.js';
import { WorkerConnection, type Connection, type ConnectionEvents, type WorkerEndpoint, type WorkerStart } from './worker-connection.js';

/** 32-bit FNV-1a, twice with different offsets: a short, stable tag for the worker's name. */
function hashTag(text: string): string {
  const fnv = (seed: number) => {
    let hash = seed;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return (hash >>> 0).toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x2f6b3a91);
}

/** The worker's name without its epoch: one per origin and model + device + assets. */
const baseName = (load: LoadOptions) => `zstream ${load.model.id} ${load.device} ${hashTag(JSON.stringify(load))}`;

/**
 * One SharedWorker per origin and model + device + assets: tabs that load the same thing share it.
 * `epoch` counts the workers of this name that tabs left (failed, crashed or hung): a tab never goes
 * back to a worker it left, and tabs that leave one together move on to the same next name.
 */
export function sharedWorkerName(load: LoadOptions, epoch = 0): string {
  return `${baseName(load)}${epoch ? ` #${epoch}` : ''}`;
}

/**
 * The lock a tab holds while attached (the worker cancels the tab's requests once it is free). It
 * names the worker, as the worker's life lock `<name> (alive)` does (worker/shared-host.ts), so that
 * a tab can tell which epoch of its worker the origin uses now (newestEpoch).
 */
const tabLockOf = (name: string) => `${name} (tab ${crypto.randomUUID()})`;
const startSharedWorker = (name: string) =>
  new SharedWorker(new URL('../../worker/shared-entry.ts', import.meta.url), { type: 'module', name });

/**
 * The highest epoch of the worker named `base` that a held or requested lock names, or undefined.
 * A worker holds its life lock from its first task; a tab holds its lock before it starts the worker.
 */
export function newestEpoch(base: string, lockNames: readonly (string | undefined)[]): number | undefined {
  let newest: number | undefined;
  for (const name of lockNames) {
    if (!name?.startsWith(base)) continue;
    const match = /^(?: #(\d+))? \((?:alive|tab [^)]*)\)$/.exec(name.slice(base.length));
    if (match) newest = Math.max(newest ?? 0, Number(match[1] ?? 0));
  }
  return newest;
}

async function newestEpochInUse(load: LoadOptions): Promise<number | undefined> {
  const { held = [], pending = [] } = await navigator.locks.query();
  return newestEpoch(baseName(load), [...held, ...pending].map((lock) => lock.name));
}

/**
 * A SharedWorker that does not answer the first call within this long is hung (a tab cannot
 * terminate it; it may hold a thread that spins): the tab moves on to a new one by another name.
 */
const CONNECT_TIMEOUT_MS = 15_000;
const MAX_HUNG_WORKERS = 3;
/** While connected, the tab asks the worker for its stats this often; no answer within CONNECT_TIMEOUT_MS means hung. */
const HEARTBEAT_MS = 5_000;

/** Resolves once this tab holds the lock `name`; it keeps it until `release` is called. */
async function holdLock(name: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((held, failed) => {
    navigator.locks
      .request(name, () => {
        held();
        return released;
      })
      .catch(failed);
  });
  return release;
}

/** A port of the SharedWorker, and the lock that tells the worker when this tab is gone. */
class SharedEndpoint implements WorkerEndpoint {
  /** Set when the worker's script failed before it ever answered: then SharedWorker is of no use here. */
  startFailure: string | undefined;
  answered = false;
  /** Set when the worker did not answer within CONNECT_TIMEOUT_MS, at first or later. */
  unresponsive = false;
  private fail: (detail: string) => void = () => {};

  private constructor(
    private readonly worker: SharedWorker,
    readonly clientLock: string,
    private readonly releaseLock: () => void,
  ) {
    worker.port.addEventListener('message', () => (this.answered = true), { once: true });
  }

  static async open(name: string, start: (name: string) => SharedWorker): Promise<SharedEndpoint> {
    const clientLock = tabLockOf(name);
    // Held before the worker hears of it: the worker takes a free lock to mean that the tab is gone.
    const release = await holdLock(clientLock);
    try {
      const worker = start(name);
      return new SharedEndpoint(worker, clientLock, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  get port(): MessagePort {
    return this.worker.port;
  }

  onFailure(fail: (detail: string) => void): void {
    this.fail = fail;
    this.worker.addEventListener('error', () => {
      if (!this.answered) this.startFailure = 'the SharedWorker script failed to start';
      fail('its script failed to load or threw');
    });
    this.worker.port.addEventListener('messageerror', () => fail('a message could not be decoded'));
  }

  /** Ends the connection unless the worker answered by now. */
  failUnanswered(): void {
    if (this.answered) return;
    this.unresponsive = true;
    this.fail(`the SharedWorker did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
  }

  close(): void {
    this.worker.port.close();
    this.releaseLock();
  }
}

/**
 * A hung SharedWorker (a thread that spins) cannot be terminated by a tab, and other tabs' queued
 * requests would wait on it for ever: each tab checks that the worker still answers, and leaves a
 * worker that does not (its queue then hands the waiting requests to the next one).
 */
function watchHeartbeat(connection: WorkerConnection, endpoint: SharedEndpoint): void {
  let waiting = false;
  const timer = setInterval(() => {
    if (!connection.alive) return clearInterval(timer);
    if (waiting) return;
    waiting = true;
    const deadline = setTimeout(() => {
      endpoint.unresponsive = true;
      connection.terminate(new ZStreamError('worker_crashed', `The shared worker did not answer for ${CONNECT_TIMEOUT_MS / 1000} s, so this tab left it.`));
    }, CONNECT_TIMEOUT_MS);
    const answered = () => {
      clearTimeout(deadline);
      waiting = false;
    };
    connection.call((remote) => remote.stats()).then(answered, answered);
  }, HEARTBEAT_MS);
}

/** Why this page cannot use a SharedWorker at all, or undefined. */
function sharedWorkerMissing(): string | undefined {
  if (typeof SharedWorker === 'undefined') return 'SharedWorker is not available in this browser';
  if (typeof navigator.locks === 'undefined') return 'Web Locks are not available (not a secure context)';
  return undefined;
}

/**
 * What the RequestQueue opens for createEngine({ shared: true }): a connection to the shared
 * worker, or, once that proved impossible, to a dedicated one. Every reopen after a crash tries
 * the shared worker again, by the next name, unless it could not start. `start` starts the
 * workers (src/testing.ts: the test workers).
 *
 * Why the next name: a SharedWorker that closed itself (a lost device, a failed backend) or crashed
 * keeps its name and URL in the browser for a moment after its locks are free, and a tab that
 * attaches to it then is dropped without a word (its `connect` event never comes). A worker that
 * hangs never answers either. So a tab never goes back to a worker it left: the tabs of a failed
 * worker all move from epoch k to k + 1 (the first one there loads the model, the others attach to
 * that load), and a tab that opens joins the newest epoch that a worker or a tab holds a lock for.
 */
export function sharedWorkerOpener(
  load: LoadOptions,
  onProgress?: (progress: LoadProgress) => void,
  { createSharedWorker = startSharedWorker, ...start }: WorkerStart = {},
): (events: ConnectionEvents) => Promise<Connection> {
  let fallbackReason = sharedWorkerMissing();
  /** The epoch of the worker this tab opened last; undefined before the first. */
  let epoch: number | undefined;
  let hungInARow = 0;
  return async (events) => {
    while (fallbackReason === undefined) {
      let endpoint: SharedEndpoint | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const newest = await newestEpochInUse(load);
        epoch = epoch === undefined ? newest ?? 0 : Math.max(epoch + 1, newest ?? 0);
        endpoint = await SharedEndpoint.open(sharedWorkerName(load, epoch), createSharedWorker);
        const opened = endpoint;
        timer = setTimeout(() => opened.failUnanswered(), CONNECT_TIMEOUT_MS);
        // Hung means no answer to `connect`; a worker that answered and then loads a model (shaders
        // compile for many seconds on a slow GPU) is alive, and the heartbeat watches it from then on.
        const connection = await WorkerConnection.open(load, events, onProgress, { ...start, endpoint, onConnected: () => clearTimeout(timer) });
        connection.info.shared = true;
        hungInARow = 0;
        watchHeartbeat(connection, endpoint);
        return connection;
      } catch (error) {
        if (endpoint?.unresponsive) {
          // A worker that hangs on every start is no use: after a few, this tab runs its own.
          if (++hungInARow >= MAX_HUNG_WORKERS) fallbackReason = `${hungInARow} SharedWorkers in a row did not answer`;
          continue;
        }
        if (endpoint?.startFailure === undefined && endpoint !== undefined) throw error;
        fallbackReason = endpoint?.startFailure ?? `SharedWorker could not start: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        clearTimeout(timer);
      }
    }
    const connection = await WorkerConnection.open(load, events, onProgress, start);
    connection.info.shared = false;
    connection.info.sharedFallbackReason = fallbackReason;
    return connection;
  };
}
