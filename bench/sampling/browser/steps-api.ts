// What the steps worker answers (types only: the page and the worker compile with different globals).
import type { LoadOptions, ModelInfo } from '../../../src/shared/protocol.js';

export interface PairsRecord {
  /** Milliseconds per decode step (the prefill excluded), in the order they ran. */
  greedy: number[];
  sampled: number[];
}

export interface SamplerRecord {
  /** Milliseconds a token for each round over all the rows (sampling only, no model). */
  greedy: number[];
  sampled: number[];
}

export interface StepsApi {
  load(options: LoadOptions): Promise<ModelInfo>;
  /** `tokens` decode steps of greedy and of sampled decoding (bench/page/workloads.ts), alternating which goes first. */
  pairs(tokens: number): Promise<PairsRecord>;
  /** The Sampler alone on the rows of logits at `url` (capture-logits.mjs), greedy and sampled rounds in turn. */
  samplers(url: string, rounds: number): Promise<SamplerRecord>;
}
