// The two workloads every path runs, as OpenAI parameters and as the baseline's generate() options.
import type { ChatMessage, GenerationParams } from '../../src/shared/protocol.js';
import type { BaselineCommand } from '../workers/messages.js';

export const MESSAGES = [{ role: 'user', content: 'Tell me a story' }] satisfies ChatMessage[];

/**
 * On the embedded model: `story`: greedy decoding, the embedded model's 32-token answer ending at its end-of-sequence
 * token — what a user sees. `long`: `tokens` tokens for throughput. Greedy decoding always stops
 * after 32 tokens, so `long` samples (temperature 1) with a fixed seed whose draw never hits the
 * end-of-sequence token before `tokens` (seed 5 runs past 300), and stops on max_tokens. The
 * seed makes every zstream path generate the same tokens; the runner checks that.
 */
export type Workload =
  | { name: 'story' }
  | { name: 'long'; tokens: number }
  /** The benchmark model (49,152 tokens): the same length greedy, then sampled as chats usually are. */
  | { name: 'greedy'; tokens: number }
  | { name: 'sampled'; tokens: number };

export const LONG_SEED = 5;

/** temperature 1, top_p 0.9 and a presence penalty: all of sampling's per-token work on 49,152 scores. */
export const SAMPLED = { temperature: 1, top_p: 0.9, presence_penalty: 0.5, seed: LONG_SEED } as const;

export function requestParams(workload: Workload): GenerationParams {
  switch (workload.name) {
    case 'story':
      return {};
    case 'long':
      return { temperature: 1, seed: LONG_SEED, max_tokens: workload.tokens };
    case 'greedy':
      return { temperature: 0, max_tokens: workload.tokens };
    case 'sampled':
      return { ...SAMPLED, max_tokens: workload.tokens };
  }
}

/** transformers.js has no seed: the baseline samples as freely, and min_new_tokens holds the length. */
export function baselineGenerate(workload: Workload): Extract<BaselineCommand, { type: 'generate' }> {
  switch (workload.name) {
    case 'story':
      return { type: 'generate', messages: MESSAGES, max_new_tokens: 64, do_sample: false };
    case 'greedy':
      return { type: 'generate', messages: MESSAGES, max_new_tokens: workload.tokens, min_new_tokens: workload.tokens, do_sample: false };
    case 'long':
    case 'sampled':
      return {
        type: 'generate', messages: MESSAGES, max_new_tokens: workload.tokens, min_new_tokens: workload.tokens,
        do_sample: true, temperature: 1, ...(workload.name === 'sampled' ? { top_p: SAMPLED.top_p } : {}),
      };
  }
}
