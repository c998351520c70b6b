// The OpenAI wire shapes the shim emits (a subset of openapi.json's schemas).
import type { ServedTier } from './echoed-fields.js';
import type { FinishReason, Usage } from '../shared/protocol.js';

/** A streamed tool call: the first delta of a call has id, type and name; later ones argument text. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface MessageToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** `tool_calls` when the model called a tool (src/http/tool-call-chunks.ts). */
export type ChatFinishReason = FinishReason | 'tool_calls';

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Only when the request set `service_tier`: the tier that served it. */
  service_tier?: ServedTier;
  system_fingerprint: string;
  /** Empty only in the usage chunk of `stream_options.include_usage`. */
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string; tool_calls?: ToolCallDelta[] };
    logprobs: null;
    finish_reason: ChatFinishReason | null;
  }>;
  /** With `include_usage`: null on every chunk but the usage chunk. Without: on the final chunk only. */
  usage?: Usage | null;
}

export interface ChatMessageBody {
  role: 'assistant';
  /** null when the message is only tool calls. */
  content: string | null;
  refusal: null;
  tool_calls?: MessageToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  /** Only when the request set `service_tier`: the tier that served it. */
  service_tier?: ServedTier;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    message: ChatMessageBody;
    logprobs: null;
    finish_reason: ChatFinishReason;
  }>;
  usage: Usage;
}

/** Legacy /completions: the same shape streamed and not; `finish_reason` is null until a choice ends. */
export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    text: string;
    logprobs: null;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage;
}

export interface Model {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: 'list';
  data: Model[];
}
