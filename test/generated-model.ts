// The embedded model, generated into a temporary folder and loaded with transformers.js on
// onnxruntime-node (CPU): the real network and tokenizer for the worker's unit tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { PrefixCache } from '../worker/transformers/prefix-cache.js';
import { createDecodeContext, type DecodeContext } from '../worker/transformers/token-stream.js';

export const GENERATED_MODEL = 'zstream-tiny-story';
/** The embedded model's end-of-sequence token. */
export const GENERATED_EOS = 258;
/** Bytes of KV cache a token takes: layers × (key, value) × heads × head_dim × 4 bytes (f32). */
export const GENERATED_BYTES_PER_TOKEN = 2 * 2 * 4 * 16 * 4;

export async function loadGeneratedModel(): Promise<{ model: PreTrainedModel; tokenizer: PreTrainedTokenizer }> {
  const dir = mkdtempSync(join(tmpdir(), 'zstream-model-'));
  execFileSync('node', ['scripts/generate-model.mjs', join(dir, GENERATED_MODEL)]);
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(GENERATED_MODEL);
  const model = await AutoModelForCausalLM.from_pretrained(GENERATED_MODEL, { device: 'cpu' });
  return { model, tokenizer };
}

/** What the backend gives its token streams, with a context window of `contextLength`. */
export function decodeContext(
  model: PreTrainedModel, tokenizer: PreTrainedTokenizer | undefined, contextLength: number, prefixCache = new PrefixCache(),
): DecodeContext {
  const decode = (ids: number[]) => tokenizer?.decode(ids, { skip_special_tokens: true }) ?? '';
  return createDecodeContext(model, decode, [GENERATED_EOS], contextLength, prefixCache);
}
