// The engine's public shape: every engine, local (a model in a worker) or remote (an
// OpenAI-compatible server), offers it, and the HTTP layer (src/http/) needs nothing else.
import type { ChatMessage, FinishReason, GenerateRequest, GenerationParams, ModelInfo, StreamEvent, Usage } from '../shared/protocol.js';
import type { EngineStats } from './request-queue.js';

export type { EngineStats };

/** Per request: how long the reader may wait for the next event once the request runs (FlowOptions). */
export interface RequestLimits {
  stallTimeoutMs?: number | undefined;
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

