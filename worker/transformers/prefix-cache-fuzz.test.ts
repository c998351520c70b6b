// Random concurrent requests on one pool, through the real generation loop and scheduler, on the
// generated model in Node: prompts that share random starts with earlier ones, stop sequences,
// max_tokens up to the context window, cancels by timer and mid-read, tight and loose budgets, and
// (half the seeds) failing forward passes. A tensor replaced or disposed counts as freed, as a GPU
// buffer would be. After each run: no forward pass read a freed tensor or a cache of another length
// than its position, every pool entry holds exactly the keys and values of its tokens (a fresh
// prefill's, to 1e-4), the byte count adds up, and no tensor lives outside the pool.
import { expect, it } from 'vitest';
import type { GenerateRequest } from '../../src/shared/protocol.js';
import { GENERATED_BYTES_PER_TOKEN, GENERATED_MODEL, decodeContext } from '../../test/generated-model.js';
import { expectExactPool, watchedGeneratedModel, type TensorWatch } from '../../test/watched-tensors.js';
import type { Backend } from '../backend.js';
import { createGeneration } from '../generation.js';
import { Sampler, seededRandom } from '../sampling.js';
import { Scheduler } from '../scheduler.js';
import { PrefixCache } from './prefix-cache.js';
import { TransformersTokenStream, type DecodeContext } from './token-stream.js';

const CONTEXT = 120;
const watch: TensorWatch = { problems: [], failing: () => false, contextLength: CONTEXT };

const generated = watchedGeneratedModel(watch);

/** The backend's prepare() on a pool of the test's own: raw prompts, seeded nucleus sampling. */
function backendOn(ctx: DecodeContext, seeds: () => number): Backend {
  return {
    info: { id: GENERATED_MODEL, backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: CONTEXT },
    prepare: async (request) => {
      const ids = generated.tokenizer.encode('prompt' in request ? request.prompt : '');
      const sampling = { temperature: request.temperature ?? 0, top_p: 0.9, presence_penalty: 0, frequency_penalty: 0, seed: seeds() };
      return { promptTokens: ids.length, maxNewTokens: CONTEXT - ids.length, start: () => new TransformersTokenStream(ctx, ids, new Sampler(sampling)) };
    },
    warmUp: async () => undefined,
    unload: async () => undefined,
  };
}

for (let seed = 1; seed <= 24; seed++) {
  it(`seed ${seed}: every entry holds its tokens' keys and values; nothing freed is read, nothing leaks`, async () => {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    watch.failing = seed > 12 ? () => random() < 0.05 : () => false;
    const pool = new PrefixCache((seed % 2 ? 40 : 400) * GENERATED_BYTES_PER_TOKEN);
    const ctx = decodeContext(generated.model, generated.tokenizer, CONTEXT, pool);
    const backend = backendOn(ctx, () => Math.floor(random() * 1e6));
    const scheduler = new Scheduler({ maxRunning: 3 });
    const texts = ['Once upon a time'];
    let reused = 0;
    const run = async (): Promise<void> => {
      const base = pick(texts);
      const prompt = (base.slice(0, Math.floor(random() * (base.length + 1))) + pick(['', 'a', ' fox', 'e!'])).slice(0, 90) || 'x';
      const request: GenerateRequest = {
        prompt, temperature: pick([0, 1]), max_tokens: random() < 0.2 ? CONTEXT : Math.floor(random() * 8) + 1,
        ...(random() < 0.3 ? { stop: ['e', 'a'] } : {}),
      };
      const cancelAfter = random() < 0.4 ? Math.floor(random() * 5) : Infinity;
      const cancelAt = random() < 0.3 ? Math.floor(random() * 3) : undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
      const source = await createGeneration(backend, request, scheduler);
      if (cancelAt !== undefined) setTimeout(() => void source.cancel(), cancelAt);
      let text = '';
      for (let event, read = 0; (event = await source.pull()); ) {
        if (++read >= cancelAfter) void source.cancel();
        if (event.type === 'delta') text += event.text;
        else if (event.type === 'done') {
          texts.push(prompt + text);
          reused += event.usage?.prompt_tokens_details?.cached_tokens ?? 0;
        }
        else if (event.type === 'error' && !event.error.message.includes('injected failure')) watch.problems.push(event.error.message);
      }
      await source.cancel();
    };
    await Promise.all(Array.from({ length: 24 }, run));
    expect(reused, 'prompt tokens taken from the pool').toBeGreaterThan(0);
    await expectExactPool(ctx, pool, watch);
  }, 60_000);
}
