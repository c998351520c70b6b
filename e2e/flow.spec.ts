// Backpressure and concurrency on the real model, on both devices: how far generation runs ahead of
// a paused reader (counted in the worker), FIFO requests that each get only their own tokens, the
// bounded queue's 429 (WASM: it is main-thread code), and no long task on the main thread while streaming.
import { DEVICES, STORY, expect, openHarness, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

/**
 * The queue's bound, its 429 and retry-after are main-thread code (src/engine/request-queue.ts), the
 * same whatever device the worker runs on: WASM checks them, without a minute of WebGPU load each.
 */
const QUEUE_ON_MAIN_THREAD = 'the queue is main-thread code, the same on both devices';

for (const device of DEVICES) {
  test.describe(device, () => {
    test('a paused reader pauses generation exactly runAhead events ahead; reading again resumes it', async ({ page }) => {
      test.slow(); // three engines, nine paused streams
      await openHarness(page); // the test makes its three engines
      const rows = await page.evaluate(async ({ messages, BASE_URL, device }) => {
        const { zstream, zstreamTesting, OpenAI } = window;
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const results = [];
        // Up to 8: the story's first 10 tokens are whole words, one event each, so tokens count events
        // (16 would reach 👋, several tokens in one event).
        for (const runAhead of [1, 4, 8]) {
          const engine = await zstreamTesting.createTestEngine({ device, modelBaseURL: '/models/', runAhead });
          const hooks = zstreamTesting.engineTestHooks(engine);
          const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
          const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
          // Each path reads 2 events (or content chunks), then stops reading.
          const paths: Record<string, () => Promise<{ delivered: number; firstTokens?: number[]; rest: () => Promise<string> }>> = {
            'engine.generate': async () => {
              const reader = (await engine.generate({ messages })).getReader();
              const firstTokens: number[] = [];
              let text = '';
              for (let i = 0; i < 2; i++) {
                const { value } = await reader.read();
                if (value?.type === 'delta') (firstTokens.push(value.tokens), (text += value.text));
              }
              const rest = async () => {
                for (let r = await reader.read(); !r.done; r = await reader.read()) {
                  if (r.value.type === 'delta') text += r.value.text;
                  else if (r.value.type === 'error') text += ` [error: ${r.value.error.message}]`;
                }
                return text;
              };
              return { delivered: firstTokens.reduce((a, b) => a + b, 0), firstTokens, rest };
            },
            'fetch + getReader': async () => {
              const res = await fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages }) });
              // A bare reader: a pipe (pipeThrough(new TextDecoderStream())) would read ahead of it.
              const reader = res.body!.getReader();
              const decoder = new TextDecoder();
              let raw = decoder.decode((await reader.read()).value); // the role chunk: no token
              for (let i = 0; i < 2; i++) raw += decoder.decode((await reader.read()).value);
              const rest = async () => {
                for (let r = await reader.read(); !r.done; r = await reader.read()) raw += decoder.decode(r.value);
                return raw.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '').join('');
              };
              return { delivered: 2, rest };
            },
            'openai SDK': async () => {
              const stream = await client.chat.completions.create({ model: 'm', stream: true, messages });
              const it = stream[Symbol.asyncIterator]();
              let text = '';
              for (let i = 0; i < 3; i++) text += (await it.next()).value?.choices[0]?.delta?.content ?? ''; // role, then 2 tokens
              const rest = async () => {
                for (let r = await it.next(); !r.done; r = await it.next()) text += r.value.choices[0]?.delta?.content ?? '';
                return text;
              };
              return { delivered: 2, rest };
            },
          };
          for (const [path, open] of Object.entries(paths)) {
            const before = (await hooks.settled()).generatedTokens;
            const reading = await open();
            // Wait until the worker is runAhead events ahead (decode steps can be slow here), then
            // see that it goes no further while the reader stays paused.
            const target = before + reading.delivered + runAhead;
            const paused = await hooks.statsWhen((s) => s.generatedTokens >= target);
            await sleep(1500);
            const later = await engine.stats!();
            const text = await reading.rest();
            results.push({
              runAhead, path, delivered: reading.delivered, firstTokens: reading.firstTokens,
              ahead: paused.generatedTokens - before - reading.delivered,
              grewWhilePaused: later.generatedTokens - paused.generatedTokens,
              kvCachesWhilePaused: later.openKvCaches, text,
            });
          }
          engine.dispose();
        }
        return results;
      }, { messages: MESSAGES, BASE_URL, device });
      for (const row of rows) {
        const where = `${row.path}, runAhead ${row.runAhead}`;
        // The story's first tokens are whole words: one token per event, so SSE chunks count tokens too.
        if (row.firstTokens) expect(row.firstTokens, where).toEqual([1, 1]);
        expect(row.ahead, where).toBe(row.runAhead);
        expect(row.grewWhilePaused, where).toBe(0);
        expect(row.kvCachesWhilePaused, where).toBe(1);
        expect(row.text, where).toBe(STORY);
      }
      console.log(`[${device}] tokens generated ahead of a paused reader:`, rows.map((r) => `${r.path} runAhead ${r.runAhead}: ${r.ahead}`).join('; '));
    });

    test('concurrent requests queue FIFO; each stream gets exactly what it gets alone', async ({ page }) => {
      // Two hold the model and take turns, three wait: both admission and interleaving are exercised.
      await openEngineWith(page, device, { maxRunning: 2 });
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        // Which request reached the engine's queue when: taken where both paths enter it (the shim
        // calls generateAll, chatStream calls generate), not where the SDK calls fetch — the shim
        // parses a body asynchronously, so an SDK request can reach the queue after later ones.
        const order: string[] = [];
        const engine = window.engine;
        const nameOf = (r: { max_tokens?: number; seed?: number; stop?: unknown }) =>
          r.seed === 7 ? 'request 2' : r.seed === 99 ? 'request 4' : r.stop ? 'request 3' : r.max_tokens === 7 ? 'request 1' : 'request 0';
        const { generate, generateAll } = engine;
        engine.generate = (request, ...rest) => {
          order.push(nameOf(request));
          return generate.call(engine, request, ...rest);
        };
        engine.generateAll = (requests, ...rest) => {
          for (const request of requests) order.push(nameOf(request));
          return generateAll.call(engine, requests, ...rest);
        };
        const fetch = window.zstream.createFetch(engine, { baseURL: BASE_URL });
        const client = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
        // Different requests, so that a token in the wrong stream would show.
        const requests = [
          { messages },
          { messages, max_tokens: 7 },
          { messages, temperature: 1.5, seed: 7, max_tokens: 12 },
          { messages, stop: ['tiny'] },
          { messages, temperature: 1.5, seed: 99, max_tokens: 12 },
        ];
        const run = async (request: (typeof requests)[number], i: number) => {
          const name = `request ${i}`;
          let text = '';
          let first = 0;
          const got = (delta: string) => {
            if (delta && !first) first = performance.now();
            text += delta;
          };
          if (i % 2 === 0) {
            for await (const chunk of await client.chat.completions.create({ model: name, stream: true, ...request })) got(chunk.choices[0]?.delta?.content ?? '');
          } else {
            const { messages: m, ...params } = request;
            for await (const delta of window.engine.chatStream(m, params)) got(delta);
          }
          return { name, text, first };
        };
        const together = await Promise.all(requests.map(run));
        const submitted = [...order];
        engine.generate = generate;
        engine.generateAll = generateAll;
        const alone = [];
        for (const [i, request] of requests.entries()) alone.push((await run(request, i)).text);
        return { together, submitted, alone, stats: await window.engine.stats!() };
      }, { messages: MESSAGES, BASE_URL });
      expect(result.together.map((r) => r.text)).toEqual(result.alone);
      expect(result.alone[0]).toBe(STORY);
      expect(result.alone[1]).toBe('Once upon a time, a tiny model'); // 7 tokens
      expect(result.alone[3]).toBe('Once upon a time, a ');
      expect(result.alone[2]).not.toBe(result.alone[4]); // other seeds, other samples
      // FIFO: the first tokens arrive in the order the requests reached the engine.
      const byFirstToken = [...result.together].sort((a, b) => a.first - b.first).map((r) => r.name);
      expect(byFirstToken).toEqual(result.submitted);
      expect(result.stats).toMatchObject({ running: 0, queued: 0, openKvCaches: 0 });
    });

    test('a full queue answers 429 with OpenAI\'s body and retry-after; the SDK retries after it', async ({ page }) => {
      test.skip(device === 'webgpu', QUEUE_ON_MAIN_THREAD);
      await openEngineWith(page, device, { maxQueued: 1, maxRunning: 1 }); // one at a time: the second waits
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL });
        const post = () => fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages }) });
        const running = (await post()).body!.getReader();
        await running.read();
        await running.read(); // the first request holds the model (its reader paused) ...
        const queued = await post(); // ... the second waits ...
        const full = await post(); // ... and the third finds the queue full.
        const refused = { status: full.status, retryAfter: full.headers.get('retry-after'), body: await full.json() };
        const strict = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
        const sdkError = await strict.chat.completions.create({ model: 'm', messages }).then(() => undefined, (e: Error & { status?: number }) => ({ name: e.constructor.name, status: e.status }));
        // With its default retries the SDK waits retry-after seconds and asks again: by then the queue has room.
        const statuses: number[] = []; // every request the patient client made, counted
        let answered!: () => void;
        const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
        const counting: typeof fetch = async (input, init) => {
          const response = await fetch(input, init);
          statuses.push(response.status);
          answered();
          return response;
        };
        const patient = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: counting });
        const retried = patient.chat.completions.create({ model: 'm', messages });
        await firstAnswer; // refused: the queue is still full
        await running.cancel();
        const queuedText = await queued.text();
        return { refused, sdkError, retried: (await retried).choices[0]?.message.content, statuses, queuedDone: queuedText.endsWith('data: [DONE]\n\n') };
      }, { messages: MESSAGES, BASE_URL });
      expect(result.refused.status).toBe(429);
      expect(Number(result.refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(result.refused.body).toEqual({
        error: { message: expect.stringContaining('busy'), type: 'requests', param: null, code: 'rate_limit_exceeded' },
      });
      expect(result.sdkError).toEqual({ name: 'RateLimitError', status: 429 });
      expect(result.statuses).toEqual([429, 200]); // refused once, then served on its one retry
      expect(result.retried).toBe(STORY);
      expect(result.queuedDone).toBe(true);
    });

    test("a request's n choices are one unit: a full queue refuses the next request, never choice 2 mid-stream", async ({ page }) => {
      test.skip(device === 'webgpu', QUEUE_ON_MAIN_THREAD);
      // One at a time: the choices wait. runAhead 1: choice 0 pauses a token ahead of its reader, so
      // it still holds the model (and choice 1 the queue) when the third request arrives.
      await openEngineWith(page, device, { maxQueued: 1, maxRunning: 1, runAhead: 1 });
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL });
        const post = (body: object) => fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages, ...body }) });
        const running = (await post({})).body!.getReader();
        await running.read();
        await running.read(); // it holds the model
        const twoChoices = (await post({ n: 2, max_tokens: 12 })).body!.getReader(); // both choices wait: the queue is full
        const whileWaiting = (await post({})).status;
        await running.cancel();
        const decoder = new TextDecoder();
        let wire = '';
        while (!wire.includes('"content":"Once"')) wire += decoder.decode((await twoChoices.read()).value); // choice 0 runs
        const whileRunning = (await post({})).status; // choice 1 still waits: no room
        for (let r = await twoChoices.read(); !r.done; r = await twoChoices.read()) wire += decoder.decode(r.value);
        return { whileWaiting, whileRunning, wire };
      }, { messages: MESSAGES, BASE_URL });
      expect(result.whileWaiting).toBe(429);
      expect(result.whileRunning).toBe(429);
      expect(result.wire).not.toContain('event: error');
      expect(result.wire).toContain('"index":1');
      expect(result.wire.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    test('200 requests at once through the openai SDK, default retries: every one succeeds', async ({ page }) => {
      test.skip(device === 'webgpu', QUEUE_ON_MAIN_THREAD);
      test.slow();
      await openEngineWith(page, device);
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const shim = window.zstream.createFetch(window.engine, { baseURL: BASE_URL });
        const statuses: number[] = [];
        const retryAfter: number[] = [];
        const counting: typeof fetch = async (input, init) => {
          const response = await shim(input, init);
          statuses.push(response.status);
          if (response.status === 429) retryAfter.push(Number(response.headers.get('retry-after')));
          return response;
        };
        const client = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch: counting });
        const t0 = performance.now();
        const outcomes = await Promise.all(Array.from({ length: 200 }, () =>
          client.chat.completions.create({ model: 'm', messages, max_tokens: 2 }).then((r) => r.choices[0]?.message.content ?? '', (e: Error) => `failed: ${e.message}`)));
        return { outcomes, statuses, retryAfter, ms: performance.now() - t0 };
      }, { messages: MESSAGES, BASE_URL });
      const failed = result.outcomes.filter((o) => o.startsWith('failed'));
      const count = (status: number) => result.statuses.filter((s) => s === status).length;
      console.log(`[${device}] 200 SDK requests: ${count(200)} served, ${count(429)} refusals (retry-after ${Math.min(...result.retryAfter)}–${Math.max(...result.retryAfter)} s), ${failed.length} failed, ${Math.round(result.ms)} ms`);
      expect(failed).toEqual([]);
      expect(count(200)).toBe(200);
      expect(new Set(result.outcomes).size).toBe(1);
      expect(STORY.startsWith(result.outcomes[0]!)).toBe(true);
    });

    test('the main thread has no long task while streaming', async ({ page }) => {
      await openEngineWith(page, device);
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const fetch = window.zstream.createFetch(window.engine, { baseURL: BASE_URL });
        const client = new window.OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
        let chunks = 0;
        const sdk = async () => {
          for await (const _ of await client.chat.completions.create({ model: 'm', stream: true, messages })) chunks++;
        };
        const engine = async () => {
          for await (const _ of window.engine.chatStream(messages)) chunks++;
        };
        // One pass before observing: V8 compiles the SDK's and the shim's code lazily on first use,
        // a one-time cost of page start-up, not of streaming.
        await Promise.all([sdk(), engine()]);
        chunks = 0;
        const longTasks: number[] = [];
        const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        observer.observe({ type: 'longtask' });
        const t0 = performance.now();
        await Promise.all([sdk(), engine(), sdk(), engine()]);
        await new Promise((r) => setTimeout(r, 100)); // let the observer report
        observer.disconnect();
        return { longTasks, chunks, ms: performance.now() - t0 };
      }, { messages: MESSAGES, BASE_URL });
      console.log(`[${device}] ${result.chunks} chunks in ${Math.round(result.ms)} ms; long tasks: ${JSON.stringify(result.longTasks)}`);
      expect(result.chunks).toBeGreaterThan(100);
      // RAIL's budget: input is answered within 100 ms. Tasks above it would be a visible freeze; a
      // 50–100 ms "long task" on a loaded CI machine is a garbage collection, not our streaming.
      expect(result.longTasks.filter((ms) => ms >= 100)).toEqual([]);
    });
  });
}
