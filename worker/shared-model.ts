// The one model of a SharedWorker and the tabs attached to it (worker/shared-session.ts). The first
// tab's load loads it; tabs that attach meanwhile wait for the same load and hear its progress;
// later tabs find it loaded. Request ids are chosen by each tab, so the model numbers them anew and
// routes the worker's news of each request back to the tab that sent it. A lost device or a failed
// backend is told to every tab, then the worker ends: each tab's queue opens a new one (all by the
// same next name, so the first tab to reopen loads and the others attach) and hands over its
// waiting requests.
import type { LoadOptions, LoadProgress, ModelInfo, WorkerListener } from '../src/shared/protocol.js';
import type { ModelWorker } from './model-worker.js';

/** How long the worker stays after its last tab let go, for a tab that reloads or reconnects. */
const LINGER_MS = 2_000;

/** A tab's side of the model: where its requests' news go, under its own ids. */
export interface Attached {
  readonly listener: WorkerListener | undefined;
}

export class SharedModel {
  private loading: Promise<ModelInfo> | undefined;
  private lastProgress: LoadProgress | undefined;
  private readonly progressListeners = new Set<(progress: LoadProgress) => void>();
  private readonly tabs = new Set<Attached>();
  /** Request id in this worker → the tab that sent it, and its id there. */
  private readonly owners = new Map<number, { tab: Attached; id: number }>();
  private nextId = 1;
  private lingering: ReturnType<typeof setTimeout> | undefined;

  /** `worker` runs the model: a ModelWorker, or the test worker's subclass (worker/test-shared-entry.ts). */
  constructor(readonly worker: ModelWorker, private readonly end: () => void) {
    this.worker.listen({
      started: (id) => this.tell(id, (listener, own) => listener.started(own)),
      released: (id) => {
        this.tell(id, (listener, own) => listener.released(own));
        this.owners.delete(id);
      },
      // Sessions send their requests' first batches themselves (worker/shared-session.ts); this is for any other caller.
      first: (id, batch) => this.tell(id, (listener, own) => listener.first(own, batch)),
      deviceLost: (message) => this.fail((listener) => listener.deviceLost(message)),
      backendFailed: (message) => this.fail((listener) => listener.backendFailed(message)),
    });
  }

  get connections(): number {
    return this.tabs.size;
  }

  attach(tab: Attached): void {
    clearTimeout(this.lingering);
    this.tabs.add(tab);
  }

  /** The tab is gone (or disposed its engine): the worker ends once no tab is left. */
  detach(tab: Attached): void {
    this.tabs.delete(tab);
    for (const [id, owner] of this.owners) if (owner.tab === tab) this.owners.delete(id);
    if (this.tabs.size > 0) return;
    clearTimeout(this.lingering);
    this.lingering = setTimeout(() => {
      if (this.tabs.size === 0) this.end();
    }, LINGER_MS);
  }

  /** The model, loaded once for every tab; a failed load is tried again by the next tab that asks. */
  async load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo> {
    if (onProgress) {
      this.progressListeners.add(onProgress);
      // A tab that attaches mid-load hears where the load is at once.
      if (this.loading && this.lastProgress) onProgress(this.lastProgress);
    }
    this.loading ??= this.worker
      .load(options, (progress) => {
        this.lastProgress = progress;
        for (const listener of this.progressListeners) listener(progress);
      })
      .finally(() => (this.lastProgress = undefined));
    const loading = this.loading;
    try {
      return await loading;
    } catch (error) {
      if (this.loading === loading) this.loading = undefined;
      throw error;
    } finally {
      if (onProgress) this.progressListeners.delete(onProgress);
    }
  }

  /** A new id in this worker for the tab's request `id`. */
  register(tab: Attached, id: number): number {
    const shared = this.nextId++;
    this.owners.set(shared, { tab, id });
    return shared;
  }

  unregister(id: number): void {
    this.owners.delete(id);
  }

  /** This worker's ids of the tab's requests. */
  idsOf(tab: Attached): number[] {
    return [...this.owners].filter(([, owner]) => owner.tab === tab).map(([id]) => id);
  }

  private tell(id: number, news: (listener: WorkerListener, own: number) => void): void {
    const owner = this.owners.get(id);
    if (owner?.tab.listener) news(owner.tab.listener, owner.id);
  }

  /** Nothing more can run here: every tab hears why (their messages leave before the worker closes). */
  private fail(news: (listener: WorkerListener) => void): void {
    for (const tab of this.tabs) if (tab.listener) news(tab.listener);
    this.end();
  }
}
