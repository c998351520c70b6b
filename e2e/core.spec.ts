// The vertical slice on both devices: real Chromium, the real generated model, the real `openai` SDK.
import { DEVICES, STORY, expect, openEngine, test } from './fixtures.js';

const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];

for (const device of DEVICES) {
  test.describe(device, () => {
    test.use({ sharedEngine: { device } }); // these tests only send requests: one load for all

    test('engine.chatStream streams the story; engine.chat returns it with usage', async ({ page }) => {
      const { parts, result } = await page.evaluate(async (messages) => {
        const parts: string[] = [];
        for await (const t of window.engine.chatStream(messages)) parts.push(t);
        const tokens: string[] = [];
        const result = await window.engine.chat(messages, { onToken: (t) => tokens.push(t) });
        return { parts, result: { ...result, tokens } };
      }, MESSAGES);
      expect(parts.join('')).toBe(STORY);
      expect(parts.length).toBeGreaterThan(20);
      // No delta ever carries half a character: 👋 and é arrive whole.
      expect(parts).toContain(' ');
      expect(parts.some((p) => p.includes('👋'))).toBe(true);
      expect(parts.every((p) => !p.includes('\uFFFD'))).toBe(true);
      expect(result.text).toBe(STORY);
      expect(result.tokens.join('')).toBe(STORY);
      expect(result.finish_reason).toBe('stop');
      expect(result.usage.prompt_tokens).toBe(34);
      expect(result.usage.completion_tokens).toBe(32);
      expect(result.usage.total_tokens).toBe(66);
    });

    test('the openai SDK streams through createFetch, as in the README', async ({ page }) => {
      const chunks = await page.evaluate(async (messages) => {
        const baseURL = 'http://localhost:8000/v1';
        const client = new window.OpenAI({
          baseURL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: window.zstream.createFetch(window.engine, { baseURL }),
        });
        const stream = await client.chat.completions.create({ model: 'qwen-7b', stream: true, messages });
        const chunks = [];
        for await (const c of stream) chunks.push(c);
        return chunks;
      }, MESSAGES);
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe(STORY);
      const ids = new Set(chunks.map((c) => c.id));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(/^chatcmpl-/);
      for (const c of chunks) {
        expect(c.object).toBe('chat.completion.chunk');
        expect(c.model).toBe('zstream-tiny-story');
        expect(Math.abs(c.created - Date.now() / 1000)).toBeLessThan(120);
        expect(c.choices[0]?.index).toBe(0);
      }
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
      expect(chunks.slice(0, -1).every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
      const last = chunks.at(-1)!;
      expect(last.choices[0]?.delta).toEqual({});
      expect(last.choices[0]?.finish_reason).toBe('stop');
      expect(last.usage).toMatchObject({ prompt_tokens: 34, completion_tokens: 32, total_tokens: 66 });
    });

    test('the openai SDK without stream returns a chat.completion equal to the streamed text', async ({ page }) => {
      const { completion, streamed } = await page.evaluate(async (messages) => {
        const client = new window.OpenAI({
          baseURL: 'http://localhost:8000/v1', apiKey: 'x', dangerouslyAllowBrowser: true,
          fetch: window.zstream.createFetch(window.engine, { baseURL: 'http://localhost:8000/v1' }),
        });
        const completion = await client.chat.completions.create({ model: 'any', messages });
        let streamed = '';
        for await (const c of await client.chat.completions.create({ model: 'any', messages, stream: true })) {
          streamed += c.choices[0]?.delta?.content ?? '';
        }
        return { completion, streamed };
      }, MESSAGES);
      expect(completion.object).toBe('chat.completion');
      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: STORY });
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({ prompt_tokens: 34, completion_tokens: 32, total_tokens: 66 });
      expect(streamed).toBe(completion.choices[0]?.message.content);
    });

    test('a plain fetch + getReader loop through installFetch, relative and absolute URLs', async ({ page }) => {
      const results = await page.evaluate(async (messages) => {
        const restore = window.zstream.installFetch(window.engine, { baseURL: ['/v1', 'http://localhost:8000/v1'] });
        const read = async (url: string) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'qwen-7b', stream: true, messages }),
          });
          const reader = res.body!.getReader();
          const decoder = new TextDecoder();
          let text = '';
          const reads: string[] = [];
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const raw = decoder.decode(value, { stream: true });
            reads.push(raw);
            // The seeds' naive client: split each read on newlines, parse each `data:` line.
            for (const line of raw.split('\n')) {
              if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
              text += JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '';
            }
          }
          return { status: res.status, type: res.headers.get('content-type'), text, reads };
        };
        try {
          return [await read('/v1/chat/completions'), await read('http://localhost:8000/v1/chat/completions')];
        } finally {
          restore();
        }
      }, MESSAGES);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.type).toContain('text/event-stream');
        expect(r.text).toBe(STORY);
        // One whole event per read, and the stream closes right after [DONE].
        expect(r.reads.every((chunk) => chunk.endsWith('\n\n'))).toBe(true);
        expect(r.reads.at(-1)).toBe('data: [DONE]\n\n');
      }
    });
  });
}

// What the fetch shim answers by itself, before a request reaches the worker, is the same on both
// devices: checked on WASM, without a WebGPU load for each.
test.describe('wasm', () => {
  test.beforeEach(async ({ page }) => openEngine(page, 'wasm'));

  test('requests outside the base URL pass through to the real fetch untouched', async ({ page, baseURL }) => {
    await page.route('**/echo/**', async (route) => {
      const req = route.request();
      await route.fulfill({
        json: { method: req.method(), header: req.headers()['x-probe'], body: req.postData(), url: req.url() },
      });
    });
    const echoed = await page.evaluate(async () => {
      const original = window.fetch;
      const restore = window.zstream.installFetch(window.engine);
      const patched = window.fetch !== original;
      try {
        const res = await fetch('/echo/v1/chat/completions?q=1', { method: 'PUT', headers: { 'x-probe': 'yes' }, body: 'raw body' });
        const aborted = await fetch('/echo/x', { signal: AbortSignal.abort() }).then(() => 'resolved', (e: Error) => e.name);
        return { ...(await res.json()), aborted };
      } finally {
        restore();
        Object.assign(window, { restored: patched && window.fetch === original });
      }
    });
    expect(echoed).toEqual({
      method: 'PUT', header: 'yes', body: 'raw body', url: `${baseURL}/echo/v1/chat/completions?q=1`, aborted: 'AbortError',
    });
    expect(await page.evaluate(() => (window as unknown as { restored: boolean }).restored)).toBe(true);
  });

  test('bad requests get OpenAI error bodies, not exceptions', async ({ page }) => {
    const errors = await page.evaluate(async () => {
      const f = window.zstream.createFetch(window.engine);
      const post = async (body: string) => {
        const res = await f('/v1/chat/completions', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        return { status: res.status, body: await res.json() };
      };
      return [await post('{not json'), await post(JSON.stringify({ model: 'm' }))];
    });
    expect(errors[0]?.status).toBe(400);
    expect(errors[0]?.body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(errors[1]?.status).toBe(400);
    expect(errors[1]?.body).toEqual({
      error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
    });
  });
});
