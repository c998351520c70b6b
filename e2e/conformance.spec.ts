// Conformance with OpenAI's spec on the real model: the page sends requests through createFetch
// and hands back the raw bytes; Node parses them with a real SSE parser and validates every chunk,
// body and error against the schemas of OpenAI's openapi.json (test/openai-spec.ts).
import type { Page } from '@playwright/test';
import { schemaErrors, type SchemaName } from '../test/openai-spec.js';
import { choiceText, parseStream, type StreamKind } from '../test/sse-conformance.js';
import { DEVICES, STORY, expect, openEngine, test } from './fixtures.js';

const MESSAGES = [{ role: 'user', content: 'Tell me a story' }];
const USAGE = { prompt_tokens: 34, completion_tokens: 32, total_tokens: 66 };

interface Call {
  path: string;
  method?: string;
  /** A JSON body, or a raw string sent as is. */
  body?: unknown;
  strictModel?: boolean;
}

interface Raw {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Runs the calls one after the other in the page and returns each raw response. */
async function send(page: Page, calls: Call[]): Promise<Raw[]> {
  return page.evaluate(async (calls) => {
    const results: Raw[] = [];
    for (const { path, method = 'POST', body, strictModel = false } of calls) {
      const fetch = window.zstream.createFetch(window.engine, { strictModel });
      const res = await fetch(`/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      results.push({ status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() });
    }
    return results;
  }, calls);
}

const chat = (extra: Record<string, unknown> = {}): Call => ({ path: '/chat/completions', body: { model: 'gpt-4o', messages: MESSAGES, ...extra } });

/** A streamed response, parsed and checked: OpenAI's framing, and every chunk valid. */
function streamOf(raw: Raw, kind: StreamKind = 'chat') {
  expect(raw.status).toBe(200);
  expect(raw.headers['content-type']).toContain('text/event-stream');
  const parsed = parseStream(raw.text, kind);
  expect(parsed.violations).toEqual([]);
  expect(parsed.done).toBe(true);
  expect(raw.text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
  return parsed;
}

function jsonOf(raw: Raw, schema: SchemaName, status = 200) {
  expect(raw.status).toBe(status);
  const body: unknown = JSON.parse(raw.text);
  expect(schemaErrors(schema, body)).toEqual([]);
  return body as Record<string, unknown>;
}

for (const device of DEVICES) {
  test(`${device}: chunks, bodies and the include_usage form conform to OpenAI's schemas`, async ({ page }) => {
    await openEngine(page, device);
    const [plain, withUsage, whole] = await send(page, [
      chat({ stream: true }), chat({ stream: true, stream_options: { include_usage: true } }), chat(),
    ]);
    const stream = streamOf(plain!);
    expect(choiceText(stream.chunks)).toBe(STORY);
    expect(stream.chunks.at(-1)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: USAGE });

    const usageStream = streamOf(withUsage!);
    expect(usageStream.chunks.slice(0, -1).every((c) => c['usage'] === null)).toBe(true);
    expect(usageStream.chunks.at(-1)).toMatchObject({ choices: [], usage: USAGE });

    const completion = jsonOf(whole!, 'CreateChatCompletionResponse');
    expect(completion).toMatchObject({ choices: [{ message: { content: STORY }, finish_reason: 'stop' }], usage: USAGE });
  });
}

test.describe('wasm', () => {
  test.use({ sharedEngine: { device: 'wasm' } }); // these tests only send requests: one load for all

  test('max_tokens and max_completion_tokens end with length', async ({ page }) => {
    const raws = await send(page, [chat({ stream: true, max_tokens: 5 }), chat({ max_completion_tokens: 5 })]);
    const stream = streamOf(raws[0]!);
    expect(choiceText(stream.chunks)).toBe('Once upon a time,');
    expect(stream.chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'length' }], usage: { completion_tokens: 5 } });
    expect(jsonOf(raws[1]!, 'CreateChatCompletionResponse')).toMatchObject({
      choices: [{ message: { content: 'Once upon a time,' }, finish_reason: 'length' }],
    });
  });

  test('stop ends before the stop text, which is never sent, also across tokens and a split character', async ({ page }) => {
    // ' a browser' + ' tab' are two tokens; 'é' comes in two byte tokens after ' caf'.
    const stops = [['browser tab'], ['fé vis'], ['zzz', ' smiled', 'It'], ['browser tab']];
    // The last one also groups 4 tokens per chunk: the stop text falls inside a group.
    const raws = await send(page, stops.map((stop, i) => chat({ stream: true, stop, ...(i === 3 ? { stream_options: { chunk_size: 4 } } : {}) })));
    const texts = raws.map((raw) => {
      const stream = streamOf(raw);
      expect(stream.chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
      return choiceText(stream.chunks);
    });
    expect(texts).toEqual([
      'Once upon a time, a tiny model lived in a ',
      'Once upon a time, a tiny model lived in a browser tab. It streamed every word 👋 without a server, and ca',
      'Once upon a time, a tiny model lived in a browser tab. ',
      'Once upon a time, a tiny model lived in a ',
    ]);
  });

  test('seed: the same seed and parameters give the same text; sampling strays from the greedy story', async ({ page }) => {
    const sampled = (seed: number) => chat({ temperature: 2, top_p: 1, seed, max_tokens: 16 });
    const raws = await send(page, [sampled(1), sampled(1), sampled(2), sampled(3), chat({ presence_penalty: 1.5, frequency_penalty: 1.5 })]);
    const texts = raws.map((raw) => String((jsonOf(raw, 'CreateChatCompletionResponse')['choices'] as Array<{ message: { content: string } }>)[0]?.message.content));
    expect(texts[0]).toBe(texts[1]);
    expect(texts.slice(0, 4).some((t) => !STORY.startsWith(t))).toBe(true);
    // The story never repeats a token, so the penalties leave greedy decoding as it is.
    expect(texts[4]).toBe(STORY);
  });

  test('n = 2: two whole choices, streamed and not; the prompt counted once', async ({ page }) => {
    const raws = await send(page, [chat({ n: 2, stream: true, stream_options: { include_usage: true } }), chat({ n: 2 })]);
    const stream = streamOf(raws[0]!);
    expect([choiceText(stream.chunks, 0), choiceText(stream.chunks, 1)]).toEqual([STORY, STORY]);
    const usage = { prompt_tokens: 34, completion_tokens: 64, total_tokens: 98 };
    expect(stream.chunks.at(-1)).toMatchObject({ choices: [], usage });
    const completion = jsonOf(raws[1]!, 'CreateChatCompletionResponse');
    expect(completion['choices']).toHaveLength(2);
    expect(completion['usage']).toMatchObject(usage);
  });

  test('chunk_size and chunk_by group the real stream, whole characters included', async ({ page }) => {
    const options = [{ chunk_size: 5 }, { chunk_by: 'word' }, { chunk_by: 'sentence' }, { chunk_by: 'word', chunk_size: 3 }];
    const raws = await send(page, options.map((stream_options) => chat({ stream: true, stream_options })));
    const contents = raws.map((raw) => {
      const stream = streamOf(raw);
      expect(choiceText(stream.chunks)).toBe(STORY);
      return stream.chunks.map((c) => (c['choices'] as Array<{ delta: { content?: string } }>)[0]?.delta.content).filter((t) => t);
    });
    expect(contents[0]?.slice(0, 2)).toEqual(['Once upon a time,', ' a tiny model lived in a browser']);
    expect(contents[1]).toContain(' word 👋');
    expect(contents[1]).toContain(' café');
    expect(contents[1]).toHaveLength(STORY.split(' ').length - 2); // '👋' and '✨' stay with the word before
    expect(contents[2]).toEqual(['Once upon a time, a tiny model lived in a browser tab.', ' It streamed every word 👋 without a server, and café visitors smiled ✨ The end.']);
    expect(contents[3]?.[0]).toBe('Once upon a');
  });

  test('legacy /completions conforms, streamed and not', async ({ page }) => {
    const call = (extra: Record<string, unknown>): Call => ({ path: '/completions', body: { model: 'davinci-002', prompt: 'Hi\n', ...extra } });
    const raws = await send(page, [call({ max_tokens: 40 }), call({ stream: true }), call({ stream: true, stream_options: { include_usage: true }, n: 2 })]);
    expect(jsonOf(raws[0]!, 'CreateCompletionResponse')).toMatchObject({ object: 'text_completion', choices: [{ text: STORY, finish_reason: 'stop' }] });
    const stream = streamOf(raws[1]!, 'completion');
    // OpenAI's default max_tokens for this endpoint is 16: the story's first 16 tokens.
    expect(choiceText(stream.chunks)).toBe('Once upon a time, a tiny model lived in a browser tab. It streamed every word');
    expect(stream.chunks.at(-1)).toMatchObject({ choices: [{ text: '', finish_reason: 'length' }], usage: { completion_tokens: 16 } });
    const withUsage = streamOf(raws[2]!, 'completion');
    expect(withUsage.chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 32 } });
  });

  test('models: the list and one model conform; strict mode 404s other names', async ({ page }) => {
    const raws = await send(page, [
      { path: '/models', method: 'GET' },
      { path: '/models/zstream-tiny-story', method: 'GET', strictModel: true },
      { path: '/models/gpt-4o', method: 'GET', strictModel: true },
      { ...chat(), strictModel: true },
    ]);
    expect(jsonOf(raws[0]!, 'ListModelsResponse')).toMatchObject({ data: [{ id: 'zstream-tiny-story', object: 'model' }] });
    expect(jsonOf(raws[1]!, 'Model')).toMatchObject({ id: 'zstream-tiny-story' });
    for (const raw of raws.slice(2)) expect(jsonOf(raw, 'ErrorResponse', 404)).toMatchObject({ error: { code: 'model_not_found' } });
  });

  test('errors before streaming: OpenAI status and body for each', async ({ page }) => {
    const raws = await send(page, [
      { path: '/chat/completions', body: '{"model":' },
      chat({ stream: true, temperature: 'hot' }),
      chat({ stream: true, tools: [{ type: 'custom', custom: { name: 'f' } }] }),
      { path: '/embeddings', body: { model: 'x', input: 'y' } },
      { path: '/chat/completions', method: 'GET' },
      chat({ stream: true, messages: [{ role: 'user', content: 'x'.repeat(3000) }] }),
      chat({ max_tokens: 5000 }),
    ]);
    const errors = raws.map((raw) => {
      const body = JSON.parse(raw.text) as { error: Record<string, unknown> };
      expect(schemaErrors('ErrorResponse', body)).toEqual([]);
      return { status: raw.status, code: body.error['code'], param: body.error['param'] };
    });
    expect(errors).toEqual([
      { status: 400, code: null, param: null },
      { status: 400, code: 'invalid_type', param: 'temperature' },
      { status: 400, code: 'unsupported_value', param: 'tools[0].type' },
      { status: 404, code: null, param: null },
      { status: 405, code: null, param: null },
      { status: 400, code: 'context_length_exceeded', param: 'messages' },
      { status: 400, code: 'context_length_exceeded', param: 'messages' },
    ]);
    expect(raws[4]?.headers['allow']).toBe('POST');
  });

  test('fetch rejects only on abort, with AbortError, as a real fetch does', async ({ page }) => {
    const names = await page.evaluate(async (messages) => {
      const fetch = window.zstream.createFetch(window.engine);
      const init = { method: 'POST', body: JSON.stringify({ model: 'm', messages, stream: true }) };
      const before = await fetch('/v1/chat/completions', { ...init, signal: AbortSignal.abort() }).then(() => 'resolved', (e: Error) => e.name);
      const controller = new AbortController();
      const reader = (await fetch('/v1/chat/completions', { ...init, signal: controller.signal })).body!.getReader();
      await reader.read();
      controller.abort();
      const during = await reader.read().then(() => 'resolved', (e: Error) => e.name);
      return { before, during };
    }, MESSAGES);
    expect(names).toEqual({ before: 'AbortError', during: 'AbortError' });
  });
});
