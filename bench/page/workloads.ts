// The two workloads every path runs, as OpenAI parameters and as the baseline's generate() options.
import type { ChatMessage, GenerationParams } from '../../src/shared/protocol.js';
import type { BaselineCommand } from '../workers/messages.js';

export const MESSAGES = [{ role: 'user', content: 'Tell me a story' }] satisfies ChatMessage[];

/**
 * `story`: greedy decoding, the embedded model's 32-token answer ending at its end-of-sequence
 * token — what a user sees. `long`: `tokens` tokens for throughput. Greedy decoding always stops
 * after 32 tokens, so `long` samples (temperature 1) with a fixed seed whose draw never hits the
 * end-of-sequence token before `tokens` (seed 5 runs past 300), and stops on max_tokens. The
 * seed makes every zstream path generate the same tokens; the runner checks that.
 */
export type Workload = { name: 'story' } | { name: 'long'; tokens: number };

export const LONG_SEED = 5;

export function requestParams(workload: Workload): GenerationParams {
  return workload.name === 'story' ? {} : { temperature: 1, seed: LONG_SEED, max_tokens: workload.tokens };
}

/** transformers.js has no seed: the baseline samples as freely, and min_new_tokens holds the length. */
export function baselineGenerate(workload: Workload): Extract<BaselineCommand, { type: 'generate' }> {
  return workload.name === 'story'
    ? { type: 'generate', messages: MESSAGES, max_new_tokens: 64, do_sample: false }
    : {
        type: 'generate', messages: MESSAGES, max_new_tokens: workload.tokens, min_new_tokens: workload.tokens,
        do_sample: true, temperature: 1,
      };
}
