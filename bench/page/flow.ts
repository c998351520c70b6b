// Flow control as a slow and as an impatient client see it, through the plain fetch path:
// tokens generated ahead of a paused reader, and tokens generated after an abort. Counted with
// the worker's own decode-step clock (src/testing.ts), not inferred from arrival times.
import type { Engine } from '../../src/index.js';
import { engineTestHooks } from '../../src/testing.js';
import { MESSAGES, requestParams, type Workload } from './workloads.js';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PausedReaderRecord {
  pauseMs: number;
  /** Decode steps of this request that had ended when the pause ended, minus the one token read. */
  ahead: number;
  /** Decode steps that ended during the pause. */
  duringPause: number;
}

export interface AbortRecord {
  how: 'signal' | 'cancel';
  /** Decode steps that ended after the abort (one already running when it came counts). */
  stepsAfter: number;
  /** From the abort until the engine reports no running request. */
  releasedMs: number;
}

async function post(url: string, workload: Workload, signal?: AbortSignal): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'local', messages: MESSAGES, stream: true, ...requestParams(workload) }),
    ...(signal ? { signal } : {}),
  });
  if (!response.body) throw new Error(`HTTP ${response.status} without a body`);
  return response.body.getReader();
}

/** Reads SSE bytes until `count` events with text content have arrived. */
async function readContent(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<void> {
  const decoder = new TextDecoder();
  let seen = 0;
  while (seen < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the stream ended early');
    // The first chunk's `"content":""` (the role chunk) is not text.
    seen += decoder.decode(value, { stream: true }).match(/"content":"[^"]/g)?.length ?? 0;
  }
}

async function stepsBetween(engine: Engine, from: number, to = Infinity): Promise<number> {
  const times = await engineTestHooks(engine).stepTimes();
  return times.filter((t) => t > from && t <= to).length;
}

async function waitUntilIdle(engine: Engine): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const stats = await engine.stats?.();
    if (!stats) throw new Error('engine.stats() is missing');
    if (stats.running === 0 && stats.openKvCaches === 0) return;
    await sleep(1);
  }
  throw new Error('the engine stayed busy after the abort');
}

/** Reads the first token, stops reading for `pauseMs`, counts what the worker generated. */
export async function pausedReader(engine: Engine, url: string, workload: Workload, pauseMs: number): Promise<PausedReaderRecord> {
  await waitUntilIdle(engine);
  const start = now();
  const reader = await post(url, workload);
  await readContent(reader, 1);
  const pauseStart = now();
  await sleep(pauseMs);
  const pauseEnd = now();
  const generated = await stepsBetween(engine, start, pauseEnd);
  const duringPause = await stepsBetween(engine, pauseStart, pauseEnd);
  await reader.cancel();
  await waitUntilIdle(engine);
  return { pauseMs, ahead: generated - 1, duringPause };
}

/** Reads `tokens` tokens at full speed, then aborts (fetch's signal, or reader.cancel()). */
export async function abortMidStream(engine: Engine, url: string, workload: Workload, how: AbortRecord['how'], tokens = 8): Promise<AbortRecord> {
  await waitUntilIdle(engine);
  const controller = new AbortController();
  const reader = await post(url, workload, controller.signal);
  await readContent(reader, tokens);
  const abortedAt = now();
  if (how === 'signal') controller.abort();
  else await reader.cancel();
  await waitUntilIdle(engine);
  const releasedMs = now() - abortedAt;
  return { how, stepsAfter: await stepsBetween(engine, abortedAt), releasedMs };
}
