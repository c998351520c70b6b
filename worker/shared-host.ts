// What a SharedWorker entry runs (worker/shared-entry.ts; the test one, worker/test-shared-entry.ts):
// one model for every tab that connects, each tab on its own MessagePort with its own session.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/shared/error-transfer.js';
import { holdForLife } from './life-lock.js';
import type { ModelWorker } from './model-worker.js';
import { SharedModel } from './shared-model.js';
import { WorkerSession } from './shared-session.js';

declare const self: SharedWorkerGlobalScope & typeof globalThis;

export function serveTabs(worker: ModelWorker, session: (model: SharedModel) => WorkerSession = (model) => new WorkerSession(model)): void {
  installErrorTransfer();
  // Tabs that reopen after this worker failed wait for this lock to be free, so that they do not
  // attach to this worker while it closes (src/engine/shared-worker.ts, lifeLockOf).
  void holdForLife(`${self.name} (alive)`);
  const model = new SharedModel(worker, () => self.close());
  self.addEventListener('connect', (event) => {
    const port = event.ports[0];
    if (port) expose(session(model), port);
  });
}
