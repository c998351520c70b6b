// The Response object through its life: in progress (response.created), then completed,
// incomplete (the output hit max_output_tokens) or failed. Streamed and whole responses build it
// with the same functions.
import type { OutputFormat, SerializedError, ToolChoice, Usage } from '../shared/protocol.js';
import type { ChatFinishReason } from './openai-types.js';
import { newId } from './responses-conversation.js';
import { servedTier } from './echoed-fields.js';
import type { ResponsesParams } from './responses-request.js';
import type { OutputItem, ResponseObject, ResponseUsage, TextFormat } from './responses-wire.js';

const now = () => Math.floor(Date.now() / 1000);

const echoFormat = (format: OutputFormat | undefined): TextFormat =>
  format === undefined ? { type: 'text' } : format;

const echoToolChoice = (choice: ToolChoice): ResponseObject['tool_choice'] =>
  typeof choice === 'string' ? choice : { type: 'function', name: choice.name };

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
    // Verbosity's default (spec: Verbosity) is medium.
    text: { format: echoFormat(params.format), verbosity: params.verbosity ?? 'medium' },
    tool_choice: echoToolChoice(params.toolChoice),
    tools: params.tools.map(({ name, description, parameters, strict }) => ({ type: 'function', name, description: description ?? null, parameters, strict })),
    top_p: params.topP ?? 1,
    truncation: params.truncation,
    ...(params.user === null ? {} : { user: params.user }),
    metadata: params.metadata,
    background: false,
    service_tier: servedTier(params.serviceTier),
    prompt_cache_key: params.promptCacheKey,
    safety_identifier: params.safetyIdentifier,
    prompt_cache_retention: params.promptCacheRetention,
  };
}

export const responseUsage = (usage: Usage): ResponseUsage => ({
  input_tokens: usage.prompt_tokens,
  // Prompt caching (worker/transformers/prefix-cache.ts), as chat reports it in prompt_tokens_details.
  input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: 0 },
  output_tokens: usage.completion_tokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: usage.total_tokens,
});

/** The finished response: `length` is OpenAI's `incomplete` with reason `max_output_tokens`; a call (`tool_calls`) is `completed`. */
export function finishedResponse(response: ResponseObject, output: OutputItem[], finish: ChatFinishReason, usage: Usage): ResponseObject {
  const complete = finish !== 'length';
  return {
    ...response,
    status: complete ? 'completed' : 'incomplete',
    completed_at: complete ? now() : null,
    incomplete_details: complete ? null : { reason: 'max_output_tokens' },
    output,
    usage: responseUsage(usage),
  };
}

/** A response that failed mid-generation keeps the output so far; OpenAI's ResponseError knows only `server_error` for this. */
export function failedResponse(response: ResponseObject, output: OutputItem[], error: SerializedError): ResponseObject {
  return { ...response, status: 'failed', error: { code: 'server_error', message: error.message }, output };
}
