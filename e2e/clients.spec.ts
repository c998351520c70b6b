// The clients people already point at OpenAI, unchanged, each through createFetch against the
// real model: the `openai` SDK (its .stream() helper and for-await), the Vercel AI SDK
// (streamText, generateText) and LangChain.js (ChatOpenAI .stream(), .invoke()).
// The fetch shim is main-thread code and the same on every device: WASM runs these (core.spec.ts
// covers both devices).
import { STORY, expect, test } from './fixtures.js';

const BASE = 'http://localhost:8000/v1';
const USAGE = { prompt_tokens: 34, completion_tokens: 32, total_tokens: 66 };

test.use({ sharedEngine: { device: 'wasm', harness: '/e2e/clients.html' } }); // one load for the file

test('openai SDK: the .stream() helper (events, for await, final completion)', async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.clients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const messages = [{ role: 'user' as const, content: 'Tell me a story' }];
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    let iterated = '';
    for await (const chunk of client.chat.completions.stream({ model: 'gpt-4o', messages })) iterated += chunk.choices[0]?.delta.content ?? '';
    return { deltas, final, iterated };
  }, BASE);
  expect(result.deltas.join('')).toBe(STORY);
  expect(result.deltas.length).toBeGreaterThan(20);
  expect(result.final.choices[0]?.message).toMatchObject({ role: 'assistant', content: STORY });
  expect(result.final.choices[0]?.finish_reason).toBe('stop');
  expect(result.final.usage).toMatchObject(USAGE);
  expect(result.iterated).toBe(STORY);
});

test('openai SDK: legacy completions, streamed and not, run the raw prompt without a chat template', async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const client = new window.clients.OpenAI({ baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    // The chat request's prompt as the chat template renders it: the same 34 tokens.
    const templated = '<|im_start|>user\nTell me a story<|im_end|>\n<|im_start|>assistant\n';
    const whole = await client.completions.create({ model: 'davinci-002', prompt: templated, max_tokens: 5 });
    let streamed = '';
    let usage;
    const stream = await client.completions.create({ model: 'davinci-002', prompt: 'Once upon a', echo: true, max_tokens: 100, stream: true });
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.text ?? '';
      usage ??= chunk.usage;
    }
    return { whole, streamed, usage };
  }, BASE);
  expect(result.whole.choices[0]).toMatchObject({ text: 'Once upon a time,', finish_reason: 'length' });
  expect(result.whole.usage).toMatchObject({ prompt_tokens: 34, completion_tokens: 5, total_tokens: 39 });
  expect(result.streamed).toBe(`Once upon a${STORY}`);
  // 'Once upon a' alone, no template: 11 byte tokens (the test tokenizer has no merges for it).
  expect(result.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 32, total_tokens: 43 });
});

test('Vercel AI SDK: streamText and generateText through @ai-sdk/openai-compatible', async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const { createOpenAICompatible, streamText, generateText } = window.clients;
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const provider = createOpenAICompatible({ name: 'zstream', baseURL, apiKey: 'x', fetch, includeUsage: true });
    const streamed = streamText({ model: provider.chatModel('gpt-4o'), prompt: 'Tell me a story' });
    const parts: string[] = [];
    for await (const part of streamed.textStream) parts.push(part);
    const generated = await generateText({ model: provider.chatModel('gpt-4o'), system: 'Be brief.', prompt: 'Tell me a story' });
    return {
      parts,
      finishReason: await streamed.finishReason,
      usage: await streamed.usage,
      generated: { text: generated.text, finishReason: generated.finishReason, usage: generated.usage },
    };
  }, BASE);
  expect(result.parts.join('')).toBe(STORY);
  expect(result.parts.length).toBeGreaterThan(20);
  expect(result.finishReason).toBe('stop');
  expect(result.usage).toMatchObject({ inputTokens: 34, outputTokens: 32, totalTokens: 66 });
  expect(result.generated.text).toBe(STORY);
  expect(result.generated.finishReason).toBe('stop');
  expect(result.generated.usage.outputTokens).toBe(32);
});

test('LangChain.js: ChatOpenAI .stream() and .invoke()', async ({ page }) => {
  const result = await page.evaluate(async (baseURL) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL });
    const chat = new window.clients.ChatOpenAI({
      model: 'gpt-4o-mini', apiKey: 'x', configuration: { baseURL, fetch, dangerouslyAllowBrowser: true },
    });
    const parts: string[] = [];
    let usage: unknown;
    for await (const chunk of await chat.stream([['system', 'Be brief.'], ['human', 'Tell me a story']])) {
      parts.push(String(chunk.content));
      usage ??= chunk.usage_metadata;
    }
    const message = await chat.invoke('Tell me a story');
    return { parts, usage, invoked: String(message.content), invokedUsage: message.usage_metadata, finish: message.response_metadata['finish_reason'] };
  }, BASE);
  expect(result.parts.join('')).toBe(STORY);
  expect(result.parts.length).toBeGreaterThan(20);
  expect(result.usage).toMatchObject({ output_tokens: 32 });
  expect(result.invoked).toBe(STORY);
  expect(result.invokedUsage).toMatchObject({ input_tokens: 34, output_tokens: 32, total_tokens: 66 });
  expect(result.finish).toBe('stop');
});
