// The Response object through its life: in progress (response.created), then completed,
// incomplete (the output hit max_output_tokens) or failed. Streamed and whole responses build it
// with the same functions.
import type { FinishReason, SerializedError, Usage } from '../shared/protocol.js';
import { newId, outputTextPart } from './responses-conversation.js';
import type { ResponsesParams } from './responses-request.js';
import type { OutputMessageItem, ResponseObject, ResponseUsage } from './responses-wire.js';

const now = () => Math.floor(Date.now() / 1000);

/** The response before any output: echoes the request's settings, with OpenAI's defaults. */
export function inProgressResponse(params: ResponsesParams, model: string): ResponseObject {
  return {
    id: newId('resp_'),
    object: 'response',
    created_at: now(),
    status: 'in_progress',
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: params.instructions,
    max_output_tokens: params.maxOutputTokens,
    model,
    output: [],
    parallel_tool_calls: params.parallelToolCalls,
    previous_response_id: params.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: params.store,
    temperature: params.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: params.toolChoice === 'none' ? 'none' : 'auto',
    tools: [],
    top_p: params.topP ?? 1,
    truncation: params.truncation,
    ...(params.user === null ? {} : { user: params.user }),
    metadata: params.metadata,
    background: false,
  };
}

export const messageItem = (id: string, text: string | undefined, status: OutputMessageItem['status']): OutputMessageItem => ({
  id, type: 'message', role: 'assistant', status, content: text === undefined ? [] : [outputTextPart(text)],
});

export const responseUsage = (usage: Usage): ResponseUsage => ({
  input_tokens: usage.prompt_tokens,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: usage.completion_tokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: usage.total_tokens,
});

/** The finished response: `length` is OpenAI's `incomplete` with reason `max_output_tokens`. */
export function finishedResponse(response: ResponseObject, item: OutputMessageItem, finish: FinishReason, usage: Usage): ResponseObject {
  const complete = finish === 'stop';
  return {
    ...response,
    status: complete ? 'completed' : 'incomplete',
    completed_at: complete ? now() : null,
    incomplete_details: complete ? null : { reason: 'max_output_tokens' },
    output: [item],
    usage: responseUsage(usage),
  };
}

/** A response that failed mid-generation keeps the text so far; OpenAI's ResponseError knows only `server_error` for this. */
export function failedResponse(response: ResponseObject, item: OutputMessageItem, error: SerializedError): ResponseObject {
  return { ...response, status: 'failed', error: { code: 'server_error', message: error.message }, output: [item] };
}
