// The next turn's warm-up on its own (next-turn.ts), on the generated model in Node: what it readies,
// and when it runs no forward pass at all. Through the whole backend: prefix-cache.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeContext } from '../../test/generated-model.js';
import { expectExactPool, watchedGeneratedModel, type TensorWatch } from '../../test/watched-tensors.js';
import type { IdleSlot } from '../idle-work.js';
import { NEXT_TURN_CHUNK_TOKENS, nextTurnStart, warmPrefix } from './next-turn.js';
import { PrefixCache } from './prefix-cache.js';
import { forwardPass, type DecodeContext } from './token-stream.js';

let passes = 0;
const watch: TensorWatch = { problems: [], failing: () => false, onForward: () => passes++, contextLength: 512 };
const generated = watchedGeneratedModel(watch);
/** The context of the test that runs; checked after it: every entry exact, nothing freed read, nothing leaked. */
let ctx: DecodeContext;

function context(pool = new PrefixCache()): DecodeContext {
  passes = 0;
  ctx = decodeContext(generated.model, undefined, watch.contextLength, pool);
  return ctx;
}

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
  afterEach(async () => {
    await expectExactPool(ctx, ctx.prefixCache, watch);
    expect(watch.problems).toEqual([]);
    await ctx.prefixCache.clear();
  });

  it(`readies the whole target, ${NEXT_TURN_CHUNK_TOKENS} tokens a pass`, async () => {
    await warmPrefix(context(), target, slot());
    expect(ctx.prefixCache.longestMatch(target)).toBe(target.length);
    expect(passes).toBe(Math.ceil(target.length / NEXT_TURN_CHUNK_TOKENS));
  });

  it('runs no pass for what the pool already holds', async () => {
    const { cache } = await forwardPass(context(), target, 0, undefined);
    await ctx.prefixCache.put([...target], cache);
    passes = 0;
    await warmPrefix(ctx, target, slot());
    expect(passes).toBe(0);
  });

  it('runs no pass once a request came between its check and its turn', async () => {
    const s = slot(() => s.busy()); // the request asks while the warm-up waits for its turn
    await warmPrefix(context(), target, s);
    expect(passes).toBe(0);
    expect(ctx.prefixCache.size).toBe(0);
  });

  it('fails with the pass\'s own error, nothing cached before', async () => {
    watch.failing = () => true; // expectExactPool turns it off again
    await expect(warmPrefix(context(), target, slot())).rejects.toThrow('injected failure');
    expect(ctx.prefixCache.size).toBe(0);
  });

  it('stops where one entry within the budget ends, and when a pass added nothing', async () => {
    await warmPrefix(context(new PrefixCache(1)), target, slot()); // no entry fits
    expect(passes).toBe(1);
    expect(ctx.prefixCache.size).toBe(0);
  });
});
