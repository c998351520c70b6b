// POST /chat/completions: OpenAI's chat.completion body, or its chat.completion.chunk stream.
import { collectChoices, generateChoices } from './choices.js';
import {
  SYSTEM_FINGERPRINT, errorFrame, header, jsonResponse, responseMeta, streamEnd, type ResponseMeta,
} from './completion-wire.js';
import { servedModel, type ServeContext } from './models.js';
import type { ChatCompletion, ChatCompletionChunk, ChatFinishReason } from './openai-types.js';
import type { Usage } from '../shared/protocol.js';
import { parserOptions, toolCallEvents, toolCallMessage, type ToolChoiceEvent } from './tool-call-chunks.js';
import { parsesToolCalls } from '../shared/tool-call-format.js';
import { parseChatCompletion } from './request.js';
import { readJsonBody } from './request-fields.js';
import { sseData, sseResponse } from './sse.js';

export async function chatCompletions(context: ServeContext, request: Request): Promise<Response> {
  const params = parseChatCompletion(await readJsonBody(request));
  const model = servedModel(context, params.model);
  const { tools, responseFormat } = params;
  const prompts = [{ ...params.params, messages: params.messages, ...(tools ? { tools } : {}), ...(responseFormat ? { response_format: responseFormat } : {}) }];
  const events = await generateChoices(context.engine, { prompts, n: params.n, chunking: params.streamOptions.chunking }, request.signal);
  const meta = responseMeta('chatcmpl-', model, params.serviceTier);
  if (params.stream) {
    const read: ReadableStream<ToolChoiceEvent> = parsesToolCalls(tools) ? events.pipeThrough(toolCallEvents(parserOptions(tools))) : events;
    return sseResponse(read, chunkFrames(meta, params.streamOptions.includeUsage), context.keepAliveMs);
  }
  const { choices, usage } = await collectChoices(events);
  const body: ChatCompletion = {
    ...header(meta, 'chat.completion'),
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: choices.map(({ text, finish_reason }, index) => {
      const answer = parsesToolCalls(tools)
        ? toolCallMessage(text, finish_reason, parserOptions(tools))
        : { message: { role: 'assistant', content: text, refusal: null } as const, finish_reason };
      // OpenAI's order: index, message, logprobs, finish_reason.
      return { index, message: answer.message, logprobs: null, finish_reason: answer.finish_reason };
    }),
    usage,
  };
  return jsonResponse(body);
}

/**
 * The chunk stream, one whole SSE event per chunk. Each choice's first chunk carries the role,
 * its last an empty delta and the finish reason. Usage rides on the final chunk; with
 * `stream_options.include_usage` it is OpenAI's form instead: `usage: null` on every chunk and
 * one more chunk with `choices: []`. Then `[DONE]`, and the stream closes.
 */
function chunkFrames(meta: ResponseMeta, includeUsage: boolean): (event: ToolChoiceEvent) => Uint8Array[] {
  const chunk = (choices: ChatCompletionChunk['choices'], usage?: Usage): ChatCompletionChunk => ({
    ...header(meta, 'chat.completion.chunk'),
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(includeUsage ? { usage: usage ?? null } : usage ? { usage } : {}),
  });
  const choice = (index: number, delta: ChatCompletionChunk['choices'][0]['delta'], finish_reason: ChatFinishReason | null = null) =>
    [{ index, delta, logprobs: null, finish_reason }];
  return (event) => {
    switch (event.type) {
      case 'start':
        return [sseData(chunk(choice(event.index, { role: 'assistant', content: '' })))];
      case 'delta':
        return [sseData(chunk(choice(event.index, { content: event.text })))];
      case 'tool_call':
        return [sseData(chunk(choice(event.index, { tool_calls: [event.delta] })))];
      case 'finish': {
        const final = chunk(choice(event.index, {}, event.finish_reason), includeUsage ? undefined : event.usage);
        return [sseData(final), ...streamEnd(event.usage, includeUsage, (usage) => chunk([], usage))];
      }
      case 'error':
        return [errorFrame(event.error)];
    }
  };
}
