// The engine's public shape: every engine, local (a model in a worker) or remote (an
// OpenAI-compatible server), offers it, and the HTTP layer (src/http/) needs nothing else.
import type { ChatMessage, FinishReason, GenerateRequest, GenerationParams, ModelInfo, StreamEvent, Usage } from '../shared/protocol.js';
import type { EngineStats } from './request-queue.js';

export type { EngineStats };

/** Per request, overriding the engine's defaults (FlowOptions, docs/flow-control.md). */
export interface RequestLimits {
  /** Once it runs: how long the reader may wait for the next event before the worker counts as stuck. */
  stallTimeoutMs?: number | undefined;
  /** Once it runs: how long nobody may ask for its next event before it is stopped; 0: no limit. */
  idleTimeoutMs?: number | undefined;
}

export interface RequestOptions extends GenerationParams, RequestLimits {
  signal?: AbortSignal | undefined;
}

export interface ChatResult {
  text: string;
  finish_reason: FinishReason;
  usage: Usage;
}

export interface Engine {
  /** What runs and where; after a lost GPU device the reloaded model may run elsewhere. */
  readonly model: ModelInfo;
  /** The events of one request; cancelling the stream, or the signal, stops its generation. */
  generate(request: GenerateRequest, signal?: AbortSignal, limits?: RequestLimits): Promise<ReadableStream<StreamEvent>>;
  /**
   * Several generations as one unit of work (a request's `n` choices or prompts): admitted or refused
   * (429) together, each counted against `maxQueued`. One stream per request, in order; read them in
   * any order. The signal ends them all.
   */
  generateAll(requests: GenerateRequest[], signal?: AbortSignal, limits?: RequestLimits): Promise<Array<ReadableStream<StreamEvent>>>;
  /** Text deltas; `break`, `return()` or the signal stop the generation. */
  chatStream(messages: ChatMessage[], options?: RequestOptions): AsyncIterable<string>;
  chat(messages: ChatMessage[], options?: RequestOptions & { onToken?: (text: string) => void }): Promise<ChatResult>;
  /**
   * Only an engine that is an OpenAI server already (a remote engine, pass-through) has it: it answers
   * each HTTP request under createFetch's base URLs itself (`path` is the part after the base URL),
   * unchanged. Without it, createFetch answers from `generate`.
   */
  serve?(request: Request, path: string): Promise<Response>;
  /** What the local model is doing: queue, tokens generated, KV caches, worker restarts. */
  stats?(): Promise<EngineStats>;
  /** Terminates the worker; requests still running end with an error. */
  dispose(): void;
}

