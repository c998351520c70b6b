// The sampler's WebAssembly kernel is committed as bytes (worker/logits-nucleus-kernel.ts): they
// must be what its source, bench/sampling/kernel/nucleus-pass.wat, assembles to.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

test('the committed nucleus kernel is nucleus-pass.wat assembled', () => {
  const script = resolve(import.meta.dirname, '../bench/sampling/kernel/assemble.mjs');
  expect(execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' })).toContain('is nucleus-pass.wat assembled');
});
