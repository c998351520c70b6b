import { describe, expect, it } from 'vitest';
import { referenceNucleusDraw } from '../test/sampling-reference.js';
import { Sampler, argmax, seededRandom, type SamplingParams } from './sampling.js';

const logits = Float32Array.from([1, 3, 2, 0.5]);
const params = { temperature: 0, top_p: 1, presence_penalty: 0, frequency_penalty: 0 };

describe('Sampler', () => {
  it('is greedy at temperature 0', () => {
    const s = new Sampler(params);
    expect([1, 2, 3].map(() => s.sample(logits))).toEqual([1, 1, 1]);
  });

  it('repeats itself with the same seed and differs with another', () => {
    const draw = (seed: number) => {
      const s = new Sampler({ ...params, temperature: 2, seed });
      return Array.from({ length: 40 }, () => s.sample(logits)).join('');
    };
    expect(draw(7)).toBe(draw(7));
    expect(draw(7)).not.toBe(draw(8));
  });

  it('samples in proportion to softmax(logits / T)', () => {
    const s = new Sampler({ ...params, temperature: 1, seed: 1 });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[s.sample(logits)]!++;
    const z = [...logits].reduce((a, x) => a + Math.exp(x), 0);
    counts.forEach((c, i) => expect(c / 20_000).toBeCloseTo(Math.exp(logits[i]!) / z, 1));
  });

  it('top_p keeps only the nucleus', () => {
    const s = new Sampler({ ...params, temperature: 1, top_p: 0.5, seed: 3 });
    const seen = new Set(Array.from({ length: 500 }, () => s.sample(logits)));
    expect([...seen]).toEqual([1]);
  });

  // Sorting the whole vocabulary as the reference takes seconds on a loaded machine.
  it('top_p draws exactly what sorting the whole vocabulary draws', { timeout: 30_000 }, () => {
    const noise = seededRandom(11);
    // Spread-out logits, and logits full of ties (whole numbers).
    const vocabularies = [Float32Array.from({ length: 5000 }, () => (noise() - 0.5) * 16), Float32Array.from({ length: 5000 }, () => Math.round(noise() * 6))];
    for (const scores of vocabularies) {
      for (const [temperature, topP] of [[0.7, 0.9], [1, 0.5], [2, 0.99], [0.3, 0.1]] as const) {
        const sampler = new Sampler({ ...params, temperature, top_p: topP, seed: 21 });
        const random = seededRandom(21);
        const drawn = Array.from({ length: 20 }, () => sampler.sample(scores));
        expect(drawn).toEqual(drawn.map(() => referenceNucleusDraw(scores, temperature, topP, random)));
      }
    }
  });

  it('keeps at least the top token for any top_p in [0, 1] and any temperature', { timeout: 30_000 }, () => {
    const noise = seededRandom(5);
    const wide = Float32Array.from({ length: 3000 }, () => (noise() - 0.5) * 20);
    for (const scores of [logits, wide]) {
      const top = argmax(scores);
      for (const temperature of [1e-6, 0.01, 1, 2]) {
        for (const topP of [0, Number.MIN_VALUE, 1e-9]) {
          const s = new Sampler({ ...params, temperature, top_p: topP, seed: 9 });
          const drawn = new Set(Array.from({ length: 50 }, () => s.sample(scores)));
          expect([...drawn], `temperature ${temperature}, top_p ${topP}`).toEqual([top]);
        }
        for (const topP of [0.3, 0.999, 1]) {
          const s = new Sampler({ ...params, temperature, top_p: topP, seed: 9 });
          for (let i = 0; i < 20; i++) {
            const token = s.sample(scores);
            expect(Number.isInteger(token) && token >= 0 && token < scores.length).toBe(true);
          }
        }
      }
    }
  });

  it('top_p 0 keeps the first of tied top tokens', () => {
    const s = new Sampler({ ...params, temperature: 1, top_p: 0, seed: 2 });
    expect(Array.from({ length: 20 }, () => s.sample(Float32Array.from([0, 4, 4, 1])))).toEqual(Array(20).fill(1));
  });

  it('presence and frequency penalties steer away from repeated tokens', () => {
    const s = new Sampler({ ...params, presence_penalty: 1.5, frequency_penalty: 0 });
    expect([s.sample(logits), s.sample(logits)]).toEqual([1, 2]);
    const f = new Sampler({ ...params, frequency_penalty: 0.6 });
    expect([f.sample(logits), f.sample(logits), f.sample(logits)]).toEqual([1, 1, 2]);
  });

  // top_p 1: what summing every exponential in vocabulary order and walking the vocabulary draws
  // (the sampler's behaviour before the kernel, seeded outputs included).
  it('top_p 1 draws what summing every exponential and walking the vocabulary draws, penalties included', { timeout: 30_000 }, () => {
    const noise = seededRandom(23);
    const walk = (scores: Float32Array, temperature: number, u: number) => {
      let max = -Infinity;
      for (const x of scores) if (x > max) max = x;
      const probs = Array.from(scores, (x) => Math.exp((x - max) / temperature));
      let r = u * probs.reduce((a, p) => a + p, 0);
      for (let i = 0; i < probs.length; i++) if ((r -= probs[i]!) <= 0) return i;
      return probs.length - 1;
    };
    for (let trial = 0; trial < 24; trial++) {
      const length = [4, 7, 64, 65, 1001, 4096, 20_003][trial % 7]!;
      const spread = [2, 10, 40][trial % 3]!;
      const rows = Array.from({ length: 12 }, () =>
        Float32Array.from({ length }, (_, i) => (noise() < 0.03 ? -Infinity : (i === 3 ? spread / 2 : 0) + (noise() - 0.5) * spread)),
      );
      const params = { temperature: 0.2 + noise() * 2, top_p: 1, presence_penalty: trial % 2 ? 0.8 : 0, frequency_penalty: 0.2, seed: trial };
      const sampler = new Sampler(params);
      const random = seededRandom(trial);
      const counts = new Map<number, number>();
      for (const [k, row] of rows.entries()) {
        const penalized = Float32Array.from(row);
        for (const [token, count] of counts) penalized[token]! -= count * params.frequency_penalty + params.presence_penalty;
        const token = sampler.sample(row);
        expect(token, `trial ${trial}, row ${k}: ${length} tokens`).toBe(walk(penalized, params.temperature, random()));
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
    }
  });

  it('top_p with penalties draws what the reference draws on the penalized logits (written in the sampler’s buffer)', () => {
    const noise = seededRandom(18);
    const rows = Array.from({ length: 30 }, () => Float32Array.from({ length: 4001 }, () => (noise() - 0.5) * 14));
    const sampled = { temperature: 0.9, top_p: 0.8, presence_penalty: 0.7, frequency_penalty: 0.3, seed: 4 };
    const sampler = new Sampler(sampled);
    const random = seededRandom(4);
    const counts = new Map<number, number>();
    for (const row of rows) {
      // OpenAI's penalties, each score rounded to f32 as the sampler's row holds it.
      const penalized = Float32Array.from(row);
      for (const [token, count] of counts) penalized[token]! -= count * sampled.frequency_penalty + sampled.presence_penalty;
      const expected = referenceNucleusDraw(penalized, sampled.temperature, sampled.top_p, random);
      const token = sampler.sample(row);
      expect(token).toBe(expected);
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
  });

  it('keeps each request’s draws its own when samplers take turns (they share buffers)', () => {
    const noise = seededRandom(19);
    const rows = Array.from({ length: 12 }, () => Float32Array.from({ length: 3000 }, () => (noise() - 0.5) * 10));
    const a = { temperature: 1, top_p: 0.9, presence_penalty: 0.5, frequency_penalty: 0, seed: 1 };
    const b = { temperature: 0.5, top_p: 0.6, presence_penalty: 0, frequency_penalty: 0.4, seed: 2 };
    // The second request sees another row each time (the rows in reverse).
    const rowsOf = { first: rows, second: [...rows].reverse() };
    const alone = (params: SamplingParams, own: Float32Array[]) => {
      const s = new Sampler(params);
      return own.map((row) => s.sample(row));
    };
    const [first, second] = [new Sampler(a), new Sampler(b)];
    const turns = rows.map((_, i) => [first.sample(rowsOf.first[i]!), second.sample(rowsOf.second[i]!)]);
    expect(turns.map(([x]) => x)).toEqual(alone(a, rowsOf.first));
    expect(turns.map(([, y]) => y)).toEqual(alone(b, rowsOf.second));
  });

  it('leaves the caller’s logits untouched', () => {
    const copy = Float32Array.from(logits);
    for (const sampled of [{ presence_penalty: 2 }, { temperature: 1, top_p: 0.9, frequency_penalty: 1, seed: 1 }]) {
      const s = new Sampler({ ...params, ...sampled });
      s.sample(logits);
      s.sample(logits);
      expect(logits).toEqual(copy);
    }
  });
});

describe('helpers', () => {
  it('argmax finds the first maximum', () => expect(argmax([0, 5, 5, 1])).toBe(1));
  it('argmax finds the first maximum of long rows full of ties, whatever index it has', () => {
    const noise = seededRandom(12);
    const first = (row: ArrayLike<number>) => Array.prototype.indexOf.call(row, Math.max(...Array.from(row)));
    for (let k = 0; k < 500; k++) {
      const row = Float32Array.from({ length: 8 + (k % 37) }, () => Math.floor(noise() * 5));
      expect(argmax(row), row.join(',')).toBe(first(row));
    }
  });
  it('seededRandom is in [0, 1)', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
