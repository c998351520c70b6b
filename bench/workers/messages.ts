// What crosses between the bench page and the bench workers: types only, no logic.
// Compiled by both the page (DOM) and the workers (WebWorker) configs, so it names no globals.
import type { ChatMessage, Device, GenerateRequest, LoadOptions, ModelInfo, StreamBatch, StreamEvent } from '../../src/shared/protocol.js';

/** One streamed request as one path saw it. Times are ms from the moment the request was made. */
export interface RunRecord {
  /** When each non-empty text delta arrived. */
  deltas: number[];
  /** When the stream ended (the last byte, chunk or step was consumed). */
  end: number;
  /** Completion tokens, where the path sees them (usage, or counting steps); null where it cannot. */
  tokens: number | null;
  text: string;
  /** SSE bytes read off the response body (the plain fetch path only). */
  bytes?: number;
  /** Main-thread long tasks (> 50 ms) that overlapped the request. */
  longTasks?: LongTaskSummary;
  /** Prompt tokens, and those of them the prefix cache held (usage), where the path reports them. */
  promptTokens?: number;
  cachedTokens?: number;
}

export interface LongTaskSummary {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** The floor: the backend used directly in a worker (bench/workers/floor.ts), over Comlink. */
export interface FloorApi {
  load(options: LoadOptions): Promise<ModelInfo>;
  /** (a): the backend's prepare()/start()/next() loop, timed in the worker. */
  run(request: GenerateRequest): Promise<RunRecord>;
  /** (a) + the generation loop (worker/generation.ts), timed in the worker. */
  runLoop(request: GenerateRequest): Promise<RunRecord>;
  /** (a) + the generation loop + its events as a ReadableStream transferred to the page, one per chunk (the transport before batching). */
  openStream(request: GenerateRequest, queued: number): Promise<ReadableStream<StreamEvent>>;
  /** Prototype: the first event in the reply, the rest as a transferred stream. */
  openStreamFirst(request: GenerateRequest, queued: number): Promise<{ first: StreamEvent | undefined; stream: ReadableStream<StreamEvent> }>;
  /** The engine's transport (worker/batched-stream.ts): batches of all events ready, at most `limit` ahead. */
  openBatched(request: GenerateRequest, limit: number): Promise<ReadableStream<StreamBatch>>;
  /** (a) + the generation loop + its events pulled one call at a time (`pull` until undefined). */
  open(request: GenerateRequest): Promise<number>;
  pull(id: number): Promise<StreamEvent | undefined>;
}

/** The baseline worker's commands, written the way a transformers.js user writes them. */
export type BaselineCommand =
  | { type: 'load'; device: Device; localModelPath: string; wasmPaths: LoadOptions['wasmPaths']; model: string }
  | { type: 'generate'; messages: ChatMessage[]; max_new_tokens: number; min_new_tokens?: number; do_sample: boolean; temperature?: number; top_p?: number };

/** The baseline worker's replies: one `token` message per generated token (TextStreamer). */
export type BaselineMessage =
  | { type: 'loaded' }
  | { type: 'token'; tokens: bigint[] }
  | { type: 'text'; text: string }
  | { type: 'done'; tokens: number }
  | { type: 'error'; message: string };
