// The worker entry: expose the engine over Comlink. Logic lives in engine-host.ts.
import { expose } from 'comlink';
import { installErrorTransfer } from '../src/comlink-errors.js';
import { EngineHost } from './engine-host.js';

installErrorTransfer();
expose(new EngineHost());
