// The pool's bookkeeping on hand-made caches (no model): which entry a prompt gets, when it is
// taken whole or copied, what a copy holds, what is evicted and freed, and the byte count.
// prefix-cache.test.ts runs it with the real model (the same logits with reuse as without).
import { DynamicCache, Tensor } from '@huggingface/transformers';
import { describe, expect, it, vi } from 'vitest';
import { PrefixCache } from './prefix-cache.js';

const HEADS = 2;
const HEAD_DIM = 3;
/** Bytes of one token in `cacheOf`: (key, value) × heads × head_dim × 4 bytes. */
const TOKEN_BYTES = 2 * HEADS * HEAD_DIM * 4;

/**
 * A one-layer cache of `tokens.length` positions; position p of head h holds h * 1000 + p * 10 + d
 * at dimension d, so a copy shows which positions it kept.
 */
function cacheOf(tokens: readonly number[], type: 'float32' | 'float16' = 'float32'): DynamicCache {
  const seq = tokens.length;
  const data = new Float32Array(HEADS * seq * HEAD_DIM);
  for (let h = 0; h < HEADS; h++) {
    for (let p = 0; p < seq; p++) {
      for (let d = 0; d < HEAD_DIM; d++) data[(h * seq + p) * HEAD_DIM + d] = h * 1000 + p * 10 + d;
    }
  }
  const dims = [1, HEADS, seq, HEAD_DIM];
  // float16 tensors hold their bits in a Uint16Array (here the same small integers: only the layout matters).
  const typed = () => (type === 'float16' ? Uint16Array.from(data) : data.slice());
  const cache = new DynamicCache({
    'past_key_values.0.key': new Tensor(type, typed(), dims),
    'past_key_values.0.value': new Tensor(type, typed(), dims),
  });
  vi.spyOn(cache, 'dispose');
  return cache;
}

const disposed = (cache: DynamicCache) => vi.mocked(cache.dispose).mock.calls.length;
const keys = (cache: DynamicCache | undefined) => (cache as unknown as Record<string, Tensor>)['past_key_values.0.key'];

describe('PrefixCache.take', () => {
  it('finds nothing in an empty pool, or where no token matches', async () => {
    const pool = new PrefixCache();
    expect(await pool.take([1, 2, 3])).toEqual({ cache: undefined, length: 0 });
    await pool.put([1, 2, 3], cacheOf([1, 2, 3]));
    expect(await pool.take([9, 2, 3])).toEqual({ cache: undefined, length: 0 });
    // A one-token prompt is always fed: its logits are needed.
    expect(await pool.take([1])).toEqual({ cache: undefined, length: 0 });
    expect(pool.size).toBe(1);
  });

  it('hands a whole entry over without copying and without keeping it', async () => {
    const pool = new PrefixCache();
    const cache = cacheOf([1, 2, 3]);
    await pool.put([1, 2, 3], cache);
    expect(await pool.take([1, 2, 3, 4, 5])).toEqual({ cache, length: 3 });
    expect(pool.size).toBe(0);
    expect(pool.usedBytes).toBe(0);
    expect(disposed(cache)).toBe(0);
  });

  it('copies the matching start of a longer entry, keeps the entry, leaves the prompt`s last token to feed', async () => {
    const pool = new PrefixCache();
    const entry = cacheOf([1, 2, 3, 4, 5]);
    await pool.put([1, 2, 3, 4, 5], entry);
    const edited = await pool.take([1, 2, 3, 9]);
    expect(edited.length).toBe(3);
    expect(edited.cache).not.toBe(entry);
    const copy = keys(edited.cache)!;
    expect(copy.dims).toEqual([1, HEADS, 3, HEAD_DIM]);
    // Head 0's positions 0–2, then head 1's: every head cut at the same length.
    expect(Array.from(copy.data as Float32Array)).toEqual([
      0, 1, 2, 10, 11, 12, 20, 21, 22,
      1000, 1001, 1002, 1010, 1011, 1012, 1020, 1021, 1022,
    ]);
    // The same prompt again: all but its last token, so a copy too.
    expect((await pool.take([1, 2, 3, 4, 5])).length).toBe(4);
    expect(pool.size).toBe(1);
    expect(pool.usedBytes).toBe(5 * TOKEN_BYTES);
    expect(disposed(entry)).toBe(0);
  });

  it('takes the longest match, and among equal ones an entry it can take whole', async () => {
    const pool = new PrefixCache();
    const longer = cacheOf([1, 2, 3, 4, 5]);
    const whole = cacheOf([1, 2, 3]);
    const other = cacheOf([1, 2, 7, 7]);
    await pool.put([1, 2, 3, 4, 5], longer);
    await pool.put([1, 2, 3], whole); // not covered: it is the start of an older entry, not the reverse
    await pool.put([1, 2, 7, 7], other);
    expect(pool.size).toBe(3);
    // The same positions as a copy of `longer`'s start would hold: only identity tells them apart.
    const tie = await pool.take([1, 2, 3, 8, 8]);
    expect(tie.cache).toBe(whole);
    expect(tie.length).toBe(3);
    // A shorter entry that could be taken whole does not win over a longer match.
    await pool.put([1, 2], cacheOf([1, 2]));
    const longest = await pool.take([1, 2, 3, 4, 8]);
    expect(longest.length).toBe(4);
    expect(keys(longest.cache)!.dims[2]).toBe(4);
  });
});

describe('PrefixCache.put', () => {
  it('frees a cache it does not keep: no tokens, or larger than the whole budget', async () => {
    const pool = new PrefixCache(3 * TOKEN_BYTES);
    const empty = cacheOf([]);
    await pool.put([], empty);
    const large = cacheOf([1, 2, 3, 4]);
    await pool.put([1, 2, 3, 4], large);
    expect([disposed(empty), disposed(large)]).toEqual([1, 1]);
    expect(pool.size).toBe(0);
    const exact = cacheOf([1, 2, 3]);
    await pool.put([1, 2, 3], exact);
    expect(pool.size).toBe(1);
    expect(pool.usedBytes).toBe(3 * TOKEN_BYTES);
    expect(disposed(exact)).toBe(0);
  });

  it('counts two bytes an element in float16, and copies float16 as float16', async () => {
    const pool = new PrefixCache();
    await pool.put([1, 2, 3], cacheOf([1, 2, 3], 'float16'));
    expect(pool.usedBytes).toBe(1.5 * TOKEN_BYTES);
    const copy = keys((await pool.take([1, 2, 9])).cache)!;
    expect(copy.type).toBe('float16');
    expect(Array.from(copy.data as Uint16Array)).toEqual([0, 1, 2, 10, 11, 12, 1000, 1001, 1002, 1010, 1011, 1012]);
  });

  it('drops and frees entries that the new one starts with', async () => {
    const pool = new PrefixCache();
    const start = cacheOf([1, 2]);
    const unrelated = cacheOf([5, 6]);
    await pool.put([1, 2], start);
    await pool.put([5, 6], unrelated);
    await pool.put([1, 2, 3], cacheOf([1, 2, 3]));
    expect(disposed(start)).toBe(1);
    expect(disposed(unrelated)).toBe(0);
    expect(pool.size).toBe(2);
    expect(pool.usedBytes).toBe(5 * TOKEN_BYTES);
  });

  it('replaces an entry with the same tokens', async () => {
    const pool = new PrefixCache();
    const older = cacheOf([1, 2, 3]);
    await pool.put([1, 2, 3], older);
    await pool.put([1, 2, 3], cacheOf([1, 2, 3]));
    expect(disposed(older)).toBe(1);
    expect(pool.size).toBe(1);
    expect(pool.usedBytes).toBe(3 * TOKEN_BYTES);
  });

  it('evicts least recently used first; taking an entry whole and giving it back makes it recent', async () => {
    const pool = new PrefixCache(6 * TOKEN_BYTES);
    const a = cacheOf([1, 1]);
    const b = cacheOf([2, 2]);
    const c = cacheOf([3, 3]);
    await pool.put([1, 1], a);
    await pool.put([2, 2], b);
    await pool.put([3, 3], c);
    const taken = await pool.take([1, 1, 9]);
    expect(taken.cache).toBe(a);
    await pool.put([1, 1], a);
    // Full (6 tokens); 3 more need two entries out: b, then c, the least recently used.
    const d = cacheOf([4, 4, 4]);
    await pool.put([4, 4, 4], d);
    expect([disposed(a), disposed(b), disposed(c), disposed(d)]).toEqual([0, 1, 1, 0]);
    expect(pool.size).toBe(2);
    expect(pool.usedBytes).toBe(5 * TOKEN_BYTES);
    expect((await pool.take([1, 1, 9])).cache).toBe(a);
  });

  it('copying from an entry makes it recent too', async () => {
    const pool = new PrefixCache(4 * TOKEN_BYTES);
    const a = cacheOf([1, 1]);
    const b = cacheOf([2, 2]);
    await pool.put([1, 1], a);
    await pool.put([2, 2], b);
    expect((await pool.take([1, 5])).length).toBe(1);
    await pool.put([3, 3], cacheOf([3, 3]));
    expect([disposed(a), disposed(b)]).toEqual([0, 1]);
  });
});

it('after clear (the model unloads), a cache given back is freed, also an entry a copy was being taken from', async () => {
  const pool = new PrefixCache();
  const entry = cacheOf([1, 2, 3]);
  await pool.put([1, 2, 3], entry);
  const copying = pool.take([1, 2, 9]);
  await pool.clear();
  expect((await copying).length).toBe(2);
  expect(disposed(entry)).toBe(1);
  const late = cacheOf([4, 5]);
  await pool.put([4, 5], late);
  expect(disposed(late)).toBe(1);
  expect(pool.size).toBe(0);
  expect(pool.usedBytes).toBe(0);
});

it('clear frees every entry', async () => {
  const pool = new PrefixCache();
  const caches = [cacheOf([1]), cacheOf([2]), cacheOf([3])];
  for (const [i, cache] of caches.entries()) await pool.put([i + 1], cache);
  await pool.clear();
  expect(caches.map(disposed)).toEqual([1, 1, 1]);
  expect(pool.size).toBe(0);
  expect(pool.usedBytes).toBe(0);
});
