// The sampler's cost per token on the benchmark model's 49,152 scores: greedy against the bench's
// sampled workload (temperature 1, top_p 0.9, presence_penalty 0.5: bench/page/workloads.ts), and
// the passes a token's sampling is made of, to see which one the time goes to.
// Run: npm run bench:sampling (after `node scripts/generate-bench-model.mjs`; vitest bench, min and
// mean ms a token).
import { bench, describe } from 'vitest';
import { Sampler, argmax, type SamplingParams } from '../../worker/sampling.js';
import { benchModelLogits } from './logits.js';

/** One bench request's length (BENCH_MODEL_TOKENS_WASM): the penalties see as many tokens as in the bench. */
const TOKENS = 128;
const rows = benchModelLogits();
const GREEDY: SamplingParams = { temperature: 0, top_p: 1, presence_penalty: 0, frequency_penalty: 0 };
const SAMPLED: SamplingParams = { temperature: 1, top_p: 0.9, presence_penalty: 0.5, frequency_penalty: 0, seed: 5 };

/** One sampled token per call, a new Sampler (a new request) every TOKENS tokens. */
function decoder(params: SamplingParams): () => number {
  let sampler = new Sampler(params);
  let step = 0;
  return () => {
    if (step === TOKENS) [sampler, step] = [new Sampler(params), 0];
    return sampler.sample(rows[step++]!);
  };
}

let sink = 0;
const options = { time: 1500, warmupTime: 300 };

describe('a token on 49,152 scores', () => {
  const greedy = decoder(GREEDY);
  const sampled = decoder(SAMPLED);
  const topP1 = decoder({ ...SAMPLED, top_p: 1 });
  const noPenalty = decoder({ ...SAMPLED, presence_penalty: 0 });
  bench('greedy', () => void (sink += greedy()), options);
  bench('sampled: temperature 1, top_p 0.9, presence 0.5', () => void (sink += sampled()), options);
  bench('sampled without the penalty', () => void (sink += noPenalty()), options);
  bench('sampled with top_p 1', () => void (sink += topP1()), options);
});

describe('single passes over one row, for scale', () => {
  let i = 0;
  const next = () => rows[i++ % rows.length]!;
  const copy = new Float32Array(rows[0]!.length);
  bench('argmax', () => void (sink += argmax(next())), options);
  bench('copy (Float32Array.set)', () => void copy.set(next()), options);
  bench('Math.exp of every score', () => {
    const row = next();
    let sum = 0;
    for (let k = 0; k < row.length; k++) sum += Math.exp(row[k]! - 10);
    sink += sum;
  }, options);
});
