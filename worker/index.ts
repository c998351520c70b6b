// The worker entry: expose the engine over Comlink. Logic lives in model-worker.ts.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/shared/error-transfer.js';
import { ModelWorker } from './model-worker.js';

installErrorTransfer();
expose(new ModelWorker());
