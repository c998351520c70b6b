// The benchmark model's logits captured by capture-logits.mjs: one row of 49,152 per token.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const VOCAB = 49_152;
const FILE = resolve(import.meta.dirname, '../tmp/sampling/logits-49k.f32');

export function benchModelLogits(): Float32Array[] {
  const bytes = readFileSync(FILE);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return Array.from({ length: all.length / VOCAB }, (_, i) => all.slice(i * VOCAB, (i + 1) * VOCAB));
}
