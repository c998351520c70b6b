// Which SharedWorker a tab opens: the newest epoch of its worker's name that a lock names
// (src/engine/shared-worker.ts). The e2e checks (e2e/shared.spec.ts) run the real thing.
import { describe, expect, it } from 'vitest';
import type { LoadOptions } from '../shared/protocol.js';
import { newestEpoch, sharedWorkerName } from './shared-worker.js';

const load = (id: string): LoadOptions => ({
  model: { id } as LoadOptions['model'],
  device: 'wasm',
  wasmPaths: { wasm: '/ort.wasm', mjs: '/ort.mjs' },
});
const base = sharedWorkerName(load('story'));

describe('newestEpoch', () => {
  it('is undefined where no lock names the worker', () => {
    expect(newestEpoch(base, [])).toBeUndefined();
    expect(newestEpoch(base, ['zstream-worker-1234', undefined, `${sharedWorkerName(load('other'), 3)} (alive)`])).toBeUndefined();
  });

  it("reads the epoch from a worker's life lock and from a tab's lock", () => {
    expect(newestEpoch(base, [`${base} (alive)`])).toBe(0);
    expect(newestEpoch(base, [`${sharedWorkerName(load('story'), 2)} (tab 5f1c)`])).toBe(2);
  });

  it('takes the highest: a tab that left a failed worker already holds its lock for the next one', () => {
    const names = [`${base} (alive)`, `${base} (tab a)`, `${sharedWorkerName(load('story'), 1)} (tab b)`, `${sharedWorkerName(load('story'), 12)} (alive)`];
    expect(newestEpoch(base, names)).toBe(12);
  });

  it('ignores names that only start like the worker’s', () => {
    expect(newestEpoch(base, [`${base} #x (alive)`, `${base} (other)`, `${base}0 (alive)`, `${base} #3`])).toBeUndefined();
  });
});
