// Requests interleave on the real model (worker/scheduler.ts, docs/scheduling.md): streams started
// together progress side by side, a paused reader holds up no one, maxRunning bounds the KV caches
// (FIFO beyond it), greedy text stays exact under interleaving, and top_p 0 never hurts the worker.
import { DEVICES, STORY, expect, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

for (const device of DEVICES) {
  test.describe(device, () => {
    test('two streams started together both progress: each has its first token long before either ends', async ({ page }) => {
      await openEngineWith(page, device);
      const result = await page.evaluate(async (messages) => {
        const { engine } = window;
        const read = async () => {
          const reader = (await engine.generate({ messages })).getReader();
          let text = '';
          let first: number | undefined;
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            if (r.value.type !== 'delta') continue;
            first ??= performance.now();
            text += r.value.text;
          }
          return { text, first: first!, done: performance.now() };
        };
        const [a, b] = await Promise.all([read(), read()]);
        return { a, b, stats: await engine.stats!() };
      }, MESSAGES);
      expect(result.a.text).toBe(STORY);
      expect(result.b.text).toBe(STORY);
      // One after the other (FIFO), b's first token would come after a's last.
      expect(result.b.first).toBeLessThan(result.a.done);
      expect(result.a.first).toBeLessThan(result.b.done);
      const gap = Math.abs(result.b.first - result.a.first);
      const aloneMs = result.a.done - result.a.first;
      console.log(`[${device}] first tokens ${gap.toFixed(1)} ms apart; a's whole answer took ${aloneMs.toFixed(1)} ms after its first token`);
      expect(gap).toBeLessThan(Math.max(100, aloneMs / 2));
      expect(result.stats).toMatchObject({ running: 0, openKvCaches: 0, workerRestarts: 0 });
    });

    test('a paused reader holds up no one: every client path completes while it waits, then it reads the rest', async ({ page }) => {
      await openEngineWith(page, device);
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const { engine, zstream, OpenAI } = window;
        const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
        const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
        const blocked = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('blocked'), ms));
        // Paused after one token: a stream, a never-iterated SDK stream, an abandoned chatStream.
        const paused = (await engine.generate({ messages })).getReader();
        const first = await paused.read();
        const neverIterated = await client.chat.completions.create({ model: 'm', stream: true, messages });
        const abandoned = engine.chatStream(messages)[Symbol.asyncIterator]();
        await abandoned.next();
        // The three have generated their run-ahead and wait for their readers; then the clock starts.
        await window.zstreamTesting.engineTestHooks(engine).settled();
        const others = Promise.all([
          engine.chat(messages).then((r) => r.text),
          client.chat.completions.create({ model: 'm', messages }).then((c) => c.choices[0]?.message.content),
        ]);
        const started = performance.now();
        const outcome = await Promise.race([others, blocked(15_000)]);
        const othersMs = performance.now() - started;
        const during = await engine.stats!();
        let rest = '';
        for (let r = await paused.read(); !r.done; r = await paused.read()) if (r.value.type === 'delta') rest += r.value.text;
        await abandoned.return?.();
        neverIterated.controller.abort();
        return { first: first.value, outcome, othersMs, during, rest };
      }, { messages: MESSAGES, BASE_URL });
      expect(result.outcome).toEqual([STORY, STORY]);
      console.log(`[${device}] two requests completed in ${result.othersMs.toFixed(0)} ms beside three paused readers`);
      expect(result.during).toMatchObject({ running: 3, openKvCaches: 3, queued: 0 });
      expect(result.first).toMatchObject({ type: 'delta' });
      expect((result.first?.type === 'delta' ? result.first.text : '') + result.rest).toBe(STORY);
    });

    test('maxRunning bounds the KV caches: the next request waits (FIFO) and starts when one lets go', async ({ page }) => {
      await openEngineWith(page, device, { maxRunning: 2 });
      const result = await page.evaluate(async (messages) => {
        const { engine } = window;
        const statsWhen = async (ok: (s: Awaited<ReturnType<NonNullable<typeof engine.stats>>>) => boolean) => {
          for (;;) {
            const s = await engine.stats!();
            if (ok(s)) return s;
            await new Promise((r) => setTimeout(r, 10));
          }
        };
        const open = async () => {
          const reader = (await engine.generate({ messages })).getReader();
          return { reader, first: reader.read() };
        };
        const one = await open();
        const two = await open();
        await Promise.all([one.first, two.first]);
        const three = await open();
        let threeStarted = false;
        void three.first.then(() => (threeStarted = true));
        const full = await statsWhen((s) => s.queued === 1);
        // Two paused readers hold both places; the third waits however long one reads meanwhile.
        let oneText = '';
        for (let i = 0; i < 5; i++) {
          const r = await one.reader.read();
          if (r.value?.type === 'delta') oneText += r.value.text;
        }
        const stillWaiting = !threeStarted;
        await two.reader.cancel();
        const firstOfThree = await three.first;
        const after = await statsWhen((s) => s.queued === 0 && s.running === 2);
        let threeText = firstOfThree.value?.type === 'delta' ? firstOfThree.value.text : '';
        for (let r = await three.reader.read(); !r.done; r = await three.reader.read()) if (r.value.type === 'delta') threeText += r.value.text;
        await one.reader.cancel();
        const end = await statsWhen((s) => s.running === 0);
        return { full, oneText, stillWaiting, after, threeText, end };
      }, MESSAGES);
      expect(result.full).toMatchObject({ running: 2, openKvCaches: 2, queued: 1 });
      expect(result.oneText.length).toBeGreaterThan(0);
      expect(result.stillWaiting).toBe(true);
      expect(result.after).toMatchObject({ running: 2, queued: 0 });
      expect(result.threeText).toBe(STORY);
      expect(result.end).toMatchObject({ running: 0, openKvCaches: 0, queued: 0 });
    });

    test('greedy text stays exact under interleaving: 10 concurrent requests over every path, each the story', async ({ page }) => {
      test.slow(device === 'webgpu', 'ten answers on SwiftShader');
      await openEngineWith(page, device);
      const result = await page.evaluate(async ({ messages, BASE_URL }) => {
        const { engine, zstream, OpenAI } = window;
        const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
        const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
        const sdkStream = async () => {
          let text = '';
          for await (const c of await client.chat.completions.create({ model: 'm', stream: true, messages })) text += c.choices[0]?.delta?.content ?? '';
          return text;
        };
        const chatStream = async () => {
          let text = '';
          for await (const t of engine.chatStream(messages)) text += t;
          return text;
        };
        const paths = [
          () => engine.chat(messages).then((r) => r.text),
          sdkStream,
          chatStream,
          () => client.chat.completions.create({ model: 'm', messages }).then((c) => c.choices[0]?.message.content),
          () => client.chat.completions.create({ model: 'm', messages, temperature: 0.8, top_p: 0 }).then((c) => c.choices[0]?.message.content),
        ];
        const texts = await Promise.all([...paths, ...paths].map((p) => p()));
        return { texts, stats: await engine.stats!() };
      }, { messages: MESSAGES, BASE_URL });
      expect(result.texts).toEqual(Array(10).fill(STORY));
      expect(result.stats).toMatchObject({ running: 0, queued: 0, openKvCaches: 0, workerRestarts: 0 });
    });

    test('top_p 0 never restarts the worker, on chat and /completions, streamed or not', async ({ page }) => {
      await openEngineWith(page, device);
      const result = await page.evaluate(async (messages) => {
        const { engine, zstream } = window;
        const f = zstream.createFetch(engine);
        const post = async (path: string, body: object) => {
          const res = await f(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', ...body }) });
          return { status: res.status, text: await res.text() };
        };
        const sampling = { temperature: 1, top_p: 0, max_tokens: 12 };
        const answers = await Promise.all([
          post('/v1/chat/completions', { messages, ...sampling }),
          post('/v1/chat/completions', { messages, ...sampling, stream: true }),
          post('/v1/completions', { prompt: 'Once upon', ...sampling }),
          post('/v1/completions', { prompt: 'Once upon', ...sampling, stream: true }),
          post('/v1/chat/completions', { messages, temperature: 2, top_p: 0 }),
          post('/v1/chat/completions', { messages, temperature: 0.01, top_p: 1e-9 }),
        ]);
        const after = await engine.chat(messages);
        return { answers, after: after.text, stats: await engine.stats!() };
      }, MESSAGES);
      for (const answer of result.answers) {
        expect(answer.status, answer.text).toBe(200);
        expect(answer.text).not.toContain('error');
      }
      // top_p 0 keeps only the top token: the greedy answer.
      expect(JSON.parse(result.answers[4]!.text).choices[0].message.content).toBe(STORY);
      expect(result.after).toBe(STORY);
      expect(result.stats.workerRestarts).toBe(0);
    });
  });
}

test('[wasm] where requests cannot interleave (maxRunning 1), an idle reader is preempted after preemptIdleMs while another waits', async ({ page }) => {
  await openEngineWith(page, 'wasm', { maxRunning: 1, preemptIdleMs: 300 });
  const result = await page.evaluate(async (messages) => {
    const { engine } = window;
    // The clock starts before the idle request does: the worker's preempt clock starts later still
    // (when the unread request reaches its run-ahead), so waitedMs cannot undercount.
    const started = performance.now();
    const idle = (await engine.generate({ messages })).getReader();
    const first = await idle.read();
    const other = await engine.chat(messages);
    const waitedMs = performance.now() - started;
    const events = [];
    for (let r = await idle.read(); !r.done; r = await idle.read()) events.push(r.value);
    return { first: first.value, other: other.text, waitedMs, events, stats: await engine.stats!() };
  }, MESSAGES);
  expect(result.other).toBe(STORY);
  expect(result.waitedMs).toBeGreaterThanOrEqual(250);
  // What was generated ahead for it still arrives; then the error that says why it ended.
  const last = result.events.at(-1);
  expect(last).toMatchObject({ type: 'error', error: { code: 'request_timeout' } });
  expect(result.events.slice(0, -1).every((e) => e.type === 'delta')).toBe(true);
  expect(result.stats).toMatchObject({ running: 0, openKvCaches: 0, workerRestarts: 0 });
});
