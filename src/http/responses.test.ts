// The Responses API over a fake engine: every event and object checked against OpenAI's schemas,
// the stream read with a real SSE parser, OpenAI's request errors, and the real `openai` SDK on top.
// Stored responses: responses-store.test.ts; flow control: responses-flow.test.ts.
import { APIError } from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAIL_MID_STREAM, REPLY, REPLY_TOKENS, fakeEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { deltaText, parseResponseStream } from '../../test/responses-conformance.js';
import { serve } from '../../test/serve.js';

const USAGE = {
  input_tokens: 15, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: REPLY_TOKENS.length, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 + REPLY_TOKENS.length,
};

/** A fake engine that stops after 3 tokens whatever the limit: finish_reason `length` (max_output_tokens is at least 16). */
function shortEngine() {
  const engine = fakeEngine();
  const generate = engine.generate.bind(engine);
  return { ...engine, generate: (request: Parameters<typeof generate>[0], signal?: AbortSignal) => generate({ ...request, max_tokens: 3 }, signal) };
}

// Compiling OpenAI's event schemas takes seconds on a busy machine: once, before the tests' clocks start.
beforeAll(() => void (['ResponseStreamEvent', 'Response', 'ResponseCreatedEvent'] as const).map((name) => schemaErrors(name, {})), 60_000);

async function stream(body: Record<string, unknown>, served = serve()) {
  const res = await served.post('/responses', { model: 'gpt-4o', input: 'Tell me a story', stream: true, ...body });
  const raw = await res.text();
  return { res, raw, parsed: parseResponseStream(raw), ...served };
}

describe('POST /responses streamed', () => {
  it('is OpenAI\'s event sequence, one delta per token, numbered from 0, valid against the spec', async () => {
    const { res, parsed, engine } = await stream({ instructions: 'Be brief.', temperature: 0.5, top_p: 0.9, metadata: { a: 'b' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(parsed.violations).toEqual([]);
    expect(parsed.events.map((e) => e.type)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      ...REPLY_TOKENS.map(() => 'response.output_text.delta'),
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ]);
    expect(deltaText(parsed.events)).toBe(REPLY);
    const completed = parsed.events.at(-1)!['response'] as Record<string, unknown>;
    expect(completed).toMatchObject({
      object: 'response', status: 'completed', model: 'fake-model', instructions: 'Be brief.', temperature: 0.5, top_p: 0.9,
      // The prompt is the fake engine's joined contents: 'Be brief.\nTell me a story'.
      metadata: { a: 'b' }, usage: { ...USAGE, input_tokens: 25, total_tokens: 25 + REPLY_TOKENS.length }, error: null, incomplete_details: null,
      output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: REPLY, annotations: [] }] }],
    });
    expect(completed['id']).toMatch(/^resp_/);
    expect(parsed.events[0]!['response']).toMatchObject({ id: completed['id'], status: 'in_progress', output: [] });
    // The same item id on every item event.
    const itemIds = new Set(parsed.events.flatMap((e) => ('item_id' in e ? [e['item_id']] : 'item' in e ? [(e['item'] as { id: string }).id] : [])));
    expect(itemIds.size).toBe(1);
    expect(engine.requests).toEqual([{
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Tell me a story' }], temperature: 0.5, top_p: 0.9,
    }]);
  });

  it('ends with response.incomplete, reason max_output_tokens, when the output hits the limit', async () => {
    const { parsed } = await stream({ max_output_tokens: 16 }, serve(shortEngine()));
    expect(parsed.violations).toEqual([]);
    const last = parsed.events.at(-1)!;
    expect(last.type).toBe('response.incomplete');
    expect(last['response']).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, max_output_tokens: 16 });
    expect(parsed.events.find((e) => e.type === 'response.output_item.done')?.['item']).toMatchObject({ status: 'incomplete' });
  });

  it('a failure mid-stream is response.failed with the text so far, then an error event', async () => {
    const { parsed } = await stream({ input: FAIL_MID_STREAM });
    expect(parsed.violations).toEqual([]);
    expect(parsed.events.slice(-2).map((e) => e.type)).toEqual(['response.failed', 'error']);
    expect(parsed.events.at(-2)!['response']).toMatchObject({
      status: 'failed', error: { code: 'server_error', message: 'the device was lost' }, output: [{ content: [{ text: 'Hello world' }] }],
    });
    expect(parsed.events.at(-1)).toMatchObject({ type: 'error', message: 'the device was lost', code: null, param: null });
  });
});

describe('POST /responses without stream', () => {
  it('is a Response with the message, usage and OpenAI\'s defaults', async () => {
    const { post } = serve();
    const res = await post('/responses', { model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell me a story' }] }] });
    const body = await res.json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body).toMatchObject({
      object: 'response', status: 'completed', usage: USAGE, store: true, temperature: 1, top_p: 1, truncation: 'disabled', tools: [],
      text: { format: { type: 'text' } }, previous_response_id: null, metadata: {},
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: REPLY }] }],
    });
    expect(body).not.toHaveProperty('output_text'); // an SDK convenience, not on the wire
  });

  it('is incomplete when the output hits the limit', async () => {
    const { post } = serve(shortEngine());
    const body = await (await post('/responses', { model: 'm', input: 'Hi', max_output_tokens: 20 })).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null });
  });
});

describe('request errors, as OpenAI sends them', () => {
  const cases: Array<[string, Record<string, unknown>, number, string | null, string | null]> = [
    ['missing input', { model: 'm' }, 400, 'input', 'missing_required_parameter'],
    ['missing model', { input: 'x' }, 400, 'model', 'missing_required_parameter'],
    ['input of a wrong type', { model: 'm', input: 3 }, 400, 'input', 'invalid_type'],
    ['a role it does not know', { model: 'm', input: [{ role: 'robot', content: 'x' }] }, 400, 'input[0].role', 'invalid_value'],
    ['an image', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'http://x/y.png' }] }] }, 400, 'input[0].content[0].type', null],
    ['a file', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 400, 'input[0].content[0].type', null],
    ['a hosted tool', { model: 'm', input: 'x', tools: [{ type: 'web_search' }] }, 400, 'tools', null],
    ['a function tool without a name', { model: 'm', input: 'x', tools: [{ type: 'function', parameters: {} }] }, 400, 'tools[0].name', 'missing_required_parameter'],
    ['a function tool with an unenforceable schema', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f', parameters: { type: 'object', not: {} } }] }, 400, 'tools[0].parameters', null],
    ['two tools of one name', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'function', name: 'f' }] }, 400, 'tools[1].name', null],
    ['tool_choice naming a function not in tools', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'g' } }, 400, 'tool_choice', 'invalid_value'],
    ['tool_choice required without tools', { model: 'm', input: 'x', tool_choice: 'required' }, 400, 'tool_choice', null],
    ['tool_choice of a type it does not know', { model: 'm', input: 'x', tool_choice: { type: 'robot' } }, 400, 'tool_choice.type', 'invalid_value'],
    ['tool_choice of a hosted tool', { model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'file_search' } }, 400, 'tool_choice.type', 'unsupported_value'],
    ['a json_schema format without a schema name', { model: 'm', input: 'x', text: { format: { type: 'json_schema', schema: {} } } }, 400, 'text.format.name', 'missing_required_parameter'],
    ['a json_schema format with an unenforceable keyword', { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'array', uniqueItems: true } } } }, 400, 'text.format.schema', null],
    ['a text.format type it does not know', { model: 'm', input: 'x', text: { format: { type: 'yaml' } } }, 400, 'text.format.type', 'invalid_value'],
    ['json_object without the word json in the input', { model: 'm', input: 'x', text: { format: { type: 'json_object' } } }, 400, 'input', null],
    ['a function_call_output item answering no call', { model: 'm', input: [{ type: 'function_call_output', call_id: 'c', output: '4' }] }, 400, 'input', null],
    ['a function_call item without call_id', { model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 400, 'input[0].call_id', 'missing_required_parameter'],
    ['a reasoning item', { model: 'm', input: [{ type: 'reasoning', summary: [] }] }, 400, 'input[0].type', null],
    ['max_output_tokens under 16', { model: 'm', input: 'x', max_output_tokens: 5 }, 400, 'max_output_tokens', 'integer_below_min_value'],
    ['temperature above 2', { model: 'm', input: 'x', temperature: 3 }, 400, 'temperature', 'decimal_above_max_value'],
    ['metadata with a number', { model: 'm', input: 'x', metadata: { a: 1 } }, 400, 'metadata.a', 'invalid_type'],
    ['truncation it does not know', { model: 'm', input: 'x', truncation: 'half' }, 400, 'truncation', 'invalid_value'],
    ['stream_options without stream', { model: 'm', input: 'x', stream_options: {} }, 400, 'stream_options', null],
    ['a json_schema format without a schema', { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 400, 'text.format.schema', 'missing_required_parameter'],
    ['a service_tier it does not know', { model: 'm', input: 'x', service_tier: 'bogus' }, 400, 'service_tier', 'invalid_value'],
    ['a prompt_cache_retention it does not know', { model: 'm', input: 'x', prompt_cache_retention: 'forever' }, 400, 'prompt_cache_retention', 'invalid_value'],
    ['a safety_identifier over 64 characters', { model: 'm', input: 'x', safety_identifier: 'x'.repeat(65) }, 400, 'safety_identifier', null],
    ['two input items of one id', { model: 'm', input: [{ id: 'msg_1', role: 'user', content: 'a' }, { id: 'msg_1', role: 'user', content: 'b' }] }, 400, 'input', null],
  ];
  for (const [name, body, status, param, code] of cases) {
    it(name, async () => {
      const { post, engine } = serve();
      const res = await post('/responses', body);
      expect(res.status).toBe(status);
      const error = await res.json();
      expect(schemaErrors('ErrorResponse', error)).toEqual([]);
      expect(error.error).toMatchObject({ type: 'invalid_request_error', param, code });
      expect(engine.requests).toEqual([]);
    });
  }

  it('tool_choice auto or none without tools is accepted (the Response echoes auto by default)', async () => {
    const { post } = serve();
    for (const tool_choice of ['auto', 'none']) {
      const body = await (await post('/responses', { model: 'm', input: 'x', tool_choice })).json();
      expect(body).toMatchObject({ status: 'completed', tool_choice, tools: [] });
    }
  });

  it('messages read as OpenAI words them', async () => {
    const { post } = serve();
    expect((await (await post('/responses', { model: 'm', input: 'x', tools: [{ type: 'function' }] })).json()).error.message)
      .toBe("Missing required parameter: 'tools[0].name'.");
    expect((await (await post('/responses', { model: 'm' })).json()).error.message).toBe("Missing required parameter: 'input'.");
    expect((await (await post('/responses', { model: 'm', input: 'x', max_output_tokens: 5 })).json()).error.message)
      .toBe("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead.");
  });
});

describe('the openai SDK over the fake engine', () => {
  it('responses.create streamed and not, output_text, previous_response_id', async () => {
    const { client, engine } = serve();
    const response = await client.responses.create({ model: 'x', input: 'Hi', instructions: 'Sys' });
    expect(response.output_text).toBe(REPLY);
    let text = '';
    for await (const event of await client.responses.create({ model: 'x', input: 'Again', previous_response_id: response.id, stream: true })) {
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe(REPLY);
    expect(engine.requests[1]).toEqual({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: REPLY }, { role: 'user', content: 'Again' }] });
    const items = [];
    for await (const item of client.responses.inputItems.list(response.id)) items.push(item);
    expect(items).toMatchObject([{ type: 'message', role: 'user' }]);
    await client.responses.delete(response.id);
    await expect(client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
  });

  it('responses.stream helpers and finalResponse()', async () => {
    const { client } = serve();
    const runner = client.responses.stream({ model: 'x', input: 'Hi' });
    const deltas: string[] = [];
    runner.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await runner.finalResponse();
    expect(deltas.join('')).toBe(REPLY);
    expect(final.output_text).toBe(REPLY);
    expect(final.status).toBe('completed');
  });

  it('raises APIError for a failure mid-stream', async () => {
    const { client } = serve();
    const consume = async () => {
      for await (const _ of await client.responses.create({ model: 'x', input: FAIL_MID_STREAM, stream: true })) {
        // read on
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(APIError);
    await expect(consume()).rejects.toThrow('the device was lost');
  });
});

/** The fake engine with its streams observed: how many events each reader pulled, whether it was cancelled; `hold` pauses before that event. */
