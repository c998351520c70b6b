#!/usr/bin/env node
// The kernel's 2^(−f) (nucleus-pass.wat: a degree-4 polynomial, Horner, every operation rounded to
// f32 as f32x4.mul and f32x4.add do) against 2^(−f) for every f32 f in [0, 1): prints the largest
// relative error, which worker/logits-nucleus-kernel.ts's KERNEL_ERROR must cover.
// Run: node bench/sampling/kernel/check-polynomial.mjs (about a billion fractions: minutes).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const wat = readFileSync(resolve(import.meta.dirname, 'nucleus-pass.wat'), 'utf8');
// The coefficients in Horner order, as the .wat writes them (hex floats, each four times).
const hex = [...wat.matchAll(/v128\.const f32x4 (-?0x1\.[0-9a-f]+p[-+]\d+) /g)].map((m) => m[1]).filter((h) => !h.includes('p+23'));
const parse = (h) => {
  const [, sign, mantissa, exponent] = /^(-?)0x1\.([0-9a-f]+)p([-+]\d+)$/.exec(h);
  return (sign ? -1 : 1) * (1 + parseInt(mantissa, 16) / 16 ** mantissa.length) * 2 ** Number(exponent);
};
const [c4, c3, c2, c1, c0] = hex.map(parse).map(Math.fround);
if (c0 === undefined) throw new Error('five coefficients expected in nucleus-pass.wat');
const fr = Math.fround;
const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
let worst = 0;
let at = 0;
const one = 0x3f800000;
for (let b = 0; b < one; b++) {
  bits[0] = b;
  const f = asFloat[0];
  let p = fr(fr(f * c4) + c3);
  p = fr(fr(f * p) + c2);
  p = fr(fr(f * p) + c1);
  p = fr(fr(f * p) + c0);
  const error = Math.abs(p * 2 ** f - 1);
  if (error > worst) [worst, at] = [error, f];
}
console.log(`coefficients ${[c4, c3, c2, c1, c0].join(', ')}; largest relative error ${worst.toExponential(3)} at f = ${at}`);
