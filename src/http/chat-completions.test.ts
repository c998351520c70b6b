// POST /chat/completions over a fake engine: every chunk and body checked against OpenAI's
// schemas, the stream's framing with a real SSE parser, and the real `openai` SDK on top.
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { FAIL_MID_STREAM, REPLY, REPLY_TOKENS } from '../../test/fake-engine.js';
import { schemaErrors } from '../../test/openai-spec.js';
import { serve } from '../../test/serve.js';
import { choiceText, parseStream } from '../../test/sse-conformance.js';

const MESSAGES = [{ role: 'user', content: 'Tell me a story' }];
const USAGE = { prompt_tokens: 15, completion_tokens: REPLY_TOKENS.length, total_tokens: 15 + REPLY_TOKENS.length };

async function stream(body: Record<string, unknown>) {
  const { post, engine } = serve();
  const res = await post('/chat/completions', { model: 'gpt-4o', messages: MESSAGES, stream: true, ...body });
  const raw = await res.text();
  return { res, raw, parsed: parseStream(raw, 'chat'), engine };
}

describe('streamed chat completion', () => {
  it('is OpenAI\'s chunk stream: role first, one id, the real model, finish, usage on the final chunk, [DONE], closed', async () => {
    const { res, raw, parsed } = await stream({});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(parsed.violations).toEqual([]);
    expect(parsed.done).toBe(true);
    expect(parsed.afterDone).toEqual([]);
    expect(raw.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
    const { chunks } = parsed;
    expect(new Set(chunks.map((c) => c['id'])).size).toBe(1);
    expect(String(chunks[0]?.['id'])).toMatch(/^chatcmpl-/);
    expect(chunks.every((c) => c['model'] === 'fake-model' && c['object'] === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.['choices']).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    expect(choiceText(chunks)).toBe(REPLY);
    expect(chunks.at(-1)?.['choices']).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(chunks.at(-1)?.['usage']).toEqual(USAGE);
    expect(chunks.slice(0, -1).every((c) => !('usage' in c))).toBe(true);
  });

  it('with include_usage: usage null on every chunk, then one chunk with no choices and the usage', async () => {
    const { parsed } = await stream({ stream_options: { include_usage: true } });
    expect(parsed.violations).toEqual([]);
    const last = parsed.chunks.at(-1)!;
    expect(last['choices']).toEqual([]);
    expect(last['usage']).toEqual(USAGE);
    expect(parsed.chunks.slice(0, -1).every((c) => c['usage'] === null)).toBe(true);
    expect(parsed.chunks.at(-2)?.['choices']).toMatchObject([{ finish_reason: 'stop' }]);
  });

  it('max_tokens and max_completion_tokens end with finish_reason length', async () => {
    for (const key of ['max_tokens', 'max_completion_tokens']) {
      const { parsed, engine } = await stream({ [key]: 3 });
      expect(engine.requests[0]).toMatchObject({ max_tokens: 3 });
      expect(choiceText(parsed.chunks)).toBe(REPLY_TOKENS.slice(0, 3).join(''));
      expect(parsed.chunks.at(-1)?.['choices']).toMatchObject([{ finish_reason: 'length' }]);
    }
  });

  it('hands sampling and stopping parameters to the engine', async () => {
    const { engine } = await stream({ temperature: 0.5, top_p: 0.8, seed: 3, stop: 'x', presence_penalty: 1, frequency_penalty: 1 });
    expect(engine.requests).toEqual([{
      messages: MESSAGES, temperature: 0.5, top_p: 0.8, seed: 3, stop: ['x'], presence_penalty: 1, frequency_penalty: 1, max_tokens: undefined,
    }]);
  });

  it('n = 3: each choice has its index, its role chunk, its text and finish; the prompt is counted once', async () => {
    const { parsed, engine } = await stream({ n: 3, seed: 7, stream_options: { include_usage: true } });
    expect(parsed.violations).toEqual([]);
    for (const index of [0, 1, 2]) {
      const own = parsed.chunks.flatMap((c) => (c['choices'] as Array<Record<string, unknown>>).filter((x) => x['index'] === index));
      expect(own[0]?.['delta']).toEqual({ role: 'assistant', content: '' });
      expect(own.at(-1)?.['finish_reason']).toBe('stop');
      expect(choiceText(parsed.chunks, index)).toBe(REPLY);
    }
    // Seeded choices differ from each other, yet repeat: seed, seed + 1, seed + 2.
    expect(engine.requests.map((r) => r.seed)).toEqual([7, 8, 9]);
    expect(parsed.chunks.at(-1)?.['usage']).toEqual({
      prompt_tokens: 15, completion_tokens: 3 * REPLY_TOKENS.length, total_tokens: 15 + 3 * REPLY_TOKENS.length,
    });
  });

  it('chunk_size and chunk_by group the deltas', async () => {
    const bySize = await stream({ stream_options: { chunk_size: 4 } });
    const contents = (chunks: typeof bySize.parsed.chunks) =>
      chunks.map((c) => (c['choices'] as Array<{ delta?: { content?: string } }>)[0]?.delta?.content).filter((t) => t);
    expect(contents(bySize.parsed.chunks)).toEqual(['Hello world. It', ' is a café 👋', '.']);
    const byWord = await stream({ stream_options: { chunk_by: 'word' } });
    expect(byWord.parsed.violations).toEqual([]);
    expect(contents(byWord.parsed.chunks)).toEqual(['Hello', ' world.', ' It', ' is', ' a', ' café 👋.']);
    const bySentence = await stream({ stream_options: { chunk_by: 'sentence' } });
    expect(contents(bySentence.parsed.chunks)).toEqual(['Hello world.', ' It is a café 👋.']);
  });

  it('a failure after streaming started is an `event: error` with OpenAI\'s body, then the stream closes', async () => {
    const { res, parsed } = await stream({ messages: [{ role: 'user', content: FAIL_MID_STREAM }] });
    expect(res.status).toBe(200);
    expect(parsed.violations).toEqual([]);
    expect(parsed.errors).toEqual([{ error: { message: 'the device was lost', type: 'server_error', param: null, code: null } }]);
    expect(parsed.done).toBe(false);
    expect(choiceText(parsed.chunks)).toBe('Hello world');
  });
});

describe('chat completion without stream', () => {
  it('is a chat.completion with the text, finish_reason and usage', async () => {
    const { post } = serve();
    const res = await post('/chat/completions', { model: 'gpt-4o', messages: MESSAGES });
    const body = await res.json();
    expect(schemaErrors('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body).toMatchObject({
      object: 'chat.completion', model: 'fake-model', usage: USAGE,
      choices: [{ index: 0, message: { role: 'assistant', content: REPLY, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    });
    expect(body.id).toMatch(/^chatcmpl-/);
  });

  it('n = 2 gives two choices', async () => {
    const { post } = serve();
    const body = await (await post('/chat/completions', { model: 'm', messages: MESSAGES, n: 2, max_tokens: 2 })).json();
    expect(schemaErrors('CreateChatCompletionResponse', body)).toEqual([]);
    expect(body.choices.map((c: { index: number; message: { content: string } }) => [c.index, c.message.content])).toEqual([
      [0, 'Hello world'], [1, 'Hello world'],
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 15, completion_tokens: 4, total_tokens: 19 });
  });

  it('a failure during generation is an error response, not a 200', async () => {
    const { post } = serve();
    const res = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: FAIL_MID_STREAM }] });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(schemaErrors('ErrorResponse', await res.json())).toEqual([]);
  });
});

describe('the openai SDK over the fake engine', () => {
  it('for await over create({ stream: true }), and the .stream() helper with n = 2', async () => {
    const { client } = serve();
    let text = '';
    for await (const chunk of await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hi' }], stream: true })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(REPLY);
    const runner = client.chat.completions.stream({ model: 'x', n: 2, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await runner.finalChatCompletion();
    expect(final.choices.map((c) => c.message.content)).toEqual([REPLY, REPLY]);
  });

  it('raises APIError for a mid-stream error event', async () => {
    const { client } = serve();
    const consume = async () => {
      for await (const _ of await client.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: FAIL_MID_STREAM }] })) {
        // read on
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(APIError);
    await expect(consume()).rejects.toThrow('the device was lost');
  });
});

// Found by review: `object` came after `model` (FACTS.md lists a chunk's fields `id`, `object`,
// `created`, `model`, `choices`; the spec's examples agree, with a choice's `logprobs` before `finish_reason`).
describe('key order on the wire, as OpenAI sends it', () => {
  const head = ['id', 'object', 'created', 'model'];
  it('chunks and bodies of both endpoints begin id, object, created, model; a whole choice ends logprobs, finish_reason', async () => {
    const { post } = serve();
    const { chunks } = parseStream(await (await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true })).text(), 'chat');
    expect(chunks.map((c) => Object.keys(c).slice(0, 4))).toEqual(chunks.map(() => head));
    const body = await (await post('/chat/completions', { model: 'm', messages: MESSAGES })).json();
    expect([Object.keys(body).slice(0, 4), Object.keys(body.choices[0])]).toEqual([head, ['index', 'message', 'logprobs', 'finish_reason']]);
    const legacy = await (await post('/completions', { model: 'm', prompt: 'Once' })).json();
    expect(Object.keys(legacy).slice(0, 4)).toEqual(head);
    const legacyChunks = parseStream(await (await post('/completions', { model: 'm', prompt: 'Once', stream: true })).text(), 'completion').chunks;
    expect(Object.keys(legacyChunks[0]!).slice(0, 4)).toEqual(head);
  });
});

// Found by review (spec: ServiceTier): "When the service_tier parameter is set, the response body
// will include the service_tier value based on the processing mode actually used".
describe('service_tier', () => {
  it('is shown, as the tier used, only when the request set it, on the body and on every chunk', async () => {
    const { post } = serve();
    const tiers = async (extra: Record<string, unknown>) => {
      const body = await (await post('/chat/completions', { model: 'm', messages: MESSAGES, ...extra })).json();
      const { chunks } = parseStream(await (await post('/chat/completions', { model: 'm', messages: MESSAGES, stream: true, ...extra })).text(), 'chat');
      return [body.service_tier, ...new Set(chunks.map((c) => c['service_tier']))];
    };
    expect(await tiers({ service_tier: 'auto' })).toEqual(['default', 'default']);
    expect(await tiers({ service_tier: 'fast' })).toEqual(['priority', 'priority']);
    expect(await tiers({ service_tier: 'flex' })).toEqual(['flex', 'flex']);
    expect(await tiers({})).toEqual([undefined, undefined]);
  });
});
