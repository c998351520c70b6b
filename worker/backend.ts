// The one interface every backend implements (one folder per backend: transformers/, webllm/).
// The generation loop (generation.ts) sits on top of it and owns what is backend-independent:
// stop sequences, max_tokens, usage, events. backends.ts picks a backend by the registry's spec.
import type { GenerateRequest, LoadOptions, LoadProgress, ModelInfo } from '../src/shared/protocol.js';
import type { IdleWork } from './idle-work.js';

export type BackendStep =
  /**
   * Generated text: one token from a backend that decodes itself per token (transformers.js; `text` may
   * be '' while a multi-byte character is incomplete), or one step or more from a backend that counts
   * its tokens itself (WebLLM, see TokenCounts).
   */
  | { kind: 'text'; text: string }
  /** The model ended: 'stop' at an end-of-sequence token, 'length' at the context limit or max_tokens. */
  | { kind: 'end'; reason: 'stop' | 'length' };

/** Token counts a backend keeps itself: they replace the loop's own count in `usage`. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

/** One request's decoding. Pull-based: nothing runs on the device between `next()` calls. */
export interface TokenStream {
  next(): Promise<BackendStep>;
  /** Prompt tokens whose keys and values came from a cache (usage's cached_tokens), once the first step ran. */
  readonly cachedTokens?: number;
  /**
   * Stops this request's decoding (and only this request's) and frees its KV cache. Idempotent.
   * Resolves with the backend's own token counts where it keeps them.
   */
  close(): Promise<TokenCounts | undefined>;
}

/** A request that was tokenized (where the backend can) and checked against the context window. */
export interface PreparedGeneration {
  /** 0 where the backend counts the prompt only while decoding (then `close()` reports it). */
  readonly promptTokens: number;
  /** Tokens left in the context window after the prompt. */
  readonly maxNewTokens: number;
  start(): TokenStream;
  /**
   * After the request ended with `answer` (the text its client got): work for idle time that readies
   * the next turn of this chat. Present only where the backend can (a chat on the transformers.js
   * prefix cache): the generation loop keeps the answer's text only then. undefined where no next
   * turn starts that way (an answer that calls a tool comes back as the call and its result).
   */
  nextTurn?(answer: string): IdleWork | undefined;
}

export interface Backend {
  /** What runs and where: id, backend, device, weights, context length (the limit a request must fit). */
  readonly info: ModelInfo;
  /**
   * Requests it can hold a KV cache for at once; absent: as many as the scheduler allows
   * (docs/scheduling.md). 1 where the runtime keeps one conversation (WebLLM): requests then run FIFO.
   */
  readonly maxConcurrent?: number;
  /** Throws `context_length_exceeded` when the prompt does not fit, or request errors before any decoding. */
  prepare(request: GenerateRequest): Promise<PreparedGeneration>;
  /** A short generation at load time, so that the first request does not pay for shader compilation. */
  warmUp(): Promise<void>;
  /** Frees the weights and the device. A generation still running ends with an error. */
  unload(): Promise<void>;
  /** The GPU device it computes on, where it has one: the worker watches it for loss. */
  gpuDevice?(): Promise<GPUDevice | undefined>;
}

/**
 * Loads a model with one backend: downloads (reporting bytes per file), compiles, warms up, and
 * resolves with a backend ready for its first request. Rejects with a ZStreamError that says why.
 */
export type BackendLoader = (options: LoadOptions, report: (progress: LoadProgress) => void) => Promise<Backend>;

/** The warm-up both backends run: two tokens of a one-word chat, then the stream is closed. */
export async function runWarmUp(backend: Backend): Promise<void> {
  const prepared = await backend.prepare({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 });
  const tokens = prepared.start();
  try {
    await tokens.next();
    await tokens.next();
  } finally {
    await tokens.close();
  }
}
