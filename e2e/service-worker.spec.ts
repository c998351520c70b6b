// installServiceWorker(engine): requests to /v1 from any page of the origin — XMLHttpRequest and
// axios, streamed and not, from a page with no engine of its own — are answered by a tab's engine
// through the service worker; other URLs are untouched; with no tab to answer, OpenAI's 503 body.
import type { Page } from '@playwright/test';
import { STORY, expect, openHarness, test } from './fixtures.js';
import { MESSAGES } from './flow-helpers.js';

const PAGE = '/e2e/service-worker.html';
type Axios = typeof import('axios').default;

/** XMLHttpRequest to /v1/chat/completions: status and body text. */
const xhr = (page: Page, stream: boolean) =>
  page.evaluate(({ messages, stream }) => new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/chat/completions');
    request.setRequestHeader('content-type', 'application/json');
    request.onload = () => resolve({ status: request.status, type: request.getResponseHeader('content-type') ?? '', text: request.responseText });
    request.onerror = () => reject(new Error('XMLHttpRequest failed'));
    request.send(JSON.stringify({ model: 'm', stream, messages }));
  }), { messages: MESSAGES, stream });

/** The text of an SSE body's chunks, and whether it ended with [DONE]. */
function sseText(body: string): { text: string; done: boolean } {
  const data = body.split('\n\n').filter(Boolean).map((frame) => frame.replace(/^data: /, ''));
  const chunks = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as { choices: { delta: { content?: string } }[] });
  return { text: chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), done: data.at(-1) === '[DONE]' };
}

test('[wasm] XMLHttpRequest and axios on any page of the origin are answered by a tab\'s engine through the service worker', async ({ context }) => {
  const host = await context.newPage();
  await openHarness(host, PAGE);
  await host.evaluate(async () => {
    // The test worker: the abort check below waits on engineTestHooks (src/testing.ts).
    window.engine = await window.zstreamTesting.createTestEngine({ device: 'wasm', modelBaseURL: '/models/' });
    await window.zstream.installServiceWorker(window.engine);
  });
  // A page of the origin with no engine, and no shim: only the service worker can answer it.
  const other = await context.newPage();
  await openHarness(other, PAGE);
  expect(await other.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  for (const page of [host, other]) {
    const streamed = await xhr(page, true);
    expect(streamed.status).toBe(200);
    expect(streamed.type).toContain('text/event-stream');
    expect(sseText(streamed.text)).toEqual({ text: STORY, done: true });
    const whole = await xhr(page, false);
    expect(whole.status).toBe(200);
    expect(JSON.parse(whole.text).choices[0].message.content).toBe(STORY);
  }

  const viaAxios = await other.evaluate(async (messages) => {
    const axios = (window as unknown as { axios: Axios }).axios;
    const whole = await axios.post('/v1/chat/completions', { model: 'm', messages });
    const streamed = await axios.post('/v1/chat/completions', { model: 'm', stream: true, messages }, { responseType: 'text' });
    const models = await axios.get('/v1/models');
    return { whole: whole.data.choices[0].message.content, streamed: streamed.data as string, models: models.data.object };
  }, MESSAGES);
  expect(viaAxios.whole).toBe(STORY);
  expect(sseText(viaAxios.streamed)).toEqual({ text: STORY, done: true });
  expect(viaAxios.models).toBe('list');

  // An iframe of the origin: its own client of the service worker, answered by the host's engine.
  const fromFrame = await other.evaluate(async (messages) => {
    const frame = document.createElement('iframe');
    frame.src = '/e2e/harness.html';
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    const response = await frame.contentWindow!.fetch('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'm', messages }) });
    return (await response.json()).choices[0].message.content as string;
  }, MESSAGES);
  expect(fromFrame).toBe(STORY);

  // XMLHttpRequest.abort() mid-stream cancels the generation in the host tab and frees its KV cache.
  const before = await host.evaluate(() => window.engine.stats!());
  await other.evaluate((messages) => new Promise<void>((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/v1/chat/completions');
    request.onprogress = () => {
      if (request.responseText.includes('"content"')) request.abort();
    };
    request.onabort = () => resolve();
    request.send(JSON.stringify({ model: 'm', stream: true, messages, temperature: 1, seed: 5, max_tokens: 1800 }));
  }), MESSAGES);
  const after = await host.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).settled());
  expect(after).toMatchObject({ openKvCaches: 0, running: 0, queued: 0 });
  // Unstopped, this request runs 304 tokens to its end-of-sequence token (seed 5).
  expect(after.generatedTokens - before.generatedTokens).toBeLessThan(100);
  console.log(`XMLHttpRequest.abort(): the host generated ${after.generatedTokens - before.generatedTokens} tokens (304 unstopped)`);

  // Other URLs go to the network as before.
  expect(await other.evaluate(() => fetch('/e2e/harness.html').then((r) => r.text()))).toContain('zstream e2e harness');

  // No tab with an engine left: OpenAI's 503 error body, at once.
  await host.close();
  const started = Date.now();
  const none = await xhr(other, true);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(none.status).toBe(503);
  expect(JSON.parse(none.text)).toEqual({
    error: { message: expect.stringContaining('No open page'), type: 'server_error', param: null, code: 'engine_unavailable' },
  });
});
