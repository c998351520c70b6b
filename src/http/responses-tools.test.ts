// Function tools and text.format on the Responses API, over a scripted engine whose tokens are a
// Hermes-form call split finely (or JSON): every event and object checked against OpenAI's
// schemas, the engine request compared with chat completions' own, and the real openai SDK on top.
import { beforeAll, describe, expect, it } from 'vitest';
import { scriptedEngine } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { argumentsText, deltaText, parseResponseStream } from '../../test/responses-conformance.js';
import { serve } from '../../test/serve.js';

const CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
/** Three characters a token. */
const tokens = (text: string) => text.match(/[\s\S]{1,3}/g)!;
const PARAMETERS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
const WEATHER = { type: 'function', name: 'get_weather', description: 'Weather now', parameters: PARAMETERS };
const BODY = { model: 'gpt-4o', input: 'Weather in Paris?', tools: [WEATHER] };

beforeAll(() => void (['ResponseStreamEvent', 'Response', 'FunctionToolCall', 'ResponseItemList'] as const).map((name) => schemaErrors(name, {})), 60_000);

type Item = Record<string, unknown> & { type: string; id: string };

describe('function tools, streamed', () => {
  it('text, then the call: a message item, then a function_call item whose arguments stream as generated', async () => {
    const { post, engine } = serve(scriptedEngine(tokens(`Checking.${CALL}`)));
    const raw = await (await post('/responses', { ...BODY, stream: true })).text();
    const { events, violations } = parseResponseStream(raw);
    expect(violations).toEqual([]);
    const types = events.map((e) => e.type);
    const argDeltas = types.filter((t) => t === 'response.function_call_arguments.delta').length;
    expect(types.filter((t) => t !== 'response.output_text.delta' && t !== 'response.function_call_arguments.delta')).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ]);
    // '{"city": "Paris"}' in the 3-character tokens it was generated in: one delta per fragment, before the done.
    expect(argDeltas).toBeGreaterThanOrEqual(5);
    expect(types.lastIndexOf('response.function_call_arguments.delta')).toBeLessThan(types.indexOf('response.function_call_arguments.done'));
    expect(deltaText(events)).toBe('Checking.');
    expect(argumentsText(events, 1)).toBe('{"city": "Paris"}');
    const added = events.filter((e) => e.type === 'response.output_item.added')[1]!['item'] as Item;
    expect(added).toEqual({ id: expect.stringMatching(/^fc_[0-9a-f]{48}$/), type: 'function_call', call_id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '', status: 'in_progress' });
    expect(events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({ item_id: added.id, output_index: 1, name: 'get_weather', arguments: '{"city": "Paris"}' });
    const final = events.at(-1)!['response'] as { output: Item[]; status: string; tools: unknown; tool_choice: unknown };
    expect(final.status).toBe('completed');
    expect(final.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(schemaErrors('FunctionToolCall', final.output[1])).toEqual([]);
    expect(final.output[1]).toEqual({ ...added, arguments: '{"city": "Paris"}', status: 'completed' });
    // Echoed as OpenAI echoes them: flat, strict by default on this API.
    expect(final.tools).toEqual([{ ...WEATHER, strict: true }]);
    expect(final.tool_choice).toBe('auto');
    // The engine request chat completions makes for the same tools.
    expect(engine.requests[0]).toEqual({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: { tools: [{ name: 'get_weather', description: 'Weather now', parameters: PARAMETERS, strict: true }], tool_choice: 'auto', parallel_tool_calls: true },
    });
  });

  it('each argument fragment is written as soon as the engine gives it, long before the end', async () => {
    const engine = scriptedEngine(tokens(CALL));
    const generate = engine.generate.bind(engine);
    let pulled = 0;
    const counted = {
      ...engine,
      async generate(request: Parameters<typeof generate>[0]) {
        const reader = (await generate(request)).getReader();
        return new ReadableStream({
          async pull(controller) {
            const { value, done } = await reader.read();
            if (done) return controller.close();
            pulled++;
            controller.enqueue(value);
          },
        }, new CountQueuingStrategy({ highWaterMark: 0 }));
      },
    };
    const res = await serve(counted).post('/responses', { ...BODY, stream: true });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('response.function_call_arguments.delta')) text += (await reader.read()).value;
    // Just up to the token where the arguments begin: 17 of the 27.
    expect(pulled).toBe(Math.floor(CALL.indexOf('{"city') / 3) + 1);
    expect(pulled).toBeLessThan(tokens(CALL).length);
    await reader.cancel();
  });

  it('a call alone has no message item; tool_choice named, required and parallel_tool_calls reach the engine', async () => {
    const { post, engine } = serve(scriptedEngine(tokens(CALL)));
    const raw = await (await post('/responses', { ...BODY, stream: true, tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false })).text();
    const { events, violations } = parseResponseStream(raw);
    expect(violations).toEqual([]);
    const final = events.at(-1)!['response'] as { output: Item[]; tool_choice: unknown; parallel_tool_calls: boolean };
    expect(final.output.map((item) => item.type)).toEqual(['function_call']);
    expect(final).toMatchObject({ tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false });
    expect(engine.requests[0]).toMatchObject({ tools: { tool_choice: { name: 'get_weather' }, parallel_tool_calls: false } });
    await post('/responses', { ...BODY, tool_choice: 'required', tools: [{ ...WEATHER, strict: false }] });
    expect(engine.requests[1]).toMatchObject({ tools: { tool_choice: 'required', tools: [{ strict: false }] } });
  });

  it('parallel_tool_calls false with free text (auto, no strict tool): one function_call item, streamed and whole', async () => {
    const { post } = serve(scriptedEngine(tokens(`${CALL}\n${CALL.replace('Paris', 'Rome')}`)));
    const body = { ...BODY, tools: [{ ...WEATHER, strict: false }], parallel_tool_calls: false };
    const { events } = parseResponseStream(await (await post('/responses', { ...body, stream: true })).text());
    const final = events.at(-1)!['response'] as { output: Item[] };
    expect(final.output.map((item) => item.type)).toEqual(['function_call']);
    const whole = await (await post('/responses', body)).json();
    expect(whole.output.map((item: Item) => item.type)).toEqual(['function_call']);
  });

  it('tool_choice none leaves the text alone', async () => {
    const { post, engine } = serve(scriptedEngine(tokens(CALL)));
    const { events, violations } = parseResponseStream(await (await post('/responses', { ...BODY, stream: true, tool_choice: 'none' })).text());
    expect(violations).toEqual([]);
    expect(deltaText(events)).toBe(CALL);
    expect(events.some((e) => e.type.startsWith('response.function_call'))).toBe(false);
    expect(engine.requests[0]).toMatchObject({ tools: { tool_choice: 'none' } });
  });
});

describe('function tools, whole', () => {
  it('the same output items as streamed, valid against Response', async () => {
    const { post } = serve(scriptedEngine(tokens(`Checking.${CALL}`)));
    const body = await (await post('/responses', BODY)).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body).toMatchObject({
      status: 'completed',
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', status: 'completed', name: 'get_weather', arguments: '{"city": "Paris"}', call_id: expect.stringMatching(/^call_/), id: expect.stringMatching(/^fc_/) },
      ],
    });
  });
});

describe('function_call and function_call_output input items', () => {
  it('become the assistant tool_calls and tool messages of the chat history; previous_response_id continues after a call', async () => {
    const { post, engine, fetch } = serve(scriptedEngine(tokens(`Checking.${CALL}`)));
    const first = await (await post('/responses', BODY)).json();
    const call = first.output[1];
    const second = await (await post('/responses', {
      ...BODY, previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"celsius": 18}' }],
    })).json();
    expect(schemaErrors('Response', second)).toEqual([]);
    expect(engine.requests[1]).toMatchObject({ messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: call.call_id, name: 'get_weather', arguments: '{"city": "Paris"}' }] },
      { role: 'tool', content: '{"celsius": 18}', tool_call_id: call.call_id },
    ] });
    const items = await (await fetch(`http://localhost:8000/v1/responses/${second.id}/input_items`)).json();
    expect(schemaErrors('ResponseItemList', items)).toEqual([]);
    expect(items.data).toEqual([{ id: expect.stringMatching(/^fc_/), type: 'function_call_output', call_id: call.call_id, output: '{"celsius": 18}', status: 'completed' }]);
  });

  it('a whole history sent as items: consecutive calls join one assistant message; an item_reference names a stored call', async () => {
    const { post, engine } = serve(scriptedEngine(tokens(CALL)));
    const first = await (await post('/responses', BODY)).json();
    await post('/responses', {
      ...BODY,
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: [{ type: 'input_text', text: '18' }] },
        { type: 'function_call_output', call_id: 'call_b', output: '21' },
        { type: 'item_reference', id: first.output[0].id },
      ],
    });
    expect(engine.requests[1]).toMatchObject({ messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }, { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' }] },
      { role: 'tool', content: '18', tool_call_id: 'call_a' },
      { role: 'tool', content: '21', tool_call_id: 'call_b' },
      { role: 'assistant', content: '', tool_calls: [{ id: first.output[0].call_id, name: 'get_weather' }] },
    ] });
  });

  it('an output answering no call is OpenAI\'s 400', async () => {
    const { post } = serve(scriptedEngine(tokens(CALL)));
    const res = await post('/responses', { ...BODY, input: [{ type: 'function_call_output', call_id: 'call_x', output: '1' }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: {
      message: 'No tool call found for function call output with call_id call_x.', type: 'invalid_request_error', param: 'input', code: null,
    } });
  });
});

describe('text.format', () => {
  const SCHEMA = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false };

  it('json_schema and json_object reach the engine as chat\'s response_format and are echoed', async () => {
    const { post, engine } = serve(scriptedEngine(['{"n"', ': 3}']));
    const body = await (await post('/responses', { model: 'm', input: 'Count', text: { format: { type: 'json_schema', name: 'count', schema: SCHEMA, strict: true } } })).json();
    expect(schemaErrors('Response', body)).toEqual([]);
    expect(body.text).toEqual({ format: { type: 'json_schema', name: 'count', schema: SCHEMA, strict: true }, verbosity: 'medium' });
    expect(body.output[0].content[0].text).toBe('{"n": 3}');
    expect(engine.requests[0]).toEqual({ messages: [{ role: 'user', content: 'Count' }], response_format: { type: 'json_schema', name: 'count', schema: SCHEMA, strict: true } });
    const json = await (await post('/responses', { model: 'm', input: 'x', instructions: 'Answer in JSON', text: { format: { type: 'json_object' } } })).json();
    expect(json.text).toEqual({ format: { type: 'json_object' }, verbosity: 'medium' });
    expect(engine.requests[1]).toMatchObject({ response_format: { type: 'json_object' } });
  });
});

describe('the openai SDK', () => {
  it('responses.parse with a JSON schema; strict tool arguments parsed; the stream helper\'s argument events', async () => {
    const { client } = serve(scriptedEngine(['{"n"', ': 3}']));
    const parsed = await client.responses.parse({
      model: 'm', input: 'Count', text: { format: { type: 'json_schema', name: 'count', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false }, strict: true } },
    });
    expect(parsed.output_parsed).toEqual({ n: 3 });

    const tools = serve(scriptedEngine(tokens(CALL))).client;
    const runner = tools.responses.stream({ model: 'm', input: 'Weather?', tools: [{ type: 'function', name: 'get_weather', parameters: PARAMETERS, strict: true }], tool_choice: 'required' });
    const fragments: string[] = [];
    runner.on('response.function_call_arguments.delta', (event) => fragments.push(event.delta));
    const final = await runner.finalResponse();
    expect(fragments.length).toBeGreaterThanOrEqual(5);
    expect(fragments.join('')).toBe('{"city": "Paris"}');
    const call = final.output[0];
    expect(call?.type === 'function_call' && call.parsed_arguments).toEqual({ city: 'Paris' });
  });
});
