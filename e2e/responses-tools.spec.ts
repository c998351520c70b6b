// Tools and structured outputs on the Responses API, through the clients that call it, on the real
// pipeline: raw events and objects validated in Node against OpenAI's schemas. The story model's
// JSON and calls exist only because decoding was constrained; the tool model (zstream-tiny-tools)
// calls get_weather by itself, for tool_choice auto.
import { schemaErrors } from '../test/openai-spec.js';
import { argumentsText, deltaText, parseResponseStream } from '../test/responses-conformance.js';
import { expect, test } from './fixtures.js';

const BASE = 'http://localhost:8000/v1';
const DEVICE = (process.env['TOOLS_DEVICE'] ?? 'wasm') as 'wasm' | 'webgpu';

// These tests only send requests: one loaded engine each for the file and for the tool model's block.
test.use({ sharedEngine: { device: DEVICE, harness: '/e2e/responses-tools.html' } });
// Several generations a test: on SwiftShader's WebGPU that outlasts the default 90 s.
test.beforeEach(() => test.slow(DEVICE === 'webgpu'));

const PARAMETERS = { type: 'object', properties: { city: { type: 'string', maxLength: 12 } }, required: ['city'], additionalProperties: false };
const WEATHER = { type: 'function' as const, name: 'get_weather', description: 'The weather in a city', strict: true, parameters: PARAMETERS };
const PERSON = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 16 }, age: { type: 'integer', minimum: 0, maximum: 120 }, pet: { enum: ['cat', 'dog'] } },
  required: ['name', 'age', 'pet'],
  additionalProperties: false,
};

interface Person {
  name: string;
  age: number;
  pet: string;
}

function expectPerson(value: unknown): void {
  const person = value as Person;
  expect(Object.keys(person).sort()).toEqual(['age', 'name', 'pet']);
  expect(typeof person.name).toBe('string');
  expect(Number.isInteger(person.age)).toBe(true);
  expect(['cat', 'dog']).toContain(person.pet);
}

test(`openai SDK: text.format json_schema and responses.parse; json_object streamed (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, schema }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.responsesClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const format = { type: 'json_schema' as const, name: 'person', schema, strict: true };
    const created = await client.responses.create({ model: 'gpt-4o', input: 'Describe a person', max_output_tokens: 60, text: { format } });
    const parsed = await client.responses.parse({ model: 'gpt-4o', input: 'Describe a person', max_output_tokens: 60, text: { format } });
    const body = { model: 'gpt-4o', input: 'Any JSON', max_output_tokens: 30, stream: true, text: { format: { type: 'json_object' } } };
    const raw = await (await fetch(`${baseURL}/responses`, { method: 'POST', body: JSON.stringify(body) })).text();
    return { created, text: created.output_text, parsed: parsed.output_parsed, raw };
  }, { baseURL: BASE, schema: PERSON });
  expect(schemaErrors('Response', result.created)).toEqual([]);
  expect(result.created).toMatchObject({ status: 'completed', text: { format: { type: 'json_schema', name: 'person', strict: true } } });
  expectPerson(JSON.parse(result.text));
  expectPerson(result.parsed);
  const stream = parseResponseStream(result.raw);
  expect(stream.violations).toEqual([]);
  // Any object: the story model writes one long string value, cut at 30 tokens, but never leaves JSON.
  expect(deltaText(stream.events)).toMatch(/^\{\s*"/);
});

test(`openai SDK: function tools, tool_choice required and named, arguments streamed as generated (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.responsesClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const time = { type: 'function' as const, name: 'get_time', strict: true, parameters: { type: 'object', properties: {}, additionalProperties: false } };
    const body = { model: 'gpt-4o', input: 'Weather in Paris?', tools: [tool, time], tool_choice: 'required', parallel_tool_calls: false, stream: true };
    const raw = await (await fetch(`${baseURL}/responses`, { method: 'POST', body: JSON.stringify(body) })).text();
    const named = await client.responses.create({ model: 'gpt-4o', input: 'Weather in Paris?', tools: [tool, time], tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false });
    const runner = client.responses.stream({ model: 'gpt-4o', input: 'Weather in Paris?', tools: [tool], tool_choice: 'required', parallel_tool_calls: false });
    const fragments: string[] = [];
    runner.on('response.function_call_arguments.delta', (event) => fragments.push(event.delta));
    const final = await runner.finalResponse();
    return { raw, named, fragments, final };
  }, { baseURL: BASE, tool: WEATHER });
  const stream = parseResponseStream(result.raw);
  expect(stream.violations).toEqual([]);
  const types = stream.events.map((e) => e.type);
  const added = stream.events.find((e) => e.type === 'response.output_item.added')?.['item'] as Record<string, unknown>;
  expect(added).toMatchObject({ type: 'function_call', arguments: '', status: 'in_progress' });
  expect(['get_weather', 'get_time']).toContain(added['name']);
  // Many fragments, each before the arguments are done: never the whole call at the end.
  expect(types.filter((t) => t === 'response.function_call_arguments.delta').length).toBeGreaterThan(1);
  expect(types.lastIndexOf('response.function_call_arguments.delta')).toBeLessThan(types.indexOf('response.function_call_arguments.done'));
  JSON.parse(argumentsText(stream.events, 0));
  expect(stream.events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });

  expect(schemaErrors('Response', result.named)).toEqual([]);
  expect(result.named.output).toHaveLength(1);
  const call = result.named.output[0]!;
  expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
  expect(schemaErrors('FunctionToolCall', call)).toEqual([]);
  const args = JSON.parse(call.type === 'function_call' ? call.arguments : '') as { city: unknown };
  expect(Object.keys(args)).toEqual(['city']);
  expect(typeof args.city).toBe('string');

  expect(result.fragments.length).toBeGreaterThan(1);
  const final = result.final.output[0];
  expect(final?.type === 'function_call' && JSON.parse(final.arguments)).toEqual(JSON.parse(result.fragments.join('')));
});

test(`openai SDK: previous_response_id continues after a function_call with its function_call_output (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.responsesClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const first = await client.responses.create({ model: 'gpt-4o', input: 'Weather in Paris?', tools: [tool], tool_choice: 'required', parallel_tool_calls: false });
    const call = first.output.find((item) => item.type === 'function_call')!;
    const second = await client.responses.create({
      model: 'gpt-4o', previous_response_id: first.id, max_output_tokens: 16, tools: [tool],
      input: [{ type: 'function_call_output', call_id: call.type === 'function_call' ? call.call_id : '', output: '{"celsius": 18}' }],
    });
    const items = [];
    for await (const item of client.responses.inputItems.list(second.id)) items.push(item);
    return { first, second, text: second.output_text, items };
  }, { baseURL: BASE, tool: WEATHER });
  expect(result.first.output.map((item) => item.type)).toEqual(['function_call']);
  expect(schemaErrors('Response', result.second)).toEqual([]);
  // The story model answers in prose: the turn after the function's output runs (cut at 16 tokens).
  expect(result.second).toMatchObject({ status: 'incomplete', previous_response_id: result.first.id });
  expect(result.text).toBeTruthy();
  expect(result.items).toMatchObject([{ type: 'function_call_output', output: '{"celsius": 18}' }]);
});

test('bad input: OpenAI\'s 400 bodies with the Responses API\'s params', async ({ page }) => {
  const results = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const post = async (body: Record<string, unknown>) => {
      const response = await fetch(`${baseURL}/responses`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'Hi', ...body }) });
      return { status: response.status, body: await response.json() };
    };
    return [
      await post({ tools: [{ type: 'function', parameters: {} }] }),
      await post({ text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object', properties: 3 } } } }),
      await post({ tools: [tool], tool_choice: { type: 'function', name: 'nope' } }),
      await post({ input: [{ type: 'function_call_output', call_id: 'call_x', output: '1' }] }),
    ];
  }, { baseURL: BASE, tool: WEATHER });
  expect(results.map((r) => [r.status, r.body.error.param])).toEqual([
    [400, 'tools[0].name'], [400, 'text.format.schema'], [400, 'tool_choice'], [400, 'input'],
  ]);
  for (const r of results) expect(schemaErrors('ErrorResponse', r.body)).toEqual([]);
});

test(`Vercel AI SDK: generateObject on @ai-sdk/openai's default (Responses) model (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, schema }) => {
    const { createOpenAI, generateObject, jsonSchema } = window.responsesClients;
    const urls: string[] = [];
    const shim = window.zstream.createFetch(window.engine, { baseURL });
    const fetch: typeof globalThis.fetch = (input, init) => {
      urls.push(new Request(input, init).url);
      return shim(input, init);
    };
    const openai = createOpenAI({ baseURL, apiKey: 'x', fetch });
    const person = await generateObject({ model: openai('gpt-4o'), maxOutputTokens: 60, prompt: 'Describe a person', schema: jsonSchema<Person>(schema) });
    return { object: person.object, urls };
  }, { baseURL: BASE, schema: PERSON });
  expect(result.urls).toEqual([`${BASE}/responses`]);
  expectPerson(result.object);
});

test(`LangChain: ChatOpenAI({useResponsesApi}).withStructuredOutput (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, schema }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const chat = new window.responsesClients.ChatOpenAI({
      model: 'gpt-4o-mini', apiKey: 'x', maxTokens: 60, useResponsesApi: true, configuration: { baseURL, fetch, dangerouslyAllowBrowser: true },
    });
    return chat.withStructuredOutput({ title: 'person', ...schema }, { method: 'jsonSchema' }).invoke('Describe a person');
  }, { baseURL: BASE, schema: PERSON });
  expectPerson(result);
});

test.describe('the tool-calling test model (tool_choice auto)', () => {
  // Its greedy answer is a Hermes call to get_weather for Paris, split over 18 tokens.
  test.use({ sharedEngine: { device: DEVICE, harness: '/e2e/responses-tools.html', model: 'zstream-tiny-tools' } });

  test(`auto: the model's own call, whole and streamed, strict and not; none leaves the text (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async ({ baseURL, tool }) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const client = new window.responsesClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
      const loose = { ...tool, strict: false };
      const whole = await client.responses.create({ model: 'm', input: 'Weather in Paris?', tools: [loose] });
      const strict = await client.responses.create({ model: 'm', input: 'Weather in Paris?', tools: [tool] });
      const body = { model: 'm', input: 'Weather in Paris?', tools: [loose], stream: true };
      const raw = await (await fetch(`${baseURL}/responses`, { method: 'POST', body: JSON.stringify(body) })).text();
      const none = await client.responses.create({ model: 'm', input: 'Weather in Paris?', tools: [loose], tool_choice: 'none' });
      return { whole: whole.output, strict: strict.output, raw, none: none.output_text };
    }, { baseURL: BASE, tool: WEATHER });
    for (const output of [result.whole, result.strict]) {
      expect(output).toEqual([{
        id: expect.stringMatching(/^fc_/), type: 'function_call', call_id: expect.stringMatching(/^call_/),
        name: 'get_weather', arguments: '{"city": "Paris"}', status: 'completed',
      }]);
    }
    const stream = parseResponseStream(result.raw);
    expect(stream.violations).toEqual([]);
    // '{"', 'ci', 'ty', '": "P', 'ar', 'is', '"}': the arguments arrive as the model writes them.
    expect(stream.events.filter((e) => e.type === 'response.function_call_arguments.delta').length).toBeGreaterThanOrEqual(6);
    expect(argumentsText(stream.events, 0)).toBe('{"city": "Paris"}');
    expect(result.none).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>');
  });

  test(`Vercel AI SDK: generateText with tools and toolChoice required on the default (Responses) model (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const { createOpenAI, generateText, jsonSchema, tool } = window.responsesClients;
      const urls: string[] = [];
      const shim = window.zstream.createFetch(window.engine, { baseURL });
      const fetch: typeof globalThis.fetch = (input, init) => {
        urls.push(new Request(input, init).url);
        return shim(input, init);
      };
      const openai = createOpenAI({ baseURL, apiKey: 'x', fetch });
      const inputs: unknown[] = [];
      const tools = {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
          execute: async (input) => {
            inputs.push(input);
            return { celsius: 18 };
          },
        }),
      };
      const generated = await generateText({ model: openai('gpt-4o'), prompt: 'Weather in Paris?', tools, toolChoice: 'required' });
      return { urls, inputs, finish: generated.finishReason, results: generated.toolResults.map((r) => r.output) };
    }, BASE);
    expect(result.urls).toEqual([`${BASE}/responses`]);
    expect(result.finish).toBe('tool-calls');
    expect(result.inputs).toEqual([{ city: 'Paris' }]);
    expect(result.results).toEqual([{ celsius: 18 }]);
  });

  test(`LangChain: ChatOpenAI({useResponsesApi}).bindTools with tool_choice (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const chat = new window.responsesClients.ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'x', useResponsesApi: true, configuration: { baseURL, fetch, dangerouslyAllowBrowser: true } });
      const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
      const message = await chat.bindTools([weather], { tool_choice: 'get_weather' }).invoke('Weather in Paris?');
      let streamedArgs = '';
      for await (const chunk of await chat.bindTools([weather], { tool_choice: 'required' }).stream('Weather in Paris?')) {
        streamedArgs += chunk.tool_call_chunks?.map((c) => c.args ?? '').join('') ?? '';
      }
      return { calls: message.tool_calls?.map((c) => [c.name, c.args]), streamedArgs };
    }, BASE);
    expect(result.calls).toEqual([['get_weather', { city: 'Paris' }]]);
    expect(JSON.parse(result.streamedArgs)).toEqual({ city: 'Paris' });
  });
});
