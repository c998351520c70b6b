// The KV caches of recent requests, so that a new request whose prompt starts with tokens already
// computed prefills only the rest (a chat resends the whole conversation every turn).
//
// Ownership, never sharing: an entry belongs to the pool or to exactly one request. A request that
// can use a whole entry takes it out of the pool (no copy; on WebGPU its tensors stay on the GPU) and
// gives its cache back when it ends, holding the tokens it fed. A request that can use only the
// start of an entry (an edited or regenerated turn, a choice of n > 1 after the first) gets a copy cut to that
// length, and the entry stays (it leaves the pool while it is copied, on the GPU where it is one:
// kv-copy.ts). So no tensor is ever freed while another request computes with it.
//
// An entry's `tokens` are exactly the tokens whose keys and values the cache holds: the prompt and
// every generated token that was fed back, not the last sampled one. Matching is by token id, and the
// pool belongs to one loaded model, so nothing is shared across models or across anything that
// changes the prompt's tokens (template, system message, tokenizer).
import type { DynamicCache } from '@huggingface/transformers';
import { cacheTensors, tensorBytes, truncatedCopy } from './kv-copy.js';

export interface CachedPrefix {
  /** The cache for the first `length` tokens of the prompt; undefined when nothing matched. */
  cache: DynamicCache | undefined;
  length: number;
}

interface Entry {
  tokens: number[];
  cache: DynamicCache;
  bytes: number;
}

/** Default budget: about 2,800 tokens of SmolLM2-135M in f32 (46 KiB a token), 130k of the embedded model. */
export const DEFAULT_PREFIX_CACHE_BYTES = 128 * 2 ** 20;

export class PrefixCache {
  /** Least recently used first. */
  private entries: Entry[] = [];
  private bytes = 0;
  /** Of the model's KV cache, learnt from the first cache given back (every token costs the same). */
  private bytesPerToken: number | undefined;
  /** The model unloaded: caches given back from now on (requests still closing) are freed, not kept. */
  private cleared = false;

  constructor(
    readonly budgetBytes: number = DEFAULT_PREFIX_CACHE_BYTES,
    /** The device the model's GPU tensors live on (WebGPU): a partial copy is made there. */
    private readonly gpuDevice: () => Promise<GPUDevice | undefined> = async () => undefined,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  /** The most tokens one entry can hold within the budget (Infinity before a cache was given back). */
  get tokenCapacity(): number {
    return this.bytesPerToken ? Math.floor(this.budgetBytes / this.bytesPerToken) : Infinity;
  }

  /** How many of `tokens`, from the start, some entry holds (nothing is taken). */
  longestMatch(tokens: readonly number[]): number {
    let longest = 0;
    for (const entry of this.entries) longest = Math.max(longest, commonPrefix(entry.tokens, tokens));
    return longest;
  }

  /**
   * The longest cached start of `prompt`, at most `prompt.length - 1` tokens (the last prompt token is
   * always fed, for its logits). The caller owns what it gets and gives it back with `put()`.
   */
  async take(prompt: readonly number[]): Promise<CachedPrefix> {
    let best: Entry | undefined;
    let bestLength = 0;
    for (const entry of this.entries) {
      const length = Math.min(commonPrefix(entry.tokens, prompt), prompt.length - 1);
      // Among equal lengths, prefer an entry that can be taken whole (no copy).
      if (length > bestLength || (length === bestLength && best && length === entry.tokens.length)) {
        best = entry;
        bestLength = length;
      }
    }
    if (!best || bestLength === 0) return { cache: undefined, length: 0 };
    // Out of the pool while it is read, so that no other request takes or evicts it meanwhile.
    this.remove(best);
    if (bestLength === best.tokens.length) return { cache: best.cache, length: bestLength };
    try {
      return { cache: await truncatedCopy(best.cache, bestLength, await this.gpuDevice()), length: bestLength };
    } finally {
      await this.put(best.tokens, best.cache);
    }
  }

  /** Keeps `cache`, which holds exactly `tokens`; evicts least recently used entries to fit the budget. */
  async put(tokens: number[], cache: DynamicCache): Promise<void> {
    const bytes = cacheBytes(cache);
    if (tokens.length > 0) this.bytesPerToken ??= bytes / tokens.length;
    if (this.cleared || tokens.length === 0 || bytes > this.budgetBytes) return cache.dispose();
    // An entry that is a start of this one is covered by it.
    const covered = this.entries.filter((entry) => commonPrefix(entry.tokens, tokens) === entry.tokens.length);
    const evicted: Entry[] = [];
    for (const entry of covered) evicted.push(this.remove(entry));
    while (this.bytes + bytes > this.budgetBytes) {
      const oldest = this.entries[0];
      if (!oldest) break;
      evicted.push(this.remove(oldest));
    }
    this.entries.push({ tokens, cache, bytes });
    this.bytes += bytes;
    await Promise.all(evicted.map((entry) => entry.cache.dispose()));
  }

  /** Frees every entry, and every cache given back after it: the model is unloading. */
  async clear(): Promise<void> {
    this.cleared = true;
    const entries = this.entries;
    this.entries = [];
    this.bytes = 0;
    await Promise.all(entries.map((entry) => entry.cache.dispose()));
  }

  private remove(entry: Entry): Entry {
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.bytes -= entry.bytes;
    return entry;
  }

}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function cacheBytes(cache: DynamicCache): number {
  let bytes = 0;
  for (const [, tensor] of cacheTensors(cache)) bytes += tensorBytes(tensor);
  return bytes;
}
