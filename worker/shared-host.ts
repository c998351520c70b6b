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
  // Names this worker (name and epoch) to tabs that open: they join the newest epoch a lock names
  // (src/engine/shared-worker.ts, newestEpoch).
  void holdForLife(`${self.name} (alive)`);
  const model = new SharedModel(worker, () => self.close());
  self.addEventListener('connect', (event) => {
    const port = event.ports[0];
    if (port) expose(session(model), port);
  });
}
