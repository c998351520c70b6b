// The bench page: puts `window.bench` on the page for scripts/bench.mjs (Playwright) to drive.
// Each call measures one thing and returns plain data; the runner alternates, repeats and sums up.
import type { Device, ModelInfo } from '../../src/shared/protocol.js';
import type { BenchModel } from './assets.js';
import { runConversation, type ConversationModel, type ConversationRecord } from './conversation.js';
import type { RunRecord } from '../workers/messages.js';
import { abortMidStream, pausedReader, type AbortRecord, type PausedReaderRecord } from './flow.js';
import { loadBaseline, loadEngine, type LoadRecord } from './loads.js';
import { longTasksBetween, settle } from './long-tasks.js';
import { runPath, type PathName } from './paths.js';
import { setUp, type StreamingSetup } from './setup.js';
import type { Workload } from './workloads.js';

let setup: StreamingSetup | undefined;

const bench = {
  /** Cold or warm load of the engine (the runner picks the browser profile), then its first request. */
  async loadEngine(device: Device): Promise<LoadRecord & { model: ModelInfo }> {
    const { engine, ...record } = await loadEngine(device);
    engine.dispose();
    return { ...record, model: engine.model };
  },

  async loadBaseline(device: Device): Promise<LoadRecord> {
    const { baseline, ...record } = await loadBaseline(device);
    baseline.dispose();
    return record;
  },

  /** Loads the engine, the floor worker and the baseline worker for the streaming runs. */
  async setUp(device: Device, model?: BenchModel, runAhead?: number): Promise<StreamingSetup['info']> {
    setup = await setUp(device, model, runAhead);
    return setup.info;
  },

  async run(path: PathName | 'baseline', workload: Workload): Promise<RunRecord> {
    if (!setup) throw new Error('bench.setUp() first');
    const start = performance.now();
    const record = path === 'baseline' ? await setup.baseline.run(workload) : await runPath(path, setup.ctx, workload);
    await settle();
    return { ...record, longTasks: longTasksBetween(start, performance.now()) };
  },

  /** A 10-turn chat on a new engine, with or without the prefix cache, paused between turns or not (bench/page/conversation.ts). */
  conversation(device: Device, reuse: boolean, model: ConversationModel, maxTokens: number, pauseMs = 0, warm = true): Promise<ConversationRecord> {
    return runConversation(device, reuse, model, maxTokens, pauseMs, warm);
  },

  async pausedReader(workload: Workload, pauseMs: number): Promise<PausedReaderRecord> {
    if (!setup) throw new Error('bench.setUp() first');
    return pausedReader(setup.ctx.engine, setup.ctx.fetchURL, workload, pauseMs);
  },

  async abortMidStream(workload: Workload, how: AbortRecord['how']): Promise<AbortRecord> {
    if (!setup) throw new Error('bench.setUp() first');
    return abortMidStream(setup.ctx.engine, setup.ctx.fetchURL, workload, how);
  },
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}

window.bench = bench;
