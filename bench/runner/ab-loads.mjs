// Loads side by side: builds of the bench (folders made by buildBench, copied aside) measured in
// alternating rounds, each round every build's cold and warm loads (measureLoads, BENCH_LOAD_REPS
// pairs): `AB_DIRS="before:/tmp/a,after:/tmp/b" AB_DEVICE=webgpu AB_ROUNDS=2 node bench/runner/ab-loads.mjs`.
// Prints every load (the first request's TTFT, the second's, the same prefill warm, the first
// request's longest gap between tokens) and the medians per build. docs/first-token.md reads it.
import { serveBench } from './serve.mjs';
import { measureLoads } from './sessions.mjs';
import { median as med } from './stats.mjs';
const variants = process.env.AB_DIRS.split(',').map((v) => v.split(':'));
const device = process.env.AB_DEVICE ?? 'webgpu';
const rounds = Number(process.env.AB_ROUNDS ?? 2);
const out = {};
for (let round = 0; round < rounds; round++) {
  for (const [label, dir] of round % 2 ? [...variants].reverse() : variants) {
    const server = await serveBench(Number(process.env.BENCH_PORT ?? 5207), dir);
    try {
      const { loads } = await measureLoads(server.url, device, () => {});
      for (const phase of ['cold', 'warm']) for (const r of loads.engine[phase]) {
        if (r.error) { console.log(label, phase, 'ERROR', r.error); continue; }
        const row = { label, phase, load: Math.round(r.loadMs), first: +r.first.deltas[0].toFixed(1), second: +r.second.deltas[0].toFixed(1), same: r.sameShape ? +r.sameShape.deltas[0].toFixed(1) : null,
          firstITLmax: +Math.max(...r.first.deltas.slice(1).map((t, i) => t - r.first.deltas[i])).toFixed(1), split: `${r.first.promptTokens}/${r.first.cachedTokens} ${r.sameShape?.promptTokens}/${r.sameShape?.cachedTokens}` };
        console.log(JSON.stringify(row));
        (out[label] ??= []).push(row);
      }
    } finally { await server.close(); }
  }
}
for (const [label, rows] of Object.entries(out)) {
  console.log(`${label}: n=${rows.length} load ${med(rows.map((r) => r.load))} ms, first ${med(rows.map((r) => r.first))}, same-shape warm ${med(rows.map((r) => r.same))}, first−same ${med(rows.map((r) => r.first - r.same)).toFixed(1)} (max ${Math.max(...rows.map((r) => r.first - r.same)).toFixed(1)}), first request's longest gap ${med(rows.map((r) => r.firstITLmax))} ms (max ${Math.max(...rows.map((r) => r.firstITLmax))})`);
}
