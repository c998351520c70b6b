// The prefix cache in the browser, on both devices (on WebGPU its tensors stay on the GPU): a chat
// sent turn by turn gives the same answers as an engine without the cache, greedy and seeded, while
// usage.prompt_tokens_details.cached_tokens counts the reused prompt tokens. On a model whose
// tokenizer re-encodes its answers to the tokens it generated (zstream-tiny-chat, as a real model's
// BPE), a new turn reuses the previous prompt and the previous answer.
import { DEVICES, expect, openHarness, test } from './fixtures.js';
import { openEngineWith } from './flow-helpers.js';

interface Turn {
  texts: string[];
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
}

for (const device of DEVICES) {
  test.describe(device, () => {
    test('turn after turn, edited and regenerated: the same answers as without the cache, and cached_tokens', async ({ page }) => {
      test.setTimeout(device === 'webgpu' ? 240_000 : 60_000);
      await openEngineWith(page, device); // a test engine: its worker counts GPU readbacks
      const { reused, plain, readbacks } = await page.evaluate(async (device) => {
        const withoutCache = await window.zstream.createEngine({ device, modelBaseURL: '/models/', prefixCacheBytes: 0 });
        const hooks = window.zstreamTesting.engineTestHooks(window.engine);
        const readbacksBefore = await hooks.gpuReadbacks();
        const base = 'http://localhost:8000/v1';
        type Body = { messages: Array<{ role: string; content: string }>; n?: number; temperature?: number; seed?: number; top_p?: number; stop?: string[] };
        const conversation = async (engine: typeof withoutCache) => {
          const fetch = window.zstream.createFetch(engine, { baseURL: base });
          const send = async (body: Body) => {
            const response = await fetch(`${base}/chat/completions`, {
              method: 'POST',
              body: JSON.stringify({ model: 'local', max_tokens: 12, ...body }),
            });
            const json = await response.json();
            return { texts: json.choices.map((c: { message: { content: string } }) => c.message.content), usage: json.usage };
          };
          const sampled = { temperature: 1, top_p: 0.9, seed: 11 };
          const system = { role: 'system', content: 'You tell stories.' };
          const turns = [];
          const one = await send({ messages: [system, { role: 'user', content: 'A story, please.' }] });
          turns.push(one);
          const history = [system, { role: 'user', content: 'A story, please.' }, { role: 'assistant', content: one.texts[0] }];
          turns.push(await send({ messages: [...history, { role: 'user', content: 'Go on.' }], ...sampled }));
          // Regenerate that answer, two choices at once.
          turns.push(await send({ messages: [...history, { role: 'user', content: 'Go on.' }], ...sampled, n: 2 }));
          // An edited first question, and a stop sequence that cuts the answer.
          const edited = [system, { role: 'user', content: 'A poem, please.' }, ...history.slice(2)];
          turns.push(await send({ messages: [...edited, { role: 'user', content: 'Go on.' }], ...sampled, stop: [' a'] }));
          return turns;
        };
        const reused = await conversation(window.engine);
        const readbacks = (await hooks.gpuReadbacks()) - readbacksBefore;
        const plain = await conversation(withoutCache);
        await Promise.all([window.engine.dispose(), withoutCache.dispose()]);
        return { reused, plain, readbacks };
      }, device);
      // The regenerated answer's choices and the edited turn use a start of a cached entry: copied on
      // the GPU (worker/transformers/kv-copy.ts), nothing read back.
      expect(readbacks).toBe(0);
      expect(reused.map((t: Turn) => t.texts)).toEqual(plain.map((t: Turn) => t.texts));
      expect(reused.map((t: Turn) => t.usage.prompt_tokens)).toEqual(plain.map((t: Turn) => t.usage.prompt_tokens));
      expect(plain.every((t: Turn) => t.usage.prompt_tokens_details?.cached_tokens === 0)).toBe(true);
      const cached = reused.map((t: Turn) => t.usage.prompt_tokens_details?.cached_tokens);
      expect(cached[0]).toBe(1); // "<|im_start|>", shared with the prompt of the load-time warm-up
      expect(cached[1]).toBeGreaterThanOrEqual(reused[0]!.usage.prompt_tokens);
      expect(cached[2]).toBe(reused[2]!.usage.prompt_tokens - 1); // all but the last prompt token
      expect(cached[3]).toBeGreaterThan(10);
      expect(cached[3]).toBeLessThan(reused[3]!.usage.prompt_tokens - 20);
    });

    test('a model that re-encodes its answers: each new turn reuses the previous prompt and answer, same answers', async ({ page }) => {
      test.setTimeout(device === 'webgpu' ? 240_000 : 60_000);
      await openHarness(page);
      const { reused, plain } = await page.evaluate(async (device) => {
        const base = 'http://localhost:8000/v1';
        const conversation = async (cache: boolean) => {
          const options = { device, model: 'zstream-tiny-chat', modelBaseURL: '/models/' } as const;
          const engine = cache ? await window.zstreamTesting.createTestEngine(options) : await window.zstream.createEngine({ ...options, prefixCacheBytes: 0 });
          const fetch = window.zstream.createFetch(engine, { baseURL: base });
          const messages = [{ role: 'system', content: 'You tell stories.' }];
          const turns: Turn[] = [];
          for (const question of ['A story, please.', 'Go on.', 'And then?', 'Once more.']) {
            messages.push({ role: 'user', content: question });
            const response = await fetch(`${base}/chat/completions`, {
              method: 'POST',
              body: JSON.stringify({ model: 'local', messages, max_tokens: 40, temperature: 0 }),
            });
            const json = await response.json();
            const text: string = json.choices[0].message.content;
            turns.push({ texts: [text], usage: json.usage });
            messages.push({ role: 'assistant', content: text });
            // A person reads the answer before asking again: the next turn's warm-up has run.
            if (cache) await window.zstreamTesting.engineTestHooks(engine).idleWork();
          }
          await engine.dispose();
          return turns;
        };
        return { reused: await conversation(true), plain: await conversation(false) };
      }, device);
      expect(reused.map((t) => t.texts)).toEqual(plain.map((t) => t.texts));
      expect(reused.every((t) => t.usage.completion_tokens === 32)).toBe(true); // the story, then <|im_end|>
      expect(plain.every((t) => t.usage.prompt_tokens_details?.cached_tokens === 0)).toBe(true);
      // The request's own entry holds the previous prompt and every answer token but the final
      // <|im_end|>, which was sampled, never fed; the warm-up while idle added it and the template's
      // "\n<|im_start|>user\n" ("user" is 4 byte tokens: the merges cover the story's pieces only),
      // 8 tokens. The new question and the generation prompt are all that is prefilled.
      const cached = reused.slice(1).map((t) => t.usage.prompt_tokens_details?.cached_tokens);
      const previous = reused.slice(0, -1).map((t) => t.usage.prompt_tokens + t.usage.completion_tokens);
      expect(cached).toEqual(previous.map((n) => n + 8));
    });

    test('the next turn readied while idle: a resent answer that re-encodes to other tokens comes from the cache, same answers', async ({ page }) => {
      test.setTimeout(device === 'webgpu' ? 240_000 : 60_000);
      await openHarness(page);
      const { reused, plain, unwarmed, firstAnswer } = await page.evaluate(async (device) => {
        const base = 'http://localhost:8000/v1';
        const conversation = async (engine: import('../src/index.js').Engine, idle?: () => Promise<void>) => {
          const fetch = window.zstream.createFetch(engine, { baseURL: base });
          const messages = [{ role: 'system', content: 'You tell stories.' }];
          const turns: Turn[] = [];
          for (const question of ['A story, please.', 'Go on.', 'And then?']) {
            messages.push({ role: 'user', content: question });
            const response = await fetch(`${base}/chat/completions`, {
              method: 'POST',
              body: JSON.stringify({ model: 'local', messages, max_tokens: 24, temperature: 1, seed: 3 }),
            });
            const json = await response.json();
            turns.push({ texts: [json.choices[0].message.content], usage: json.usage });
            messages.push({ role: 'assistant', content: json.choices[0].message.content });
            await idle?.();
          }
          await engine.dispose();
          return turns;
        };
        const options = { device, modelBaseURL: '/models/' } as const;
        const withCache = await window.zstreamTesting.createTestEngine(options);
        const reused = await conversation(withCache, () => window.zstreamTesting.engineTestHooks(withCache).idleWork());
        const plain = await conversation(await window.zstream.createEngine({ ...options, prefixCacheBytes: 0 }));
        const cold = await window.zstreamTesting.createTestEngine({ ...options, warmNextTurn: false });
        const unwarmed = await conversation(cold, () => window.zstreamTesting.engineTestHooks(cold).idleWork());
        return { reused, plain, unwarmed, firstAnswer: reused[0]!.texts[0]! };
      }, device);
      expect(reused.map((t) => t.texts)).toEqual(plain.map((t) => t.texts));
      expect(plain.every((t) => t.usage.prompt_tokens_details?.cached_tokens === 0)).toBe(true);
      // The embedded model's tokenizer has no merges: each resent answer is a byte token per character,
      // none of which its request's own entry holds. The warm-up prefilled them.
      expect(firstAnswer.length).toBeGreaterThan(20);
      reused.slice(1).forEach((turn, i) => {
        const before = reused[i]!;
        const cached = turn.usage.prompt_tokens_details?.cached_tokens ?? 0;
        expect(cached).toBeGreaterThanOrEqual(before.usage.prompt_tokens + before.texts[0]!.length);
        expect(cached).toBeLessThan(turn.usage.prompt_tokens - 4);
      });
      // warmNextTurn: false: the cache holds what the requests fed, and the previous prompt is all that matches.
      expect(unwarmed.map((t) => t.texts)).toEqual(plain.map((t) => t.texts));
      expect(unwarmed.slice(1).map((t) => t.usage.prompt_tokens_details?.cached_tokens)).toEqual(unwarmed.slice(0, -1).map((t) => t.usage.prompt_tokens));
    });
  });
}
