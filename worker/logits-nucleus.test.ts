import { describe, expect, it } from 'vitest';
import { referenceNucleusDraw } from '../test/sampling-reference.js';
import { NucleusSampler } from './logits-nucleus.js';
import { seededRandom } from './sampling.js';

/** `count` draws from one sampler and from the reference, the same random numbers for both. */
function drawBoth(rows: Float32Array[], temperature: number, topP: number, seed = 1) {
  const sampler = new NucleusSampler();
  const [ours, theirs] = [seededRandom(seed), seededRandom(seed)];
  const drawn = rows.map((row) => sampler.draw(row, temperature, topP, ours));
  return { drawn, expected: rows.map((row) => referenceNucleusDraw(row, temperature, topP, theirs)) };
}

// Rows of 49,152 scores: under Stryker's instrumentation (every expression switchable) a test here
// runs ~10× slower than plain, past Vitest's 5 s default.
describe('NucleusSampler', { timeout: 60_000 }, () => {
  it('draws what the reference draws on a real vocabulary size, token after token of different shapes', () => {
    const noise = seededRandom(3);
    const n = 49_152;
    // Peaked rows (a nucleus of a few tokens), a trained model's spread, a flat row (a nucleus of
    // thousands): each token's nucleus reaches further or less far than the one before.
    const shapes = [
      () => Float32Array.from({ length: n }, (_, i) => (i % 977 === 0 ? 12 : 0) + (noise() - 0.5) * 4),
      () => Float32Array.from({ length: n }, () => (noise() + noise() + noise() - 1.5) * 8),
      () => Float32Array.from({ length: n }, () => noise() * 0.5),
    ];
    const rows = Array.from({ length: 12 }, (_, i) => shapes[i % 3]!());
    for (const [temperature, topP] of [[1, 0.9], [0.6, 0.95], [1.7, 0.5]] as const) {
      const { drawn, expected } = drawBoth(rows, temperature, topP, 17);
      expect(drawn, `temperature ${temperature}, top_p ${topP}`).toEqual(expected);
    }
  });

  it('draws what the reference draws when the largest score jumps up or down from one row to the next', () => {
    const noise = seededRandom(10);
    const row = (shift: number) => Float32Array.from({ length: 5000 }, () => shift + (noise() - 0.5) * 6);
    // At temperature 0.1 a drop of 20 logits is 290 octaves: the previous row's maximum is no guide.
    const rows = [row(0), row(20), row(0), row(-20), row(-19), row(30), row(0)];
    for (const temperature of [0.1, 1]) {
      const { drawn, expected } = drawBoth(rows, temperature, 0.9, 12);
      expect(drawn, `temperature ${temperature}`).toEqual(expected);
    }
  });

  it('draws what the reference draws on random rows, temperatures and top_p, one sampler throughout', () => {
    const noise = seededRandom(13);
    for (let trial = 0; trial < 60; trial++) {
      const temperature = 0.05 + noise() * 4;
      const topP = noise() < 0.1 ? 0 : noise();
      const length = 8 + Math.floor(noise() * 600);
      const rows = Array.from({ length: 6 }, () => {
        const shift = (noise() - 0.5) * 100;
        const spread = noise() * 40;
        return Float32Array.from({ length }, () => (noise() < 0.05 ? -Infinity : shift + (noise() - 0.5) * spread));
      });
      const { drawn, expected } = drawBoth(rows, temperature, topP, trial);
      expect(drawn, `trial ${trial}: temperature ${temperature}, top_p ${topP}, ${length} tokens`).toEqual(expected);
    }
  });

  it('never draws a masked token (-Infinity), and draws what the reference draws', () => {
    const noise = seededRandom(8);
    const row = Float32Array.from({ length: 4000 }, (_, i) => (i % 3 === 0 ? -Infinity : (noise() - 0.5) * 10));
    const { drawn, expected } = drawBoth(Array(40).fill(row), 1, 0.95);
    expect(drawn).toEqual(expected);
    expect(drawn.every((token) => token % 3 !== 0)).toBe(true);
  });

  it('draws what the reference draws at extreme temperatures (everything in the tail bucket, or in one octave)', () => {
    const noise = seededRandom(4);
    const row = Float32Array.from({ length: 3000 }, () => (noise() - 0.5) * 30);
    for (const temperature of [0.01, 0.2, 50]) {
      const { drawn, expected } = drawBoth(Array(30).fill(row), temperature, 0.9, 5);
      expect(drawn, `temperature ${temperature}`).toEqual(expected);
    }
  });

  it('draws what the reference draws when top_p is so close to 1 that every bucket is needed, after a row that filled more buckets', () => {
    const noise = seededRandom(9);
    const deep = Float32Array.from({ length: 20_000 }, () => -noise() * 27);
    const shallow = Float32Array.from({ length: 20_000 }, () => -noise() * 5);
    const rows = [deep, ...Array<Float32Array>(10).fill(shallow)];
    const { drawn, expected } = drawBoth(rows, 1, 1 - 1e-8, 4);
    expect(drawn).toEqual(expected);
  });

  // The same edge with every other token near the top (all listed by the kernel, none summed by it):
  // the buckets' bounds cannot tell, the listed tokens' exact mass does.
  it('decides an edge closer than the buckets can tell by the exact mass of the listed tokens', () => {
    const noise = seededRandom(7);
    const near = Float32Array.from({ length: 3000 }, () => -3 + noise() * 0.01);
    const row = Float32Array.from([0, Math.log(0.5), ...near]);
    const total = Array.from(row, (x) => Math.exp(x)).reduce((a, p) => a + p, 0);
    const draws = (topP: number) => {
      const sampler = new NucleusSampler();
      const random = seededRandom(3);
      return new Set(Array.from({ length: 200 }, () => sampler.draw(row, 1, topP, random)));
    };
    expect([...draws((1 - 1e-9) / total)]).toEqual([0]);
    expect([...draws((1 + 1e-9) / total)].sort()).toEqual([0, 1]);
  });

  it('draws what the reference draws when the nucleus reaches far below the previous one (the listing goes deeper)', () => {
    const noise = seededRandom(14);
    const n = 20_000;
    // A peaked row (a nucleus of a few tokens, a shallow listing next), then rows ever flatter.
    const peaked = Float32Array.from({ length: n }, (_, i) => (i === 5 ? 30 : (noise() - 0.5) * 10));
    const rows = [peaked, ...[8, 4, 2, 1].map((spread) => Float32Array.from({ length: n }, () => (noise() - 0.5) * spread)), peaked];
    const { drawn, expected } = drawBoth(rows, 1, 0.9, 15);
    expect(drawn).toEqual(expected);
  });

  // A fresh sampler's first row is listed down to 12 octaves below its top token (10 octaves, the
  // depth it starts from, and 2 of margin). With the edge among the tokens at that threshold (a
  // hair from a token's boundary: only the exact mass decides), the nucleus reaches the
  // threshold's bucket, where tokens could be left unlisted: the sampler lists deeper first.
  it('draws what the reference draws when the edge falls in the bucket of the listing threshold', () => {
    const noise = seededRandom(21);
    // The threshold as the sampler rounds it to f32, half the band at it (listed), half the f32
    // scores just below it (not listed).
    const threshold = Math.fround(-(10 * 64 + 2 * 64) / (64 * Math.LOG2E));
    const below = (k: number) => new Float32Array(new Int32Array([new Int32Array(Float32Array.of(threshold).buffer)[0]! + k]).buffer)[0]!;
    const band = Array.from({ length: 2000 }, (_, i) => (i % 2 ? threshold : below(1 + (i % 40))));
    const tail = Array.from({ length: 30_000 }, () => -15 + noise() * 0.01);
    const row = Float32Array.from([0, ...band, ...tail]);
    const probs = Array.from(row, (x) => Math.exp(x));
    const total = probs.reduce((a, p) => a + p, 0);
    const sorted = [...probs].sort((a, b) => b - a);
    // The mass of the top token and the band's 900 likeliest: the edge a hair below or above it.
    const edge = sorted.slice(0, 901).reduce((a, p) => a + p, 0);
    for (const side of [1 - 1e-12, 1 + 1e-12]) {
      const { drawn, expected } = drawBoth(Array(30).fill(row), 1, (edge * side) / total, 22);
      expect(drawn, `edge × ${side}`).toEqual(expected);
    }
  });

  it('draws what the reference draws from rows whose length is not a multiple of 4 (the kernel leaves the last few)', () => {
    const noise = seededRandom(16);
    for (const length of [5, 6, 7, 4097, 4098, 4099]) {
      // The largest score among the last few: the kernel does not see it.
      const row = Float32Array.from({ length }, (_, i) => (i === length - 1 ? 9 : (noise() - 0.5) * 12));
      const { drawn, expected } = drawBoth(Array(20).fill(row), 0.8, 0.7, length);
      expect(drawn, `${length} tokens`).toEqual(expected);
    }
  });

  it('decides rows with a NaN or an infinite score as without the kernel', () => {
    const noise = seededRandom(17);
    const base = () => Float32Array.from({ length: 1000 }, () => (noise() - 0.5) * 8);
    const infinite = base();
    infinite[10] = Infinity;
    const masked = base().fill(-Infinity);
    const sampler = new NucleusSampler();
    const random = seededRandom(1);
    expect(sampler.draw(infinite, 1, 0.9, random)).toBe(10);
    expect(sampler.draw(masked, 1, 0.9, random)).toBe(0);
    const withNaN = base();
    withNaN[3] = Number.NaN;
    const token = sampler.draw(withNaN, 1, 0.9, random);
    expect(Number.isInteger(token) && token >= 0 && token < 1000 && token !== 3).toBe(true);
  });

  // top_p 1 (drawWhole): the draw a hair before or after a token's end, among 5,000 tokens of
  // nearly one probability: only exponentials summed exactly can tell; the kernel's sums must not.
  it('leaves a top_p 1 draw a hair from a token boundary to the exact walk', () => {
    const noise = seededRandom(24);
    const row = Float32Array.from({ length: 5001 }, (_, i) => (i === 0 ? 0 : -6 + noise() * 0.001));
    const probs = Array.from(row, (x) => Math.exp(x));
    const total = probs.reduce((a, p) => a + p, 0);
    const walk = (u: number) => {
      let r = u * total;
      for (let i = 0; i < probs.length; i++) if ((r -= probs[i]!) <= 0) return i;
      return probs.length - 1;
    };
    const sampler = new NucleusSampler();
    let decided = 0;
    for (const k of [1, 700, 2500, 4000]) {
      const end = probs.slice(0, k + 1).reduce((a, p) => a + p, 0);
      for (const side of [1 - 1e-10, 1 + 1e-10, 1 - 1e-3, 1 + 1e-3]) {
        const u = (end * side) / total;
        const token = sampler.drawWhole(row, 1, u);
        if (token !== undefined) decided++;
        expect(token ?? walk(u), `token ${k}, × ${side}`).toBe(walk(u));
      }
    }
    expect(decided).toBeGreaterThan(0); // the draws a thousandth from a boundary are placed by the kernel
  });

  // One top token of probability ∝ 1, a second of ∝ 0.5 and 40,000 tail tokens, each spread a little
  // inside its bucket, so the tail's mass is only known within its bounds. top_p puts the nucleus's
  // edge a billionth away from the top token's mass, on either side: only the exact tail decides.
  it('decides an edge closer than the buckets can tell by the exact mass of the rest', () => {
    const noise = seededRandom(6);
    const tail = Float32Array.from({ length: 40_000 }, () => -15 + noise() * 0.01);
    const row = Float32Array.from([0, Math.log(0.5), ...tail]);
    const total = Array.from(row, (x) => Math.exp(x)).reduce((a, p) => a + p, 0);
    const draws = (topP: number) => {
      const sampler = new NucleusSampler();
      const random = seededRandom(2);
      return new Set(Array.from({ length: 200 }, () => sampler.draw(row, 1, topP, random)));
    };
    expect([...draws((1 - 1e-9) / total)]).toEqual([0]);
    expect([...draws((1 + 1e-9) / total)].sort()).toEqual([0, 1]);
  });
});
