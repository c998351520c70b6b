// tools, tool_choice, tool-call history and response_format: what is accepted and OpenAI's 400s.
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../test/openai-spec.js';
import { refusal } from '../../test/request-error.js';
import { parseChatCompletion } from './request.js';

const USER = [{ role: 'user', content: 'Weather in Paris?' }];
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'm', messages: USER, ...extra });
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather', description: 'Weather now', strict: true,
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};
const CALL = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

const chatError = (body: Record<string, unknown>) => refusal(parseChatCompletion, body);

describe('tools and response_format: accepted', () => {
  it('reads tools, tool_choice, parallel_tool_calls and a tool-call history', () => {
    const body = chat({
      messages: [...USER, { role: 'assistant', content: null, tool_calls: [CALL] }, { role: 'tool', tool_call_id: 'call_1', content: '18 °C' }],
      tools: [WEATHER, { type: 'function', function: { name: 'noop' } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(schemaErrors('CreateChatCompletionRequest', body)).toEqual([]);
    const params = parseChatCompletion(body);
    expect(params.tools).toEqual({
      tools: [
        { name: 'get_weather', description: 'Weather now', parameters: WEATHER.function.parameters, strict: true },
        { name: 'noop', parameters: { type: 'object', properties: {} }, strict: false },
      ],
      tool_choice: { name: 'get_weather' },
      parallel_tool_calls: false,
    });
    expect(params.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: '18 °C', tool_call_id: 'call_1' },
    ]);
  });

  it('reads json_object and json_schema response formats', () => {
    const json = chat({ messages: [{ role: 'user', content: 'Answer in JSON.' }], response_format: { type: 'json_object' } });
    expect(parseChatCompletion(json).responseFormat).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'], additionalProperties: false };
    const body = chat({ response_format: { type: 'json_schema', json_schema: { name: 'count', schema, strict: true } } });
    expect(schemaErrors('CreateChatCompletionRequest', body)).toEqual([]);
    expect(parseChatCompletion(body).responseFormat).toEqual({ type: 'json_schema', name: 'count', schema, strict: true });
  });
});

/** An array schema `depth` levels deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < depth; i++) schema = { type: 'array', items: schema };
  return schema;
}

describe('tools and response_format: OpenAI\'s 400s', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['a schema keyword the engine cannot enforce', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'array', uniqueItems: true } } } },
      { code: null, param: 'response_format', message: "Invalid schema for response_format 'x': In context=#, 'uniqueItems' is not permitted." }],
    ['an invalid schema', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'text' } } } } } },
      { code: null, param: 'response_format', message: 'Invalid schema for response_format \'x\': In context=#/properties/a, "text" is not a valid type.' }],
    // Schemas xgrammar's compiler aborts on (a WASM abort, found by review): each a 400 before generation.
    ...([
      ['#/properties/a', { $ref: '#/$defs/missing' }, 'reference to component "#/$defs/missing" which was not found in the schema.'],
      ['#/properties/a', { type: 'string', pattern: '[' }, '"[" is not a valid regular expression.'],
      ['#/properties/a', { type: 'string', minLength: 5, maxLength: 2 }, "'minLength' is greater than 'maxLength'."],
      ['#/properties/a', { enum: [] }, "'enum' must be a non-empty array."],
      ['#/properties/a', { type: 'integer', minimum: 'zero' }, "'minimum' must be a number."],
      ['#/properties/a', { type: 'array', maxItems: 1.5 }, "'maxItems' must be a non-negative integer."],
    ] as const).map(([context, a, reason]): [string, Record<string, unknown>, Record<string, unknown>] => [
      `a schema the grammar engine aborts on: ${reason}`,
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a }, required: ['a'] } } } },
      { code: null, param: 'response_format', message: `Invalid schema for response_format 'x': In context=${context}, ${reason}` },
    ]),
    ['a schema nested deeper than 100 levels (a recursive check would overflow the stack at 20,000)',
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: nested(20_000) } } },
      { code: null, param: 'response_format', message: expect.stringMatching(/^Invalid schema for response_format 'x': In context=#(\/items){101}, schemas nest deeper than 100 levels\.$/) }],
    // Found by review: valid per OpenAI's spec, not implemented here (was "Invalid value" listing them as supported).
    ['tool_choice allowed_tools', { tools: [WEATHER], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } },
      { code: 'unsupported_value', param: 'tool_choice.type' }],
    ['tool_choice custom', { tools: [WEATHER], tool_choice: { type: 'custom', custom: { name: 'get_weather' } } },
      { code: 'unsupported_value', param: 'tool_choice.type' }],
    ['a tool message whose content is an empty array', { messages: [...USER, { role: 'assistant', tool_calls: [CALL] }, { role: 'tool', tool_call_id: 'call_1', content: [] }] },
      { code: 'empty_array', param: 'messages[2].content' }],
    ['a history tool call without its type', { messages: [...USER, { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{}' } }] }] },
      { code: 'missing_required_parameter', param: 'messages[1].tool_calls[0].type', message: "Missing required parameter: 'messages[1].tool_calls[0].type'." }],
    ['an unknown tool in tool_choice', { tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_time' } } },
      { code: 'invalid_value', param: 'tool_choice' }],
    ['json_object without the word json in the messages', { response_format: { type: 'json_object' } },
      { code: null, param: 'messages', message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'." }],
    ['tool_choice without tools', { tool_choice: 'required' }, { code: null, param: 'tool_choice' }],
    ['a tool message without a preceding call', { messages: [...USER, { role: 'tool', content: 'r', tool_call_id: 'c' }] },
      { code: null, param: 'messages.[1].role', message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'." }],
    ['a tool that is not a function', { tools: [{ type: 'web_search' }] },
      { code: 'invalid_value', param: 'tools[0].type' }],
    ['a custom tool', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, { code: 'unsupported_value', param: 'tools[0].type' }],
    ['a function with an unenforceable parameter schema', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', not: {} } } }] },
      { code: null, param: 'tools[0].function.parameters' }],
  ];
  for (const [what, extra, expected] of cases) {
    it(what, () => {
      expect(chatError(chat(extra))).toMatchObject({ status: 400, type: 'invalid_request_error', ...expected });
    });
  }
});
