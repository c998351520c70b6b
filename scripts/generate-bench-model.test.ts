// The benchmark model's tokenizer is a real byte-level BPE of SmolLM2-135M's size: text encodes to
// multi-letter tokens through its merges and decodes back byte for byte.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';

const MODEL = 'zstream-bench-49k';

describe('generate-bench-model', () => {
  it('writes a 49,152-token vocabulary whose merges encode and decode real text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zstream-bench-model-'));
    execFileSync('node', ['scripts/generate-bench-model.mjs', join(dir, MODEL)]);
    const config = JSON.parse(readFileSync(join(dir, MODEL, 'config.json'), 'utf8'));
    expect(config.vocab_size).toBe(49_152);
    env.allowRemoteModels = false;
    env.localModelPath = `${dir}/`;
    const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
    const text = 'the quick brown fox jumps over the lazy dog, café 👋';
    const ids = tokenizer.encode(text);
    expect(ids.length).toBeLessThan(text.length / 2);
    expect(Math.max(...ids)).toBeGreaterThan(20_000);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.decode([49_151])).toMatch(/^[a-z ]+$/);
  }, 60_000);
});
