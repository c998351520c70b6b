// Validates request bodies the way OpenAI does: missing or mistyped known fields are 400s naming
// the field (`param`), parameters a local text model cannot honour get OpenAI's
// `unsupported_parameter`, and unknown extra fields are ignored.
// Spec: CreateChatCompletionRequest and CreateCompletionRequest in OpenAI's openapi.json.
import { CHUNK_BY, type Chunking } from './chunking.js';
import { ZStreamError } from '../shared/errors.js';
import { SAMPLING_RANGES } from '../shared/sampling-ranges.js';
import type { ChatMessage, GenerationParams, OutputFormat, ToolsParams } from '../shared/protocol.js';
import { CHAT_SERVICE_TIERS, REASONING_EFFORTS, VERBOSITIES, parseHints, parseMetadata, type ServiceTier } from './echoed-fields.js';
import { checkJsonMode, checkToolHistory, parseResponseFormat, parseToolCalls, parseTools } from './tools-request.js';
import {
  Fields, emptyArray, invalidType, isObject, missing, notOneOf, unsupportedParameter, unsupportedValue, type Json,
} from './request-fields.js';

export interface StreamOptions {
  /** OpenAI's form: `usage: null` on every chunk, then one chunk with `choices: []` and the usage. */
  includeUsage: boolean;
  /** zstream's extension: how many tokens, words or sentences go into one chunk. */
  chunking: Chunking;
}

/** What both /chat/completions and /completions accept. */
export interface CommonParams {
  model: string;
  stream: boolean;
  streamOptions: StreamOptions;
  /** Choices per prompt. */
  n: number;
  params: GenerationParams;
}

export interface ChatCompletionParams extends CommonParams {
  messages: ChatMessage[];
  tools?: ToolsParams;
  responseFormat?: OutputFormat;
  /** The request's `service_tier`: the response then says which tier served it (spec: ServiceTier). */
  serviceTier?: ServiceTier;
}

/**
 * Choices one request may ask for, all prompts together (prompts × n): OpenAI's own bound on chat's
 * `n`. They run one after the other on the one model, so a larger request would hold it for minutes.
 */
export const MAX_CHOICES = 128;

/** Spec: `seed`'s bounds (int64, as JSON numbers have them). */
const INT64 = { min: -(2 ** 63), max: 2 ** 63 };

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'] as const;
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'] as const;

/** Accepted and checked as the spec says, with no effect on a local model (echoed-fields.ts). */
function checkEchoedFields(fields: Fields): void {
  parseHints(fields);
  parseMetadata(fields);
  fields.oneOf('reasoning_effort', REASONING_EFFORTS);
  fields.oneOf('verbosity', VERBOSITIES);
  fields.boolean('store');
}

function streamOptions(fields: Fields, stream: boolean): StreamOptions {
  const options = fields.object('stream_options');
  if (options && !stream) {
    throw new ZStreamError('invalid_request', "The 'stream_options' parameter is only allowed when 'stream' is enabled.", {
      param: 'stream_options',
    });
  }
  options?.boolean('include_obfuscation'); // we never obfuscate; the field is optional in chunks
  return {
    includeUsage: options?.boolean('include_usage') ?? false,
    chunking: { size: options?.integer('chunk_size', { min: 1, max: 4096 }) ?? 1, by: options?.oneOf('chunk_by', CHUNK_BY) ?? 'token' },
  };
}

function stopSequences(fields: Fields): string[] | undefined {
  const value = fields.raw('stop');
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value ? [value] : undefined;
  if (!Array.isArray(value)) throw invalidType('stop', 'one of a string or array of strings', value);
  value.forEach((s, i) => {
    if (typeof s !== 'string') throw invalidType(`stop[${i}]`, 'a string', s);
  });
  if (value.length === 0) {
    throw emptyArray('stop');
  }
  if (value.length > 4) {
    throw new ZStreamError(
      'array_above_max_length',
      `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${value.length} instead.`,
      { param: 'stop' },
    );
  }
  const stops = value.filter((s: string) => s.length > 0);
  return stops.length > 0 ? stops : undefined;
}

/** The fields both endpoints share. `maxTokens` differs: chat has two names for it, legacy a default of 16. */
export function parseCommon(fields: Fields, maxTokens: number | undefined): CommonParams {
  const model = fields.raw('model');
  if (model === undefined) throw missing('model');
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  const stream = fields.boolean('stream') ?? false;
  fields.string('user');
  const bias = fields.object('logit_bias');
  for (const token of bias?.keys() ?? []) bias?.integer(token, { min: -100, max: 100 });
  if (bias?.keys().length) throw unsupportedParameter('logit_bias');
  return {
    model,
    stream,
    streamOptions: streamOptions(fields, stream),
    n: fields.integer('n', { min: 1, max: MAX_CHOICES }) ?? 1,
    params: {
      max_tokens: maxTokens,
      temperature: fields.decimal('temperature', SAMPLING_RANGES.temperature),
      top_p: fields.decimal('top_p', SAMPLING_RANGES.top_p),
      seed: fields.integer('seed', INT64),
      presence_penalty: fields.decimal('presence_penalty', SAMPLING_RANGES.presence_penalty),
      frequency_penalty: fields.decimal('frequency_penalty', SAMPLING_RANGES.frequency_penalty),
      stop: stopSequences(fields),
    },
  };
}

function contentPart(part: unknown, param: string, role: string, i: number, j: number): string {
  if (!isObject(part)) throw invalidType(param, 'an object', part);
  const fields = new Fields(part, `${param}.`);
  const type = fields.raw('type');
  if (type === undefined) throw missing(`${param}.type`);
  if (type === 'text' || (type === 'refusal' && role === 'assistant')) {
    const text = fields.string(type);
    if (text === undefined) throw missing(`${param}.${type}`);
    return text;
  }
  if (typeof type === 'string' && PART_TYPES.some((t) => t === type)) {
    // OpenAI's own message for a content type the model cannot read, with its odd param path.
    throw new ZStreamError('invalid_request', `Invalid content type. ${type} is only supported by certain models.`, {
      param: `messages.[${i}].content.[${j}].type`,
    });
  }
  throw notOneOf(`${param}.type`, type, PART_TYPES);
}

function messageContent(message: Fields, role: string, i: number): string {
  const param = `messages[${i}].content`;
  const content = message.raw('content');
  if (typeof content === 'string') return content;
  if (content === undefined) {
    if (role === 'assistant') return '';
    throw missing(param);
  }
  if (!Array.isArray(content)) throw invalidType(param, 'one of a string or array of objects', content);
  if (content.length === 0) throw emptyArray(param); // every role's content array: minItems 1
  return content.map((part: unknown, j) => contentPart(part, `${param}[${j}]`, role, i, j)).join('');
}

function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined) throw missing('messages');
  if (!Array.isArray(value)) throw invalidType('messages', 'an array', value);
  if (value.length === 0) {
    throw emptyArray('messages');
  }
  return value.map((message: unknown, i): ChatMessage => {
    const param = `messages[${i}]`;
    if (!isObject(message)) throw invalidType(param, 'an object', message);
    const fields = new Fields(message, `${param}.`);
    const role = fields.oneOf('role', ROLES);
    if (role === undefined) throw missing(`${param}.role`);
    // The legacy `function` role predates tools; its replacement is the `tool` role.
    if (role === 'function') throw unsupportedValue(`${param}.role`, role);
    fields.string('name');
    const content = messageContent(fields, role, i);
    if (role === 'tool') {
      const id = fields.string('tool_call_id');
      if (id === undefined) throw missing(`${param}.tool_call_id`);
      return { role, content, tool_call_id: id };
    }
    const calls = role === 'assistant' && fields.raw('tool_calls') !== undefined ? parseToolCalls(fields.raw('tool_calls'), `${param}.tool_calls`) : [];
    return calls.length ? { role, content, tool_calls: calls } : { role, content };
  });
}

/** Legacy functions, logprobs, audio: answered with OpenAI's error for a model that cannot. */
function rejectUnsupported(fields: Fields): void {
  if ((fields.array('functions')?.length ?? 0) > 0) throw unsupportedParameter('functions');
  const functionCall = fields.raw('function_call');
  if (functionCall !== undefined && functionCall !== 'none' && functionCall !== 'auto') throw unsupportedParameter('function_call');
  if (fields.boolean('logprobs')) throw unsupportedParameter('logprobs');
  if (fields.integer('top_logprobs', { min: 0, max: 20 })) throw unsupportedParameter('top_logprobs');
  // A malformed value is invalid (the spec refuses it) before it is unsupported (the spec allows it).
  const modalities = fields.array('modalities') ?? [];
  modalities.forEach((m, i) => {
    if (typeof m !== 'string') throw invalidType(`modalities[${i}]`, 'a string', m);
    if (m !== 'text' && m !== 'audio') throw notOneOf(`modalities[${i}]`, m, ['text', 'audio']);
  });
  if (modalities.includes('audio')) throw unsupportedValue('modalities', modalities);
  for (const key of ['audio', 'prediction', 'web_search_options']) {
    if (fields.object(key)) throw unsupportedParameter(key);
  }
}

export function parseChatCompletion(body: Json): ChatCompletionParams {
  const fields = new Fields(body);
  const maxCompletionTokens = fields.integer('max_completion_tokens', { min: 1 });
  const maxTokens = fields.integer('max_tokens', { min: 1 });
  const common = parseCommon(fields, maxCompletionTokens ?? maxTokens);
  const messages = parseMessages(body['messages']);
  checkToolHistory(messages);
  rejectUnsupported(fields);
  const tools = parseTools(fields);
  const responseFormat = parseResponseFormat(fields);
  checkJsonMode(messages, responseFormat);
  checkEchoedFields(fields);
  const serviceTier = fields.oneOf('service_tier', CHAT_SERVICE_TIERS);
  return { ...common, messages, ...(tools ? { tools } : {}), ...(responseFormat ? { responseFormat } : {}), ...(serviceTier ? { serviceTier } : {}) };
}
