// The SharedWorker entry (createEngine({ shared: true }), src/engine/shared-worker.ts): one model
// for every tab of the origin that asks for the same model, device and assets (the worker's name
// says which). Each tab connects on its own MessagePort and gets its own session over Comlink.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/shared/error-transfer.js';
import { holdForLife } from './life-lock.js';
import { SharedModel } from './shared-model.js';
import { WorkerSession } from './shared-session.js';

declare const self: SharedWorkerGlobalScope & typeof globalThis;

installErrorTransfer();
// Tabs that reopen after this worker failed wait for this lock to be free, so that they do not
// attach to this worker while it closes (src/engine/shared-worker.ts, lifeLockOf).
void holdForLife(`${self.name} (alive)`);
const model = new SharedModel(() => self.close());
self.addEventListener('connect', (event) => {
  const port = event.ports[0];
  if (port) expose(new WorkerSession(model), port);
});
