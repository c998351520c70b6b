// Everything the streaming runs need on one page: the engine with the SDK and installFetch on it,
// the floor worker and the baseline worker, each with the embedded model on the same device.
import { wrap } from 'comlink';
import OpenAI from 'openai';
import { createFetch, installFetch } from '../../src/index.js';
import { FLOW_DEFAULTS } from '../../src/engine/flow-settings.js';
import type { Device, ModelInfo } from '../../src/shared/protocol.js';
import type { FloorApi } from '../workers/messages.js';
import { SDK_BASE, floorLoadOptions, type BenchModel } from './assets.js';
import type { BaselineClient } from './baseline-client.js';
import { loadBaseline, loadEngine } from './loads.js';
import type { PathContext } from './paths.js';

export interface StreamingSetup {
  ctx: PathContext;
  baseline: BaselineClient;
  info: { engine: ModelInfo; floor: ModelInfo };
}

export async function setUp(device: Device, model: BenchModel, runAhead?: number): Promise<StreamingSetup> {
  const { engine } = await loadEngine(device, model, runAhead);
  const floor = wrap<FloorApi>(new Worker(new URL('../workers/floor.ts', import.meta.url), { type: 'module', name: 'floor' }));
  const floorInfo = await floor.load(floorLoadOptions(device, model));
  const { baseline } = await loadBaseline(device, model);
  const sdk = new OpenAI({ baseURL: SDK_BASE, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: createFetch(engine, { baseURL: SDK_BASE }) });
  // The page has one fetch: the last setUp's engine answers it (the runner uses one model per page).
  installFetch(engine, { baseURL: '/v1' });
  return { ctx: { floor, engine, sdk, fetchURL: '/v1/chat/completions', runAhead: runAhead ?? FLOW_DEFAULTS.runAhead }, baseline, info: { engine: engine.model, floor: floorInfo } };
}
