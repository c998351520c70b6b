// One request's decode loop on a transformers.js causal LM: prefill on the first step, then
// one token per step, with this request's own KV cache. The prefill starts after the longest
// cached start of the prompt (prefix-cache.ts); on close the cache goes back to the pool.
import { DynamicCache, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import type { BackendStep, TokenStream } from '../backend.js';
import { IncrementalDecoder } from '../incremental-decoder.js';
import type { Sampler } from '../sampling.js';
import type { TokenMask } from '../constraints/token-mask.js';
import type { PrefixCache } from './prefix-cache.js';

export interface DecodeContext {
  model: PreTrainedModel;
  /** int64 ones as long as the context window; attention masks are views of it. */
  ones: BigInt64Array;
  /** 0, 1, 2, … as long as the context window; position ids are views of it (nothing allocated per token). */
  positions: BigInt64Array;
  contextLength: number;
  eosIds: ReadonlySet<number>;
  decode(ids: number[]): string;
  prefixCache: PrefixCache;
}

type Outputs = Record<string, Tensor>;

/** The context of one loaded model, shared by its requests' token streams and the shape warm-up. */
export function createDecodeContext(
  model: PreTrainedModel, decode: (ids: number[]) => string, eosIds: Iterable<number>, contextLength: number, prefixCache: PrefixCache,
): DecodeContext {
  return {
    model,
    ones: new BigInt64Array(contextLength).fill(1n),
    positions: BigInt64Array.from({ length: contextLength }, (_, i) => BigInt(i)),
    contextLength,
    eosIds: new Set(eosIds),
    decode,
    prefixCache,
  };
}

export class TransformersTokenStream implements TokenStream {
  private cache: DynamicCache | undefined;
  /** Tokens to feed on the next forward pass: the prompt first, then the last sampled token. */
  private input: number[];
  private position = 0;
  /** Exactly the tokens whose keys and values `cache` holds (the last sampled token is not among them). */
  private fed: number[] = [];
  private started = false;
  private failed = false;
  /** Prompt tokens that came from the prefix cache: known after the first step. */
  cachedTokens = 0;
  private readonly decoder: IncrementalDecoder;
  private inFlight: Promise<BackendStep> | undefined;
  private closed = false;
  /** How the model ended (EOS, the context window): every later `next()` says so again, and feeds nothing. */
  private ended: BackendStep | undefined;

  constructor(
    private readonly ctx: DecodeContext,
    promptIds: number[],
    private readonly sampler: Sampler,
    /** Grammar-constrained decoding (response_format, forced tool calls), when the request asks for it. */
    private readonly mask?: TokenMask,
  ) {
    this.input = promptIds;
    this.decoder = new IncrementalDecoder(ctx.decode);
  }

  next(): Promise<BackendStep> {
    if (this.closed || this.ended) return Promise.resolve(this.ended ?? { kind: 'end', reason: 'stop' });
    this.inFlight = (this.started ? this.step() : this.prefill()).catch((error: unknown) => {
      this.failed = true;
      throw error;
    });
    return this.inFlight;
  }

  /** The generation loop counts this backend's tokens itself: nothing to report. */
  async close(): Promise<undefined> {
    if (this.closed) return;
    this.closed = true;
    // Never free the cache under a forward pass that is still using it.
    await this.inFlight?.catch(() => undefined);
    this.mask?.dispose();
    const cache = this.cache;
    this.cache = undefined;
    if (!cache) return;
    // After a failure the device may be gone: nothing of this request is kept.
    if (this.failed || this.fed.length !== this.position) await cache.dispose();
    else await this.ctx.prefixCache.put(this.fed, cache);
  }

  /** The first step: takes the longest cached start of the prompt, then feeds the rest. */
  private async prefill(): Promise<BackendStep> {
    this.started = true;
    const prompt = this.input;
    const { cache, length } = await this.ctx.prefixCache.take(prompt);
    if (this.closed) {
      if (cache) await this.ctx.prefixCache.put(prompt.slice(0, length), cache);
      return { kind: 'end', reason: 'stop' };
    }
    this.cache = cache;
    this.position = length;
    this.fed = prompt.slice(0, length);
    this.input = prompt.slice(length);
    this.cachedTokens = length;
    return this.step();
  }

  private async step(): Promise<BackendStep> {
    if (this.position + this.input.length > this.ctx.contextLength) return (this.ended = { kind: 'end', reason: 'length' });
    const logits = await this.forward(this.input);
    await this.mask?.apply(logits);
    const token = this.sampler.sample(logits);
    this.mask?.accept(token);
    if (this.ctx.eosIds.has(token)) return (this.ended = { kind: 'end', reason: 'stop' });
    this.input = [token];
    return { kind: 'text', text: this.decoder.push(token) };
  }

  /** Runs the model on `ids` after the cached positions and returns the last row of logits. */
  private async forward(ids: number[]): Promise<Float32Array> {
    const { cache, logits } = await forwardPass(this.ctx, ids, this.position, this.cache);
    this.cache = cache;
    this.position += ids.length;
    for (const id of ids) this.fed.push(id);
    return logits;
  }
}

/**
 * One forward pass over `ids` after `position` cached tokens. `cache` becomes the cache of all
 * `position + ids.length` tokens (its old GPU buffers are freed), or a new one when there was none.
 * Returns it with the last row of logits.
 */
export async function forwardPass(
  ctx: DecodeContext, ids: readonly number[], position: number, cache: DynamicCache | undefined,
): Promise<{ cache: DynamicCache; logits: Float32Array }> {
  const n = ids.length;
  const total = position + n;
  const outputs: Outputs = await ctx.model.forward({
    input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
    attention_mask: new Tensor('int64', ctx.ones.subarray(0, total), [1, total]),
    position_ids: new Tensor('int64', ctx.positions.subarray(position, total), [1, n]),
    past_key_values: cache,
  });
  // `present.*` outputs become the next step's `past_key_values.*`.
  const entries: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present')) entries[name.replace('present', 'past_key_values')] = tensor;
  }
  if (cache) cache.update(entries);
  const next = cache ?? new DynamicCache(entries);
  const logits = outputs['logits'];
  if (!logits) throw new Error('the model returned no logits');
  const vocab = logits.dims.at(-1) ?? 0;
  const data = logits.data as Float32Array;
  return { cache: next, logits: data.subarray(data.length - vocab) };
}
