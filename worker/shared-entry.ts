// The SharedWorker entry (createEngine({ shared: true }), src/engine/shared-worker.ts): one model
// for every tab of the origin that asks for the same model, device and assets (the worker's name
// says which). Each tab connects on its own MessagePort and gets its own session over Comlink.
import { ModelWorker } from './model-worker.js';
import { serveTabs } from './shared-host.js';

serveTabs(new ModelWorker());
