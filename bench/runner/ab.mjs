// Side by side, in one browser: bench builds (or one build at several runAheads) on the long WASM
// workload, paths alternating, each repetition's path ÷ the same page's floor (docs/throughput.md).
// Build each variant with `node -e "import('./bench/runner/serve.mjs').then((m) => m.buildBench())"`
// and copy bench/tmp/dist away; then
//   AB_VARIANTS="before:/tmp/a:16,after:/tmp/b:32" AB_REPS=20 nice -n -10 node bench/runner/ab.mjs
// (label:build folder:runAhead, …; AB_PATHS, AB_TOKENS; AB_MODEL=zstream-bench-49k runs the benchmark
// model's sampled workload instead). Run as root at a negative nice value to
// renice the browser's threads too (reniceBrowsers).
import { resolve } from 'node:path';
import { freshBrowser, measure, openBench, reniceBrowsers } from './browser.mjs';
import { serveBench } from './serve.mjs';
import { median } from './stats.mjs';

const root = resolve(import.meta.dirname, '../..');
const variants = (process.env.AB_VARIANTS ?? 'this:bench/tmp/dist:32').split(',').map((v) => {
  const [label, dir, runAhead] = v.split(':');
  return { label, dir: resolve(root, dir), runAhead: Number(runAhead), ratios: {}, floors: [] };
});
const reps = Number(process.env.AB_REPS ?? 10);
const paths = (process.env.AB_PATHS ?? 'floor,batched,chatStream,sdk,fetch').split(',');
const model = process.env.AB_MODEL || undefined;
const workload = model ? { name: 'sampled', tokens: Number(process.env.AB_TOKENS ?? 128) } : { name: 'long', tokens: Number(process.env.AB_TOKENS ?? 256) };

// One server per build folder.
const servers = new Map();
for (const v of variants) {
  if (!servers.has(v.dir)) servers.set(v.dir, await serveBench(5320 + servers.size, v.dir));
  v.url = servers.get(v.dir).url;
}
const browser = await freshBrowser('chromium');
const problems = [];
try {
  for (const v of variants) {
    v.page = await openBench(browser.context, v.url, problems);
    await measure(v.page, ([m, runAhead]) => window.bench.setUp('wasm', m, runAhead), [model, v.runAhead], 300_000);
    for (const p of paths) v.ratios[p] = [];
  }
  reniceBrowsers();
  for (let rep = 0; rep <= reps; rep++) {
    for (const v of variants) {
      const rate = {};
      for (const p of paths) rate[p] = (workload.tokens * 1000) / (await measure(v.page, ([p, w]) => window.bench.run(p, w), [p, workload])).end;
      if (rep === 0) continue; // a warm-up round
      v.floors.push(rate.floor);
      for (const p of paths) v.ratios[p].push(rate[p] / rate.floor);
    }
  }
  for (const v of variants) {
    const cells = paths.filter((p) => p !== 'floor').map((p) => `${p} ${median(v.ratios[p]).toFixed(3)}`);
    console.log(`${v.label}: floor ${median(v.floors).toFixed(0)} tok/s, × floor: ${cells.join(', ')}`);
  }
  if (problems.length) console.log('problems:', problems);
} finally {
  await browser.close();
  for (const server of servers.values()) await server.close();
}
