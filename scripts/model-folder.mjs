// Writes a generated Llama model folder the way transformers.js reads it (FACTS.md): config.json,
// generation_config.json, the tokenizer's two files and onnx/model.onnx. Shared by the test model
// (generate-model.mjs) and the benchmark model (generate-bench-model.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `dims` as model-graph.mjs takes them; `tokenizer` as model-tokenizer.mjs or bench-tokenizer.mjs build it. */
export function writeModelFolder(outDir, { dims, tokenizer, onnx }) {
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: tokenizer.vocabSize,
    hidden_size: dims.hidden,
    intermediate_size: dims.intermediate,
    num_hidden_layers: dims.layers,
    num_attention_heads: dims.heads,
    num_key_value_heads: dims.heads,
    head_dim: dims.headDim,
    max_position_embeddings: dims.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    hidden_act: 'silu',
    tie_word_embeddings: false,
    bos_token_id: null,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.padId,
    torch_dtype: 'float32',
    'transformers.js_config': { dtype: 'fp32' },
  };
  const generationConfig = { eos_token_id: tokenizer.eosId, pad_token_id: tokenizer.padId, bos_token_id: null };
  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  const write = (name, data) => writeFileSync(join(outDir, name), data);
  write('config.json', JSON.stringify(config, null, 2));
  write('generation_config.json', JSON.stringify(generationConfig, null, 2));
  write('tokenizer.json', JSON.stringify(tokenizer.tokenizerJson));
  write('tokenizer_config.json', JSON.stringify(tokenizer.tokenizerConfig, null, 2));
  write('onnx/model.onnx', onnx);
}
