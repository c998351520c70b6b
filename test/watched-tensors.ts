// The generated model's forward passes and KV caches watched, for the prefix cache's fuzz tests
// (worker/transformers/*-fuzz.test.ts). A tensor replaced in a cache or disposed with one counts as
// freed, as a GPU buffer would be: a forward pass must never read one, nothing is freed twice, and
// after a run every pool entry holds exactly the keys and values of its tokens (a fresh prefill's,
// to 1e-4), the byte count adds up, and no tensor lives outside the pool.
import { DynamicCache, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { loadGeneratedModel } from './generated-model.js';
import type { PrefixCache } from '../worker/transformers/prefix-cache.js';
import { forwardPass, type DecodeContext } from '../worker/transformers/token-stream.js';

export interface TensorWatch {
  /** What went wrong, for the test to expect empty. */
  readonly problems: string[];
  /** Whether the next forward pass fails (the seed decides). */
  failing: () => boolean;
  /** Called as each forward pass starts. */
  onForward?: () => void;
  /** No pass may go beyond it. */
  contextLength: number;
}

const freed = new WeakSet<Tensor>();
/** Every `present.*` tensor a forward pass made and nothing freed yet. */
const live = new Set<Tensor>();

const tensorsOf = (cache: DynamicCache) => Object.values(cache).filter((t): t is Tensor => t instanceof Tensor);

function free(tensor: Tensor): void {
  freed.add(tensor);
  live.delete(tensor);
}

/** The generated model, loaded and watched for the whole test file (filled in by its beforeAll). */
export function watchedGeneratedModel(watch: TensorWatch): { model: PreTrainedModel; tokenizer: PreTrainedTokenizer } {
  const loaded = {} as { model: PreTrainedModel; tokenizer: PreTrainedTokenizer };
  beforeAll(async () => {
    Object.assign(loaded, await loadGeneratedModel());
    watchTensors(loaded.model, watch);
  }, 60_000);
  afterAll(() => {
    vi.restoreAllMocks();
  });
  return loaded;
}

/** Spies on `model.forward` and DynamicCache's update and dispose (vi.restoreAllMocks() ends it). */
export function watchTensors(model: PreTrainedModel, watch: TensorWatch): void {
  const { problems } = watch;
  const forward = model.forward.bind(model);
  vi.spyOn(model, 'forward').mockImplementation(async (inputs: Record<string, unknown>) => {
    const position = Number((inputs['position_ids'] as Tensor).data[0]);
    const past = inputs['past_key_values'] as DynamicCache | undefined;
    for (const tensor of past ? tensorsOf(past) : []) {
      if (freed.has(tensor)) problems.push('a forward pass read a freed tensor');
      if (tensor.dims[2] !== position) problems.push(`a cache of ${tensor.dims[2]} positions at position ${position}`);
    }
    if (!past && position !== 0) problems.push(`no cache at position ${position}`);
    const n = (inputs['input_ids'] as Tensor).dims[1] ?? 0;
    if (position + n > watch.contextLength) problems.push(`a pass beyond the window: ${position} + ${n}`);
    watch.onForward?.();
    await new Promise((resolve) => setTimeout(resolve, 0)); // asynchronous, as on WebGPU
    if (watch.failing()) throw new Error('injected failure');
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
}

/** The pool's entries (private: read here to compare each with a fresh prefill). */
const entriesOf = (pool: PrefixCache) => (pool as unknown as { entries: Array<{ tokens: number[]; cache: DynamicCache }> }).entries;

/** After a run: no problem seen, every entry exact, the bytes add up, nothing alive outside the pool. */
export async function expectExactPool(ctx: DecodeContext, pool: PrefixCache, watch: TensorWatch): Promise<void> {
  watch.failing = () => false;
  try {
    await expectExact(ctx, pool, watch);
  } finally {
    live.clear(); // a failed run leaves nothing to the next
  }
}

async function expectExact(ctx: DecodeContext, pool: PrefixCache, watch: TensorWatch): Promise<void> {
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
  expect(watch.problems).toEqual([]);
  expect(pool.usedBytes).toBe(bytes);
  expect([...live].filter((tensor) => !pooled.has(tensor)).length, 'tensors alive outside the pool').toBe(0);
}
