// The first request after load with and without V8's compile hint on the bench page's entry chunk,
// side by side: `node bench/runner/compile-hints.mjs` (BENCH_DEVICES, BENCH_LOAD_REPS, BENCH_PORT,
// BENCH_SKIP_BUILD as for npm run bench). One build (with the hint); each repetition serves the
// hinted files (the page's entry, the engine's worker entries) with and without their first line, in that order or the other, each in a fresh profile
// (a cold page, then a warm one). Prints every load and the medians; writes nothing.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { freshBrowser, measure, openBench } from './browser.mjs';
import { config } from './config.mjs';
import { buildBench, serveBench } from './serve.mjs';
import { COMPILE_HINT } from '../../scripts/compile-hints.mjs';

const assets = join(import.meta.dirname, '../tmp/dist/assets');
if (!config.skipBuild) await buildBench();
// Every file the build hinted: the page's entry chunk and the engine's worker entries.
const hintedFiles = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => join(assets, f))
  .map((file) => ({ file, code: readFileSync(file, 'utf8') })).filter(({ code }) => code.startsWith(`${COMPILE_HINT}\n`));
if (!hintedFiles.some(({ file }) => /[\\/]bench-[^\\/]*\.js$/.test(file))) throw new Error('the bench entry does not start with the compile hint (built with BENCH_COMPILE_HINTS=0?)');
const serve = (hint) => {
  for (const { file, code } of hintedFiles) writeFileSync(file, hint ? code : code.slice(COMPILE_HINT.length + 1));
};

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const load = (device) => window.bench.loadEngine(device).then((r) => ({
  loadMs: r.loadMs, pageToReadyMs: r.pageToReadyMs, first: r.first.deltas[0], second: r.second.deltas[0],
}));

const server = await serveBench(config.port);
try {
  for (const device of config.devices) {
    const results = { hint: { cold: [], warm: [] }, none: { cold: [], warm: [] } };
    for (let rep = 0; rep < config.loadReps[device]; rep++) {
      for (const variant of rep % 2 ? ['none', 'hint'] : ['hint', 'none']) {
        serve(variant === 'hint');
        const browser = await freshBrowser();
        try {
          for (const phase of ['cold', 'warm']) {
            const page = await openBench(browser.context, server.url, []);
            const record = await measure(page, load, device).catch((error) => ({ error: String(error) }));
            results[variant][phase].push(record);
            console.log(`  ${device} ${variant} ${phase}: ${record.error ?? `load ${record.loadMs.toFixed(0)} ms, page to ready ${record.pageToReadyMs.toFixed(0)} ms, first TTFT ${record.first.toFixed(1)} ms, second ${record.second.toFixed(1)} ms`} (load average ${loadavg()[0].toFixed(1)})`);
            await page.close();
          }
        } finally {
          await browser.close();
        }
      }
    }
    for (const variant of ['hint', 'none']) {
      for (const phase of ['cold', 'warm']) {
        const ok = results[variant][phase].filter((r) => !r.error);
        const m = (key) => median(ok.map((r) => r[key]));
        console.log(`${device} ${variant} ${phase}: first TTFT ${m('first').toFixed(1)} ms, second ${m('second').toFixed(1)} ms, load ${m('loadMs').toFixed(0)} ms, page to ready ${m('pageToReadyMs').toFixed(0)} ms (median of ${ok.length})`);
        console.log(`RAW ${JSON.stringify({ device, variant, phase, records: ok })}`);
      }
    }
  }
} finally {
  serve(true);
  await server.close();
}
