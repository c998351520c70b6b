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

/**
 * One SharedWorker per origin and model + device + assets: tabs that load the same thing share it.
 * `epoch` counts workers this tab found hung: tabs that left one move on to the same next name.
 */
export function sharedWorkerName(load: LoadOptions, epoch = 0): string {
  return `zstream ${load.model.id} ${load.device} ${hashTag(JSON.stringify(load))}${epoch ? ` #${epoch}` : ''}`;
}

/** The lock a SharedWorker holds for life (worker/shared-entry.ts). */
const lifeLockOf = (name: string) => `${name} (alive)`;
const startSharedWorker = (name: string) =>
  new SharedWorker(new URL('../../worker/shared-entry.ts', import.meta.url), { type: 'module', name });

/** How long a tab that reopens waits for the worker it left to be gone (it may live on, serving other tabs). */
const GONE_WAIT_MS = 5_000;

/**
 * Resolves once no SharedWorker of this name is alive, or after GONE_WAIT_MS. A worker that failed
 * (lost device) tells its tabs before it closes: a tab that reopened at once would attach to the
 * closing worker, whose connect event the browser then drops.
 */
async function untilGone(name: string): Promise<void> {
  const signal = AbortSignal.timeout(GONE_WAIT_MS);
  // Shared mode: tabs waiting together are let through together; the worker holds it exclusively.
  await navigator.locks.request(lifeLockOf(name), { mode: 'shared', signal }, () => undefined).catch((error: unknown) => {
    if (!signal.aborted) throw error;
  });
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

  static async open(load: LoadOptions, epoch: number, reopening: boolean, start: (name: string) => SharedWorker): Promise<SharedEndpoint> {
    if (reopening) await untilGone(sharedWorkerName(load, epoch));
    const clientLock = `zstream-tab-${crypto.randomUUID()}`;
    // Held before the worker hears of it: the worker takes a free lock to mean that the tab is gone.
    const release = await holdLock(clientLock);
    try {
      const worker = start(sharedWorkerName(load, epoch));
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
 * the shared worker again (a new one, as the crashed one is gone) unless it could not start.
 * `start` starts the workers (src/testing.ts: the test workers).
 */
export function sharedWorkerOpener(
  load: LoadOptions,
  onProgress?: (progress: LoadProgress) => void,
  { createSharedWorker = startSharedWorker, ...start }: WorkerStart = {},
): (events: ConnectionEvents) => Promise<Connection> {
  let fallbackReason = sharedWorkerMissing();
  let epoch = 0;
  let last: SharedEndpoint | undefined;
  return async (events) => {
    if (last?.unresponsive) epoch++;
    while (fallbackReason === undefined) {
      let endpoint: SharedEndpoint | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        endpoint = await SharedEndpoint.open(load, epoch, last !== undefined, createSharedWorker);
        last = endpoint;
        const opened = endpoint;
        timer = setTimeout(() => opened.failUnanswered(), CONNECT_TIMEOUT_MS);
        // Hung means no answer to `connect`; a worker that answered and then loads a model (shaders
        // compile for many seconds on a slow GPU) is alive, and the heartbeat watches it from then on.
        const connection = await WorkerConnection.open(load, events, onProgress, { ...start, endpoint, onConnected: () => clearTimeout(timer) });
        connection.info.shared = true;
        watchHeartbeat(connection, endpoint);
        return connection;
      } catch (error) {
        if (endpoint?.unresponsive) {
          // A worker that hangs on every start is no use: after a few, this tab runs its own.
          if (++epoch >= MAX_HUNG_WORKERS) fallbackReason = `${epoch} SharedWorkers in a row did not answer`;
          last = undefined;
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
