// Greedy and sampled decoding of the benchmark model, one step of each in turn, so whatever else
// the machine does slows both alike: each step (forward pass, logits, the sampler, detokenizing)
// is timed on its own. The backend is the engine's own (worker/transformers), as the bench's floor.
import { expose } from 'comlink';
import type { GenerateRequest, LoadOptions, ModelInfo } from '../../../src/shared/protocol.js';
import type { Backend, TokenStream } from '../../../worker/backend.js';
import { loadTransformersBackend } from '../../../worker/transformers/load.js';
import { MESSAGES, SAMPLED } from '../../page/workloads.js';
import { Sampler, type SamplingParams } from '../../../worker/sampling.js';
import type { PairsRecord, SamplerRecord, StepsApi } from './steps-api.js';

let backend: Backend | undefined;

async function start(request: GenerateRequest): Promise<TokenStream> {
  if (!backend) throw new Error('load() first');
  const stream = (await backend.prepare(request)).start();
  await stream.next(); // the prefill
  return stream;
}

const api: StepsApi = {
  async load(options: LoadOptions): Promise<ModelInfo> {
    backend = await loadTransformersBackend(options, () => undefined);
    return backend.info;
  },

  /** `tokens` decode steps of each, alternating which goes first. */
  async pairs(tokens: number): Promise<PairsRecord> {
    const streams = {
      greedy: await start({ messages: MESSAGES, temperature: 0, max_tokens: tokens + 1 }),
      sampled: await start({ messages: MESSAGES, ...SAMPLED, max_tokens: tokens + 1 }),
    };
    const record: PairsRecord = { greedy: [], sampled: [] };
    try {
      for (let i = 0; i < tokens; i++) {
        for (const name of i % 2 ? (['sampled', 'greedy'] as const) : (['greedy', 'sampled'] as const)) {
          const t = performance.now();
          const step = await streams[name].next();
          record[name].push(performance.now() - t);
          if (step.kind === 'end') throw new Error(`${name} ended after ${i} tokens`);
        }
      }
    } finally {
      await Promise.all([streams.greedy.close(), streams.sampled.close()]);
    }
    return record;
  },

  async samplers(url: string, rounds: number): Promise<SamplerRecord> {
    const all = new Float32Array(await (await fetch(url)).arrayBuffer());
    const vocab = 49_152;
    const rows = Array.from({ length: all.length / vocab }, (_, i) => all.subarray(i * vocab, (i + 1) * vocab));
    const greedy: SamplingParams = { temperature: 0, top_p: 1, presence_penalty: 0, frequency_penalty: 0 };
    const sampled: SamplingParams = { frequency_penalty: 0, ...SAMPLED };
    // One request's tokens per round; performance.now() is coarse in a worker (0.1 ms), a round is not.
    const round = (params: SamplingParams) => {
      const sampler = new Sampler(params);
      const t = performance.now();
      for (const row of rows) sampler.sample(row);
      return (performance.now() - t) / rows.length;
    };
    for (let i = 0; i < 10; i++) [round(greedy), round(sampled)]; // JIT
    const record: SamplerRecord = { greedy: [], sampled: [] };
    for (let i = 0; i < rounds; i++) {
      record.greedy.push(round(greedy));
      record.sampled.push(round(sampled));
    }
    return record;
  },
};

expose(api);
