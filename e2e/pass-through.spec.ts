// Pass-through: requests go to a real OpenAI-compatible server, unchanged. A Playwright route
// plays the upstream (cross-origin, with CORS as a browser-facing server answers it).
import type { Page, Route } from '@playwright/test';
import { STORY, expect, openHarness, test } from './fixtures.js';

const UPSTREAM = 'https://upstream.test/v1';
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, x-client',
  'access-control-allow-methods': 'GET, POST',
};
// What the upstream streams: OpenAI's chunks, byte for byte as it sends them (its own id and fingerprint).
const chunk = (delta: object, finish: string | null, usage?: object) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-upstream1', object: 'chat.completion.chunk', created: 1_732_000_000, model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_up', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage ? { usage } : {}),
  })}\n\n`;
const USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
const UPSTREAM_SSE = [
  chunk({ role: 'assistant', content: '' }, null), chunk({ content: 'Hello' }, null), chunk({ content: ' from' }, null),
  chunk({ content: ' upstream' }, null), chunk({}, 'stop', USAGE), 'data: [DONE]\n\n',
].join('');

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

async function playUpstream(page: Page): Promise<Seen[]> {
  const seen: Seen[] = [];
  await page.context().route(`${UPSTREAM}/**`, async (route: Route) => {
    const request = route.request();
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    seen.push({ method: request.method(), url: request.url(), headers: await request.allHeaders(), body: request.postData() });
    return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'text/event-stream; charset=utf-8' }, body: UPSTREAM_SSE });
  });
  return seen;
}

const PASS_THROUGH = { baseURL: UPSTREAM, model: 'gpt-4o-mini', headers: { authorization: 'Bearer sk-upstream' } };

test.beforeEach(async ({ page }) => {
  await openHarness(page);
});

test("when 'always': createFetch sends the request upstream unchanged and returns its stream as is", async ({ page }) => {
  const seen = await playUpstream(page);
  const body = '{"model": "gpt-4o-mini",  "stream": true, "messages": [{"role": "user", "content": "Hi"}], "temperature": 0.2}';
  const result = await page.evaluate(async ({ options, body }) => {
    const engine = await window.zstream.createEngine({ passThrough: { ...options, when: 'always' } });
    const f = window.zstream.createFetch(engine, { baseURL: 'http://localhost:8000/v1' });
    const res = await f('http://localhost:8000/v1/chat/completions?api-version=1', {
      method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', 'x-client': 'demo' },
    });
    const client = new window.OpenAI({ baseURL: 'http://localhost:8000/v1', apiKey: 'x', dangerouslyAllowBrowser: true, fetch: f });
    let sdkText = '';
    for await (const c of await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] })) {
      sdkText += c.choices[0]?.delta?.content ?? '';
    }
    return { model: engine.model, status: res.status, type: res.headers.get('content-type'), raw: await res.text(), sdkText };
  }, { options: PASS_THROUGH, body });
  expect(result.model).toEqual({ id: 'gpt-4o-mini', backend: 'pass-through', device: 'remote', weights: UPSTREAM, contextLength: 0 });
  expect(result.status).toBe(200);
  expect(result.type).toBe('text/event-stream; charset=utf-8');
  expect(result.raw).toBe(UPSTREAM_SSE);
  expect(result.sdkText).toBe('Hello from upstream');
  expect(seen[0]).toMatchObject({ method: 'POST', url: `${UPSTREAM}/chat/completions?api-version=1`, body });
  // The configured key replaces the client's; every other header is the client's.
  expect(seen[0]?.headers).toMatchObject({ authorization: 'Bearer sk-upstream', 'x-client': 'demo', 'content-type': 'application/json' });
  expect(seen).toHaveLength(2);
});

test('engine.chat and chatStream on a pass-through engine read the upstream stream', async ({ page }) => {
  const seen = await playUpstream(page);
  const result = await page.evaluate(async (options) => {
    const engine = await window.zstream.createEngine({ passThrough: { ...options, when: 'always' } });
    const parts: string[] = [];
    for await (const t of engine.chatStream([{ role: 'user', content: 'Hi' }], { max_tokens: 5, stallTimeoutMs: 60_000 })) parts.push(t);
    return { parts, chat: await engine.chat([{ role: 'user', content: 'Hi' }]) };
  }, PASS_THROUGH);
  expect(result.parts).toEqual(['Hello', ' from', ' upstream']);
  expect(result.chat).toEqual({ text: 'Hello from upstream', finish_reason: 'stop', usage: USAGE });
  // OpenAI's parameters only: zstream's stallTimeoutMs stays here (src/engine/request-options.ts).
  expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual({
    messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true },
  });
});

test("when 'fallback': a model this device cannot load sends requests upstream, and the engine says why", async ({ page, context }) => {
  await context.route(/huggingface\.co|githubusercontent\.com/, (route) => route.abort('internetdisconnected'));
  const seen = await playUpstream(page);
  const result = await page.evaluate(async (options) => {
    const engine = await window.zstream.createEngine({ model: 'SmolLM2-360M-Instruct-MLC', passThrough: { ...options, when: 'fallback' } });
    const res = await window.zstream.createFetch(engine)('/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'x', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    return { model: engine.model, raw: await res.text() };
  }, PASS_THROUGH);
  expect(result.model.backend).toBe('pass-through');
  expect(result.model.fallbackReason).toContain('Could not load WebLLM model "SmolLM2-360M-Instruct-MLC"');
  expect(result.raw).toBe(UPSTREAM_SSE);
  expect(seen).toHaveLength(1);
});

test('off by default, and unused while the model runs here: nothing leaves the device', async ({ page, context, baseURL }) => {
  const seen = await playUpstream(page);
  const elsewhere: string[] = [];
  context.on('request', (request) => {
    if (!request.url().startsWith(`${baseURL}/`) && !request.url().startsWith('blob:')) elsewhere.push(request.url());
  });
  const answers = await page.evaluate(async (options) => {
    const ask = async (engine: Awaited<ReturnType<typeof window.zstream.createEngine>>) => {
      const res = await window.zstream.createFetch(engine)('/v1/chat/completions', {
        method: 'POST', body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      return { backend: engine.model.backend, text: (await res.json()).choices[0].message.content as string };
    };
    const plain = await window.zstream.createEngine({ device: 'wasm', modelBaseURL: '/models/' });
    const withFallback = await window.zstream.createEngine({ device: 'wasm', modelBaseURL: '/models/', passThrough: { ...options, when: 'fallback' } });
    return [await ask(plain), await ask(withFallback)];
  }, PASS_THROUGH);
  expect(answers).toEqual([{ backend: 'transformers', text: STORY }, { backend: 'transformers', text: STORY }]);
  expect(seen).toEqual([]);
  expect(elsewhere).toEqual([]);
});
