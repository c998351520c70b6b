// Load times: createEngine() (or the baseline's load) from call to ready, page start to ready,
// and the first request right after, on the story workload. Cold or warm is the runner's doing:
// a fresh browser profile, or a second page in the same one.
import OpenAI from 'openai';
import { createFetch, type Engine } from '../../src/index.js';
import { createTestEngine } from '../../src/testing.js';
import type { Device } from '../../src/shared/protocol.js';
import type { RunRecord } from '../workers/messages.js';
import { MESSAGES, type Workload } from './workloads.js';
import { BaselineClient } from './baseline-client.js';
import { longTasksBetween, settle } from './long-tasks.js';
import { runSdk } from './paths.js';
import { MODEL_BASE, SDK_BASE, baselineAssets, type BenchModel } from './assets.js';

export interface LoadRecord {
  /** From the load call until the model is ready for requests (warm-up included). */
  loadMs: number;
  /** From the page's navigation start until the model is ready. */
  pageToReadyMs: number;
  /** The first request after the load: the openai SDK through createFetch, or the baseline's generate. */
  first: RunRecord;
  /** The same request again: what the first one paid once (code not yet compiled, first stream) shows as the difference. */
  second: RunRecord;
  /**
   * The engine only: the first request's prompt with its first letter changed, after the second: as
   * many prompt tokens from the same cached start (the warm-up's), so the same prefill, once
   * everything is warm. The first request's TTFT minus this one's is what loading left to it.
   */
  sameShape?: RunRecord;
  /** Cache Storage after the load: caches and entries (transformers.js caches model files there). */
  cache: { caches: number; entries: number };
}

/** MESSAGES with the first letter changed ('Tell' → 'Well'): the same token count on both models' tokenizers. */
const SAME_SHAPE_MESSAGES = MESSAGES.map((m) => ({ ...m, content: `W${m.content.slice(1)}` }));

/** The request timed after a load: the story, or 16 greedy tokens of the benchmark model (it has no story to end). */
const firstWorkload = (model: BenchModel): Workload => (model ? { name: 'greedy', tokens: 16 } : { name: 'story' });

async function cacheStorage(): Promise<LoadRecord['cache']> {
  const names = await caches.keys();
  let entries = 0;
  for (const name of names) entries += (await (await caches.open(name)).keys()).length;
  return { caches: names.length, entries };
}

export async function loadEngine(device: Device, model?: BenchModel, runAhead?: number): Promise<LoadRecord & { engine: Engine }> {
  const start = performance.now();
  // The test worker: the engine's worker plus the decode-step clock that flow.ts reads (src/testing.ts).
  // Without the next turn's warm-up: the paths' single requests have no next turn, and its idle
  // passes would run under the measurement of the path after (the conversation measures it).
  const engine = await createTestEngine({
    device, modelBaseURL: MODEL_BASE, warmNextTurn: false, ...(model ? { model } : {}), ...(runAhead ? { runAhead } : {}),
  });
  const ready = performance.now();
  if (engine.model.device !== device) throw new Error(`asked for ${device}, got ${engine.model.device}`);
  const sdk = new OpenAI({ baseURL: SDK_BASE, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: createFetch(engine, { baseURL: SDK_BASE }) });
  // Where bench/runner/trace-first.mjs finds each request in a Chrome trace.
  performance.mark('bench:first-request');
  const first = await runSdk(sdk, firstWorkload(model), { usage: true });
  await settle();
  first.longTasks = longTasksBetween(ready, performance.now());
  performance.mark('bench:second-request');
  const second = await runSdk(sdk, firstWorkload(model), { usage: true });
  const sameShape = await runSdk(sdk, firstWorkload(model), { usage: true, messages: SAME_SHAPE_MESSAGES });
  return { engine, loadMs: ready - start, pageToReadyMs: ready, first, second, sameShape, cache: await cacheStorage() };
}

export async function loadBaseline(device: Device, model?: BenchModel): Promise<LoadRecord & { baseline: BaselineClient }> {
  const start = performance.now();
  const baseline = new BaselineClient();
  await baseline.load(device, baselineAssets(model));
  const ready = performance.now();
  const first = await baseline.run(firstWorkload(model));
  await settle();
  first.longTasks = longTasksBetween(ready, performance.now());
  const second = await baseline.run(firstWorkload(model));
  return { baseline, loadMs: ready - start, pageToReadyMs: ready, first, second, cache: await cacheStorage() };
}
