// Request validation, parameter by parameter and error by error. Each error is also checked
// against OpenAI's spec: what we call a wrong type or value, the spec rejects too; what we call
// unsupported, the spec accepts (it is OpenAI's, a local model just cannot honour it).
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../test/openai-spec.js';
import { refusal } from '../../test/request-error.js';
import { parseCompletion } from './completions.js';
import { parseChatCompletion } from './request.js';

const USER = [{ role: 'user', content: 'Hi' }];
/** { type: { type: … } }, `depth` deep. */
function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { type: value };
  return value;
}
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'm', messages: USER, ...extra });

const chatError = (body: Record<string, unknown>) => refusal(parseChatCompletion, body);

describe('chat request: accepted parameters', () => {
  it('passes messages and OpenAI parameters through, and ignores unknown fields', () => {
    const body = chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Really ' }, { type: 'text', text: 'brief.' }] },
        { role: 'user', content: 'Hi', name: 'ann' },
        { role: 'assistant', content: null, refusal: null },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
        { role: 'user', content: 'Again' },
      ],
      temperature: 0.7, top_p: 0.9, seed: 42, presence_penalty: 0.5, frequency_penalty: -0.5, stop: ['\n\n', 'END'],
      max_tokens: 20, stream: true, stream_options: { include_usage: true }, n: 1,
      user: 'u', store: false, metadata: { a: 'b' }, service_tier: 'auto', parallel_tool_calls: true,
      tool_choice: 'none', logprobs: false, top_logprobs: 0, response_format: { type: 'text' }, modalities: ['text'],
      not_an_openai_field: { anything: [1, 2] },
    });
    expect(schemaErrors('CreateChatCompletionRequest', body)).toEqual([]);
    const params = parseChatCompletion(body);
    expect(params.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Really brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: 'No.' },
      { role: 'user', content: 'Again' },
    ]);
    expect(params).toMatchObject({
      model: 'm', stream: true, n: 1, streamOptions: { includeUsage: true, chunking: { size: 1, by: 'token' } },
      params: { temperature: 0.7, top_p: 0.9, seed: 42, presence_penalty: 0.5, frequency_penalty: -0.5, stop: ['\n\n', 'END'], max_tokens: 20 },
    });
  });

  it('accepts every limit itself: ranges are inclusive', () => {
    const edges = chat({ n: 128, temperature: 2, top_p: 1, presence_penalty: 2, frequency_penalty: -2, max_tokens: 1 });
    expect(parseChatCompletion(edges)).toMatchObject({ n: 128, params: { temperature: 2, top_p: 1, presence_penalty: 2, frequency_penalty: -2, max_tokens: 1 } });
    expect(parseChatCompletion(chat({ temperature: 0, top_p: 0 })).params).toMatchObject({ temperature: 0, top_p: 0 });
    expect(parseChatCompletion(chat({ stop: ['a', 'b', 'c', 'd'] })).params.stop).toEqual(['a', 'b', 'c', 'd']);
    expect(parseChatCompletion(chat({ stop: [''] })).params.stop).toBeUndefined();
  });

  it('reads max_completion_tokens before the deprecated max_tokens', () => {
    expect(parseChatCompletion(chat({ max_tokens: 5, max_completion_tokens: 7 })).params.max_tokens).toBe(7);
    expect(parseChatCompletion(chat({ max_tokens: 5 })).params.max_tokens).toBe(5);
  });

  it('takes a single stop string, drops empty ones, and treats null as absent', () => {
    expect(parseChatCompletion(chat({ stop: 'x' })).params.stop).toEqual(['x']);
    expect(parseChatCompletion(chat({ stop: ['', 'y'] })).params.stop).toEqual(['y']);
    const nulls = chat({ stop: null, temperature: null, seed: null, n: null, stream: null, stream_options: null, max_tokens: null });
    expect(schemaErrors('CreateChatCompletionRequest', nulls)).toEqual([]);
    expect(parseChatCompletion(nulls)).toMatchObject({ stream: false, n: 1, params: { stop: undefined, temperature: undefined } });
  });

  it('honours n, and reads zstream chunking from stream_options', () => {
    const params = parseChatCompletion(chat({ n: 3, stream: true, stream_options: { chunk_size: 4, chunk_by: 'word' } }));
    expect(params.n).toBe(3);
    expect(params.streamOptions).toEqual({ includeUsage: false, chunking: { size: 4, by: 'word' } });
  });
});

describe('chat request: errors', () => {
  // [what, body, expected error, whether OpenAI's spec also rejects the body]
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean]> = [
    ['model missing', { messages: USER }, { code: 'missing_required_parameter', param: 'model', message: "Missing required parameter: 'model'." }, true],
    ['model of the wrong type', chat({ model: 7 }), { code: 'invalid_type', param: 'model', message: "Invalid type for 'model': expected a string, but got an integer instead." }, true],
    ['messages missing', { model: 'm' }, { code: 'missing_required_parameter', param: 'messages' }, true],
    ['messages not an array', chat({ messages: 'hi' }), { code: 'invalid_type', param: 'messages', message: "Invalid type for 'messages': expected an array, but got a string instead." }, true],
    ['messages empty', chat({ messages: [] }), { code: 'empty_array', param: 'messages', message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead." }, true],
    ['a message not an object', chat({ messages: ['hi'] }), { code: 'invalid_type', param: 'messages[0]' }, true],
    ['a role missing', chat({ messages: [{ content: 'x' }] }), { code: 'missing_required_parameter', param: 'messages[0].role' }, true],
    ['an unknown role', chat({ messages: [{ role: 'bot', content: 'x' }] }), {
      code: 'invalid_value', param: 'messages[0].role',
      message: "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
    }, true],
    ['user content missing', chat({ messages: [{ role: 'user' }] }), { code: 'missing_required_parameter', param: 'messages[0].content' }, true],
    ['content of the wrong type', chat({ messages: [{ role: 'user', content: 5 }] }), { code: 'invalid_type', param: 'messages[0].content' }, true],
    ['a text part without text', chat({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }), { code: 'missing_required_parameter', param: 'messages[0].content[0].text' }, true],
    ['an unknown part type', chat({ messages: [{ role: 'user', content: [{ type: 'video', text: 'x' }] }] }), { code: 'invalid_value', param: 'messages[0].content[0].type' }, true],
    ['temperature as a string', chat({ temperature: 'hot' }), { code: 'invalid_type', param: 'temperature', message: "Invalid type for 'temperature': expected a decimal, but got a string instead." }, true],
    ['temperature above 2', chat({ temperature: 3 }), {
      code: 'decimal_above_max_value', param: 'temperature', message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
    }, true],
    ['top_p below 0', chat({ top_p: -0.1 }), { code: 'decimal_below_min_value', param: 'top_p' }, true],
    ['presence_penalty above 2', chat({ presence_penalty: 2.5 }), { code: 'decimal_above_max_value', param: 'presence_penalty' }, true],
    ['frequency_penalty below -2', chat({ frequency_penalty: -3 }), { code: 'decimal_below_min_value', param: 'frequency_penalty' }, true],
    ['a decimal seed', chat({ seed: 1.5 }), { code: 'invalid_type', param: 'seed', message: "Invalid type for 'seed': expected an integer, but got a decimal instead." }, true],
    ['n of 0', chat({ n: 0 }), { code: 'integer_below_min_value', param: 'n', message: "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead." }, true],
    ['n above 128', chat({ n: 129 }), { code: 'integer_above_max_value', param: 'n' }, true],
    ['max_tokens as a string', chat({ max_tokens: '10' }), { code: 'invalid_type', param: 'max_tokens' }, true],
    ['max_completion_tokens as a decimal', chat({ max_completion_tokens: 2.5 }), { code: 'invalid_type', param: 'max_completion_tokens' }, true],
    ['max_tokens of 0', chat({ max_tokens: 0 }), { code: 'integer_below_min_value', param: 'max_tokens' }, false],
    ['stream as a string', chat({ stream: 'yes' }), { code: 'invalid_type', param: 'stream', message: "Invalid type for 'stream': expected a boolean, but got a string instead." }, true],
    ['stop as a number', chat({ stop: 5 }), { code: 'invalid_type', param: 'stop' }, true],
    ['a stop entry as a number', chat({ stop: ['a', 5] }), { code: 'invalid_type', param: 'stop[1]' }, true],
    ['five stop sequences', chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), {
      code: 'array_above_max_length', param: 'stop',
      message: "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
    }, true],
    ['stop as an empty array', chat({ stop: [] }), { code: 'empty_array', param: 'stop' }, true],
    ['stream_options of the wrong type', chat({ stream: true, stream_options: 'usage' }), { code: 'invalid_type', param: 'stream_options' }, true],
    ['include_usage of the wrong type', chat({ stream: true, stream_options: { include_usage: 'yes' } }), { code: 'invalid_type', param: 'stream_options.include_usage' }, true],
    ['stream_options without stream', chat({ stream_options: { include_usage: true } }), {
      code: null, param: 'stream_options', message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    }, false],
    ['chunk_size of 0', chat({ stream: true, stream_options: { chunk_size: 0 } }), { code: 'integer_below_min_value', param: 'stream_options.chunk_size' }, false],
    ['an unknown chunk_by', chat({ stream: true, stream_options: { chunk_by: 'page' } }), { code: 'invalid_value', param: 'stream_options.chunk_by' }, false],
    // Found by review: values the spec refuses, once accepted because the field changes nothing here.
    ['a service_tier it does not know', chat({ service_tier: 'bogus' }), { code: 'invalid_value', param: 'service_tier' }, true],
    ['a verbosity it does not know', chat({ verbosity: 'loud' }), { code: 'invalid_value', param: 'verbosity' }, true],
    ['a reasoning_effort it does not know', chat({ reasoning_effort: 'extreme' }), { code: 'invalid_value', param: 'reasoning_effort' }, true],
    ['a prompt_cache_retention it does not know', chat({ prompt_cache_retention: 'forever' }), { code: 'invalid_value', param: 'prompt_cache_retention' }, true],
    ['a metadata value that is no string', chat({ metadata: { a: 5 } }), { code: 'invalid_type', param: 'metadata.a' }, true],
    ['seventeen metadata pairs', chat({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }), { code: null, param: 'metadata' }, false],
    ['a safety_identifier over 64 characters', chat({ safety_identifier: 's'.repeat(65) }), { code: null, param: 'safety_identifier' }, true],
    ['a seed beyond int64', chat({ seed: 1e19 }), { code: 'integer_above_max_value', param: 'seed' }, true],
    ['a modality that does not exist', chat({ modalities: ['video'] }), { code: 'invalid_value', param: 'modalities[0]' }, true],
    ['a modality that is no string', chat({ modalities: [5] }), { code: 'invalid_type', param: 'modalities[0]' }, true],
    ['prediction that is no object', chat({ prediction: 5 }), { code: 'invalid_type', param: 'prediction' }, true],
    ['a logit_bias that is no integer', chat({ logit_bias: { 1: 'x' } }), { code: 'invalid_type', param: 'logit_bias.1' }, true],
    ['a user content array that is empty', chat({ messages: [{ role: 'user', content: [] }] }), { code: 'empty_array', param: 'messages[0].content' }, true],
    ['user of the wrong type', chat({ user: 5 }), { code: 'invalid_type', param: 'user' }, true],
    ['metadata of the wrong type', chat({ metadata: 'x' }), { code: 'invalid_type', param: 'metadata' }, true],
    ['store of the wrong type', chat({ store: 'no' }), { code: 'invalid_type', param: 'store' }, true],
    ['a deeply nested part type, quoted short', chat({ messages: [{ role: 'user', content: [{ type: nested(100_000) }] }] }), {
      code: 'invalid_value', param: 'messages[0].content[0].type',
      message: `Invalid value: ${'{"type":'.repeat(12)}{"ty…. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.`,
    }, true],
    ['a long unknown role, quoted short', chat({ messages: [{ role: 'r'.repeat(100_000), content: 'x' }] }), {
      code: 'invalid_value', param: 'messages[0].role', message: expect.stringMatching(/^Invalid value: 'r{100}…'\. Supported/) as unknown,
    }, true],
    ['a content part that is not an object', chat({ messages: [{ role: 'user', content: ['Hi'] }] }), { code: 'invalid_type', param: 'messages[0].content[0]' }, true],
    ['a content part without a type', chat({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }), { code: 'missing_required_parameter', param: 'messages[0].content[0].type' }, true],
    ['a refusal part from the user', chat({ messages: [{ role: 'user', content: [{ type: 'refusal', refusal: 'No' }] }] }), {
      code: null, param: 'messages.[0].content.[0].type', message: 'Invalid content type. refusal is only supported by certain models.',
    }, true],
    ['max_completion_tokens of 0', chat({ max_completion_tokens: 0 }), { code: 'integer_below_min_value', param: 'max_completion_tokens' }, false],
    ['temperature as a boolean', chat({ temperature: true }), { code: 'invalid_type', param: 'temperature', message: "Invalid type for 'temperature': expected a decimal, but got a boolean instead." }, true],
    ['modalities as a string', chat({ modalities: 'text' }), { code: 'invalid_type', param: 'modalities', message: "Invalid type for 'modalities': expected an array, but got a string instead." }, true],
    ['top_logprobs above 20', chat({ top_logprobs: 21 }), { code: 'integer_above_max_value', param: 'top_logprobs' }, true],
  ];

  for (const [what, body, expected, specRejects] of cases) {
    it(`${what}: 400 ${String(expected['code'])} on '${String(expected['param'])}'`, () => {
      expect(chatError(body)).toMatchObject({ status: 400, type: 'invalid_request_error', ...expected });
      expect(schemaErrors('CreateChatCompletionRequest', body).length > 0).toBe(specRejects);
    });
  }
});

describe('chat request: what a local text model cannot honour gets unsupported_parameter', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ functions: [{ name: 'f' }] }, 'functions', 'unsupported_parameter'],
    [{ logprobs: true }, 'logprobs', 'unsupported_parameter'],
    [{ logprobs: true, top_logprobs: 3 }, 'logprobs', 'unsupported_parameter'],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias', 'unsupported_parameter'],
    [{ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }, 'modalities', 'unsupported_value'],
    [{ audio: { voice: 'alloy', format: 'wav' } }, 'audio', 'unsupported_parameter'],
    [{ prediction: { type: 'content', content: 'x' } }, 'prediction', 'unsupported_parameter'],
    [{ web_search_options: {} }, 'web_search_options', 'unsupported_parameter'],
  ];
  for (const [extra, param, code] of cases) {
    it(`${Object.keys(extra).join(' + ')} → ${code} on '${param}'`, () => {
      const body = chat(extra);
      expect(schemaErrors('CreateChatCompletionRequest', body)).toEqual([]);
      expect(chatError(body)).toMatchObject({ status: 400, code, param });
    });
  }

  it('images get OpenAI\'s message for a model without vision', () => {
    const body = chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url: 'data:,' } }] }] });
    expect(schemaErrors('CreateChatCompletionRequest', body)).toEqual([]);
    expect(chatError(body)).toEqual({
      status: 400, type: 'invalid_request_error', code: null, param: 'messages.[0].content.[1].type',
      message: 'Invalid content type. image_url is only supported by certain models.',
    });
  });
});

describe('legacy completion request', () => {
  const legacy = (extra: Record<string, unknown> = {}) => ({ model: 'm', prompt: 'Once upon a', ...extra });
  const legacyError = (body: Record<string, unknown>) => refusal(parseCompletion, body);

  it('takes a prompt or a list of prompts, echo, and OpenAI\'s default of 16 tokens', () => {
    const body = legacy({ prompt: ['a', 'b'], echo: true, n: 2, temperature: 0, suffix: null, best_of: 1, logprobs: null });
    expect(schemaErrors('CreateCompletionRequest', body)).toEqual([]);
    expect(parseCompletion(body)).toMatchObject({ prompts: ['a', 'b'], echo: true, n: 2, params: { max_tokens: 16, temperature: 0 } });
    expect(parseCompletion(legacy({ max_tokens: 0 })).params.max_tokens).toBe(0);
  });

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, boolean]> = [
    ['prompt missing', { model: 'm' }, { code: 'missing_required_parameter', param: 'prompt' }, true],
    ['prompt as an object', legacy({ prompt: { text: 'x' } }), { code: 'invalid_type', param: 'prompt' }, true],
    ['prompt list with a number', legacy({ prompt: ['a', 1] }), { code: 'invalid_type', param: 'prompt[1]' }, true],
    ['prompt list with a null', legacy({ prompt: ['a', null] }), {
      code: 'invalid_type', param: 'prompt[1]', message: "Invalid type for 'prompt[1]': expected a string, but got null instead.",
    }, true],
    ['an empty prompt list', legacy({ prompt: [] }), { code: 'empty_array', param: 'prompt' }, false],
    ['token-id prompts', legacy({ prompt: [1212, 318] }), { code: 'unsupported_value', param: 'prompt' }, false],
    ['max_tokens below 0', legacy({ max_tokens: -1 }), { code: 'integer_below_min_value', param: 'max_tokens' }, true],
    ['suffix', legacy({ suffix: 'end' }), { code: 'unsupported_parameter', param: 'suffix' }, false],
    ['best_of above 1', legacy({ best_of: 3 }), { code: 'unsupported_parameter', param: 'best_of' }, false],
    ['logprobs', legacy({ logprobs: 2 }), { code: 'unsupported_parameter', param: 'logprobs' }, false],
    ['echo of the wrong type', legacy({ echo: 'yes' }), { code: 'invalid_type', param: 'echo' }, true],
    ['129 prompts', legacy({ prompt: Array.from({ length: 129 }, () => 'a') }), {
      code: 'invalid_value', param: 'prompt',
      message: "Invalid 'prompt': 129 prompts × n = 1 asks for 129 choices; at most 128 choices per request are supported.",
    }, false],
    ['prompts × n above 128', legacy({ prompt: Array.from({ length: 100 }, () => 'a'), n: 2 }), {
      code: 'invalid_value', param: 'n',
      message: "Invalid 'n': 100 prompts × n = 2 asks for 200 choices; at most 128 choices per request are supported.",
    }, false],
  ];
  it('accepts up to 128 choices in all', () => {
    expect(parseCompletion(legacy({ prompt: Array.from({ length: 64 }, () => 'a'), n: 2 })).prompts).toHaveLength(64);
    expect(parseCompletion(legacy({ prompt: Array.from({ length: 128 }, () => 'a') })).n).toBe(1);
  });

  for (const [what, body, expected, specRejects] of cases) {
    it(`${what}: ${String(expected['code'])} on '${String(expected['param'])}'`, () => {
      expect(legacyError(body)).toMatchObject({ type: 'invalid_request_error', ...expected });
      expect(schemaErrors('CreateCompletionRequest', body).length > 0).toBe(specRejects);
    });
  }
});
