import { describe, expect, it } from 'vitest';
import { KERNEL_ERROR, KERNEL_FLOOR, NucleusKernel } from './logits-nucleus-kernel.js';
import { seededRandom } from './sampling.js';

function kernelWith(row: Float32Array): NucleusKernel {
  const kernel = NucleusKernel.create();
  if (!kernel) throw new Error('Node has WebAssembly SIMD: the kernel must load');
  kernel.reserve(row.length);
  kernel.scores.set(row);
  return kernel;
}

/** Rows with a real model's spread, a few masked tokens, and tokens far below the rest. */
function rows(count: number, seed: number): Float32Array[] {
  const noise = seededRandom(seed);
  return Array.from({ length: count }, (_, r) => {
    const length = 4 + Math.floor(noise() * 3000) + (r % 4);
    const shift = (noise() - 0.5) * 60;
    const spread = 1 + noise() * 40;
    return Float32Array.from({ length }, () => {
      const u = noise();
      if (u < 0.02) return -Infinity;
      if (u < 0.05) return shift - 200 - noise() * 100; // beyond the clamp at 40 octaves
      return shift + (noise() - 0.5) * spread;
    });
  });
}

describe('NucleusKernel', { timeout: 60_000 }, () => { // long rows: slow under Stryker (logits-nucleus.test.ts)
  it('finds the largest of the first n − n % 4 scores, NaN ignored as s > max ? s : max ignores it', () => {
    for (const row of rows(40, 1)) {
      row[Math.floor(row.length / 2)] = Number.NaN;
      let max = -Infinity;
      for (let i = 0; i < row.length - (row.length % 4); i++) max = row[i]! > max ? row[i]! : max;
      expect(kernelWith(row).largest()).toBe(max);
    }
    expect(kernelWith(new Float32Array([1, 2])).largest()).toBe(-Infinity);
  });

  it('lists exactly the tokens at or above the threshold, in order, and sums 2^(−x) over the others within KERNEL_ERROR', () => {
    let worst = 0;
    for (const [r, row] of rows(60, 2).entries()) {
      const kernel = kernelWith(row);
      const max = kernel.largest();
      const temperature = [0.05, 0.3, 1, 2.5][r % 4]!;
      const scale = Math.fround(Math.LOG2E / temperature);
      const threshold = Math.fround(max - (r % 7) * temperature);
      kernel.pass(max, scale, threshold);
      const whole = row.length - (row.length % 4);
      const expected: number[] = [];
      let exact = 0;
      for (let i = 0; i < whole; i++) {
        if (row[i]! >= threshold) expected.push(i);
        else exact += 2 ** (-(max - row[i]!) * (Math.LOG2E / temperature));
      }
      expect(Array.from(kernel.list.subarray(0, kernel.listed))).toEqual(expected);
      // The bounds the sampler takes from the sum hold.
      expect(kernel.rest * (1 + KERNEL_ERROR)).toBeGreaterThanOrEqual(exact);
      expect(kernel.rest * (1 - KERNEL_ERROR) - whole * KERNEL_FLOOR).toBeLessThanOrEqual(exact);
      // Where the clamped tokens' allowance does not dwarf the sum: the approximation's own error.
      if (exact > 1e6 * whole * KERNEL_FLOOR) worst = Math.max(worst, Math.abs(kernel.rest / exact - 1));
    }
    // Not vacuous: the polynomial's error shows, well inside the bound.
    expect(worst).toBeGreaterThan(1e-8);
    expect(worst).toBeLessThan(KERNEL_ERROR);
  });

  it('approximates 2^(−x) within KERNEL_ERROR token by token, over every fraction of an octave and depths to 40 octaves', () => {
    const noise = seededRandom(5);
    // One token alone below an infinite threshold, and three masked ones (2^-40 each, the clamp:
    // c0 · 2^-40 with the polynomial's c0 = 1 − 2.68e-6).
    const kernel = kernelWith(new Float32Array(4));
    const masked = 3 * Math.fround(0.9999973177909851) * 2 ** -40;
    for (let k = 0; k < 4096; k++) {
      const depth = k < 64 ? k / 64 : noise() * 40;
      const temperature = 0.1 + noise() * 3;
      const score = Math.fround(10 - depth * temperature * Math.LN2);
      kernel.scores.set([score, -Infinity, -Infinity, -Infinity]);
      kernel.pass(10, Math.fround(Math.LOG2E / temperature), Infinity);
      const exact = 2 ** (-(10 - score) * (Math.LOG2E / temperature));
      expect(Math.abs((kernel.rest - masked) / exact - 1), `depth ${depth}, temperature ${temperature}`).toBeLessThan(KERNEL_ERROR);
    }
  });

  it('makes the sum NaN when a score not listed is NaN (the sampler then decides in JavaScript)', () => {
    const kernel = kernelWith(Float32Array.from([5, 1, Number.NaN, 2]));
    kernel.pass(5, Math.fround(Math.LOG2E), 4);
    expect(kernel.rest).toBeNaN();
  });

  it('keeps its views valid when a longer row grows its memory', () => {
    const kernel = kernelWith(new Float32Array(16).fill(1));
    kernel.reserve(200_000);
    kernel.scores.fill(-1);
    kernel.scores[199_999 - 3] = 3;
    expect(kernel.largest()).toBe(3);
    kernel.pass(3, Math.fround(Math.LOG2E), 2);
    expect(Array.from(kernel.list.subarray(0, kernel.listed))).toEqual([199_996]);
  });
});
