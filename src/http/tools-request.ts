// OpenAI's `tools`, `tool_choice`, `parallel_tool_calls` and `response_format` on a chat request,
// and tool-call history in `messages`, read into the engine's types (src/shared/protocol.ts) with
// OpenAI's errors. Any endpoint that takes OpenAI's tool shapes can use these readers.
import { ZStreamError } from '../shared/errors.js';
import type { ChatMessage, JsonSchema, OutputFormat, ToolCall, ToolChoice, ToolDefinition, ToolsParams } from '../shared/protocol.js';
import { checkSchema } from './json-schema-check.js';
import { Fields, invalidType, isObject, missing, notOneOf, unsupportedValue } from './request-fields.js';

const objectOr = (value: unknown, fallback: JsonSchema): JsonSchema => (isObject(value) ? value : fallback);

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A function name in `fields[key]`, checked as OpenAI checks it. */
export function functionName(fields: Fields, key: string): string {
  const name = fields.string(key);
  if (name === undefined) throw missing(fields.param(key));
  if (!FUNCTION_NAME.test(name)) {
    throw new ZStreamError('invalid_value', `Invalid '${fields.param(key)}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, { param: fields.param(key) });
  }
  return name;
}

/**
 * A function's definition from the object that holds its fields: chat's `tools[i].function`,
 * the Responses API's flat `tools[i]`; errors name the field under that object's path.
 */
export function functionDefinition(fn: Fields, strictDefault: boolean): ToolDefinition {
  const name = functionName(fn, 'name');
  const description = fn.string('description');
  fn.object('parameters');
  const parameters = objectOr(fn.raw('parameters'), { type: 'object', properties: {} });
  checkSchema(parameters, `function '${name}'`, fn.param('parameters'));
  return { name, ...(description === undefined ? {} : { description }), parameters, strict: fn.boolean('strict') ?? strictDefault };
}

function tool(value: unknown, i: number): ToolDefinition {
  const param = `tools[${i}]`;
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  const fields = new Fields(value, `${param}.`);
  const type = fields.raw('type');
  if (type === undefined) throw missing(`${param}.type`);
  if (type === 'custom') throw unsupportedValue(`${param}.type`, type);
  if (type !== 'function') throw notOneOf(`${param}.type`, type, ['function', 'custom']);
  const fn = fields.object('function');
  if (!fn) throw missing(`${param}.function`);
  return functionDefinition(fn, false);
}

/** OpenAI's check: each function name once; `nameParam(i)` is where tool i's name is. */
export function checkUniqueNames(tools: ToolDefinition[], nameParam: (i: number) => string): void {
  const names = new Set<string>();
  tools.forEach((t, i) => {
    if (names.has(t.name)) throw new ZStreamError('invalid_request', `Invalid 'tools': duplicate function name '${t.name}'.`, { param: nameParam(i) });
    names.add(t.name);
  });
}

/**
 * `tool_choice`: the modes are the same on every endpoint; the object form differs, so
 * `forcedName` reads the function's name out of it (and refuses other types).
 */
export function parseToolChoice(fields: Fields, tools: ToolDefinition[], forcedName: (choice: Fields) => string): ToolChoice {
  const value = fields.raw('tool_choice');
  if (value === undefined) return 'auto';
  if (typeof value === 'string') {
    const choice = fields.oneOf('tool_choice', ['none', 'auto', 'required'] as const)!;
    if (choice !== 'none' && tools.length === 0) {
      throw new ZStreamError('invalid_request', "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { param: 'tool_choice' });
    }
    return choice;
  }
  const choice = fields.object('tool_choice');
  if (!choice) throw invalidType('tool_choice', 'one of a string or object', value);
  const name = forcedName(choice);
  if (!tools.some((t) => t.name === name)) {
    throw new ZStreamError('invalid_value', `Invalid value for 'tool_choice': function '${name}' not found in 'tools'.`, { param: 'tool_choice' });
  }
  return { name };
}

/** Chat's object form: `{type: 'function', function: {name}}`. */
function chatForcedName(choice: Fields): string {
  const type = choice.raw('type');
  if (type === undefined) throw missing('tool_choice.type');
  // Valid choices (the spec's ChatCompletionToolChoiceOption) that this engine does not implement.
  if (type === 'allowed_tools' || type === 'custom') throw unsupportedValue('tool_choice.type', type);
  if (type !== 'function') throw notOneOf('tool_choice.type', type, ['function', 'allowed_tools', 'custom']);
  const fn = choice.object('function');
  if (!fn) throw missing('tool_choice.function');
  return functionName(fn, 'name');
}

/** `tools` and its companions; undefined when the request offers no tools. */
export function parseTools(fields: Fields): ToolsParams | undefined {
  const list = fields.array('tools') ?? [];
  const tools = list.map(tool);
  checkUniqueNames(tools, (i) => `tools[${i}].function.name`);
  const tool_choice = parseToolChoice(fields, tools, chatForcedName);
  const parallel_tool_calls = fields.boolean('parallel_tool_calls') ?? true;
  return tools.length ? { tools, tool_choice, parallel_tool_calls } : undefined;
}

/** `response_format`; undefined for plain text. */
export function parseResponseFormat(fields: Fields): OutputFormat | undefined {
  const format = fields.object('response_format');
  if (!format) return undefined;
  const type = format.raw('type');
  if (type === undefined) throw missing('response_format.type');
  if (type === 'text') return undefined;
  if (type === 'json_object') return { type };
  if (type !== 'json_schema') throw notOneOf('response_format.type', type, ['text', 'json_object', 'json_schema']);
  const spec = format.object('json_schema');
  if (!spec) throw missing('response_format.json_schema');
  return jsonSchemaFormat(spec, 'response_format');
}

/** A `json_schema` format from the object holding `name`, `schema`, `strict` (chat's `json_schema`, the Responses API's `text.format`). */
export function jsonSchemaFormat(spec: Fields, schemaParam: string): OutputFormat {
  const name = functionName(spec, 'name');
  spec.string('description');
  spec.object('schema');
  const schema = objectOr(spec.raw('schema'), { type: 'object' });
  checkSchema(schema, `response_format '${name}'`, schemaParam);
  return { type: 'json_schema', name, schema, strict: spec.boolean('strict') ?? false };
}

/** An assistant message's `tool_calls`. */
export function parseToolCalls(value: unknown, param: string): ToolCall[] {
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  return value.map((call: unknown, j): ToolCall => {
    const at = `${param}[${j}]`;
    if (!isObject(call)) throw invalidType(at, 'an object', call);
    const fields = new Fields(call, `${at}.`);
    const id = fields.string('id');
    if (id === undefined) throw missing(`${at}.id`);
    const type = fields.raw('type');
    if (type === undefined) throw missing(`${at}.type`);
    if (type !== 'function') throw notOneOf(`${at}.type`, type, ['function']);
    const fn = fields.object('function');
    if (!fn) throw missing(`${at}.function`);
    const name = fn.string('name');
    if (name === undefined) throw missing(`${at}.function.name`);
    const args = fn.string('arguments');
    if (args === undefined) throw missing(`${at}.function.arguments`);
    return { id, name, arguments: args };
  });
}

/** OpenAI's check: every `tool` message answers a call of an earlier assistant message. */
export function checkToolHistory(messages: ChatMessage[]): void {
  const open = new Set<string>();
  messages.forEach((message, i) => {
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) open.add(call.id);
    if (message.role === 'tool' && !open.has(message.tool_call_id ?? '')) {
      throw new ZStreamError(
        'invalid_request',
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        { param: `messages.[${i}].role` },
      );
    }
  });
}

/** OpenAI's JSON mode asks the prompt to say so: the model is told to write JSON, not only forced to. */
export function checkJsonMode(messages: ChatMessage[], format: OutputFormat | undefined, names = { messages: 'messages', format: 'response_format' }): void {
  if (format?.type !== 'json_object' || messages.some((m) => /json/i.test(m.content))) return;
  throw new ZStreamError(
    'invalid_request',
    `'${names.messages}' must contain the word 'json' in some form, to use '${names.format}' of type 'json_object'.`,
    { param: names.messages },
  );
}
