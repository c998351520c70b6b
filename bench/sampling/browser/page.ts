// Puts `window.samplingBench` on the page for run.mjs: loads the benchmark model in a worker on a
// device, then measures interleaved greedy and sampled decode steps there.
import { wrap } from 'comlink';
import type { Device } from '../../../src/shared/protocol.js';
import { BENCH_MODEL, floorLoadOptions } from '../../page/assets.js';
import type { StepsApi } from './steps-api.js';

const steps = wrap<StepsApi>(new Worker(new URL('./steps-worker.ts', import.meta.url), { type: 'module', name: 'steps' }));

const samplingBench = {
  load: (device: Device) => steps.load(floorLoadOptions(device, BENCH_MODEL)),
  pairs: (tokens: number) => steps.pairs(tokens),
  samplers: (url: string, rounds: number) => steps.samplers(url, rounds),
};

declare global {
  interface Window {
    samplingBench?: typeof samplingBench;
  }
}
window.samplingBench = samplingBench;
