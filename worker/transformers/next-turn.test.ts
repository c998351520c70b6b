// The next turn's warm-up on its own (next-turn.ts), on the generated model in Node: what it readies,
// and when it runs no forward pass at all. Through the whole backend: prefix-cache.test.ts.
import type { PreTrainedModel } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeContext, loadGeneratedModel } from '../../test/generated-model.js';
import type { IdleSlot } from '../idle-work.js';
import { NEXT_TURN_CHUNK_TOKENS, nextTurnStart, warmPrefix } from './next-turn.js';
import { PrefixCache } from './prefix-cache.js';
import { forwardPass } from './token-stream.js';

let model: PreTrainedModel;
let passes = 0;
/** Thrown by the next forward pass, when set. */
let failure: Error | undefined;

beforeAll(async () => {
  ({ model } = await loadGeneratedModel());
  const forward = model.forward.bind(model);
  model.forward = async (inputs: Record<string, unknown>) => {
    passes++;
    if (failure) throw failure;
    return forward(inputs);
  };
}, 60_000);

/** A slot that is idle until `busy()` is called; its steps run at once. */
function slot(onStep?: () => void): IdleSlot & { busy(): void } {
  let idle = true;
  return {
    stillIdle: () => idle,
    busy: () => (idle = false),
    step: (run) => (onStep?.(), run()),
  };
}

const target = Array.from({ length: 3 * NEXT_TURN_CHUNK_TOKENS + 5 }, (_, i) => 3 + (i % 200));

describe('nextTurnStart', () => {
  it('is where the two renderings part', () => {
    expect(nextTurnStart((next) => [1, 2, 3, next === 'A' ? 7 : 8, 9])).toEqual([1, 2, 3]);
    expect(nextTurnStart((next) => (next === 'A' ? [1, 2] : [1, 2, 5]))).toEqual([1, 2]);
  });

  it('is undefined where the template refuses the conversation', () => {
    expect(nextTurnStart(() => { throw new Error('Conversation roles must alternate'); })).toBeUndefined();
  });
});

describe('warmPrefix', () => {
  it(`readies the whole target, ${NEXT_TURN_CHUNK_TOKENS} tokens a pass`, async () => {
    const ctx = decodeContext(model, undefined, 512);
    passes = 0;
    await warmPrefix(ctx, target, slot());
    expect(ctx.prefixCache.longestMatch(target)).toBe(target.length);
    expect(passes).toBe(Math.ceil(target.length / NEXT_TURN_CHUNK_TOKENS));
    await ctx.prefixCache.clear();
  });

  it('runs no pass for what the pool already holds', async () => {
    const ctx = decodeContext(model, undefined, 512);
    const { cache } = await forwardPass(ctx, target, 0, undefined);
    await ctx.prefixCache.put([...target], cache);
    passes = 0;
    await warmPrefix(ctx, target, slot());
    expect(passes).toBe(0);
    await ctx.prefixCache.clear();
  });

  it('runs no pass once a request came between its check and its turn', async () => {
    const ctx = decodeContext(model, undefined, 512);
    passes = 0;
    const s = slot(() => s.busy()); // the request asks while the warm-up waits for its turn
    await warmPrefix(ctx, target, s);
    expect(passes).toBe(0);
    expect(ctx.prefixCache.size).toBe(0);
  });

  it('fails with the pass\'s own error, nothing cached before', async () => {
    const ctx = decodeContext(model, undefined, 512);
    failure = new Error('an out-of-memory pass');
    try {
      await expect(warmPrefix(ctx, target, slot())).rejects.toBe(failure);
    } finally {
      failure = undefined;
    }
    expect(ctx.prefixCache.size).toBe(0);
  });

  it('stops where one entry within the budget ends, and when a pass added nothing', async () => {
    const ctx = decodeContext(model, undefined, 512, new PrefixCache(1)); // no entry fits
    passes = 0;
    await warmPrefix(ctx, target, slot());
    expect(passes).toBe(1);
    expect(ctx.prefixCache.size).toBe(0);
  });
});
