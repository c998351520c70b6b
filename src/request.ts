// Validates a /chat/completions body the way OpenAI does: missing or mistyped known fields are
// 400s naming the field (`param`); unknown extra fields are ignored.
import { ZStreamError } from './errors.js';
import type { ChatMessage, GenerateRequest } from './protocol.js';

export interface ChatCompletionParams {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  request: GenerateRequest;
}

type Json = Record<string, unknown>;
const ROLES = new Set<ChatMessage['role']>(['system', 'developer', 'user', 'assistant']);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object'
    : typeof value === 'string' ? 'a string' : typeof value === 'boolean' ? 'a boolean' : typeof value === 'number'
      ? 'a number' : typeof value;

const invalidType = (param: string, expected: string, value: unknown) =>
  new ZStreamError('invalid_type', `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`, { param });

const invalidValue = (param: string, message: string) =>
  new ZStreamError('invalid_value', `Invalid '${param}': ${message}`, { param });

export async function readJsonBody(request: Request): Promise<Json> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw new ZStreamError(
      'invalid_json',
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP " +
        'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ZStreamError('invalid_type', `Invalid type for request body: expected an object, but got ${describe(body)} instead.`);
  }
  return body as Json;
}

function optionalNumber(body: Json, key: string, { min, max, integer = false }: { min?: number; max?: number; integer?: boolean }) {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalidType(key, integer ? 'an integer' : 'a decimal', value);
  }
  if (min !== undefined && value < min) throw invalidValue(key, `expected a value >= ${min}, but got ${value} instead.`);
  if (max !== undefined && value > max) throw invalidValue(key, `expected a value <= ${max}, but got ${value} instead.`);
  return value;
}

function optionalBoolean(body: Json, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidType(key, 'a boolean', value);
  return value;
}

function messageContent(content: unknown, param: string, role: string): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && role === 'assistant') return '';
  if (!Array.isArray(content)) throw invalidType(param, 'one of a string or array of objects', content);
  return content
    .map((part, j) => {
      const partParam = `${param}[${j}]`;
      if (typeof part !== 'object' || part === null) throw invalidType(partParam, 'an object', part);
      const { type, text } = part as Json;
      if (type !== 'text') throw invalidValue(`${partParam}.type`, `this model only accepts text content parts, got ${JSON.stringify(type)}.`);
      if (typeof text !== 'string') throw invalidType(`${partParam}.text`, 'a string', text);
      return text;
    })
    .join('');
}

function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined) {
    throw new ZStreamError('missing_required_parameter', "Missing required parameter: 'messages'.", { param: 'messages' });
  }
  if (!Array.isArray(value)) throw invalidType('messages', 'an array', value);
  if (value.length === 0) throw invalidValue('messages', 'empty array. Expected an array with minimum length 1, but got an empty array instead.');
  return value.map((message: unknown, i) => {
    const param = `messages[${i}]`;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) throw invalidType(param, 'an object', message);
    const { role, content } = message as Json;
    if (typeof role !== 'string' || !ROLES.has(role as ChatMessage['role'])) {
      throw invalidValue(`${param}.role`, `value must be one of 'system', 'developer', 'user', 'assistant'; got ${JSON.stringify(role)}.`);
    }
    return { role: role as ChatMessage['role'], content: messageContent(content, `${param}.content`, role) };
  });
}

function parseStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw invalidType('stop', 'one of a string or array of strings', value);
  }
  if (value.length > 4) throw invalidValue('stop', `array too long. Expected an array with maximum length 4, but got an array with length ${value.length} instead.`);
  return (value as string[]).filter((s) => s.length > 0);
}

export function parseChatCompletion(body: Json): ChatCompletionParams {
  const model = body['model'];
  if (model === undefined) throw new ZStreamError('missing_required_parameter', "Missing required parameter: 'model'.", { param: 'model' });
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  const messages = parseMessages(body['messages']);

  const n = optionalNumber(body, 'n', { integer: true, min: 1, max: 128 });
  if (n !== undefined && n > 1) throw invalidValue('n', 'this local model generates one choice per request; use n=1.');
  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions))) {
    throw invalidType('stream_options', 'an object', streamOptions);
  }
  const includeUsage = streamOptions ? optionalBoolean(streamOptions as Json, 'include_usage') : undefined;

  const maxTokens = optionalNumber(body, 'max_completion_tokens', { integer: true, min: 1 })
    ?? optionalNumber(body, 'max_tokens', { integer: true, min: 1 });
  const fields = {
    max_tokens: maxTokens,
    temperature: optionalNumber(body, 'temperature', { min: 0, max: 2 }),
    top_p: optionalNumber(body, 'top_p', { min: 0, max: 1 }),
    seed: optionalNumber(body, 'seed', { integer: true }),
    presence_penalty: optionalNumber(body, 'presence_penalty', { min: -2, max: 2 }),
    frequency_penalty: optionalNumber(body, 'frequency_penalty', { min: -2, max: 2 }),
    stop: parseStop(body['stop']),
  };
  const request: GenerateRequest = { messages };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(request, { [key]: value });
  return { model, stream: optionalBoolean(body, 'stream') ?? false, includeUsage: includeUsage ?? false, request };
}
