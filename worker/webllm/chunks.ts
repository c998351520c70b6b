// WebLLM's stream chunks, normalised. WebLLM (engine.ts, streamCurrentGeneration) yields one
// chunk per decode step — none while the text ends in half a character — then a chunk with the
// finish reason, then (with stream_options.include_usage) one with `choices: []` and the usage.
// Its chunks differ from OpenAI's: `id` is a bare UUID (no `chatcmpl-`), `created` is in seconds
// in 0.2.86 but was milliseconds before, `delta.role` is on every chunk, `finish_reason` may be
// "abort" (interrupted) or "tool_calls", and `usage.extra` holds timings. None of WebLLM's metadata
// reaches the client: the chunk becomes a backend step (text, an end, counts) and the shim writes
// OpenAI's chunks (src/chat-completions.ts) exactly as for every backend.
import type { ChatCompletionChunk, Completion } from '@mlc-ai/web-llm';
import type { TokenCounts } from '../backend.js';

/** A streamed chunk of `chatCompletion` (chat) or `completion` (legacy text). */
export type WebLLMChunk = ChatCompletionChunk | Completion;

export type NormalizedChunk =
  /** Text of one decode step or more (WebLLM holds half characters back across steps). */
  | { kind: 'text'; text: string }
  /**
   * The generation ended. 'abort' is WebLLM's own: its interrupt flag stopped it, which only a
   * closing TokenStream raises here, so the stream is being drained and nobody reads the reason.
   */
  | { kind: 'finish'; reason: 'stop' | 'length' | 'abort' }
  /** The last chunk (stream_options.include_usage): WebLLM's counts for this round. */
  | { kind: 'usage'; counts: TokenCounts };

export function normalizeChunk(chunk: WebLLMChunk): NormalizedChunk {
  if (chunk.usage && chunk.choices.length === 0) {
    // Every request here prefills its whole prompt (see token-stream.ts): prompt_tokens is the
    // whole prompt, as OpenAI counts it, not the new part of a multi-round conversation.
    return { kind: 'usage', counts: { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens } };
  }
  const choice = chunk.choices[0];
  if (!choice) throw new Error(`WebLLM sent a chunk without choices or usage: ${JSON.stringify(chunk)}`);
  if (choice.finish_reason) {
    // No tools are offered, so "tool_calls" can only be WebLLM's name for a plain stop.
    const reason = choice.finish_reason === 'tool_calls' ? 'stop' : choice.finish_reason;
    return { kind: 'finish', reason };
  }
  const text = 'delta' in choice ? choice.delta.content : choice.text;
  return { kind: 'text', text: text ?? '' };
}
