// The test worker: the engine's worker plus fault injection and a decode-step clock
// (worker/test-model-worker.ts), for zstream's own e2e tests and bench (src/testing.ts starts it).
// Not part of the package: scripts/build-lib.mjs builds worker/index.ts only, and checks that dist/
// has none of this.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/shared/error-transfer.js';
import { TestModelWorker } from './test-model-worker.js';

installErrorTransfer();
expose(new TestModelWorker());
