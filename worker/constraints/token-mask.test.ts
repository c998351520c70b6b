// Grammar-constrained decoding with the real xgrammar on a small raw vocabulary: greedy decoding
// over logits that prefer the wrong tokens still yields exactly what the grammar allows.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../src/shared/protocol.js';
import { grammarFor } from './grammar-spec.js';
import type { VocabularyInfo } from './xgrammar.js';

type TokenMaskModule = typeof import('./token-mask.js');
let TokenMask: TokenMaskModule['TokenMask'];
let applyBitmask: TokenMaskModule['applyBitmask'];

beforeAll(async () => {
  // web-xgrammar's Emscripten prologue calls a global `require` in Node (browsers never reach it).
  Object.assign(globalThis, { require: createRequire(import.meta.url), __filename: import.meta.filename });
  ({ TokenMask, applyBitmask } = await import('./token-mask.js'));
});

/** id 0 ends; then every printable ASCII character, newline, and a few multi-character tokens. */
const TOKENS = ['<eos>', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\n', '<tool_call>', '": "', 'Paris', 'zzzz'];
const VOCAB: VocabularyInfo = { tokens: TOKENS, type: 'raw', logitsSize: TOKENS.length + 3, stopTokenIds: [0] };

/** Greedy decoding where `zzzz` and `<eos>` are always the model's favourites, then 'Paris'; `bias` moves tokens. */
async function decode(request: GenerateRequest, bias: Record<string, number> = {}, steps = 120): Promise<string> {
  const spec = grammarFor(request);
  if (!spec) throw new Error('no grammar');
  const mask = TokenMask.compile(VOCAB, spec);
  let out = '';
  try {
    for (let i = 0; i < steps; i++) {
      const logits = new Float32Array(VOCAB.logitsSize).map((_, id) =>
        bias[TOKENS[id] ?? ''] ?? (id === 0 ? 3 : TOKENS[id] === 'zzzz' ? 5 : TOKENS[id] === 'Paris' ? 2 : TOKENS[id] === ' ' ? -1 : 0));
      await mask.apply(logits);
      let best = 0;
      for (let id = 1; id < logits.length; id++) if (logits[id]! > logits[best]!) best = id;
      mask.accept(best);
      if (best === 0) return out;
      out += TOKENS[best];
    }
  } finally {
    mask.dispose();
  }
  throw new Error(`no end after ${steps} tokens: ${out}`);
}

const messages = [{ role: 'user' as const, content: 'x' }];

describe('TokenMask', () => {
  it('forces a JSON schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string', maxLength: 8 }, n: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['city', 'n'], additionalProperties: false };
    const text = await decode({ messages, response_format: { type: 'json_schema', name: 's', schema, strict: true } });
    const value = JSON.parse(text) as { city: string; n: number };
    expect(Object.keys(value)).toEqual(['city', 'n']);
    expect(value.city.length).toBeLessThanOrEqual(8);
  });

  it('forces one Hermes-form call of the named tool, in compact JSON', async () => {
    const tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 5 } }, required: ['city'], additionalProperties: false }, strict: true };
    const text = await decode({ messages, tools: { tools: [tool, { ...tool, name: 'other' }], tool_choice: { name: 'get_weather' }, parallel_tool_calls: false } });
    expect(text).toMatch(/^<tool_call>\n\{"name": "get_weather", "arguments": \{"city": "[^"]{0,5}"\}\}\n<\/tool_call>$/);
  });

  // Found by review: with tools on `auto`, the response_format was not enforced at all.
  it('tools on auto with a response_format: the answer holds to the schema, or the model calls a tool', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['n'], additionalProperties: false };
    const tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false };
    const request: GenerateRequest = { messages, tools: { tools: [tool], tool_choice: 'auto', parallel_tool_calls: false }, response_format: { type: 'json_schema', name: 's', schema, strict: true } };
    const answer = await decode(request, { '<': -9, '<tool_call>': -9 });
    expect(Object.keys(JSON.parse(answer) as object)).toEqual(['n']);
    const call = await decode(request, { '<tool_call>': 4, '}': 1 });
    expect(call).toMatch(/^<tool_call>\n\{"name": "get_weather", "arguments": \{.*\}\}\n<\/tool_call>$/);
    const jsonObject = await decode({ ...request, response_format: { type: 'json_object' } }, { '<': -9, '<tool_call>': -9, '}': 1 });
    expect(JSON.parse(jsonObject)).toBeTypeOf('object');
  });

  it("turns a schema xgrammar cannot compile into the request's 400, not a failure of the model", async () => {
    const spec = grammarFor({ messages: [], response_format: { type: 'json_schema', name: 'x', schema: { type: 'string', pattern: '[' }, strict: true } });
    const mask = TokenMask.compile(VOCAB, spec!);
    const error = await mask.apply(new Float32Array(VOCAB.logitsSize)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ZStreamError', code: 'invalid_request', param: 'response_format', status: 400 });
    expect((error as Error).message).toMatch(/^Invalid schema for response_format: the grammar engine could not compile it \(.+\)\.$/);
    mask.dispose();
  });

  it('masks padding beyond the vocabulary, and bits by token', () => {
    const logits = new Float32Array(40).fill(1);
    applyBitmask(logits, Int32Array.of(0b101, -1));
    expect(Array.from(logits.slice(0, 4))).toEqual([1, -Infinity, 1, -Infinity]);
    expect(logits[35]).toBe(1);
    applyBitmask(logits, Int32Array.of(-1));
    expect(logits[32]).toBe(-Infinity);
  });
});
