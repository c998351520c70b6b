// Every way a caller can stop a request, on the real model and both devices. Each must stop that
// request's generation within one decode step, free its KV cache and leave the engine ready at once.
// Decode steps are counted in the worker, on the clock the main thread shares with it.
import { DEVICES, STORY, expect, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

/** The story is 32 tokens, then one step that picks the end-of-sequence token. */
const STORY_STEPS = 33;
/** Tokens a caller has read at most when it stops (the streaming modes read two or three). */
const TOKENS_READ = 3;
const WASM_RUN_AHEAD = 1;

for (const device of DEVICES) {
  test.describe(device, () => {
    test('every way to stop a request stops generation within one step and frees its KV cache', async ({ page }) => {
      test.slow();
      // On WebGPU (tens of tokens/s here) a run-ahead longer than the story leaves only the stop to end
      // generation. WASM decodes the whole story in milliseconds: there the reader paces it (runAhead 1).
      await openEngineWith(page, device, { runAhead: device === 'webgpu' ? 64 : WASM_RUN_AHEAD });
      const rows = await page.evaluate(async ({ messages, BASE_URL, longWords }) => {
        const { engine, zstream, zstreamTesting, OpenAI } = window;
        const hooks = zstreamTesting.engineTestHooks(engine);
        const clock = () => performance.timeOrigin + performance.now();
        const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
        const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
        const nameOf = (e: unknown) => (e instanceof Error && !['Error', 'DOMException'].includes(e.constructor.name) ? e.constructor.name : (e as Error).name);
        const settle = (p: Promise<unknown>) => p.then(() => 'returned', nameOf);
        // A long prompt: its prefill is one long step, during which a request is stopped.
        const longMessages = [{ role: 'user' as const, content: Array.from({ length: longWords }, (_, i) => `w${i % 10}`).join(' ') }];
        const prefilling = () => hooks.statsWhen((s) => s.openKvCaches === 1);
        /** Pauses an async loop at a point: `reached` resolves there, `resume()` lets it go on. */
        const gate = () => {
          let reached!: () => void;
          let resume!: () => void;
          return { at: new Promise<void>((r) => (reached = r)), go: new Promise<void>((r) => (resume = r)), reached: () => reached(), resume: () => resume() };
        };

        /** Each starts a request, returns once it is mid-generation, and gives the stop: it stops, then resolves with what the caller saw. */
        type Stop = () => Promise<string>;
        const streamedFetch = async (stop: (res: Response, reader: ReadableStreamDefaultReader<Uint8Array>, abort: AbortController) => Promise<unknown>): Promise<Stop> => {
          const abort = new AbortController();
          const res = await fetch(`${BASE_URL}/chat/completions`, { method: 'POST', signal: abort.signal, body: JSON.stringify({ model: 'm', stream: true, messages }) });
          const reader = res.body!.getReader();
          for (let i = 0; i < 3; i++) await reader.read(); // the role chunk and two tokens
          return () => settle(stop(res, reader, abort));
        };
        const loopWithBreak = async (iterate: () => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>): Promise<Stop> => {
          const g = gate();
          const loop = settle((async () => {
            let n = 0;
            for await (const _ of await iterate()) {
              if (++n === 3) {
                g.reached();
                await g.go;
                break;
              }
            }
          })());
          await g.at;
          return () => (g.resume(), loop);
        };
        const modes: Record<string, () => Promise<Stop>> = {
          'fetch: AbortSignal mid-stream': () => streamedFetch((_res, reader, abort) => (abort.abort(), reader.read())),
          'fetch: response.body.cancel()': () => streamedFetch((res, reader) => (reader.releaseLock(), res.body!.cancel())),
          'fetch: reader.cancel()': () => streamedFetch((_res, reader) => reader.cancel()),
          'openai SDK: stream.controller.abort()': async () => {
            const stream = await client.chat.completions.create({ model: 'm', stream: true, messages });
            const it = stream[Symbol.asyncIterator]();
            for (let i = 0; i < 3; i++) await it.next();
            return () => (stream.controller.abort(), settle((async () => { while (!(await it.next()).done); })()));
          },
          'openai SDK: break out of for await': async () =>
            loopWithBreak(() => client.chat.completions.create({ model: 'm', stream: true, messages })),
          'engine.chatStream: break': () => loopWithBreak(() => engine.chatStream(messages)),
          'engine.chatStream: iterator return()': async () => {
            const it = engine.chatStream(messages)[Symbol.asyncIterator]();
            await it.next();
            await it.next();
            return () => settle(it.return!(undefined));
          },
          'engine.chatStream: AbortSignal': async () => {
            const abort = new AbortController();
            const it = engine.chatStream(messages, { signal: abort.signal })[Symbol.asyncIterator]();
            await it.next();
            await it.next();
            return () => (abort.abort(), settle(it.next()));
          },
          'fetch, not streamed: AbortSignal during prefill': async () => {
            const abort = new AbortController();
            const outcome = settle(fetch(`${BASE_URL}/chat/completions`, { method: 'POST', signal: abort.signal, body: JSON.stringify({ model: 'm', messages: longMessages }) }));
            await prefilling();
            return () => (abort.abort(), outcome);
          },
          'engine.chat: AbortSignal during prefill': async () => {
            const abort = new AbortController();
            const outcome = settle(engine.chat(longMessages, { signal: abort.signal }));
            await prefilling();
            return () => (abort.abort(), outcome);
          },
        };

        const rows = [];
        for (const [mode, start] of Object.entries(modes)) {
          await hooks.settled();
          const t0 = clock();
          const stop = await start();
          const stoppedAt = clock();
          const outcome = await stop();
          // A decode step can take a while on SwiftShader: wait for the release (or 15 s), then for quiet.
          await hooks.statsWhen((s) => s.openKvCaches === 0);
          const after = await hooks.settled();
          const steps = (await hooks.stepTimes()).filter((t) => t > t0);
          // When each step after the stop ended, in ms after it (for the failure message).
          const endedAfter = steps.filter((t) => t > stoppedAt).map((t) => Math.round((t - stoppedAt) * 100) / 100);
          const stepsAfter = endedAfter.length;
          const n0 = performance.now();
          const next = (await engine.chat(messages)).text;
          rows.push({
            mode, outcome, stepsBefore: steps.length - stepsAfter, stepsAfter, endedAfter, kvCaches: after.openKvCaches, queued: after.queued,
            restarts: after.workerRestarts, next, nextMs: Math.round(performance.now() - n0),
          });
        }
        return rows;
      }, { messages: MESSAGES, BASE_URL, longWords: device === 'webgpu' ? 100 : 600 });

      // The openai SDK ends its iteration quietly on its own abort; the other signals reject with AbortError.
      const EXPECTED_OUTCOME: Record<string, string> = {
        'fetch: AbortSignal mid-stream': 'AbortError',
        'engine.chatStream: AbortSignal': 'AbortError',
        'fetch, not streamed: AbortSignal during prefill': 'AbortError',
        'engine.chat: AbortSignal during prefill': 'AbortError',
      };
      for (const row of rows) {
        expect(row.outcome, row.mode).toBe(EXPECTED_OUTCOME[row.mode] ?? 'returned');
        expect(row.stepsBefore, `${row.mode}: stopped mid-generation`).toBeLessThan(STORY_STEPS);
        if (device === 'webgpu') {
          expect(row.stepsAfter, `${row.mode}: steps after the stop (ended ${row.endedAfter.join(', ')} ms after it)`).toBeLessThanOrEqual(1);
        } else {
          // A WASM step takes a millisecond or two: which side of the stop's clock reading the step in
          // flight ends on is a race between the threads. Counted instead: what the caller read, what
          // the run-ahead let the worker produce unread, and the one step in flight at the cancel.
          expect(row.stepsBefore + row.stepsAfter, `${row.mode}: steps in all (${row.stepsAfter} ended after the stop)`).toBeLessThanOrEqual(TOKENS_READ + WASM_RUN_AHEAD + 1);
        }
        expect(row.kvCaches, row.mode).toBe(0);
        expect(row.queued, row.mode).toBe(0);
        expect(row.restarts, `${row.mode}: the same worker serves on`).toBe(0);
        expect(row.next, row.mode).toBe(STORY);
      }
      console.log(`[${device}] decode steps after the stop:`, rows.map((r) => `${r.mode}: ${r.stepsAfter} [${r.endedAfter.join(', ')} ms] (of ${r.stepsBefore + r.stepsAfter}; next request ${r.nextMs} ms)`).join('; '));
    });

    test('a request stopped before it is sent, or while it waits in the queue, never generates', async ({ page }) => {
      await openEngineWith(page, device, { runAhead: 1, maxRunning: 1 }); // one at a time: the second waits
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const { engine, zstream, zstreamTesting } = window;
        const hooks = zstreamTesting.engineTestHooks(engine);
        const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
        const post = (signal: AbortSignal) =>
          fetch(`${BASE_URL}/chat/completions`, { method: 'POST', signal, body: JSON.stringify({ model: 'm', stream: true, messages }) });
        const before = (await hooks.settled()).generatedTokens;
        const early = await post(AbortSignal.abort()).then(() => 'resolved', (e: Error) => e.name);
        const afterEarly = (await hooks.settled()).generatedTokens - before;

        // The first request holds the model (its reader paused); the second waits and is aborted there.
        const running = (await post(new AbortController().signal)).body!.getReader();
        await running.read();
        await running.read();
        const abort = new AbortController();
        const queued = await post(abort.signal);
        const waiting = (await hooks.statsWhen((s) => s.queued === 1)).queued;
        abort.abort();
        const queuedRead = await queued.body!.getReader().read().then(() => 'resolved', (e: Error) => e.name);
        const waitingAfter = (await engine.stats!()).queued;
        // The first request reads on to its end: every step from here on is its own.
        const decoder = new TextDecoder();
        let raw = '';
        for (let r = await running.read(); !r.done; r = await running.read()) raw += decoder.decode(r.value, { stream: true });
        const all = (await hooks.settled()).generatedTokens - before - afterEarly;
        return { early, afterEarly, waiting, queuedRead, waitingAfter, all, ended: raw.endsWith('data: [DONE]\n\n') };
      }, { messages: MESSAGES, BASE_URL });
      expect(result).toEqual({
        early: 'AbortError', afterEarly: 0, waiting: 1, queuedRead: 'AbortError', waitingAfter: 0, all: STORY_STEPS, ended: true,
      });
    });
  });
}
