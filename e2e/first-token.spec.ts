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
