// One request's decode loop on the generated model in Node (onnxruntime-node, CPU), against
// transformers.js's own generate(): the same tokens, the end at EOS and at the context window, and
// what the KV cache pool gets back when the stream closes (prefix-cache.test.ts compares whole
// conversations with and without reuse).
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GENERATED_BYTES_PER_TOKEN, GENERATED_EOS, decodeContext, loadGeneratedModel } from '../../test/generated-model.js';
import type { BackendStep } from '../backend.js';
import type { TokenMask } from '../constraints/token-mask.js';
import { Sampler } from '../sampling.js';
import { PrefixCache } from './prefix-cache.js';
import { TransformersTokenStream, type DecodeContext } from './token-stream.js';

let model: PreTrainedModel;
let tokenizer: PreTrainedTokenizer;
let prompt: number[];
/** transformers.js's greedy answer to `prompt`, ending with EOS. */
let reference: number[];

beforeAll(async () => {
  ({ model, tokenizer } = await loadGeneratedModel());
  prompt = tokenizer.apply_chat_template([{ role: 'user', content: 'Tell me a story.' }], {
    add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false,
  }) as number[];
  const input = tokenizer([tokenizer.decode(prompt)], { add_special_tokens: false });
  const output = (await model.generate({ ...input, max_new_tokens: 64, do_sample: false })) as Tensor;
  reference = Array.from(output.data as BigInt64Array, Number).slice(prompt.length);
}, 60_000);

const greedy = () => new Sampler({ temperature: 0, top_p: 1, presence_penalty: 0, frequency_penalty: 0 });

/** Pulls `stream` until it ends (or `limit` steps); returns the steps and the tokens its sampler picked. */
async function drain(stream: TransformersTokenStream, sampler: Sampler, limit = 1000): Promise<{ steps: BackendStep[]; ids: number[] }> {
  const sample = vi.spyOn(sampler, 'sample');
  const steps: BackendStep[] = [];
  while (steps.length < limit && steps.at(-1)?.kind !== 'end') steps.push(await stream.next());
  return { steps, ids: sample.mock.results.map((r) => r.value as number) };
}

/** A pool holding what one stream of `prompt` fed in `steps` steps (then closed), and a context on it. */
async function poolAfter(steps: number): Promise<{ pool: PrefixCache; ctx: DecodeContext }> {
  const pool = new PrefixCache();
  const ctx = decodeContext(model, tokenizer, 2048, pool);
  const sampler = greedy();
  const first = new TransformersTokenStream(ctx, prompt, sampler);
  await drain(first, sampler, steps);
  await first.close();
  return { pool, ctx };
}

/** Keys of every forward pass (attention mask length). */
function spyKeys(): { keys: number[]; restore(): void } {
  const forward = vi.spyOn(model, 'forward');
  return {
    get keys() {
      return forward.mock.calls.map(([inputs]) => (inputs as Record<string, Tensor>)['attention_mask']!.dims[1]!);
    },
    restore: () => forward.mockRestore(),
  };
}

describe('TransformersTokenStream', () => {
  it('picks the tokens transformers.js`s generate() picks, ends at EOS with its text only', async () => {
    expect(reference.at(-1)).toBe(GENERATED_EOS);
    expect(reference.length).toBeGreaterThan(8);
    const sampler = greedy();
    const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048), prompt, sampler);
    const { steps, ids } = await drain(stream, sampler);
    expect(ids).toEqual(reference);
    expect(steps.at(-1)).toEqual({ kind: 'end', reason: 'stop' });
    const text = steps.map((s) => (s.kind === 'text' ? s.text : '')).join('');
    expect(text).toBe(tokenizer.decode(reference, { skip_special_tokens: true }));
    expect(stream.cachedTokens).toBe(0);
    await stream.close();
  });

  it('after its end, every next() ends again and feeds nothing (runWarmUp asks twice)', async () => {
    const pool = new PrefixCache();
    const sampler = greedy();
    vi.spyOn(sampler, 'sample').mockReturnValue(GENERATED_EOS);
    const forward = spyKeys();
    try {
      const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048, pool), prompt, sampler);
      expect(await stream.next()).toEqual({ kind: 'end', reason: 'stop' });
      expect(await stream.next()).toEqual({ kind: 'end', reason: 'stop' });
      await stream.close();
      expect(forward.keys).toEqual([prompt.length]);
      expect(pool.usedBytes).toBe(prompt.length * GENERATED_BYTES_PER_TOKEN);
    } finally {
      forward.restore();
    }
  });

  it('ends with `length` when the next step would feed past the context window', async () => {
    const room = 5;
    const ctx = decodeContext(model, tokenizer, prompt.length + room);
    const forward = spyKeys();
    try {
      const sampler = greedy();
      const stream = new TransformersTokenStream(ctx, prompt, sampler);
      const { steps } = await drain(stream, sampler);
      // The prefill, then one step per fed token up to the window: room + 1 tokens.
      expect(steps.map((s) => s.kind)).toEqual([...new Array<string>(room + 1).fill('text'), 'end']);
      expect(steps.at(-1)).toEqual({ kind: 'end', reason: 'length' });
      expect(await stream.next()).toEqual({ kind: 'end', reason: 'length' });
      expect(forward.keys).toEqual([prompt.length, ...Array.from({ length: room }, (_, i) => prompt.length + i + 1)]);
    } finally {
      forward.restore();
    }
  });

  it('gives the pool exactly the tokens it fed, and the next request reuses them', async () => {
    const { pool, ctx } = await poolAfter(4);
    // The prompt and the first three sampled tokens were fed; the fourth was sampled, never fed.
    expect(pool.size).toBe(1);
    expect(pool.usedBytes).toBe((prompt.length + 3) * GENERATED_BYTES_PER_TOKEN);
    const next = [...prompt, ...reference.slice(0, 6)];
    const forward = spyKeys();
    try {
      const nextSampler = greedy();
      const second = new TransformersTokenStream(ctx, next, nextSampler);
      const { ids } = await drain(second, nextSampler);
      expect(second.cachedTokens).toBe(prompt.length + 3);
      expect(ids).toEqual(reference.slice(6));
      // Its prefill fed only what the cache did not hold.
      expect(forward.keys[0]).toBe(next.length);
      expect(forward.keys.length).toBe(reference.length - 6);
      await second.close();
    } finally {
      forward.restore();
    }
  });

  it('closed while taking from the pool: runs nothing and gives the cache back as it was', async () => {
    const { pool, ctx } = await poolAfter(2);
    const before = pool.usedBytes;
    const forward = spyKeys();
    try {
      const second = new TransformersTokenStream(ctx, [...prompt, reference[0]!, 7], greedy());
      const step = second.next();
      await second.close();
      expect(await step).toEqual({ kind: 'end', reason: 'stop' });
      expect(await second.next()).toEqual({ kind: 'end', reason: 'stop' });
      expect(forward.keys).toEqual([]);
      expect(pool.size).toBe(1);
      expect(pool.usedBytes).toBe(before);
      // Back under the tokens it holds (the prompt and the first answer token), not the new prompt's.
      expect((await pool.take([...prompt, reference[0]!, 7, 7])).length).toBe(prompt.length + 1);
      // Nothing matched: nothing to give back.
      const unmatched = new TransformersTokenStream(ctx, [9, 9, 9], greedy());
      const unmatchedStep = unmatched.next();
      await unmatched.close();
      expect(await unmatchedStep).toEqual({ kind: 'end', reason: 'stop' });
    } finally {
      forward.restore();
    }
  });

  it('closed before its first step: runs nothing, takes nothing', async () => {
    const pool = new PrefixCache();
    const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048, pool), prompt, greedy());
    await stream.close();
    await stream.close();
    expect(await stream.next()).toEqual({ kind: 'end', reason: 'stop' });
    expect(pool.size).toBe(0);
  });

  it('frees its grammar mask once, however often it is closed', async () => {
    const mask = { apply: vi.fn(), accept: vi.fn(), dispose: vi.fn() };
    const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048), prompt, greedy(), mask as unknown as TokenMask);
    await stream.next();
    await Promise.all([stream.close(), stream.close()]);
    await stream.close();
    expect(mask.dispose).toHaveBeenCalledTimes(1);
    expect(mask.apply).toHaveBeenCalledTimes(1);
  });

  it('closed during a step: waits for it, then keeps the cache', async () => {
    const pool = new PrefixCache();
    const sampler = greedy();
    const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048, pool), prompt, sampler);
    await stream.next();
    const step = stream.next();
    const closed = stream.close();
    expect((await step).kind).toBe('text');
    await closed;
    expect(pool.usedBytes).toBe((prompt.length + 1) * GENERATED_BYTES_PER_TOKEN);
  });

  it('after a failed step keeps nothing, and the failure reaches the caller', async () => {
    const pool = new PrefixCache();
    const stream = new TransformersTokenStream(decodeContext(model, tokenizer, 2048, pool), prompt, greedy());
    await stream.next();
    const forward = vi.spyOn(model, 'forward').mockRejectedValueOnce(new Error('device lost'));
    try {
      await expect(stream.next()).rejects.toThrow('device lost');
    } finally {
      forward.mockRestore();
    }
    await stream.close();
    expect(pool.size).toBe(0);
  });
});
