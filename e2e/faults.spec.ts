// Faults on the real model: the worker dies, loses its GPU device or hangs mid-stream. The running
// stream ends with `event: error` (the openai SDK raises APIError), the queued request is not lost,
// the engine starts a new worker and reloads by itself, and the next request succeeds.
import { DEVICES, STORY, expect, openHarness, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

for (const device of DEVICES) {
  test(`[${device}] a crashed worker: event: error for the running stream, the queued one is served by a new worker`, async ({ page }) => {
    test.slow();
    // One request at a time, so that the second one waits (maxRunning 1; requests interleave by default).
    await openEngineWith(page, device, { maxRunning: 1 });
    const result = await page.evaluate(async ({ messages, BASE_URL }) => {
      const { engine, zstream, zstreamTesting, OpenAI } = window;
      const hooks = zstreamTesting.engineTestHooks(engine);
      const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
      const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
      const running = await fetch(`${BASE_URL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true, messages }) });
      const reader = running.body!.getReader();
      const decoder = new TextDecoder();
      let wire = '';
      for (let i = 0; i < 3; i++) wire += decoder.decode((await reader.read()).value);
      const queued = await client.chat.completions.create({ model: 'm', stream: true, messages });
      const killedAt = performance.now();
      await hooks.crashWorker();
      for (let r = await reader.read(); !r.done; r = await reader.read()) wire += decoder.decode(r.value);
      let queuedText = '';
      let firstTokenAfterKill = 0;
      for await (const chunk of queued) {
        const delta = chunk.choices[0]?.delta?.content ?? '';
        if (delta && !firstTokenAfterKill) firstTokenAfterKill = performance.now() - killedAt;
        queuedText += delta;
      }
      const next = await client.chat.completions.create({ model: 'm', messages });
      return {
        frames: wire.split('\n\n').filter(Boolean), queuedText, firstTokenAfterKill,
        next: next.choices[0]?.message.content, stats: await engine.stats!(), device: engine.model.device,
      };
    }, { messages: MESSAGES, BASE_URL });
    const last = result.frames.at(-1)!;
    expect(last).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(last.split('\ndata: ')[1]!)).toEqual({
      error: { message: expect.stringContaining('worker stopped'), type: 'server_error', param: null, code: 'worker_crashed' },
    });
    expect(result.frames.some((f) => f.includes('[DONE]'))).toBe(false);
    expect(result.queuedText).toBe(STORY);
    expect(result.next).toBe(STORY);
    expect(result.stats).toMatchObject({ workerRestarts: 1, running: 0, queued: 0, openKvCaches: 0 });
    expect(result.device).toBe(device);
    console.log(`[${device}] killed worker → queued request's first token after ${Math.round(result.firstTokenAfterKill)} ms`);
  });
}

/** Faults injected mid-stream through the openai SDK, with a request waiting behind. */
const MID_STREAM = [
  { device: 'webgpu', fault: 'loseDevice', title: 'a lost GPU device', options: { maxRunning: 1 }, error: 'The GPU device was lost' },
  // The worker's thread spins: only the stall timeout notices, then the stuck worker is replaced.
  { device: 'wasm', fault: 'hangWorker', title: 'a hung worker with stallTimeoutMs', options: { stallTimeoutMs: 1000, maxRunning: 1 }, error: 'made no progress for 1000 ms' },
] as const;

for (const { device, fault, title, options, error } of MID_STREAM) {
  test(`[${device}] ${title}: the SDK raises APIError, the waiting request runs in a new worker`, async ({ page }) => {
    test.slow();
    await openEngineWith(page, device, options);
    const result = await page.evaluate(async ({ messages, BASE_URL, fault }) => {
      const { engine, zstream, zstreamTesting, OpenAI } = window;
      const hooks = zstreamTesting.engineTestHooks(engine);
      const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
      const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch, maxRetries: 0 });
      const running = await client.chat.completions.create({ model: 'm', stream: true, messages });
      const waiting = engine.chat(messages);
      let text = '';
      let error: { name: string; message: string } | undefined;
      try {
        let n = 0;
        for await (const chunk of running) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (++n === 3) await hooks[fault]();
        }
      } catch (e) {
        error = { name: (e as Error).constructor.name, message: (e as Error).message };
      }
      return { text, error, waiting: (await waiting).text, stats: await engine.stats!(), device: engine.model.device };
    }, { messages: MESSAGES, BASE_URL, fault });
    expect(result.error).toEqual({ name: 'APIError', message: expect.stringContaining(error) });
    expect(STORY.startsWith(result.text) && result.text.length < STORY.length).toBe(true);
    expect(result.waiting).toBe(STORY);
    expect(result.device).toBe(device);
    expect(result.stats).toMatchObject({ workerRestarts: 1, openKvCaches: 0 });
  });
}

test('[wasm] a failed backend: the request it had finished gets its last events, only the one it ran fails, the waiting one runs in a new worker', async ({ page }) => {
  test.slow();
  await openEngineWith(page, 'wasm'); // runAhead 16 (openEngineWith's): the second request is mid-answer at the failure
  const result = await page.evaluate(async ({ messages }) => {
    const { engine, zstreamTesting } = window;
    const hooks = zstreamTesting.engineTestHooks(engine);
    const textOf = (events: Array<{ type: string; text?: string } | undefined>) => events.map((e) => e?.text ?? '').join('');
    const readAll = async (reader: ReadableStreamDefaultReader) => {
      const events = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) events.push(r.value);
      return events;
    };
    // Read until 3 events are left (" end", ".", done): the worker, 16 ahead, has generated the whole
    // answer and let go of the request; its last events are on their way (issue #12 §2).
    const finished = (await engine.generate({ messages })).getReader();
    const head = [];
    while (!textOf(head).endsWith(' The')) head.push((await finished.read()).value);
    await hooks.statsWhen((s) => s.running === 0); // the last two tokens may still be a step away
    const running = (await engine.generate({ messages })).getReader();
    await running.read(); // it has the model: the first one was released
    const waiting = engine.chat(messages);
    await hooks.failBackend();
    const tail = await readAll(finished);
    return {
      text: textOf([...head, ...tail]), last: tail.at(-1)?.type, running: (await readAll(running)).at(-1),
      waiting: (await waiting).text, stats: await engine.stats!(),
    };
  }, { messages: MESSAGES });
  expect(result.text).toBe(STORY);
  expect(result.last).toBe('done');
  expect(result.running).toMatchObject({ type: 'error', error: { code: 'generation_failed', message: expect.stringContaining('injected') } });
  expect(result.waiting).toBe(STORY);
  expect(result.stats).toMatchObject({ workerRestarts: 1, running: 0, queued: 0, openKvCaches: 0 });
});

test('[wasm] a worker that dies before it holds its life lock fails createEngine with worker_crashed, not a hang', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const t0 = performance.now();
    const options = { device: 'wasm' as const, modelBaseURL: '/models/', exitOnConnect: true, connectTimeoutMs: 3000 };
    const error = await window.zstreamTesting.createTestEngine(options).then(() => undefined, (e: Error & { code?: string }) => ({ code: e.code, message: e.message }));
    return { error, ms: performance.now() - t0 };
  });
  expect(result.error).toMatchObject({ code: 'model_load_failed', message: expect.stringContaining('did not start within 3000 ms') });
  expect(result.ms).toBeLessThan(10_000);
});
