// The draw of nucleus sampling (logits-nucleus.ts) once the buckets have placed the nucleus's edge:
// the candidates up to it sorted by bucket, then by exact probability one bucket at a time, and
// the edge settled with the exact mass of the rest only where its bounds cannot.
import { TAIL, bucketOf, type Scratch } from './nucleus-buckets.js';

export interface Row {
  /** The top token's bucket (none above it holds anything), the last bucket before the tail that holds any, and the last the nucleus can reach. */
  top: number;
  end: number;
  last: number;
  /** The tokens of buckets top‥last (and maybe others), `listed` of them. */
  list: Int32Array;
  listed: number;
  scores: Float32Array;
  origin: number;
  max: number;
  scale: number;
  temperature: number;
  topP: number;
  /** With the kernel: bounds on the mass of the tokens it did not list, relative to the top token's probability. */
  unlistedLower?: number;
  unlistedUpper?: number;
}

/** The draw among the candidates in buckets top‥last, or undefined when their mass fell short of the nucleus. */
export function drawUpTo(s: Scratch, row: Row, restLower: number, restUpper: number, random: () => number): number | undefined {
  const { top, end, last, list, listed, scores, origin, max, scale, temperature, topP } = row;
  const { probs, order, count, starts, fill, buckets } = s;
  let candidates = 0;
  for (let b = top; b <= last; b++) {
    starts[b] = candidates;
    // Buckets between the last that holds any and the tail were not counted this time: empty.
    if (b <= end || b === TAIL) candidates += count[b]!;
  }
  starts[last + 1] = candidates;
  fill.set(starts.subarray(top, last + 1), top);
  // Counting sort by bucket (vocabulary order within one), and the candidates' exact probabilities.
  let exact = 0;
  for (let k = 0; k < listed; k++) {
    const b = buckets[k]!;
    if (b <= last) {
      const i = list[k]!;
      order[fill[b]!++] = i;
      exact += probs[i] = Math.exp((scores[i]! - max) / temperature);
    }
  }
  let target = topP * (exact + restLower);
  const targetUpper = topP * (exact + restUpper);
  let kept = 0;
  let taken = 0;
  let bucket = top;
  let sorted = 0;
  const take = (until: number) => {
    // Always at least the top token: top_p 0 (a target of 0) keeps it.
    while (kept < candidates && (kept === 0 || taken < until)) {
      while (kept === sorted) {
        // Every token of a bucket is at least as likely as every token of the next: sort one at a time.
        const end = starts[++bucket]!;
        sortByProbability(order, sorted, end, probs);
        sorted = end;
      }
      taken += probs[order[kept++]!]!;
    }
  };
  take(target);
  let undecided = taken < targetUpper && restUpper > 0;
  if (undecided && row.unlistedLower !== undefined && row.unlistedUpper !== undefined) {
    // First the listed tokens' exact mass, the others' within the kernel's bounds (1e-5 apart).
    let beyond = 0;
    for (let k = 0; k < listed; k++) if (buckets[k]! > last) beyond += Math.exp((scores[list[k]!]! - max) / temperature);
    target = topP * (exact + beyond + row.unlistedLower);
    take(target);
    undecided = taken < topP * (exact + beyond + row.unlistedUpper);
  }
  if (undecided) {
    // The edge depends on the rest's exact mass: sum it (rare: its bounds are 1.5e-5 apart).
    let rest = 0;
    for (let i = 0; i < scores.length; i++) {
      const t = (origin - scores[i]!) * scale;
      if ((t < TAIL ? t | 0 : TAIL) > last) rest += Math.exp((scores[i]! - max) / temperature);
    }
    target = topP * (exact + rest);
    take(target);
  }
  if (taken < target && last < TAIL) return undefined;
  let r = random() * taken;
  for (let i = 0; i < kept; i++) if ((r -= probs[order[i]!]!) <= 0) return order[i]!;
  return order[kept - 1]!;
}

/**
 * Orders order[from‥to) by probability, most likely first, vocabulary order among equals (the
 * range is in vocabulary order already). Buckets hold a few tokens each: insertion sort, no
 * allocation; a large one (ties, a flat distribution) goes to the built-in sort.
 */
function sortByProbability(order: Int32Array, from: number, to: number, probs: Float64Array): void {
  if (to - from > 32) {
    order.subarray(from, to).sort((a, b) => probs[b]! - probs[a]! || a - b);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const token = order[i]!;
    const p = probs[token]!;
    let j = i - 1;
    while (j >= from && probs[order[j]!]! < p) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = token;
  }
}
