// The Responses API: POST /responses (OpenAI's Response object, or its semantic event stream),
// GET and DELETE /responses/{id}, GET /responses/{id}/input_items. Generation is chat
// completions' own (choices.ts, one choice; tool calls split out by tool-call-chunks.ts): the
// same text, calls, flow control and cancellation.
import { generateChoices } from './choices.js';
import { jsonResponse } from './completion-wire.js';
import { ZStreamError } from '../shared/errors.js';
import { servedModel, type ServeContext } from './models.js';
import { Fields, notOneOf, readJsonBody } from './request-fields.js';
import { responseStore, type ResponseStore, type StoredResponse } from './response-store.js';
import { inputResources, itemAsInput, resolveReferences, toGenerateRequest } from './responses-conversation.js';
import { responseFrames } from './responses-events.js';
import { fitConversation } from './responses-truncation.js';
import { finishedResponse, inProgressResponse } from './responses-object.js';
import { collectOutput } from './responses-output.js';
import { parseCreateResponse } from './responses-request.js';
import type { ResponseDeleted, ResponseItemList, ResponseObject } from './responses-wire.js';
import { sseResponse } from './sse.js';
import { parserOptions, toolCallEvents, type ToolChoiceEvent } from './tool-call-chunks.js';
import { parsesToolCalls } from '../shared/tool-call-format.js';

const ONE_TOKEN_PER_DELTA = { size: 1, by: 'token' } as const;

function previousResponse(store: ResponseStore, id: string | null): StoredResponse | undefined {
  if (id === null) return undefined;
  const stored = store.get(id);
  if (!stored) {
    // OpenAI answers an unknown or expired id with a 400 of its own code.
    throw new ZStreamError('previous_response_not_found', `Previous response with id '${id}' not found.`, { param: 'previous_response_id' });
  }
  return stored;
}

/**
 * The engine words a prompt too long for chat (`param: 'messages'`, worker/transformers/backend.ts);
 * here the field is `input` and the limit `max_output_tokens`. The numbers are kept where the
 * message has them (OpenAI's Responses wording for this error is not recorded in FACTS.md).
 */
function responsesError(error: unknown): unknown {
  if (!(error instanceof ZStreamError) || error.code !== 'context_length_exceeded') return error;
  const numbers = /maximum context length is (\d+) tokens\. However, you requested (\d+) tokens \((\d+) in the \w+, (\d+) in the completion\)/.exec(error.message);
  const message = numbers
    ? `This model's maximum context length is ${numbers[1]} tokens. However, you requested ${numbers[2]} tokens ` +
      `(${numbers[3]} in the input, ${numbers[4]} in the output). Please reduce the length of the input or max_output_tokens.`
    : 'Your input exceeds the context window of this model. Please adjust your input and try again.';
  return new ZStreamError('context_length_exceeded', message, { param: 'input', cause: error });
}

export async function createResponse(context: ServeContext, request: Request): Promise<Response> {
  const params = parseCreateResponse(await readJsonBody(request));
  const model = servedModel(context, params.model);
  const store = responseStore(context.engine);
  const previous = previousResponse(store, params.previousResponseId);
  const input = resolveReferences(params.input, store);
  const history = [...(previous?.conversation ?? []), ...input];
  const { generate, choices } = await fitConversation(history, params.truncation, async (kept) => {
    const generate = toGenerateRequest(params, kept);
    return { generate, choices: await generateChoices(context.engine, { prompts: [generate], n: 1, chunking: ONE_TOKEN_PER_DELTA }, request.signal) };
  }).catch((error: unknown) => {
    throw responsesError(error);
  });
  // With tools, calls are split out of the text exactly as chat completions splits them.
  const tools = 'messages' in generate ? generate.tools : undefined;
  const withTools = parsesToolCalls(tools);
  const events: ReadableStream<ToolChoiceEvent> = withTools ? choices.pipeThrough(toolCallEvents(parserOptions(tools))) : choices;
  const inputItems = inputResources(input);
  const keep = (response: ResponseObject) => {
    if (params.store) store.set({ response, inputItems, conversation: [...history, ...response.output.map(itemAsInput)] });
  };
  const initial = inProgressResponse(params, model);
  if (params.stream) return sseResponse(events, responseFrames(initial, withTools, keep), context.keepAliveMs);
  const { items, finishReason, usage } = await collectOutput(events, withTools);
  const final = finishedResponse(initial, items, finishReason, usage);
  keep(final);
  return jsonResponse(final);
}

function storedResponse(context: ServeContext, id: string): StoredResponse {
  const stored = responseStore(context.engine).get(id);
  if (!stored) throw new ZStreamError('response_not_found', `Response with id '${id}' not found.`);
  return stored;
}

/**
 * GET /responses/{id}: the stored Response. `stream=true` (spec: the query parameter) replays the
 * events of a background response; this server runs none and keeps no events, so it is refused
 * rather than answered with JSON that an SSE client would read as a stream of no events.
 */
export function retrieveResponse(context: ServeContext, request: Request, id: string): Response {
  const stored = storedResponse(context, id);
  const stream = new URL(request.url).searchParams.get('stream');
  if (stream === 'true') {
    throw new ZStreamError('unsupported_parameter', "Unsupported parameter: 'stream'. A stored response cannot be streamed again: only background responses can, and this server runs none.", { param: 'stream' });
  }
  if (stream !== null && stream !== 'false') throw notOneOf('stream', stream, ['true', 'false']);
  return jsonResponse(stored.response);
}

export function deleteResponse(context: ServeContext, id: string): Response {
  storedResponse(context, id);
  responseStore(context.engine).delete(id);
  const body: ResponseDeleted = { id, object: 'response', deleted: true };
  return jsonResponse(body);
}

/** A cursor page of the input items: `limit` (1-100, default 20), `order` (default `desc`), `after` an item id. */
export function listInputItems(context: ServeContext, request: Request, id: string): Response {
  const { inputItems } = storedResponse(context, id);
  const fields = new Fields(Object.fromEntries(new URL(request.url).searchParams));
  const limitText = fields.string('limit');
  const limitNumber = limitText === undefined ? undefined : Number(limitText);
  const limit = new Fields({ limit: limitNumber }).integer('limit', { min: 1, max: 100 }) ?? 20;
  const order = fields.oneOf('order', ['asc', 'desc']) ?? 'desc';
  const ordered = order === 'asc' ? inputItems : [...inputItems].reverse();
  const after = fields.string('after');
  const start = after === undefined ? 0 : ordered.findIndex((item) => item.id === after) + 1;
  const data = ordered.slice(start, start + limit);
  const body: ResponseItemList = {
    object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < ordered.length,
  };
  return jsonResponse(body);
}

/** A path segment as the client meant it. */
function segment(match: RegExpExecArray, index: number): string {
  const raw = match[index] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The routes, for the router's table (fetch.ts). */
export const RESPONSES_ROUTES = [
  { method: 'POST', pattern: /^\/responses$/, handle: createResponse },
  { method: 'GET', pattern: /^\/responses\/([^/]+)$/, handle: (c: ServeContext, r: Request, m: RegExpExecArray) => retrieveResponse(c, r, segment(m, 1)) },
  { method: 'DELETE', pattern: /^\/responses\/([^/]+)$/, handle: (c: ServeContext, _r: Request, m: RegExpExecArray) => deleteResponse(c, segment(m, 1)) },
  { method: 'GET', pattern: /^\/responses\/([^/]+)\/input_items$/, handle: (c: ServeContext, r: Request, m: RegExpExecArray) => listInputItems(c, r, segment(m, 1)) },
];
