// The one interface every backend implements. The generation loop (generation.ts) sits on
// top of it and owns what is backend-independent: stop sequences, max_tokens, usage, events.
import type { GenerateRequest, ModelInfo } from '../src/protocol.js';

export type BackendStep =
  /** One generated token; `text` may be '' while a multi-byte character is incomplete. */
  | { kind: 'token'; text: string }
  /** The model ended: 'stop' at an end-of-sequence token, 'length' at the context limit. */
  | { kind: 'end'; reason: 'stop' | 'length' };

/** One request's decoding. Pull-based: nothing runs on the device between `next()` calls. */
export interface TokenStream {
  next(): Promise<BackendStep>;
  /** Stops decoding and frees this request's KV cache. Idempotent. */
  close(): Promise<void>;
}

/** A request that was tokenized and checked against the context window. */
export interface PreparedGeneration {
  readonly promptTokens: number;
  /** Tokens left in the context window after the prompt. */
  readonly maxNewTokens: number;
  start(): TokenStream;
}

export interface Backend {
  readonly info: ModelInfo;
  /** Throws `context_length_exceeded` when the prompt does not fit. */
  prepare(request: GenerateRequest): Promise<PreparedGeneration>;
  unload(): Promise<void>;
}
