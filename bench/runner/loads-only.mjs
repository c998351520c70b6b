// Only the load measurements (first request after createEngine, cold and warm), without the
// streaming part: `node bench/runner/loads-only.mjs` (BENCH_DEVICES, BENCH_LOAD_REPS, BENCH_PORT,
// BENCH_SKIP_BUILD as for npm run bench). Prints each load, the medians and a RAW line per
// device, path and phase (every first and second TTFT); writes nothing.
import { config } from './config.mjs';
import { buildBench, serveBench } from './serve.mjs';
import { measureLoads } from './sessions.mjs';

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const log = (line) => console.log(line);

if (!config.skipBuild) await buildBench();
const server = await serveBench(config.port);
try {
  for (const device of config.devices) {
    const { loads } = await measureLoads(server.url, device, log);
    for (const what of ['engine', 'baseline']) {
      for (const phase of ['cold', 'warm']) {
        const records = loads[what][phase].filter((r) => !r.error);
        const first = median(records.map((r) => r.first.deltas[0]));
        const second = median(records.map((r) => r.second.deltas[0]));
        const same = records.filter((r) => r.sameShape).map((r) => r.sameShape.deltas[0]);
        const sameText = same.length ? `, the same prefill warm ${median(same).toFixed(1)} ms (prompt/cached tokens ${records.map((r) => `${r.first.promptTokens}/${r.first.cachedTokens} vs ${r.sameShape.promptTokens}/${r.sameShape.cachedTokens}`)[0]})` : '';
        log(`${device} ${what} ${phase}: first TTFT ${first.toFixed(1)} ms, second ${second.toFixed(1)} ms${sameText} (median of ${records.length}); load ${median(records.map((r) => r.loadMs)).toFixed(0)} ms`);
        // Every load's TTFTs, for runs to be pooled side by side.
        log(`RAW ${JSON.stringify({ device, what, phase, load: records.map((r) => r.loadMs), first: records.map((r) => r.first.deltas[0]), second: records.map((r) => r.second.deltas[0]), ...(same.length ? { sameShape: same } : {}) })}`);
      }
    }
  }
} finally {
  await server.close();
}
