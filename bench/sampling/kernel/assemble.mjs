#!/usr/bin/env node
// Assembles nucleus-pass.wat (the WebAssembly SIMD pass of worker/logits-nucleus.ts) with WABT's
// wat2wasm (the devDependency `wabt`, pinned in the lockfile; the package ships only the bytes)
// and writes the bytes into worker/logits-nucleus-kernel.ts.
// Run: node bench/sampling/kernel/assemble.mjs [--check] (--check: fail if the committed bytes differ).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const source = resolve(import.meta.dirname, 'nucleus-pass.wat');
const target = resolve(root, 'worker/logits-nucleus-kernel.ts');
const dir = mkdtempSync(join(tmpdir(), 'nucleus-kernel-'));
try {
  const wasm = join(dir, 'pass.wasm');
  execFileSync(resolve(root, 'node_modules/.bin/wat2wasm'), [source, '-o', wasm], { stdio: 'inherit' });
  const base64 = readFileSync(wasm).toString('base64');
  const text = readFileSync(target, 'utf8');
  const updated = text.replace(/const KERNEL = '[^']*';/, `const KERNEL = '${base64}';`);
  if (process.argv.includes('--check')) {
    if (updated !== text) throw new Error(`${target} does not hold the bytes of ${source}: run node bench/sampling/kernel/assemble.mjs`);
    console.log('the committed kernel is nucleus-pass.wat assembled');
  } else {
    writeFileSync(target, updated);
    console.log(`wrote ${readFileSync(wasm).length} bytes into ${target}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
