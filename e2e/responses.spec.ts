// The Responses API on the real model: raw events and objects validated in Node against OpenAI's
// schemas (both devices), the same text as chat completions (greedy and seeded), conversation
// state, and the clients that call it unchanged: the openai SDK, the Vercel AI SDK's default
// OpenAI model (@ai-sdk/openai) and LangChain's ChatOpenAI with useResponsesApi.
import type { Page } from '@playwright/test';
import { schemaErrors } from '../test/openai-spec.js';
import { deltaText, parseResponseStream } from '../test/responses-conformance.js';
import { parseStream } from '../test/sse-conformance.js';
import { DemoPage, parseStats } from './demo-page.js';
import { DEVICES, STORY, expect, openEngine, test } from './fixtures.js';
import { BASE_URL, openEngineWith } from './flow-helpers.js';

// cached_tokens depends on what ran before (the prefix cache): the unit tests check it is reported.
const USAGE = {
  input_tokens: 34, input_tokens_details: { cache_write_tokens: 0 },
  output_tokens: 32, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 66,
};

interface Raw {
  status: number;
  text: string;
}

/** Sends each call in the page, one after the other; `$prev` in a body is replaced by the id of the previous JSON response. */
async function send(page: Page, calls: Array<{ path: string; method?: string; body?: unknown }>): Promise<Raw[]> {
  return page.evaluate(async (calls) => {
    const fetch = window.zstream.createFetch(window.engine);
    const results: Raw[] = [];
    let previous = '';
    for (const { path, method = 'POST', body } of calls) {
      const json = body === undefined ? undefined : JSON.stringify(body).replaceAll('$prev', previous);
      const res = await fetch(`/v1${path.replaceAll('$prev', previous)}`, { method, headers: { 'content-type': 'application/json' }, body: json });
      const text = await res.text();
      results.push({ status: res.status, text });
      if (res.headers.get('content-type')?.includes('json')) previous = (JSON.parse(text) as { id?: string }).id ?? previous;
    }
    return results;
  }, calls);
}

const json = (raw: Raw | undefined) => JSON.parse(raw!.text) as Record<string, unknown>;

for (const device of DEVICES) {
  test(`${device}: events and objects conform to OpenAI's schemas; same text as chat completions`, async ({ page }) => {
    test.slow();
    await openEngine(page, device);
    const [streamed, chatStreamed, whole, chatGreedy, seeded, chatSeeded, incomplete] = await send(page, [
      { path: '/responses', body: { model: 'gpt-4o', input: 'Tell me a story', stream: true } },
      { path: '/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me a story' }], stream: true } },
      { path: '/responses', body: { model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Tell me a story' }] }] } },
      { path: '/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me a story' }] } },
      { path: '/responses', body: { model: 'gpt-4o', input: 'Tell me a story', temperature: 1.5, seed: 11 } },
      { path: '/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me a story' }], temperature: 1.5, seed: 11 } },
      { path: '/responses', body: { model: 'gpt-4o', input: 'Tell me a story', max_output_tokens: 16, stream: true } },
    ]);
    const stream = parseResponseStream(streamed!.text);
    expect(stream.violations).toEqual([]);
    expect(deltaText(stream.events)).toBe(STORY);
    // One delta event per chunk chat completions sends, with the same text.
    const chatDeltas = parseStream(chatStreamed!.text, 'chat').chunks
      .map((c) => (c['choices'] as Array<{ delta: { content?: string } }>)[0]?.delta.content).filter((t) => t);
    expect(stream.events.filter((e) => e.type === 'response.output_text.delta').map((e) => e['delta'])).toEqual(chatDeltas);
    expect(chatDeltas.length).toBeGreaterThan(20);
    expect(stream.events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed', usage: USAGE } });

    expect(schemaErrors('Response', json(whole))).toEqual([]);
    expect(json(whole)).toMatchObject({ status: 'completed', usage: USAGE, output: [{ content: [{ type: 'output_text', text: STORY }] }] });
    const chatText = (raw: Raw | undefined) => (json(raw)['choices'] as Array<{ message: { content: string } }>)[0]!.message.content;
    expect(chatText(chatGreedy)).toBe(STORY);
    const seededText = (json(seeded)['output'] as Array<{ content: Array<{ text: string }> }>)[0]!.content[0]!.text;
    expect(seededText).not.toBe(STORY);
    expect(seededText).toBe(chatText(chatSeeded));

    const short = parseResponseStream(incomplete!.text);
    expect(short.violations).toEqual([]);
    expect(short.events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    expect(short.events.at(-1)).toMatchObject({ response: { usage: { output_tokens: 16 } } });
  });
}

test('wasm: previous_response_id, GET, input_items and DELETE; OpenAI\'s errors', async ({ page }) => {
  await openEngine(page, 'wasm');
  const [first, second, got, items, deleted, gone, unknown, image] = await send(page, [
    { path: '/responses', body: { model: 'm', input: 'Tell me a story', max_output_tokens: 16 } },
    { path: '/responses', body: { model: 'm', input: 'Go on', previous_response_id: '$prev' } },
    { path: '/responses/$prev', method: 'GET' },
    { path: '/responses/$prev/input_items', method: 'GET' },
    { path: '/responses/$prev', method: 'DELETE' },
    { path: '/responses/$prev', method: 'GET' },
    { path: '/responses', body: { model: 'm', input: 'x', previous_response_id: 'resp_unknown' } },
    { path: '/responses', body: { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] } },
  ]);
  expect(json(first)['status']).toBe('incomplete');
  const continued = json(second);
  expect(schemaErrors('Response', continued)).toEqual([]);
  // The continuation's prompt holds the first turn (34 tokens with its 16 output tokens) and the new message.
  expect((continued['usage'] as { input_tokens: number }).input_tokens).toBeGreaterThan(34 + 16);
  expect(continued['previous_response_id']).toBe(json(first)['id']);
  expect(json(got)).toEqual(continued);
  expect(schemaErrors('ResponseItemList', json(items))).toEqual([]);
  expect(json(items)).toMatchObject({ data: [{ role: 'user', content: [{ type: 'input_text', text: 'Go on' }] }], has_more: false });
  expect(json(deleted)).toEqual({ id: continued['id'], object: 'response', deleted: true });
  expect(gone!.status).toBe(404);
  expect(unknown!.status).toBe(400);
  expect(json(unknown)).toEqual({ error: {
    message: "Previous response with id 'resp_unknown' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found',
  } });
  expect(image!.status).toBe(400);
  expect(json(image)['error']).toMatchObject({ param: 'input[0].content[0].type', type: 'invalid_request_error' });
});

test('wasm: aborting an openai SDK stream mid-response stops generation and frees the model', async ({ page }) => {
  // runAhead 1: the reader paces generation, so an early stop leaves most of the story ungenerated.
  await openEngineWith(page, 'wasm', { runAhead: 1 });
  const result = await page.evaluate(async (baseURL) => {
    const { engine, zstream, zstreamTesting, OpenAI } = window;
    const fetch = zstream.createFetch(engine, { baseURL });
    const client = new OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
    const before = await engine.stats!();
    const abort = new AbortController();
    let deltas = 0;
    const stream = await client.responses.create({ model: 'm', input: 'Tell me a story', stream: true }, { signal: abort.signal });
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta' && ++deltas === 3) abort.abort();
    }
    const stats = await zstreamTesting.engineTestHooks(engine).statsWhen((s) => s.running === 0 && s.openKvCaches === 0);
    const after = await client.responses.create({ model: 'm', input: 'Tell me a story' });
    return { deltas, generated: stats.generatedTokens - before.generatedTokens, stats, text: after.output_text };
  }, BASE_URL);
  expect(result.deltas).toBe(3);
  expect(result.stats).toMatchObject({ running: 0, openKvCaches: 0, queued: 0 });
  expect(result.generated).toBeLessThan(10);
  expect(result.text).toBe(STORY);
});

test.describe('clients', () => {
  test.use({ sharedEngine: { device: 'wasm', harness: '/e2e/clients.html' } }); // one load for the block

  test('openai SDK: responses.create streamed and not, responses.stream() and finalResponse(), previous_response_id', async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL });
      const client = new window.clients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
      const whole = await client.responses.create({ model: 'gpt-4o', input: 'Tell me a story' });
      let iterated = '';
      for await (const event of await client.responses.create({ model: 'gpt-4o', input: 'Tell me a story', stream: true })) {
        if (event.type === 'response.output_text.delta') iterated += event.delta;
      }
      const runner = client.responses.stream({ model: 'gpt-4o', input: 'Tell me a story' });
      const deltas: string[] = [];
      runner.on('response.output_text.delta', (event) => deltas.push(event.delta));
      const final = await runner.finalResponse();
      const next = await client.responses.create({ model: 'gpt-4o', input: 'More', previous_response_id: whole.id, max_output_tokens: 16 });
      return { text: whole.output_text, usage: whole.usage, iterated, deltas, final: final.output_text, status: final.status, next: next.previous_response_id === whole.id, nextStatus: next.status };
    }, BASE_URL);
    expect(result.text).toBe(STORY);
    expect(result.usage).toMatchObject({ input_tokens: 34, output_tokens: 32, total_tokens: 66 });
    expect(result.iterated).toBe(STORY);
    expect(result.deltas.join('')).toBe(STORY);
    expect(result.deltas.length).toBeGreaterThan(20);
    expect(result.final).toBe(STORY);
    expect(result.status).toBe('completed');
    expect(result.next).toBe(true);
    expect(result.nextStatus).toBe('incomplete');
  });

  test('Vercel AI SDK: streamText and generateText on @ai-sdk/openai\'s default (Responses) model', async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const { createOpenAI, streamText, generateText } = window.clients;
      const requests: string[] = [];
      const shim = window.zstream.createFetch(window.engine, { baseURL });
      const fetch: typeof globalThis.fetch = (input, init) => {
        requests.push(new Request(input, init).url);
        return shim(input, init);
      };
      const openai = createOpenAI({ baseURL, apiKey: 'x', fetch });
      const streamed = streamText({ model: openai('gpt-4o'), prompt: 'Tell me a story' });
      const parts: string[] = [];
      for await (const part of streamed.textStream) parts.push(part);
      const generated = await generateText({ model: openai('gpt-4o'), system: 'Be brief.', prompt: 'Tell me a story' });
      return {
        requests, parts, finishReason: await streamed.finishReason, usage: await streamed.usage,
        generated: { text: generated.text, finishReason: generated.finishReason, usage: generated.usage },
      };
    }, BASE_URL);
    expect(result.requests).toEqual([`${BASE_URL}/responses`, `${BASE_URL}/responses`]);
    expect(result.parts.join('')).toBe(STORY);
    expect(result.parts.length).toBeGreaterThan(20);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 34, outputTokens: 32, totalTokens: 66 });
    expect(result.generated.text).toBe(STORY);
    expect(result.generated.finishReason).toBe('stop');
    expect(result.generated.usage.outputTokens).toBe(32);
  });

  test('LangChain.js: ChatOpenAI with useResponsesApi, .stream() and .invoke()', async ({ page }) => {
    const result = await page.evaluate(async (baseURL) => {
      const requests: string[] = [];
      const shim = window.zstream.createFetch(window.engine, { baseURL });
      const fetch: typeof globalThis.fetch = (input, init) => {
        requests.push(new Request(input, init).url);
        return shim(input, init);
      };
      const chat = new window.clients.ChatOpenAI({
        model: 'gpt-4o-mini', apiKey: 'x', useResponsesApi: true, configuration: { baseURL, fetch, dangerouslyAllowBrowser: true },
      });
      const parts: string[] = [];
      for await (const chunk of await chat.stream([['system', 'Be brief.'], ['human', 'Tell me a story']])) parts.push(chunk.text);
      const message = await chat.invoke('Tell me a story');
      return { requests, parts, invoked: message.text, usage: message.usage_metadata };
    }, BASE_URL);
    expect(result.requests.every((url) => url === `${BASE_URL}/responses`)).toBe(true);
    expect(result.parts.join('')).toBe(STORY);
    expect(result.invoked).toBe(STORY);
    expect(result.usage).toMatchObject({ input_tokens: 34, output_tokens: 32, total_tokens: 66 });
  });
});

test('demo: the API picker switches the conversation to the Responses API', async ({ page }) => {
  const demo = new DemoPage(page);
  await demo.open('?device=wasm');
  await page.getByText('Settings').click();
  await page.getByLabel('API').selectOption('responses');
  await demo.say('Tell me a story');
  const first = await demo.finished();
  expect(first.text).toBe(STORY);
  expect(parseStats(first.stats)).toMatchObject({ promptTokens: 34, completionTokens: 32 });
  // A second turn carries the first: a longer prompt.
  await demo.say('Again');
  const second = await demo.finished();
  expect(second.text).toBe(STORY);
  expect(parseStats(second.stats).promptTokens).toBeGreaterThan(34 + 32);
  // Only the Responses API has max_output_tokens' floor of 16: its error shows which API answered.
  await page.getByLabel('Max tokens').fill('5');
  await demo.say('Once more');
  await expect(demo.errors.last()).toContainText('max_output_tokens');
});
