// Validates POST /responses bodies the way OpenAI does (spec: CreateResponse in openapi.json):
// wrong types and values are 400s naming the field, inputs a local text model cannot read
// (images, files, audio) and hosted tools (web_search, file_search, …) are 400s naming their
// path. Function `tools`, `tool_choice` and `text.format` are read by chat completions' own
// readers (tools-request.ts) into the engine's types; only their JSON shapes differ here.
import { ZStreamError } from '../shared/errors.js';
import { SAMPLING_RANGES } from '../shared/sampling-ranges.js';
import { RESPONSES_SERVICE_TIERS, VERBOSITIES, parseHints, parseMetadata, type ServiceTier } from './echoed-fields.js';
import type { OutputFormat, ToolChoice, ToolDefinition } from '../shared/protocol.js';
import {
  Fields, emptyArray, invalidType, isObject, missing, notOneOf, unsupportedParameter, unsupportedValue, type Json,
} from './request-fields.js';
import { checkUniqueNames, functionDefinition, functionName, jsonSchemaFormat, parseToolChoice } from './tools-request.js';

export const INPUT_ROLES = ['user', 'assistant', 'system', 'developer'] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

/** An input item after validation: message content is flattened to text. */
export type InputItem =
  | { type: 'message'; role: InputRole; content: string; id?: string }
  /** An earlier item of this engine's stored responses, by id. */
  | { type: 'item_reference'; id: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string; id?: string }
  | { type: 'function_call_output'; call_id: string; output: string; id?: string };

export interface ResponsesParams {
  model: string;
  stream: boolean;
  input: InputItem[];
  instructions: string | null;
  previousResponseId: string | null;
  store: boolean;
  metadata: Record<string, string>;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  /** zStream's extension (the Responses API has no seed): the same seed as chat completions gives the same text. */
  seed: number | undefined;
  user: string | null;
  truncation: 'auto' | 'disabled';
  parallelToolCalls: boolean;
  /** `text.format` beyond plain text. */
  format: OutputFormat | undefined;
  /** Function tools (hosted tools were refused). */
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  /** Echoed on the Response (spec: Response's ModelResponseProperties); no effect on a local model. */
  serviceTier: ServiceTier | null;
  promptCacheKey: string | null;
  safetyIdentifier: string | null;
  promptCacheRetention: 'in_memory' | '24h' | null;
  verbosity: 'low' | 'medium' | 'high' | null;
}

/** Item types OpenAI knows (spec: InputItem / Item); all but messages and function calls need hosted tools or a reasoning model. */
const ITEM_TYPES = [
  'message', 'item_reference', 'function_call', 'function_call_output', 'file_search_call', 'computer_call', 'computer_call_output',
  'web_search_call', 'reasoning', 'image_generation_call', 'code_interpreter_call', 'local_shell_call', 'local_shell_call_output',
  'shell_call', 'shell_call_output', 'apply_patch_call', 'apply_patch_call_output', 'mcp_list_tools', 'mcp_approval_request',
  'mcp_approval_response', 'mcp_call', 'custom_tool_call', 'custom_tool_call_output', 'compaction',
] as const;

const INPUT_PART_TYPES = ['input_text', 'input_image', 'input_file', 'input_audio'] as const;
const TEXT_PART_TYPES = new Set(['input_text', 'output_text', 'refusal']);
const TOOL_TYPES = [
  'function', 'file_search', 'web_search', 'web_search_preview', 'computer_use_preview', 'code_interpreter', 'image_generation',
  'local_shell', 'shell', 'mcp', 'custom', 'apply_patch',
] as const;

/** OpenAI's answer for content a text-only model cannot read, naming where it is. */
const unreadableContent = (param: string, type: string) =>
  new ZStreamError('invalid_request', `Invalid content type. ${type} is only supported by certain models.`, { param });

function contentPart(part: unknown, param: string, role: InputRole): string {
  if (!isObject(part)) throw invalidType(param, 'an object', part);
  const fields = new Fields(part, `${param}.`);
  const type = fields.raw('type');
  if (type === undefined) throw missing(`${param}.type`);
  // An assistant's earlier output comes back as output_text (or refusal); others send input_text.
  if (typeof type === 'string' && TEXT_PART_TYPES.has(type) && (role === 'assistant' || type === 'input_text')) {
    const key = type === 'refusal' ? 'refusal' : 'text';
    const text = fields.string(key);
    if (text === undefined) throw missing(`${param}.${key}`);
    return text;
  }
  if (typeof type === 'string' && INPUT_PART_TYPES.some((t) => t === type)) throw unreadableContent(`${param}.type`, type);
  throw notOneOf(`${param}.type`, type, role === 'assistant' ? ['output_text', 'refusal'] : INPUT_PART_TYPES);
}

function messageItem(fields: Fields, param: string): InputItem {
  const known = fields.oneOf('role', INPUT_ROLES);
  if (known === undefined) throw missing(`${param}.role`);
  const content = fields.raw('content');
  if (content === undefined) throw missing(`${param}.content`);
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) text = content.map((part: unknown, j) => contentPart(part, `${param}.content[${j}]`, known)).join('');
  else throw invalidType(`${param}.content`, 'one of a string or array of objects', content);
  const id = fields.string('id');
  fields.string('status');
  return { type: 'message', role: known, content: text, ...(id === undefined ? {} : { id }) };
}

function requiredString(fields: Fields, key: string): string {
  const value = fields.string(key);
  if (value === undefined) throw missing(fields.param(key));
  return value;
}

function inputItem(item: unknown, i: number): InputItem {
  const param = `input[${i}]`;
  if (!isObject(item)) throw invalidType(param, 'an object', item);
  const fields = new Fields(item, `${param}.`);
  const type = fields.raw('type');
  // ItemReferenceParam: `type` is optional too, so an object with an id and no role or content is a reference.
  const reference = type === undefined && fields.raw('id') !== undefined && fields.raw('role') === undefined && fields.raw('content') === undefined;
  if (type === 'item_reference' || reference) return { type: 'item_reference', id: requiredString(fields, 'id') };
  // EasyInputMessage: `type` may be left out of a message.
  if (type === undefined || type === 'message') return messageItem(fields, param);
  const id = fields.string('id');
  const withId = id === undefined ? {} : { id };
  if (type === 'function_call') {
    return { type, call_id: requiredString(fields, 'call_id'), name: requiredString(fields, 'name'), arguments: requiredString(fields, 'arguments'), ...withId };
  }
  if (type === 'function_call_output') {
    const output = fields.raw('output');
    if (output === undefined) throw missing(`${param}.output`);
    let text: string;
    if (typeof output === 'string') text = output;
    else if (Array.isArray(output)) text = output.map((part: unknown, j) => contentPart(part, `${param}.output[${j}]`, 'user')).join('');
    else throw invalidType(`${param}.output`, 'one of a string or array of objects', output);
    return { type, call_id: requiredString(fields, 'call_id'), output: text, ...withId };
  }
  if (typeof type === 'string' && ITEM_TYPES.some((t) => t === type)) {
    throw new ZStreamError('invalid_request', `Item type '${type}' is not supported with this model.`, { param: `${param}.type` });
  }
  throw notOneOf(`${param}.type`, type, ITEM_TYPES);
}

function parseInput(value: unknown): InputItem[] {
  if (value === undefined) throw missing('input');
  if (typeof value === 'string') return [{ type: 'message', role: 'user', content: value }];
  if (!Array.isArray(value)) throw invalidType('input', 'one of a string or array of objects', value);
  if (value.length === 0) throw emptyArray('input');
  const items = value.map(inputItem);
  checkUniqueIds(items);
  return items;
}

/**
 * OpenAI refuses two input items of one id (its message and `param`, with `code: null`). Refusing
 * them, rather than paging by position, keeps input_items' `after` cursor (an item id, spec:
 * ListInputItems) unambiguous, so that a client's auto-pagination always ends.
 */
function checkUniqueIds(items: InputItem[]): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (id === undefined) continue;
    if (seen.has(id)) throw new ZStreamError('invalid_request', `Duplicate item found with id ${id}. Remove duplicate items from your input and try again.`, { param: 'input' });
    seen.add(id);
  }
}

/**
 * Function tools, flat (`{type: 'function', name, parameters, strict}`), strict unless they say
 * otherwise, as the Responses API has them; hosted tools (they run on OpenAI's servers) are
 * refused with OpenAI's message.
 */
function parseTools(fields: Fields, model: string): ToolDefinition[] {
  const tools = (fields.array('tools') ?? []).map((tool: unknown, i) => {
    const param = `tools[${i}]`;
    if (!isObject(tool)) throw invalidType(param, 'an object', tool);
    const fields = new Fields(tool, `${param}.`);
    const type = fields.raw('type');
    if (type === undefined) throw missing(`${param}.type`);
    if (type === 'function') return functionDefinition(fields, true);
    if (typeof type === 'string' && TOOL_TYPES.some((t) => t === type)) {
      throw new ZStreamError('invalid_request', `Hosted tool '${type}' is not supported with ${model}.`, { param: 'tools' });
    }
    throw notOneOf(`${param}.type`, type, TOOL_TYPES);
  });
  checkUniqueNames(tools, (i) => `tools[${i}].name`);
  return tools;
}

/** `tool_choice`'s object form here: `{type: 'function', name}`; the hosted-tool and `allowed_tools` forms are refused. */
function forcedName(choice: Fields): string {
  const type = choice.raw('type');
  if (type === undefined) throw missing('tool_choice.type');
  if (type === 'function') return functionName(choice, 'name');
  if (typeof type === 'string' && (type === 'allowed_tools' || TOOL_TYPES.some((t) => t === type))) throw unsupportedValue('tool_choice.type', type);
  throw notOneOf('tool_choice.type', type, ['function', 'allowed_tools', ...TOOL_TYPES.filter((t) => t !== 'function')]);
}

/** `text.format`: `text` (the default), `json_object` or `json_schema` (flat: `{type, name, schema, strict}`). */
function parseFormat(text: Fields | undefined): OutputFormat | undefined {
  const format = text?.object('format');
  if (!format) return undefined;
  const type = format.raw('type');
  if (type === undefined) throw missing('text.format.type');
  if (type === 'text') return undefined;
  if (type === 'json_object') return { type };
  if (type !== 'json_schema') throw notOneOf('text.format.type', type, ['text', 'json_schema', 'json_object']);
  // Spec: TextResponseFormatJsonSchema requires `schema` (chat's reader, shared, has it optional).
  if (format.raw('schema') === undefined) throw missing('text.format.schema');
  return jsonSchemaFormat(format, 'text.format.schema');
}

/** What a local text model cannot do: answered with OpenAI's error for a model that cannot. */
function rejectUnsupported(fields: Fields): void {
  if (fields.boolean('background')) throw unsupportedParameter('background');
  if (fields.raw('conversation') !== undefined) throw unsupportedParameter('conversation');
  if (fields.raw('prompt') !== undefined) throw unsupportedParameter('prompt');
  if (fields.object('reasoning')?.raw('effort') !== undefined) throw unsupportedParameter('reasoning.effort');
  if (fields.integer('top_logprobs', { min: 0, max: 20 })) throw unsupportedParameter('top_logprobs');
  if ((fields.array('include')?.length ?? 0) > 0) throw unsupportedParameter('include');
  if (fields.integer('max_tool_calls', { min: 1 }) !== undefined) throw unsupportedParameter('max_tool_calls');
}

export function parseCreateResponse(body: Json): ResponsesParams {
  const fields = new Fields(body);
  const model = fields.raw('model');
  if (model === undefined) throw missing('model');
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  const input = parseInput(fields.raw('input'));
  const stream = fields.boolean('stream') ?? false;
  const streamOptions = fields.object('stream_options');
  if (streamOptions && !stream) {
    throw new ZStreamError('invalid_request', "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  streamOptions?.boolean('include_obfuscation'); // never obfuscated: the field is optional in deltas
  const text = fields.object('text');
  const format = parseFormat(text);
  const verbosity = text?.oneOf('verbosity', VERBOSITIES) ?? null;
  const tools = parseTools(fields, model);
  rejectUnsupported(fields);
  return {
    model,
    stream,
    input,
    instructions: fields.string('instructions') ?? null,
    previousResponseId: fields.string('previous_response_id') ?? null,
    store: fields.boolean('store') ?? true,
    metadata: parseMetadata(fields),
    // OpenAI's floor for max_output_tokens is 16 (not in the spec; the API answers integer_below_min_value).
    maxOutputTokens: fields.integer('max_output_tokens', { min: 16 }) ?? null,
    temperature: fields.decimal('temperature', SAMPLING_RANGES.temperature) ?? null,
    topP: fields.decimal('top_p', SAMPLING_RANGES.top_p) ?? null,
    seed: fields.integer('seed'),
    user: fields.string('user') ?? null,
    truncation: fields.oneOf('truncation', ['auto', 'disabled']) ?? 'disabled',
    parallelToolCalls: fields.boolean('parallel_tool_calls') ?? true,
    format,
    tools,
    // 'auto' is the Response's default and echoed with no tools, so a client may send it back without any.
    toolChoice: tools.length === 0 && fields.raw('tool_choice') === 'auto' ? 'auto' : parseToolChoice(fields, tools, forcedName),
    serviceTier: fields.oneOf('service_tier', RESPONSES_SERVICE_TIERS) ?? null,
    ...parseHints(fields),
    verbosity,
  };
}
