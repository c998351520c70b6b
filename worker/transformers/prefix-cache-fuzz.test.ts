// Random concurrent requests on one pool, through the real generation loop and scheduler, on the
// generated model in Node: prompts that share random starts with earlier ones, stop sequences,
// max_tokens up to the context window, cancels by timer and mid-read, tight and loose budgets, and
// (half the seeds) failing forward passes. A tensor replaced or disposed counts as freed, as a GPU
// buffer would be. After each run: no forward pass read a freed tensor or a cache of another length
// than its position, every pool entry holds exactly the keys and values of its tokens (a fresh
// prefill's, to 1e-4), the byte count adds up, and no tensor lives outside the pool.
import { DynamicCache, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { GenerateRequest } from '../../src/shared/protocol.js';
import { GENERATED_BYTES_PER_TOKEN, GENERATED_MODEL, decodeContext, loadGeneratedModel } from '../../test/generated-model.js';
import type { Backend } from '../backend.js';
import { createGeneration } from '../generation.js';
import { Sampler, seededRandom } from '../sampling.js';
import { Scheduler } from '../scheduler.js';
import { PrefixCache } from './prefix-cache.js';
import { TransformersTokenStream, forwardPass, type DecodeContext } from './token-stream.js';

const CONTEXT = 120;
let model: PreTrainedModel;
let tokenizer: PreTrainedTokenizer;
/** Tensors replaced in a cache or disposed with one: on a GPU their buffers are gone. */
const freed = new WeakSet<Tensor>();
/** Every `present.*` tensor a forward pass made and nothing freed yet. */
const live = new Set<Tensor>();
const problems: string[] = [];
/** Whether the next forward pass fails (the seed decides). */
let failing: () => boolean = () => false;

const tensorsOf = (cache: DynamicCache) => Object.values(cache).filter((t): t is Tensor => t instanceof Tensor);

beforeAll(async () => {
  ({ model, tokenizer } = await loadGeneratedModel());
  const forward = model.forward.bind(model);
  vi.spyOn(model, 'forward').mockImplementation(async (inputs: Record<string, unknown>) => {
    const position = Number((inputs['position_ids'] as Tensor).data[0]);
    const past = inputs['past_key_values'] as DynamicCache | undefined;
    for (const tensor of past ? tensorsOf(past) : []) {
      if (freed.has(tensor)) problems.push('a forward pass read a freed tensor');
      if (tensor.dims[2] !== position) problems.push(`a cache of ${tensor.dims[2]} positions at position ${position}`);
    }
    if (!past && position !== 0) problems.push(`no cache at position ${position}`);
    await new Promise((resolve) => setTimeout(resolve, 0)); // asynchronous, as on WebGPU
    if (failing()) throw new Error('injected failure');
    const outputs = (await forward(inputs)) as Record<string, Tensor>;
    for (const [name, tensor] of Object.entries(outputs)) if (name.startsWith('present')) live.add(tensor);
    return outputs;
  });
  const { update, dispose } = DynamicCache.prototype;
  vi.spyOn(DynamicCache.prototype, 'update').mockImplementation(function (this: DynamicCache, ...args: unknown[]) {
    const entries = args[0] as Record<string, Tensor>;
    const old = this as unknown as Record<string, Tensor | undefined>;
    for (const [name, tensor] of Object.entries(entries)) {
      const replaced = old[name];
      if (replaced && replaced !== tensor) free(replaced);
    }
    update.call(this, entries);
  });
  vi.spyOn(DynamicCache.prototype, 'dispose').mockImplementation(function (this: DynamicCache) {
    for (const tensor of tensorsOf(this)) {
      if (freed.has(tensor)) problems.push('a tensor freed twice');
      free(tensor);
    }
    return dispose.call(this);
  });
}, 60_000);

afterAll(() => {
  vi.restoreAllMocks();
});

function free(tensor: Tensor): void {
  freed.add(tensor);
  live.delete(tensor);
}

/** The backend's prepare() on a pool of the test's own: raw prompts, seeded nucleus sampling. */
function backendOn(ctx: DecodeContext, seeds: () => number): Backend {
  return {
    info: { id: GENERATED_MODEL, backend: 'transformers', device: 'wasm', weights: 'fp32', contextLength: CONTEXT },
    prepare: async (request) => {
      const ids = tokenizer.encode('prompt' in request ? request.prompt : '');
      const sampling = { temperature: request.temperature ?? 0, top_p: 0.9, presence_penalty: 0, frequency_penalty: 0, seed: seeds() };
      return { promptTokens: ids.length, maxNewTokens: CONTEXT - ids.length, start: () => new TransformersTokenStream(ctx, ids, new Sampler(sampling)) };
    },
    warmUp: async () => undefined,
    unload: async () => undefined,
  };
}

/** The pool's entries (private: read here to compare each with a fresh prefill). */
const entriesOf = (pool: PrefixCache) => (pool as unknown as { entries: Array<{ tokens: number[]; cache: DynamicCache }> }).entries;

for (let seed = 1; seed <= 24; seed++) {
  it(`seed ${seed}: every entry holds its tokens' keys and values; nothing freed is read, nothing leaks`, async () => {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    failing = seed > 12 ? () => random() < 0.05 : () => false;
    const pool = new PrefixCache((seed % 2 ? 40 : 400) * GENERATED_BYTES_PER_TOKEN);
    const ctx = decodeContext(model, tokenizer, CONTEXT, pool);
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
        else if (event.type === 'error' && !event.error.message.includes('injected failure')) problems.push(event.error.message);
      }
      await source.cancel();
    };
    await Promise.all(Array.from({ length: 24 }, run));
    failing = () => false;

    let bytes = 0;
    const pooled = new Set<Tensor>();
    for (const { tokens, cache } of entriesOf(pool)) {
      const { cache: fresh } = await forwardPass(ctx, tokens, 0, undefined);
      const expected = fresh as unknown as Record<string, Tensor>;
      for (const [name, tensor] of Object.entries(cache as unknown as Record<string, Tensor>)) {
        pooled.add(tensor);
        bytes += tensor.size * 4;
        expect(tensor.dims[2]).toBe(tokens.length);
        const [got, want] = [tensor.data as Float32Array, expected[name]!.data as Float32Array];
        let worst = 0;
        for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
        expect(worst, `${name} of an entry of ${tokens.length} tokens`).toBeLessThan(1e-4);
      }
      await fresh.dispose();
    }
    expect(problems).toEqual([]);
    expect(reused, 'prompt tokens taken from the pool').toBeGreaterThan(0);
    expect(pool.usedBytes).toBe(bytes);
    expect([...live].filter((tensor) => !pooled.has(tensor)).length, 'tensors alive outside the pool').toBe(0);
    live.clear();
  }, 60_000);
}
