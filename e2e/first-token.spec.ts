// The first token of a request reaches the page without a read of the stream the worker just
// transferred: the worker sends the first batch apart, through its listener's port (worker/batched-stream.ts,
// docs/first-token.md). Counted here from the page: every read of a stream of batches (only the
// request job reads those) is one the first event did not need.
import { DEVICES, expect, test } from './fixtures.js';
import { BASE_URL, MESSAGES, openEngineWith } from './flow-helpers.js';

for (const device of DEVICES) {
  test.describe(device, () => {
    // A SharedWorker's session sends the first batch to its own tab (worker/shared-session.ts).
    for (const shared of [false, true]) {
      test(`the first event of every request needs no read of the worker stream, through the engine and the SDK${shared ? ' (shared engine)' : ''}`, async ({ page }) => {
        await openEngineWith(page, device, { shared });
        expect(await page.evaluate(() => window.engine.model.shared === true)).toBe(shared);
        const result = await page.evaluate(async ({ messages, BASE_URL }) => {
          const { engine, zstream, OpenAI } = window;
          // Counts the reads that return a batch (an array of events): the job's reads of its worker stream.
          let batchReads = 0;
          const read = ReadableStreamDefaultReader.prototype.read;
          ReadableStreamDefaultReader.prototype.read = async function (this: ReadableStreamDefaultReader<unknown>) {
            const result = await read.call(this);
            if (Array.isArray(result.value)) batchReads++;
            return result;
          } as typeof read;
          const rows: Array<{ path: string; beforeFirst: number; total: number }> = [];
          for (let i = 0; i < 2; i++) {
            batchReads = 0;
            const reader = (await engine.generate({ messages, max_tokens: 4 })).getReader();
            const { value } = await reader.read();
            if (value?.type !== 'delta') throw new Error(`the first event is ${JSON.stringify(value)}`);
            const beforeFirst = batchReads;
            while (!(await reader.read()).done);
            rows.push({ path: 'engine.generate', beforeFirst, total: batchReads });
          }
          const fetch = zstream.createFetch(engine, { baseURL: BASE_URL });
          const client = new OpenAI({ baseURL: BASE_URL, apiKey: 'x', dangerouslyAllowBrowser: true, fetch });
          batchReads = 0;
          let beforeFirst = -1;
          for await (const chunk of await client.chat.completions.create({ model: 'm', stream: true, max_tokens: 4, messages })) {
            if (beforeFirst < 0 && chunk.choices[0]?.delta.content) beforeFirst = batchReads;
          }
          rows.push({ path: 'openai SDK', beforeFirst, total: batchReads });
          ReadableStreamDefaultReader.prototype.read = read;
          return rows;
        }, { messages: MESSAGES, BASE_URL });
        for (const row of result) {
          expect(row.beforeFirst, row.path).toBe(0);
          expect(row.total, `${row.path}: the rest still comes through the stream`).toBeGreaterThan(0);
        }
      });
    }
  });
}

// ONNX Runtime's WebGPU kernels compile a shader per class of shape on first use; the load's warm-up
// runs every class (worker/transformers/shape-warm-up.ts), so no request waits for a compile: before
// it, the first decode step at a multiple of 4 keys compiled 4 pipelines (0.35–0.5 s on SwiftShader).
test('webgpu: no request compiles a GPU shader after the load, whatever its prompt length or cached prefix', async ({ page }) => {
  await openEngineWith(page, 'webgpu');
  const result = await page.evaluate(async () => {
    const { engine, zstreamTesting } = window;
    const hooks = zstreamTesting.engineTestHooks(engine);
    type Request = Parameters<typeof engine.generate>[0];
    const cachedTokens = async (stream: ReadableStream<unknown>) => {
      const reader = stream.getReader();
      let cached = -1;
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const event = r.value as { type: string; usage?: { prompt_tokens_details?: { cached_tokens: number } } };
        if (event.type === 'done') cached = event.usage?.prompt_tokens_details?.cached_tokens ?? 0;
      }
      return cached;
    };
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    const requests: Array<[string, Request]> = [
      // Raw prompts of 2 to 13 tokens (one a character here), each starting with its own letter so
      // that none starts from the prefix cache: rows up to 8 and more, every key count mod 4; each
      // decodes past 4 more keys. Then a chat and its next turn (a prefill over a cached prefix).
      ...[2, 3, 4, 5, 9, 10, 11, 12, 13].map((n, i): [string, Request] =>
        [`prompt of ${n}`, { prompt: alphabet.slice(i, i + n), max_tokens: 6, temperature: 0 }]),
      ['chat', { messages: [{ role: 'user', content: 'Tell me a story' }], max_tokens: 6 }],
      ['next turn', { messages: [{ role: 'user', content: 'Tell me a story' }, { role: 'assistant', content: 'Once' }, { role: 'user', content: 'More, please' }], max_tokens: 6 }],
    ];
    const atLoad = await hooks.computePipelines();
    let before = atLoad;
    const compiled: Array<{ request: string; cached: number; pipelines: number }> = [];
    for (const [request, body] of requests) {
      const cached = await cachedTokens(await engine.generate(body));
      const now = await hooks.computePipelines();
      compiled.push({ request, cached, pipelines: now - before });
      before = now;
    }
    return { atLoad, compiled };
  });
  const rows = JSON.stringify(result.compiled);
  expect(result.atLoad, 'the counter sees the load compile').toBeGreaterThan(0);
  expect(result.compiled.filter((c) => c.request.startsWith('prompt') && c.cached !== 0), rows).toEqual([]);
  expect(result.compiled.find((c) => c.request === 'next turn')?.cached, rows).toBeGreaterThan(0);
  expect(result.compiled.filter((c) => c.pipelines > 0), rows).toEqual([]);
});
