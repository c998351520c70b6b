// What top_p means, written the slow and obvious way, for the sampler's tests to compare against:
// every token's probability, the whole vocabulary sorted (most likely first, vocabulary order among
// equals), the shortest prefix whose mass reaches top_p of the total (at least one token), and one
// draw among it in that order.
export function referenceNucleusDraw(scores: Float32Array, temperature: number, topP: number, random: () => number): number {
  let max = -Infinity;
  for (const x of scores) if (x > max) max = x;
  const probs = Array.from(scores, (x) => Math.exp((x - max) / temperature));
  const sum = probs.reduce((a, p) => a + p, 0);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < topP * sum)) mass += probs[order[kept++]!]!;
  let r = random() * mass;
  for (let i = 0; i < kept; i++) if ((r -= probs[order[i]!]!) <= 0) return order[i]!;
  return order[kept - 1]!;
}
