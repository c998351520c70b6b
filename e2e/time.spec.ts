// Time on the real model: `: keep-alive` SSE comments while a reader waits (in the queue, during a
// long prefill), which clients ignore; and the stall timeout that ends a request making no progress.
import { DEVICES, STORY, expect, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

const KEEP_ALIVE = ': keep-alive';
/** A prompt whose prefill takes a while: about 1,800 tokens on WASM, 300 on WebGPU (SwiftShader is slow). */
const longPrompt = (device: string) => Array.from({ length: device === 'webgpu' ? 100 : 600 }, (_, i) => `w${i % 10}`).join(' ');

test('[wasm] a request waiting in the queue gets keep-alive comments; raw readers and the SDK read past them', async ({ page }) => {
  await openEngineWith(page, 'wasm', { maxRunning: 1 }); // one at a time: the second waits
  const result = await page.evaluate(async ({ messages, BASE_URL }) => {
    const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL, keepAliveMs: 25 });
    const client = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
    const post = () => fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages }) });
    const running = (await post()).body!.getReader();
    await running.read();
    await running.read(); // holds the model, paused
    const waiting = (await post()).body!.getReader();
    const viaSdk = client.chat.completions.create({ model: 'm', stream: true, messages });
    const decoder = new TextDecoder();
    const frames: string[] = [];
    const until = performance.now() + 300;
    while (performance.now() < until) frames.push(decoder.decode((await waiting.read()).value));
    await running.cancel();
    for (let r = await waiting.read(); !r.done; r = await waiting.read()) frames.push(decoder.decode(r.value));
    let sdkText = '';
    for await (const chunk of await viaSdk) sdkText += chunk.choices[0]?.delta?.content ?? '';
    return { frames, sdkText };
  }, { messages: MESSAGES, BASE_URL });
  const firstContent = result.frames.findIndex((f) => f.includes('"content":"Once'));
  expect(firstContent).toBeGreaterThan(0);
  const keepAlives = result.frames.slice(0, firstContent).filter((f) => f === `${KEEP_ALIVE}\n\n`);
  expect(keepAlives.length).toBeGreaterThanOrEqual(3);
  expect(result.frames.filter((f) => f.startsWith(':')).every((f) => f === `${KEEP_ALIVE}\n\n`)).toBe(true);
  const text = result.frames.flatMap((f) => f.split('\n')).filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '').join('');
  expect(text).toBe(STORY);
  expect(result.frames.at(-1)).toBe('data: [DONE]\n\n');
  expect(result.sdkText).toBe(STORY);
});

for (const device of DEVICES) {
  test(`[${device}] a long prefill gets keep-alive comments before its first token`, async ({ page }) => {
    await openEngineWith(page, device);
    const result = await page.evaluate(async ({ content, BASE_URL }) => {
      const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL, keepAliveMs: 10 });
      const t0 = performance.now();
      const res = await fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, max_tokens: 3, messages: [{ role: 'user', content }] }) });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const frames: string[] = [];
      let firstTokenMs = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const frame = decoder.decode(r.value);
        if (!firstTokenMs && frame.includes('"content":"O')) firstTokenMs = performance.now() - t0;
        frames.push(frame);
      }
      return { frames, firstTokenMs };
    }, { content: longPrompt(device), BASE_URL });
    const firstContent = result.frames.findIndex((f) => f.includes('"content":"O'));
    expect(firstContent).toBeGreaterThan(0);
    const keepAlives = result.frames.slice(0, firstContent).filter((f) => f === `${KEEP_ALIVE}\n\n`).length;
    console.log(`[${device}] prefill to the first token: ${Math.round(result.firstTokenMs)} ms, ${keepAlives} keep-alives before it`);
    expect(keepAlives).toBeGreaterThanOrEqual(1);
    expect(result.frames.at(-1)).toBe('data: [DONE]\n\n');
  });
}

test('[wasm] stallTimeoutMs ends a request that makes no progress for that long with request_timeout', async ({ page }) => {
  await openEngineWith(page, 'wasm', { stallTimeoutMs: 5 });
  const result = await page.evaluate(async ({ content, messages, BASE_URL }) => {
    const { engine, zstream, zstreamTesting, OpenAI } = window;
    const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
    const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
    const long = [{ role: 'user' as const, content }];
    const outcome = (p: Promise<unknown>) => p.then(() => 'completed', (e: Error & { code?: unknown }) => `${e.constructor.name} ${String(e.code)}: ${e.message}`);
    // The engine's default (5 ms) is shorter than this prefill, through the SDK ...
    const sdk = await outcome((async () => {
      for await (const _ of await client.chat.completions.create({ model: 'm', stream: true, messages: long })) { /* reads until the error */ }
    })());
    // ... and a request's own limit overrides it: a generous one lets the same prompt through.
    const patient = await outcome(engine.chat(long, { max_tokens: 3, stallTimeoutMs: 60_000 }));
    const strict = await outcome(engine.chat(long, { stallTimeoutMs: 5 }));
    // The stalled run's worker lets go of it, or is replaced when it does not within 5 ms more: a
    // request started on it in that window moves to the next worker if none of it was read yet, but
    // fails if some was (src/engine/request-queue-lifecycle.test.ts); not this test's subject.
    await zstreamTesting.engineTestHooks(engine).statsWhen((s) => s.running === 0);
    const after = (await engine.chat(messages, { stallTimeoutMs: 60_000 })).text;
    return { sdk, patient, strict, after };
  }, { content: longPrompt('wasm'), messages: MESSAGES, BASE_URL });
  expect(result.sdk).toMatch(/^APIError timeout: The generation made no progress for 5 ms/);
  expect(result.patient).toBe('completed');
  expect(result.strict).toMatch(/^ZStreamError request_timeout: The generation made no progress for 5 ms/);
  expect(result.after).toBe(STORY);
});
