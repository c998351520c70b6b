// The WebLLM adapter over WebLLM's real generation code (MLCEngine.asyncGenerate and its chunk
// makers, from the installed package) with a scripted model: chunk normalisation to OpenAI's exact
// wire format, per-request cancellation, backpressure, stop sequences, max_tokens, usage, errors.
import type { ChatCompletionChunk } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { parseStream } from '../../test/sse-conformance.js';
import { serve } from '../../test/serve.js';
import { ScriptedPipeline, WEBLLM_MODEL, scriptedWebLLM, utf8Tokens } from '../../test/webllm-engine.js';
import type { ServedEngine } from '../../src/http/models.js';
import type { GenerateRequest, StreamEvent } from '../../src/shared/protocol.js';
import { createGeneration, toEventStream } from '../generation.js';
import { Scheduler } from '../scheduler.js';
import { WebLLMBackend } from './backend.js';
import { normalizeChunk } from './chunks.js';

const TOKENS = [
  ...utf8Tokens('Once', ' upon', ' a', ' time', ', a', ' tiny', ' model', ' waved'),
  new Uint8Array([0x20, 0xf0, 0x9f]), new Uint8Array([0x91, 0x8b]), // ' 👋', cut in half as byte-level tokenizers do
  ...utf8Tokens(' at', ' the', ' caf'),
  new Uint8Array([0xc3]), new Uint8Array([0xa9]), // 'é', cut in half
  ...utf8Tokens('.'),
];
const TEXT = 'Once upon a time, a tiny model waved 👋 at the café.';
const PROMPT_TOKENS = 21;
const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];

function setUp(tokens = TOKENS) {
  const pipeline = new ScriptedPipeline(tokens, PROMPT_TOKENS);
  const webllm = scriptedWebLLM(pipeline);
  const backend = new WebLLMBackend({ id: WEBLLM_MODEL, backend: 'webllm', device: 'webgpu', weights: WEBLLM_MODEL, contextLength: 4096 }, webllm);
  const scheduler = new Scheduler();
  const generate = async (request: GenerateRequest) => toEventStream(await createGeneration(backend, request, scheduler), 1);
  const engine: ServedEngine = { model: backend.info, generate, generateAll: (all) => Promise.all(all.map(generate)) };
  return { pipeline, webllm, backend, engine };
}

async function readAll(stream: ReadableStream<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');

describe("WebLLM's own chunks (MLCEngine.asyncGenerate, web-llm 0.2.86)", () => {
  it('differ from OpenAI: bare UUID ids, role on every chunk, half characters held back, usage with extras', async () => {
    const { webllm } = setUp();
    const chunks: ChatCompletionChunk[] = [];
    const stream = await webllm.chatCompletion({ messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = chunks.slice(0, -2);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    // 0.2.86 sends seconds (earlier versions sent Date.now() milliseconds): either way, not copied.
    expect(Math.abs((chunks[0]?.created ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(deltas.every((c) => c.choices[0]?.delta.role === 'assistant')).toBe(true);
    expect(deltas.map((c) => c.choices[0]?.delta.content).join('')).toBe(TEXT);
    // 16 tokens and the end-of-sequence token: the first halves of 👋 and é produced no chunk, the
    // end-of-sequence step an empty one.
    expect(deltas.map((c) => c.choices[0]?.delta.content === '')).toEqual([...Array(TOKENS.length - 2).fill(false), true]);
    expect(chunks.at(-2)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: PROMPT_TOKENS, completion_tokens: TOKENS.length + 1 });
    expect(Object.keys(chunks.at(-1)?.usage?.extra ?? {})).toContain('decode_tokens_per_s');
  });

  it('normalise to steps: text, the finish reason (tool_calls is a stop), usage without extras', () => {
    const base = { id: '3b8b', object: 'chat.completion.chunk' as const, created: 1_732_000_000_000, model: WEBLLM_MODEL };
    const delta = (content: string) => ({ ...base, choices: [{ index: 0, delta: { role: 'assistant' as const, content }, finish_reason: null }] });
    const finish = (reason: 'stop' | 'length' | 'abort' | 'tool_calls') => ({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reason }] });
    expect(normalizeChunk(delta('Hi'))).toEqual({ kind: 'text', text: 'Hi' });
    expect(normalizeChunk(finish('length'))).toEqual({ kind: 'finish', reason: 'length' });
    expect(normalizeChunk(finish('tool_calls'))).toEqual({ kind: 'finish', reason: 'stop' });
    expect(normalizeChunk(finish('abort'))).toEqual({ kind: 'finish', reason: 'abort' });
    const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, extra: { e2e_latency_s: 1 } };
    expect(normalizeChunk({ ...base, choices: [], usage } as unknown as ChatCompletionChunk)).toEqual({
      kind: 'usage', counts: { promptTokens: 5, completionTokens: 2 },
    });
    const text = { id: 'x', object: 'text_completion' as const, created: 1, model: 'm', choices: [{ index: 0, text: 'abc', finish_reason: null }] };
    expect(normalizeChunk(text as never)).toEqual({ kind: 'text', text: 'abc' });
  });
});

describe('the WebLLM backend behind the shim', () => {
  it("streams OpenAI's exact chunks: chatcmpl- id, seconds, role once, stop, WebLLM's token counts", async () => {
    const { engine } = setUp();
    const { post } = serve(engine as never);
    const res = await post('/chat/completions', { model: 'any', stream: true, messages: MESSAGES });
    const parsed = parseStream(await res.text(), 'chat');
    expect(parsed.violations).toEqual([]);
    expect(parsed.done).toBe(true);
    const chunks = parsed.chunks as unknown as Array<{ id: string; created: number; model: string; choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>; usage?: unknown }>;
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]?.id).toMatch(/^chatcmpl-/);
    expect(chunks.every((c) => Number.isInteger(c.created) && Math.abs(c.created - Date.now() / 1000) < 60)).toBe(true);
    expect(chunks.every((c) => c.model === WEBLLM_MODEL)).toBe(true);
    expect(chunks.filter((c) => c.choices[0]?.delta.role !== undefined)).toHaveLength(1);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(TEXT);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    // WebLLM counts the end-of-sequence token as a completion token.
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: PROMPT_TOKENS, completion_tokens: 17, total_tokens: PROMPT_TOKENS + 17 });
  });

  it('a stop sequence ends the generation before it; usage counts what was decoded', async () => {
    const { engine, pipeline } = setUp();
    const events = await readAll(await engine.generate({ messages: MESSAGES, stop: [' tiny'] }));
    expect(textOf(events)).toBe('Once upon a time, a');
    expect(events.at(-1)).toEqual({ type: 'done', finish_reason: 'stop', usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 6, total_tokens: PROMPT_TOKENS + 6 } });
    expect(pipeline.decodes).toBe(5); // the 6th token (' tiny') came from the 5th decode; nothing after the interrupt
  });

  it('max_tokens: WebLLM stops with "length"', async () => {
    const { engine } = setUp();
    const events = await readAll(await engine.generate({ messages: MESSAGES, max_tokens: 3 }));
    expect(textOf(events)).toBe('Once upon a');
    expect(events.at(-1)).toMatchObject({ type: 'done', finish_reason: 'length', usage: { completion_tokens: 3 } });
  });

  it('cancelling one request stops its decoding at once and leaves the engine ready (WebLLM lock released)', async () => {
    const { engine, pipeline } = setUp();
    const reader = (await engine.generate({ messages: MESSAGES })).getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    await reader.cancel();
    const decodesAtCancel = pipeline.decodes;
    expect(decodesAtCancel).toBeLessThanOrEqual(4);
    const next = await readAll(await engine.generate({ messages: MESSAGES }));
    expect(textOf(next)).toBe(TEXT);
    // Each request started from an empty conversation: reset, then prefill, never a multi-round continuation.
    expect(pipeline.log.filter((e) => e !== 'decode')).toEqual(['reset', 'prefill', 'reset', 'prefill']);
  });

  it('backpressure: a reader that stops pauses decoding', async () => {
    const { engine, pipeline } = setUp();
    const reader = (await engine.generate({ messages: MESSAGES })).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pipeline.decodes).toBeLessThanOrEqual(2);
    await reader.cancel();
  });

  it("WebLLM's request errors are OpenAI 400s before streaming starts", async () => {
    const { engine } = setUp();
    const { post } = serve(engine as never);
    const res = await post('/chat/completions', {
      model: 'any', stream: true, messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }],
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages', code: 'invalid_value' });
    expect(body.error.message).toMatch(/Last message should be from either `user` or `tool`/);
  });

  it('legacy completions run through WebLLM.completion', async () => {
    const { engine } = setUp();
    const events = await readAll(await engine.generate({ prompt: 'Once', max_tokens: 4 }));
    expect(textOf(events)).toBe('Once upon a time');
    expect(events.at(-1)).toMatchObject({ finish_reason: 'length', usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 4 } });
  });
});
