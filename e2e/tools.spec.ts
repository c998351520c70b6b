// Tools and structured outputs through the clients people use, on the embedded story model: its
// greedy text is a story, so every JSON answer and tool call here exists only because decoding
// was constrained by the grammar (worker/constraints/).
import { expect, test } from './fixtures.js';

const BASE = 'http://localhost:8000/v1';
const DEVICE = (process.env['TOOLS_DEVICE'] ?? 'wasm') as 'wasm' | 'webgpu';

// These tests only send requests: one loaded engine each for the file and for the tool model's block.
test.use({ sharedEngine: { device: DEVICE, harness: '/e2e/tools.html' } });

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    strict: true,
    parameters: {
      type: 'object', properties: { city: { type: 'string', maxLength: 12 } }, required: ['city'], additionalProperties: false,
    },
  },
};

test(`openai SDK: chat.completions.parse with a JSON schema (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.toolClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 16 }, age: { type: 'integer', minimum: 0, maximum: 120 }, pet: { enum: ['cat', 'dog'] } },
      required: ['name', 'age', 'pet'],
      additionalProperties: false,
    };
    const parsed = await client.chat.completions.parse({
      model: 'gpt-4o', messages: [{ role: 'user', content: 'Describe a person' }], max_tokens: 60,
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    let streamed = '';
    const stream = await client.chat.completions.create({
      model: 'gpt-4o', messages: [{ role: 'user', content: 'Any JSON' }], max_tokens: 30, stream: true,
      response_format: { type: 'json_object' },
    });
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    return { message: parsed.choices[0]?.message, finish: parsed.choices[0]?.finish_reason, streamed };
  }, BASE);
  expect(result.finish).toBe('stop');
  const person = result.message?.parsed as { name: string; age: number; pet: string };
  expect(Object.keys(person).sort()).toEqual(['age', 'name', 'pet']);
  expect(typeof person.name).toBe('string');
  expect(Number.isInteger(person.age)).toBe(true);
  expect(['cat', 'dog']).toContain(person.pet);
  // Any object: the story model writes one long string value, cut at max_tokens, but never leaves JSON.
  expect(result.streamed).toMatch(/^\{\s*"/);
});

test(`openai SDK: streamed tool_calls with tool_choice required and named, merged by index (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.toolClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const time = { type: 'function' as const, function: { name: 'get_time', strict: true, parameters: { type: 'object', properties: {}, additionalProperties: false } } };
    const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: [tool, time], tool_choice: 'required', parallel_tool_calls: false, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const named = await client.chat.completions.create({
      model: 'gpt-4o', messages, tools: [tool, time], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false,
    });
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages, tools: [tool], tool_choice: 'required', parallel_tool_calls: false });
    const final = await runner.finalChatCompletion();
    return { chunks, named, final };
  }, { baseURL: BASE, tool: WEATHER_TOOL });
  const deltas = result.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { arguments: '' } });
  expect(deltas[0]?.id).toMatch(/^call_/);
  expect(['get_weather', 'get_time']).toContain(deltas[0]?.function?.name);
  // The arguments come as they are generated: many fragments, not one.
  expect(deltas.length).toBeGreaterThan(3);
  JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''));
  expect(result.chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');

  const call = result.named.choices[0]?.message.tool_calls?.[0];
  expect(result.named.choices[0]?.message.content).toBeNull();
  expect(result.named.choices[0]?.finish_reason).toBe('tool_calls');
  expect(call?.type === 'function' && call.function.name).toBe('get_weather');
  const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '') as { city: unknown };
  expect(Object.keys(args)).toEqual(['city']);
  expect(typeof args.city).toBe('string');

  const merged = result.final.choices[0]?.message.tool_calls ?? [];
  expect(merged).toHaveLength(1);
  expect(merged[0]?.type === 'function' && JSON.parse(merged[0].function.arguments)).toHaveProperty('city');
});

test(`openai SDK: a conversation continues after a tool message (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.toolClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const first = await client.chat.completions.create({
      model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [tool], tool_choice: 'required', parallel_tool_calls: false,
    });
    const message = first.choices[0]!.message;
    const call = message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: 'gpt-4o', max_tokens: 8,
      messages: [{ role: 'user', content: 'Weather in Paris?' }, message, { role: 'tool', tool_call_id: call.id, content: '{"celsius": 18}' }],
    });
    return second.choices[0];
  }, { baseURL: BASE, tool: WEATHER_TOOL });
  // The story model answers in prose: the turn after the tool result runs.
  expect(result?.finish_reason).toBe('length');
  expect(result?.message.content).toBeTruthy();
});

test('bad input: OpenAI\'s 400 bodies with the right param', async ({ page }) => {
  const results = await page.evaluate(async ({ baseURL, tool }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const post = async (body: Record<string, unknown>) => {
      const response = await fetch(`${baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }) });
      return { status: response.status, body: await response.json() };
    };
    return [
      await post({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: 3 } } } }),
      await post({ tools: [tool], tool_choice: { type: 'function', function: { name: 'nope' } } }),
      await post({ messages: [{ role: 'user', content: 'Hi' }, { role: 'tool', tool_call_id: 'c', content: 'x' }] }),
      await post({ tools: [{ type: 'file_search' }] }),
    ];
  }, { baseURL: BASE, tool: WEATHER_TOOL });
  expect(results.map((r) => [r.status, r.body.error.param])).toEqual([
    [400, 'response_format'], [400, 'tool_choice'], [400, 'messages.[1].role'], [400, 'tools[0].type'],
  ]);
  for (const r of results) expect(Object.keys(r.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
});

test(`Vercel AI SDK: generateObject (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const { createOpenAICompatible, generateObject, jsonSchema } = window.toolClients;
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const model = createOpenAICompatible({ name: 'zstream', baseURL, fetch, supportsStructuredOutputs: true }).chatModel('local');
    const person = await generateObject({
      model, maxOutputTokens: 60, prompt: 'Describe a person',
      schema: jsonSchema<{ name: string; age: number }>({
        type: 'object', properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 99 } },
        required: ['name', 'age'], additionalProperties: false,
      }),
    });
    return person.object;
  }, BASE);
  expect(Object.keys(result).sort()).toEqual(['age', 'name']);
  expect(Number.isInteger(result.age)).toBe(true);
});

test.describe('the tool-calling test model (tool_choice auto)', () => {
  // Its greedy answer is a Hermes call split over 18 tokens (scripts/tool-call-story.mjs); it is
  // loaded by folder name, as an app's own model is.
  test.use({ sharedEngine: { device: DEVICE, harness: '/e2e/tools.html', model: 'zstream-tiny-tools' } });

  test(`auto: the model's own call is parsed, streamed and whole (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async ({ baseURL, tool }) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const client = new window.toolClients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
      const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
      const loose = { ...tool, function: { ...tool.function, strict: false } };
      const whole = await client.chat.completions.create({ model: 'm', messages, tools: [loose] });
      const strict = await client.chat.completions.create({ model: 'm', messages, tools: [tool] });
      const stream = await client.chat.completions.create({ model: 'm', messages, tools: [loose], stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      const none = await client.chat.completions.create({ model: 'm', messages, tools: [loose], tool_choice: 'none' });
      return { whole: whole.choices[0], strict: strict.choices[0], chunks, none: none.choices[0] };
    }, { baseURL: BASE, tool: WEATHER_TOOL });
    for (const choice of [result.whole, result.strict]) {
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content).toBeNull();
      expect(choice?.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }]);
    }
    const deltas = result.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    // '{"', 'ci', 'ty', '": "P', 'ar', 'is', '"}': the arguments arrive as the model writes them.
    expect(deltas.length).toBeGreaterThanOrEqual(6);
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe('{"city": "Paris"}');
    expect(result.chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(result.none?.message.content).toBe('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>');
  });

  test(`Vercel AI SDK: generateText and streamText with tools and toolChoice required; execute gets valid input (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const { createOpenAICompatible, generateText, jsonSchema, streamText, tool } = window.toolClients;
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const model = createOpenAICompatible({ name: 'zstream', baseURL, fetch, supportsStructuredOutputs: true }).chatModel('local');
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
      const generated = await generateText({ model, prompt: 'Weather in Paris?', tools, toolChoice: 'required' });
      const streamed = streamText({ model, prompt: 'Weather in Paris?', tools, toolChoice: 'required' });
      const parts: string[] = [];
      for await (const part of streamed.fullStream) parts.push(part.type);
      return {
        inputs, finish: generated.finishReason, results: generated.toolResults.map((r) => r.output),
        parts, streamedCalls: (await streamed.toolCalls).map((c) => [c.toolName, c.input]),
      };
    }, BASE);
    expect(result.finish).toBe('tool-calls');
    expect(result.inputs).toEqual([{ city: 'Paris' }, { city: 'Paris' }]);
    expect(result.results).toEqual([{ celsius: 18 }]);
    expect(result.parts).toContain('tool-input-delta');
    expect(result.streamedCalls).toEqual([['get_weather', { city: 'Paris' }]]);
  });

  test(`LangChain: bindTools with tool_choice (${DEVICE})`, async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const chat = new window.toolClients.ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'x', configuration: { baseURL, fetch, dangerouslyAllowBrowser: true } });
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

test(`LangChain: withStructuredOutput(schema, { method: 'jsonSchema' }) (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const chat = new window.toolClients.ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'x', maxTokens: 60, configuration: { baseURL, fetch, dangerouslyAllowBrowser: true } });
    const schema = {
      title: 'person', type: 'object', properties: { name: { type: 'string', maxLength: 12 }, pet: { enum: ['cat', 'dog'] } },
      required: ['name', 'pet'], additionalProperties: false,
    };
    return chat.withStructuredOutput(schema, { method: 'jsonSchema' }).invoke('Describe a person');
  }, BASE);
  expect(Object.keys(result).sort()).toEqual(['name', 'pet']);
  expect(['cat', 'dog']).toContain(result['pet']);
});

test(`Vercel AI SDK: streamObject (${DEVICE})`, async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const { createOpenAICompatible, jsonSchema, streamObject } = window.toolClients;
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const model = createOpenAICompatible({ name: 'zstream', baseURL, fetch, supportsStructuredOutputs: true }).chatModel('local');
    const stream = streamObject({
      model, maxOutputTokens: 60, prompt: 'Describe a person',
      schema: jsonSchema<{ name: string; pet: string }>({
        type: 'object', properties: { name: { type: 'string', maxLength: 12 }, pet: { enum: ['cat', 'dog'] } }, required: ['name', 'pet'], additionalProperties: false,
      }),
    });
    let partials = 0;
    for await (const _ of stream.partialObjectStream) partials++;
    return { object: await stream.object, partials };
  }, BASE);
  expect(Object.keys(result.object).sort()).toEqual(['name', 'pet']);
  expect(result.partials).toBeGreaterThan(1);
});
