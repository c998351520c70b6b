#!/usr/bin/env node
// Rows of logits from the benchmark model (scripts/generate-bench-model.mjs, 49,152 tokens), as the
// engine's decode loop sees them: one row per generated token of a sampled chat answer, written to
// bench/tmp/sampling/ for sampler.bench.ts. They come from running the model itself in Node
// (onnxruntime-node), so the spread of the scores, the nucleus's size and the top token's share are
// a real model's. A separate process: ONNX Runtime's spinning threads would skew the timings.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, LogitsProcessor, LogitsProcessorList, env } from '@huggingface/transformers';
import { BENCH_MODEL_DIR, BENCH_MODEL_ID as MODEL } from '../runner/bench-model.mjs';

const TOKENS = 128; // the bench's sampled workload on WASM (BENCH_MODEL_TOKENS_WASM)
const root = resolve(import.meta.dirname, '../..');
const LOGITS_FILE = resolve(root, 'bench/tmp/sampling/logits-49k.f32');

if (!existsSync(LOGITS_FILE)) {
  if (!existsSync(BENCH_MODEL_DIR)) throw new Error(`No ${BENCH_MODEL_DIR}: run \`node scripts/generate-bench-model.mjs\` first.`);
  env.localModelPath = `${dirname(BENCH_MODEL_DIR)}/`;
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
  const model = await AutoModelForCausalLM.from_pretrained(MODEL, { dtype: 'fp32' });
  const rows = [];
  class Capture extends LogitsProcessor {
    _call(_ids, logits) {
      const vocab = logits.dims.at(-1);
      rows.push(logits.data.slice(logits.data.length - vocab));
      return logits;
    }
  }
  const processors = new LogitsProcessorList();
  processors.push(new Capture());
  const input = tokenizer.apply_chat_template([{ role: 'user', content: 'Tell me a story' }], { add_generation_prompt: true, return_dict: true });
  await model.generate({ ...input, max_new_tokens: TOKENS, min_new_tokens: TOKENS, do_sample: true, temperature: 1, top_p: 0.9, logits_processor: processors });
  await model.dispose();
  const all = new Float32Array(rows.length * rows[0].length);
  rows.forEach((row, i) => all.set(row, i * row.length));
  mkdirSync(dirname(LOGITS_FILE), { recursive: true });
  writeFileSync(LOGITS_FILE, all);
  console.log(`wrote ${rows.length} rows of ${rows[0].length} logits to ${LOGITS_FILE}`);
}
