// The page side of the baseline: a plain Worker and onmessage, as transformers.js users write it.
// Every token message is timed on arrival.
import type { Device } from '../../src/shared/protocol.js';
import type { BaselineCommand, BaselineMessage, RunRecord } from '../workers/messages.js';
import { baselineGenerate, type Workload } from './workloads.js';

export interface BaselineAssets {
  localModelPath: string;
  wasmPaths: { wasm: string; mjs: string };
  model: string;
}

export class BaselineClient {
  private readonly worker = new Worker(new URL('../workers/baseline.ts', import.meta.url), { type: 'module', name: 'baseline' });
  private listener: ((message: BaselineMessage) => void) | undefined;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<BaselineMessage>) => this.listener?.(event.data);
  }

  load(device: Device, assets: BaselineAssets): Promise<void> {
    return this.exchange({ type: 'load', device, ...assets }, (message, done) => {
      if (message.type === 'loaded') done();
    });
  }

  async run(workload: Workload): Promise<RunRecord> {
    const start = performance.now();
    const arrivals: number[] = [];
    let text = '';
    let tokens = 0;
    await this.exchange(baselineGenerate(workload), (message, done) => {
      if (message.type === 'token') arrivals.push(performance.now() - start);
      else if (message.type === 'text') text += message.text;
      else if (message.type === 'done') {
        tokens = message.tokens;
        done();
      }
    });
    // The end-of-sequence token is posted too; it comes last and is no completion token.
    return { deltas: arrivals.slice(0, tokens), end: performance.now() - start, tokens, text };
  }

  dispose(): void {
    this.worker.terminate();
  }

  private exchange(command: BaselineCommand, onMessage: (message: BaselineMessage, done: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.listener = (message) => {
        if (message.type === 'error') reject(new Error(`baseline worker: ${message.message}`));
        else onMessage(message, resolve);
      };
      this.worker.postMessage(command);
    });
  }
}
