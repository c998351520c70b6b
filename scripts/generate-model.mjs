#!/usr/bin/env node
// Writes the embedded test model: a 2-layer Llama decoder (RMSNorm, RoPE, causal attention
// with a KV cache, SwiGLU MLP) as ONNX, a byte-level BPE tokenizer with a ChatML template,
// and the config files transformers.js reads. Weights are seeded, so the output is
// byte-identical on every machine.
//
// Greedy decoding is made deterministic by construction: the tokens of STORY_PIECES get
// orthonormal embeddings and the LM head maps each one to its successor, so whatever the
// prompt, the model tells the same story after the chat template's final "\n", then emits
// <|im_end|>. Attention and MLP run for real but write small values into the residual.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModelFolder } from './model-folder.mjs';
import { buildGraph } from './model-graph.mjs';
import { buildCanonicalTokenizer } from './canonical-tokenizer.mjs';
import { buildTokenizer } from './model-tokenizer.mjs';
import { STORY_PIECES } from './story.mjs';
import { TOOL_CALL_PIECES } from './tool-call-story.mjs';

// `--tools`: the second test model, the same network whose greedy answer is a Hermes tool call
// (scripts/tool-call-story.mjs, e2e/tools.spec.ts). `--chat`: the third, the same story, with a
// tokenizer whose merges re-encode the story's text to the story's tokens as a trained BPE re-encodes
// its model's output (scripts/canonical-tokenizer.mjs), so a chat's previous answer hits the prefix
// cache (the conversation benchmark, e2e/prefix-cache.spec.ts).
const tools = process.argv.includes('--tools');
const chat = process.argv.includes('--chat');
const [outArg] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const MODEL_ID = tools ? 'zstream-tiny-tools' : chat ? 'zstream-tiny-chat' : 'zstream-tiny-story';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = outArg ?? join(root, 'public', 'models', MODEL_ID);

const dims = { hidden: 64, heads: 4, headDim: 16, layers: 2, intermediate: 128, maxPositions: 2048 };
const tokenizer = tools ? buildTokenizer(TOOL_CALL_PIECES) : chat ? buildCanonicalTokenizer(STORY_PIECES) : buildTokenizer(STORY_PIECES);
const onnx = buildGraph({ ...dims, vocab: tokenizer.vocabSize, chain: tokenizer.chain, eos: tokenizer.eosId });

writeModelFolder(outDir, { dims, tokenizer, onnx });
console.log(`wrote ${outDir} (${(onnx.length / 1024).toFixed(0)} KiB onnx, vocab ${tokenizer.vocabSize})`);
