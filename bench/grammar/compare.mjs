// Grammar libraries on one workload: compile a JSON schema for a vocabulary, then per token build
// the mask, apply it to a row of logits, take the best allowed token and advance the grammar.
// Logits are seeded noise that favours no token, so the walk spends its time inside strings and
// numbers like a real model's. Run: node bench/grammar/compare.mjs [vocabSize]
import { createRequire } from 'node:module';
import { StructuredOutputProcessor } from '@huggingface/transformers-structured-output';
import { Tensor } from '@huggingface/transformers';
import { syntheticVocab } from './synthetic-vocab.mjs';

// web-xgrammar ships one UMD file in a "type": "module" package: as an ES module it sets
// `globalThis.xgrammar`, and in Node its Emscripten prologue calls a global `require`.
globalThis.require = createRequire(import.meta.url);
globalThis.__filename = new URL(import.meta.url).pathname;
await import('@mlc-ai/web-xgrammar');
const { GrammarCompiler, GrammarMatcher, TokenizerInfo } = globalThis.xgrammar;

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', maxLength: 24 },
    temperature: { type: 'number' },
    unit: { enum: ['celsius', 'fahrenheit'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 12 }, maxItems: 3 },
  },
  required: ['city', 'temperature', 'unit', 'tags'],
  additionalProperties: false,
};
const STEPS = 120;

function noise(vocab, step) {
  const row = new Float32Array(vocab);
  let a = (step * 2654435761) >>> 0;
  for (let i = 0; i < vocab; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    row[i] = a / 4294967296;
  }
  return row;
}

function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Applies a packed allow-bitmask (bit set = allowed) to logits in place. */
function applyBitmask(row, mask) {
  for (let w = 0; w < mask.length; w++) {
    const bits = mask[w];
    if (bits === -1) continue;
    const base = w << 5;
    for (let b = 0; b < 32 && base + b < row.length; b++) if (!(bits & (1 << b))) row[base + b] = -Infinity;
  }
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const summary = (name, setupMs, compileMs, times, text) => ({
  name, setupMs: +setupMs.toFixed(1), compileMs: +compileMs.toFixed(1), tokens: times.length,
  meanMsPerToken: +(times.reduce((a, b) => a + b, 0) / times.length).toFixed(3),
  p95MsPerToken: +percentile(times, 0.95).toFixed(3), text: text.slice(0, 90),
});

async function runXGrammar(vocab) {
  let t = performance.now();
  const info = await TokenizerInfo.createTokenizerInfo(vocab.tokens, 'byte_level', false, vocab.tokens.length, [vocab.eos]);
  const compiler = await GrammarCompiler.createGrammarCompiler(info);
  const setupMs = performance.now() - t;
  t = performance.now();
  const compiled = await compiler.compileJSONSchema(JSON.stringify(SCHEMA), false, -1);
  const compileMs = performance.now() - t;
  const matcher = await GrammarMatcher.createGrammarMatcher(compiled);
  const times = [];
  const out = [];
  for (let step = 0; step < STEPS && !matcher.isTerminated(); step++) {
    const row = noise(vocab.tokens.length, step);
    const start = performance.now();
    const mask = await matcher.getNextTokenBitmask();
    applyBitmask(row, mask);
    const token = argmax(row);
    if (!matcher.acceptToken(token)) throw new Error(`xgrammar refused its own token ${token}`);
    times.push(performance.now() - start);
    if (token !== vocab.eos) out.push(...vocab.bytes[token]);
  }
  const text = new TextDecoder().decode(Uint8Array.from(out));
  // A repeated schema hits the compiler's cache: what a request with a schema seen before pays.
  t = performance.now();
  (await compiler.compileJSONSchema(JSON.stringify(SCHEMA), false, -1)).dispose();
  const cachedCompileMs = performance.now() - t;
  // The tool-call grammar of tool_choice "required" (worker/constraints/grammar-spec.ts).
  t = performance.now();
  const { Testings } = globalThis.xgrammar;
  const grammar = await Testings._jsonSchemaToEBNF(JSON.stringify(SCHEMA), false, -1);
  const tag = { type: 'tag', begin: '<tool_call>\n{"name": "get_weather", "arguments": ', content: { type: 'grammar', grammar }, end: '}\n</tool_call>' };
  (await compiler.compileStructuralTag({ type: 'structural_tag', format: { type: 'tags_with_separator', tags: [tag], separator: '\n', at_least_one: true, stop_after_first: true } })).dispose();
  const toolCallCompileMs = performance.now() - t;
  matcher.dispose(); compiled.dispose(); compiler.dispose(); info.dispose();
  return { ...summary('@mlc-ai/web-xgrammar 0.1.27', setupMs, compileMs, times, text), cachedCompileMs: +cachedCompileMs.toFixed(2), toolCallCompileMs: +toolCallCompileMs.toFixed(1) };
}

function runStructuredOutput(vocab) {
  const tokenizer = { tokens: vocab.bytes, eos_token_id: vocab.eos };
  let t = performance.now();
  StructuredOutputProcessor.warmup(tokenizer);
  const setupMs = performance.now() - t;
  t = performance.now();
  const processor = new StructuredOutputProcessor(tokenizer, { type: 'json_schema', json_schema: SCHEMA });
  const compileMs = performance.now() - t;
  const ids = [0n];
  const times = [];
  const out = [];
  for (let step = 0; step < STEPS; step++) {
    const row = noise(vocab.tokens.length, step);
    const start = performance.now();
    processor._call([ids], new Tensor('float32', row, [1, row.length]));
    const token = argmax(row);
    times.push(performance.now() - start);
    if (token === vocab.eos) break;
    ids.push(BigInt(token));
    out.push(...vocab.bytes[token]);
  }
  const text = new TextDecoder().decode(Uint8Array.from(out));
  return summary('@huggingface/transformers-structured-output 4.3.0', setupMs, compileMs, times, text);
}

function runUnconstrained(vocab) {
  const times = [];
  for (let step = 0; step < 60; step++) {
    const row = noise(vocab.tokens.length, step);
    const start = performance.now();
    argmax(row);
    times.push(performance.now() - start);
  }
  return summary('no constraint (argmax only)', 0, 0, times, '');
}

const size = Number(process.argv[2] ?? 49152);
const vocab = syntheticVocab(size);
const results = [runUnconstrained(vocab), await runXGrammar(vocab), runStructuredOutput(vocab)];
console.log(JSON.stringify({ vocabSize: size, results }, null, 2));
