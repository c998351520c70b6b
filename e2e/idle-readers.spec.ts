// No client mistake holds the model (issue #12 §1): a stream left unread — a body never read, read
// once then dropped, a chatStream left after one next(), an SDK stream never iterated — or a chat
// whose onToken throws. Three guards, one test each: the worker interleaves requests, so an idle
// reader stops only its own generation (worker/scheduler.ts); an idle-reader limit ends a request
// nobody pulls from with request_timeout; a stream nobody can reach any more is cancelled when
// collected (FinalizationRegistry). The mistakes themselves: e2e/idle-mistakes.ts.
import { DEVICES, STORY, expect, test } from './fixtures.js';
import { openEngineWith } from './flow-helpers.js';

const MESSAGES = [{ role: 'user' as const, content: 'Tell me a story' }];

for (const device of DEVICES) {
  test.describe(device, () => {
    test('with default settings a normal request completes within 2 s of its own time after each mistake (interleaving)', async ({ page }) => {
      test.slow();
      await openEngineWith(page, device);
      const rows = await page.evaluate(async ({ messages }) => {
        const { engine, idleMistakes, zstreamTesting } = window;
        const { MISTAKES } = idleMistakes;
        const hooks = zstreamTesting.engineTestHooks(engine);
        let t0 = performance.now();
        await engine.chat(messages);
        const aloneMs = performance.now() - t0;
        const rows = [];
        for (const mistake of MISTAKES) {
          const leftOver = await idleMistakes.makeMistake(mistake, engine, true);
          // Its run-ahead generated (it interleaves with the next request otherwise): then the clock starts.
          await hooks.settled();
          t0 = performance.now();
          const limit = new Promise<string>((resolve) => setTimeout(() => resolve('blocked'), aloneMs + 2000));
          const text = await Promise.race([engine.chat(messages).then((r) => r.text), limit]);
          const ms = performance.now() - t0;
          await leftOver?.(); // the careless client comes back: its request runs to its end
          rows.push({ mistake, text, ms: Math.round(ms), aloneMs: Math.round(aloneMs) });
        }
        return rows;
      }, { messages: MESSAGES });
      for (const row of rows) expect(row, row.mistake).toMatchObject({ text: STORY });
      console.log(`[${device}] next request after each mistake:`, rows.map((r) => `${r.mistake}: ${r.ms} ms (alone ${r.aloneMs} ms)`).join('; '));
    });

    test('idleTimeoutMs ends a request nobody reads with request_timeout, and the next request runs', async ({ page }) => {
      test.slow();
      await openEngineWith(page, device, { idleTimeoutMs: 1000 });
      const rows = await page.evaluate(async ({ messages }) => {
        const { engine, idleMistakes, zstreamTesting } = window;
        const { MISTAKES } = idleMistakes;
        const hooks = zstreamTesting.engineTestHooks(engine);
        const rows = [];
        for (const mistake of MISTAKES) {
          const leftOver = await idleMistakes.makeMistake(mistake, engine, true);
          const t0 = performance.now();
          const text = (await engine.chat(messages)).text;
          const ms = performance.now() - t0;
          // Interleaved, the next request may end before the idle limit does: wait for the limit to
          // end the unread request (it holds the model until then) before its client comes back.
          await hooks.statsWhen((s) => s.running === 0 && s.openKvCaches === 0);
          const later = await leftOver!();
          rows.push({ mistake, text, ms: Math.round(ms), later: later.slice(-300) });
        }
        return { rows, stats: await hooks.settled() };
      }, { messages: MESSAGES });
      for (const row of rows.rows) {
        expect(row.text, row.mistake).toBe(STORY);
        // Before interleaving the next request waits out the idle limit; after, not even that.
        expect(row.ms, row.mistake).toBeLessThan(15_000);
        if (row.mistake === 'chat with a throwing onToken') expect(row.later).toBe('error: the page broke');
        else expect(row.later, row.mistake).toMatch(/idleTimeoutMs|request_timeout/);
      }
      expect(rows.stats).toMatchObject({ running: 0, queued: 0, openKvCaches: 0 });
      console.log(`[${device}] next request after each mistake, idleTimeoutMs 1000:`, rows.rows.map((r) => `${r.mistake}: ${r.ms} ms`).join('; '));
    });

    test('a stream dropped unread is cancelled once collected, with default settings', async ({ page }) => {
      test.slow();
      await openEngineWith(page, device);
      const aloneMs = await page.evaluate(async (messages) => {
        const t0 = performance.now();
        await window.engine.chat(messages);
        return performance.now() - t0;
      }, MESSAGES);
      const cdp = await page.context().newCDPSession(page);
      const rows = [];
      for (const mistake of ['body never read', 'body read once, then dropped', 'chatStream left after one next()', 'SDK stream never iterated'] as const) {
        // Nothing of the mistake stays reachable from the page once this evaluate returns.
        await page.evaluate(async (mistake) => void (await window.idleMistakes.makeMistake(mistake, window.engine, false)), mistake);
        await cdp.send('HeapProfiler.collectGarbage');
        const result = await page.evaluate(async ({ messages, aloneMs }) => {
          const t0 = performance.now();
          const limit = new Promise<string>((resolve) => setTimeout(() => resolve('blocked'), aloneMs + 5000));
          const text = await Promise.race([window.engine.chat(messages).then((r) => r.text), limit]);
          return { text, ms: Math.round(performance.now() - t0) };
        }, { messages: MESSAGES, aloneMs });
        rows.push({ mistake, ...result });
        if (result.text !== STORY) break; // the model is held: the next mistake would wait for it
      }
      const stats = await page.evaluate(() => window.zstreamTesting.engineTestHooks(window.engine).settled());
      for (const row of rows) expect(row.text, row.mistake).toBe(STORY);
      expect(stats).toMatchObject({ running: 0, queued: 0, openKvCaches: 0 });
      console.log(`[${device}] next request after a dropped stream and a GC:`, rows.map((r) => `${r.mistake}: ${r.ms} ms`).join('; '), `(alone ${Math.round(aloneMs)} ms)`);
    });
  });
}

test('[wasm] a stream read through the reader alone is never taken for dropped: the backstop survives minor GCs', async ({ page }) => {
  // Chromium drops an unmodified JavaScript wrapper of a ReadableStream in a minor GC while a reader
  // holds the stream: the backstop must not take that for a stream nobody can read.
  await openEngineWith(page, 'wasm');
  const first = await page.evaluate(async (messages) => {
    const reader = (await window.engine.generate({ messages })).getReader();
    (window as unknown as { kept: typeof reader }).kept = reader; // the stream itself is kept by no one
    const { value } = await reader.read();
    return value?.type === 'delta' ? value.text : '';
  }, MESSAGES);
  // Short-lived garbage: many scavenges, each free to drop the stream's wrapper.
  await page.evaluate(() => {
    let young: unknown[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      young.push({ i });
      if (young.length > 1000) young = [];
    }
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const rest = await page.evaluate(async () => {
    const reader = (window as unknown as { kept: ReadableStreamDefaultReader<import('../src/shared/protocol.js').StreamEvent> }).kept;
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (r.value.type === 'delta') text += r.value.text;
      if (r.value.type === 'error') return `error: ${r.value.error.message}`;
    }
    return text;
  });
  expect(first + rest).toBe(STORY);
});
