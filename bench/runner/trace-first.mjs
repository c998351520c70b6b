// Where the first request after load spends its CPU, thread by thread, next to the second one:
// `node bench/runner/trace-first.mjs [wasm|webgpu] [repetitions]` (BENCH_PORT; serves the last
// bench build, bench/tmp/dist: run loads-only.mjs or compile-hints.mjs once first). A Chrome trace
// (V8 compile, wasm tiering, GC, tasks) of bench.loadEngine on a cold page and a warm one; for each
// request (from its performance mark in bench/page/loads.ts to its first token) the CPU time (not
// wall time: a shared machine stretches that) of each thread by kind of work. Tracing slows the
// page: compare the two requests, not TTFTs across tools. docs/first-token.md reads its output.
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { PAGE_PATH, serveBench } from './serve.mjs';

const device = process.argv[2] ?? 'wasm';
const reps = Number(process.argv[3] ?? 1);
const CATEGORIES = [
  '__metadata', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing',
  'v8', 'disabled-by-default-v8.compile', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed',
];
const THREADS = { CrRendererMain: 'main', 'DedicatedWorker thread': 'worker', ThreadPoolForegroundWorker: 'pool', CrGpuMain: 'gpu' };
/** Trace events counted, by what they are. Nested events are counted once: these do not nest in each other. */
const KINDS = {
  'V8.CompileCode': 'JS lazy compile',
  'wasm.CompileLazy': 'wasm lazy compile',
  'wasm.TopTierCompilation': 'wasm tier-up',
  'V8.MaglevTask': 'JS optimise', 'V8.TurbofanTask': 'JS optimise',
  MajorGC: 'GC', MinorGC: 'GC',
  'DawnPlatformImpl::RunWorkerTask': 'Dawn worker task',
  RunTask: 'all tasks', ThreadPool_RunTask: 'all tasks',
};

function summary(events, threads, from, to) {
  const totals = {};
  for (const e of events) {
    if (e.ph !== 'X' || e.ts < from || e.ts > to) continue;
    const thread = THREADS[threads[`${e.pid}:${e.tid}`]];
    const kind = KINDS[e.name];
    if (!thread || !kind) continue;
    const t = (totals[`${thread}: ${kind}`] ??= { ms: 0, n: 0 });
    t.ms += (e.tdur ?? 0) / 1000;
    t.n++;
  }
  return Object.entries(totals).sort(([a], [b]) => a.localeCompare(b)).map(([k, { ms, n }]) => `${k} ${ms.toFixed(1)} ms (${n})`).join(', ');
}

const server = await serveBench(Number(process.env.BENCH_PORT ?? 5205));
try {
  for (let rep = 0; rep < reps; rep++) {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    try {
      const context = await browser.newContext();
      for (const phase of ['cold', 'warm']) {
        const page = await context.newPage();
        await page.goto(server.url + PAGE_PATH);
        await page.waitForFunction(() => window.bench !== undefined);
        await browser.startTracing(page, { categories: CATEGORIES });
        const record = await page.evaluate(async (d) => {
          const r = await window.bench.loadEngine(d);
          return { loadMs: r.loadMs, first: r.first.deltas[0], second: r.second.deltas[0] };
        }, device);
        const { traceEvents: events } = JSON.parse((await browser.stopTracing()).toString());
        const threads = {};
        for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads[`${e.pid}:${e.tid}`] = e.args.name;
        const mark = (name) => events.find((e) => e.name === name)?.ts;
        console.log(`${device} ${phase}: load ${record.loadMs.toFixed(0)} ms, first TTFT ${record.first.toFixed(1)} ms, second ${record.second.toFixed(1)} ms (traced)`);
        for (const [label, name, ttft] of [['first', 'bench:first-request', record.first], ['second', 'bench:second-request', record.second]]) {
          const from = mark(name);
          console.log(`  ${label} request, CPU: ${from === undefined ? `no ${name} mark` : summary(events, threads, from, from + ttft * 1000)}`);
        }
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
