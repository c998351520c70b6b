// One tab's connection to the SharedWorker (worker/shared-entry.ts exposes one per MessagePort):
// the WorkerApi of worker/model-worker.ts under the tab's own request ids, over the one model and
// scheduler every tab shares (worker/shared-model.ts). The tab holds a Web Lock while connected;
// the lock is granted here once the tab is gone (closed, navigated away, crashed, or disposed its
// engine), and then its requests are cancelled at once, which frees their KV caches. A dead
// MessagePort says nothing by itself, so the lock is the signal (see worker/life-lock.ts for the
// other direction).
import type {
  GenerateHandle, GenerateOptions, GenerateRequest, LoadOptions, LoadProgress, ModelInfo, StreamBatch, StreamEvent, WorkerApi,
  WorkerListener, WorkerStats,
} from '../src/shared/protocol.js';
import { holdForLife } from './life-lock.js';
import type { Attached, SharedModel } from './shared-model.js';

export class WorkerSession implements WorkerApi, Attached {
  listener: WorkerListener | undefined;
  /** The tab's request id → this worker's. */
  private readonly ids = new Map<number, number>();
  private closed = false;

  constructor(private readonly model: SharedModel) {}

  async connect(lockName: string, listener: WorkerListener, clientLockName?: string): Promise<void> {
    this.listener = listener;
    this.model.attach(this);
    if (clientLockName) this.watchClient(clientLockName);
    await holdForLife(lockName);
  }

  load(options: LoadOptions, onProgress?: (progress: LoadProgress) => void): Promise<ModelInfo> {
    return this.model.load(options, onProgress);
  }

  async generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateHandle> {
    const id = this.model.register(this, options.id);
    this.ids.set(options.id, id);
    try {
      // The first batch goes straight to this tab under its own id: the model's routing forgets a
      // request at `released`, which a generation of one event reports before its event.
      const sendFirst = (batch: StreamBatch) => this.listener?.first(options.id, batch);
      const handle = await this.model.worker.generate(request, { ...options, id }, sendFirst);
      // The pull fallback names the request by its id: the tab's.
      return handle.kind === 'pull' ? { kind: 'pull', id: options.id } : handle;
    } catch (error) {
      this.forget(options.id);
      throw error;
    }
  }

  async pull(id: number): Promise<StreamEvent | undefined> {
    const event = await this.model.worker.pull(this.ids.get(id) ?? -1);
    if (!event) this.ids.delete(id);
    return event;
  }

  async cancel(id: number): Promise<void> {
    const shared = this.ids.get(id);
    this.ids.delete(id);
    // The tab hears `released` (the model routes it until then), which its stall watch waits for.
    if (shared !== undefined) await this.model.worker.cancel(shared);
  }

  async stats(): Promise<WorkerStats> {
    return { ...(await this.model.worker.stats()), connections: this.model.connections };
  }

  private forget(id: number): void {
    const shared = this.ids.get(id);
    this.ids.delete(id);
    if (shared !== undefined) this.model.unregister(shared);
  }

  /** Granted once the tab let go of its lock: it is gone, and so are its requests. */
  private watchClient(name: string): void {
    const locks = navigator.locks as LockManager | undefined;
    void locks?.request(name, () => this.close());
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ids = this.model.idsOf(this);
    this.listener = undefined;
    this.model.detach(this);
    this.ids.clear();
    await Promise.all(ids.map((id) => this.model.worker.cancel(id)));
  }
}
