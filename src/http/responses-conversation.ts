// From a Responses request to the engine's request, and the items a response keeps: the one place
// where input items, `instructions`, `text.format` and function tools map onto GenerateRequest.
import { ZStreamError } from '../shared/errors.js';
import type { ChatMessage, GenerateRequest } from '../shared/protocol.js';
import { unsupportedParameter, unsupportedValue } from './request-fields.js';
import type { ResponseStore } from './response-store.js';
import type { InputItem, ResponsesParams } from './responses-request.js';
import type { OutputMessageItem, OutputTextPart, ResponseItem } from './responses-wire.js';

const hex = (length: number) => (crypto.randomUUID() + crypto.randomUUID()).replaceAll('-', '').slice(0, length);

/** OpenAI's id forms: 'resp_' and 'msg_' followed by 48 hex digits. */
export const newId = (prefix: 'resp_' | 'msg_') => `${prefix}${hex(48)}`;

export const outputTextPart = (text: string): OutputTextPart => ({ type: 'output_text', text, annotations: [], logprobs: [] });

/**
 * The engine request for `history` (the earlier conversation, then this request's input), with
 * `instructions` first as the system message: OpenAI inserts them into the model's context and
 * never carries them over to a continuation. The sampling fields are chat completions' own, so
 * the same request gives the same text on both endpoints.
 */
export function toGenerateRequest(params: ResponsesParams, history: InputItem[]): GenerateRequest {
  // Until the engine has tools and structured outputs, these get OpenAI's answer for a model without them.
  const formatType = params.format?.['type'];
  if (formatType !== undefined && formatType !== 'text') throw unsupportedValue('text.format.type', formatType);
  if (params.tools.length > 0) throw unsupportedParameter('tools');
  if (params.toolChoice !== undefined && params.toolChoice !== 'auto' && params.toolChoice !== 'none') throw unsupportedParameter('tool_choice');
  const messages: ChatMessage[] = params.instructions === null ? [] : [{ role: 'system', content: params.instructions }];
  for (const item of history) {
    if (item.type !== 'message') throw unsupportedValue('input', item.type);
    messages.push({ role: item.role, content: item.content });
  }
  return {
    messages,
    ...(params.maxOutputTokens === null ? {} : { max_tokens: params.maxOutputTokens }),
    ...(params.temperature === null ? {} : { temperature: params.temperature }),
    ...(params.topP === null ? {} : { top_p: params.topP }),
    ...(params.seed === undefined ? {} : { seed: params.seed }),
  };
}

/** `item_reference` inputs replaced by the stored items they name. */
export function resolveReferences(input: InputItem[], store: ResponseStore): InputItem[] {
  return input.map((item, i) => {
    if (item.type !== 'item_reference') return item;
    const found = store.findItem(item.id);
    if (!found) throw new ZStreamError('invalid_request', `Item with id '${item.id}' not found.`, { param: `input[${i}]` });
    return { type: 'message', role: found.role, content: found.content.map((part) => part.text).join(''), id: found.id };
  });
}

/** The input items as GET /responses/{id}/input_items lists them, each with an id. */
export function inputResources(input: InputItem[]): ResponseItem[] {
  return input.flatMap((item): ResponseItem[] => {
    if (item.type !== 'message') return [];
    const id = item.id ?? newId('msg_');
    if (item.role === 'assistant') return [{ id, type: 'message', role: 'assistant', status: 'completed', content: [outputTextPart(item.content)] }];
    return [{ id, type: 'message', role: item.role, status: 'completed', content: [{ type: 'input_text', text: item.content }] }];
  });
}

/** An output message as the next turn's input. */
export const outputAsInput = (item: OutputMessageItem): InputItem => ({
  type: 'message', role: 'assistant', content: item.content.map((part) => part.text).join(''), id: item.id,
});
