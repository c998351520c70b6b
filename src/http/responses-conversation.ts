// From a Responses request to the engine's request, and the items a response keeps: the one place
// where input items, `instructions`, `text.format` and function tools map onto GenerateRequest,
// the same request chat completions makes (function_call items become an assistant message's
// `tool_calls`, function_call_output items `tool` messages).
import { ZStreamError } from '../shared/errors.js';
import type { ChatMessage, GenerateRequest, ToolCall } from '../shared/protocol.js';
import { unsupportedValue } from './request-fields.js';
import type { ResponseStore } from './response-store.js';
import type { InputItem, ResponsesParams } from './responses-request.js';
import type { OutputTextPart, ResponseItem } from './responses-wire.js';
import { checkJsonMode } from './tools-request.js';

const hex = (length: number) => (crypto.randomUUID() + crypto.randomUUID()).replaceAll('-', '').slice(0, length);

/** OpenAI's id forms: 'resp_', 'msg_' and 'fc_' followed by 48 hex digits. */
export const newId = (prefix: 'resp_' | 'msg_' | 'fc_') => `${prefix}${hex(48)}`;

export const outputTextPart = (text: string): OutputTextPart => ({ type: 'output_text', text, annotations: [], logprobs: [] });

/** The chat history of `history`: consecutive calls join one assistant message, as chat completions has them. */
function chatMessages(history: InputItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const calls = new Set<string>();
  for (const item of history) {
    if (item.type === 'message') messages.push({ role: item.role, content: item.content });
    else if (item.type === 'function_call') {
      const call: ToolCall = { id: item.call_id, name: item.name, arguments: item.arguments };
      const last = messages.at(-1);
      if (last?.role === 'assistant') last.tool_calls = [...(last.tool_calls ?? []), call];
      else messages.push({ role: 'assistant', content: '', tool_calls: [call] });
      calls.add(item.call_id);
    } else if (item.type === 'function_call_output') {
      // OpenAI's check: an output answers a call earlier in the conversation.
      if (!calls.has(item.call_id)) {
        throw new ZStreamError('invalid_request', `No tool call found for function call output with call_id ${item.call_id}.`, { param: 'input' });
      }
      messages.push({ role: 'tool', content: item.output, tool_call_id: item.call_id });
    } else throw unsupportedValue('input', item.type); // item_reference: resolved before this
  }
  return messages;
}

/**
 * The engine request for `history` (the earlier conversation, then this request's input), with
 * `instructions` first as the system message: OpenAI inserts them into the model's context and
 * never carries them over to a continuation. The sampling, tool and format fields are chat
 * completions' own, so the same request gives the same output on both endpoints.
 */
export function toGenerateRequest(params: ResponsesParams, history: InputItem[]): GenerateRequest {
  const instructions: ChatMessage[] = params.instructions === null ? [] : [{ role: 'system', content: params.instructions }];
  const messages = [...instructions, ...chatMessages(history)];
  checkJsonMode(messages, params.format, { messages: 'input', format: 'text.format' });
  const { tools, toolChoice, parallelToolCalls, format } = params;
  return {
    messages,
    ...(tools.length === 0 ? {} : { tools: { tools, tool_choice: toolChoice, parallel_tool_calls: parallelToolCalls } }),
    ...(format === undefined ? {} : { response_format: format }),
    ...(params.maxOutputTokens === null ? {} : { max_tokens: params.maxOutputTokens }),
    ...(params.temperature === null ? {} : { temperature: params.temperature }),
    ...(params.topP === null ? {} : { top_p: params.topP }),
    ...(params.seed === undefined ? {} : { seed: params.seed }),
  };
}

/** A stored item (input or output) as an input item again: what previous_response_id and item_reference continue. */
export function itemAsInput(item: ResponseItem): InputItem {
  switch (item.type) {
    case 'message':
      return { type: 'message', role: item.role, content: item.content.map((part) => part.text).join(''), id: item.id };
    case 'function_call':
      return { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments, id: item.id };
    case 'function_call_output':
      return { type: 'function_call_output', call_id: item.call_id, output: item.output, id: item.id };
  }
}

/** `item_reference` inputs replaced by the stored items they name. */
export function resolveReferences(input: InputItem[], store: ResponseStore): InputItem[] {
  return input.map((item, i) => {
    if (item.type !== 'item_reference') return item;
    const found = store.findItem(item.id);
    if (!found) throw new ZStreamError('invalid_request', `Item with id '${item.id}' not found.`, { param: `input[${i}]` });
    return itemAsInput(found);
  });
}

/** The input items as GET /responses/{id}/input_items lists them, each with an id. */
export function inputResources(input: InputItem[]): ResponseItem[] {
  return input.flatMap((item): ResponseItem[] => {
    switch (item.type) {
      case 'message': {
        const id = item.id ?? newId('msg_');
        if (item.role === 'assistant') return [{ id, type: 'message', role: 'assistant', status: 'completed', content: [outputTextPart(item.content)] }];
        return [{ id, type: 'message', role: item.role, status: 'completed', content: [{ type: 'input_text', text: item.content }] }];
      }
      case 'function_call':
        return [{ id: item.id ?? newId('fc_'), type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments, status: 'completed' }];
      case 'function_call_output':
        return [{ id: item.id ?? newId('fc_'), type: 'function_call_output', call_id: item.call_id, output: item.output, status: 'completed' }];
      case 'item_reference':
        return [];
    }
  });
}
