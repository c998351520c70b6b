// npm run bench: where the time goes, measured side by side in one run (bench/README in the
// project README's "Benchmark" section). Builds the bench page, serves it on BENCH_PORT, drives
// headless Chromium (and Firefox ESR on WASM) through loads, streaming paths and flow control on each device, and writes
// bench/results.json and bench/results.md. It reports numbers; it never fails on one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FIREFOX_KEY, config } from '../bench/runner/config.mjs';
import { renderMarkdown } from '../bench/runner/report.mjs';
import { buildBench, serveBench } from '../bench/runner/serve.mjs';
import { measureBenchModel, measureConversations, measureLoads, measureStreaming } from '../bench/runner/sessions.mjs';
import { summarize } from '../bench/runner/summarize.mjs';
import { chromiumPath } from './chromium.mjs';
import { firefoxPath } from './firefox.mjs';

const root = resolve(import.meta.dirname, '..');
const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

function version(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown'; // launching it will fail with the real reason
  }
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, chromium: version(chromiumPath),
    ...(config.browsers.includes('firefox') ? { firefox: version(firefoxPath) } : {}),
    platform: `${process.platform} ${process.arch}`,
    // Chromium inherits it: a negative nice value keeps other jobs on the machine from skewing the run.
    nice: getPriority(),
  };
}

/** Times to 0.01 ms, and arrays of numbers on one line: the raw records stay readable and small. */
const toJson = (value) =>
  JSON.stringify(value, (_, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 1)
    .replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, inner) => `[${inner.replace(/\s+/g, '')}]`);

// A run of some parts only (BENCH_PARTS) goes to bench/tmp/, leaving the full results as they are.
const ALL_PARTS = ['loads', 'streaming', 'conversation', 'benchModel'];
const partial = !ALL_PARTS.every((part) => config.parts.includes(part));
const OUT = resolve(root, partial ? 'bench/tmp' : 'bench');
const RESULTS = resolve(OUT, 'results.json');

function previousRun() {
  if (!existsSync(RESULTS)) return null;
  try {
    const { date, machine, durationS, summary } = JSON.parse(readFileSync(RESULTS, 'utf8'));
    return { date, machine, durationS, summary };
  } catch {
    return null; // an unreadable old file: nothing to compare with
  }
}

async function main() {
  // Other processes on the machine skew every number here: the load average says how busy it was.
  const loadAtStart = loadavg()[0];
  const loadSamples = [loadAtStart];
  const sampler = setInterval(() => loadSamples.push(loadavg()[0]), 5000);
  if (!config.skipBuild) {
    log('building the bench page (vite build)');
    await buildBench();
  }
  const server = await serveBench(config.port);
  log(`serving on ${server.url}`);
  const raw = { loads: {}, streaming: {}, conversation: {}, benchModel: {} };
  try {
    const part = (name) => config.parts.includes(name);
    // A part that fails is recorded as an error; the others still run and the results are written.
    const attempt = (measurement) => measurement.catch((error) => ({ error: error instanceof Error ? error.message : String(error), problems: [] }));
    if (config.browsers.includes('chromium')) {
      for (const device of config.devices) {
        if (part('loads')) {
          log(`${device}: loads (${config.loadReps[device]} × cold + warm, engine and baseline)`);
          raw.loads[device] = await attempt(measureLoads(server.url, device, log));
        }
        if (part('streaming')) {
          log(`${device}: streaming (${config.reps} repetitions)`);
          raw.streaming[device] = await attempt(measureStreaming(server.url, device, log));
        }
        if (part('conversation')) {
          log(`${device}: 10-turn conversations (${config.conversationReps[device]} × with and without the prefix cache)`);
          raw.conversation[device] = await attempt(measureConversations(server.url, device, log));
        }
        if (part('benchModel')) {
          log(`${device}: benchmark model, 49,152-token vocabulary (${config.benchModelReps} repetitions)`);
          raw.benchModel[device] = await attempt(measureBenchModel(server.url, device, log));
        }
      }
    }
    // Firefox ESR on WASM, in the same run on the same machine (docs/browsers.md).
    if (config.browsers.includes('firefox') && config.devices.includes('wasm')) {
      if (part('loads')) {
        log(`${FIREFOX_KEY}: loads (${config.firefoxLoadReps} × cold + warm, engine and baseline)`);
        raw.loads[FIREFOX_KEY] = await attempt(measureLoads(server.url, 'wasm', log, 'firefox'));
      }
      if (part('streaming')) {
        log(`${FIREFOX_KEY}: streaming (${config.firefoxReps} repetitions)`);
        raw.streaming[FIREFOX_KEY] = await attempt(measureStreaming(server.url, 'wasm', log, 'firefox'));
      }
    }
  } finally {
    clearInterval(sampler);
    await server.close();
  }
  const results = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadAverage: { start: loadAtStart, max: Math.max(...loadSamples), end: loadavg()[0] } },
    config: {
      parts: config.parts, reps: config.reps, loadReps: config.loadReps, longTokens: config.longTokens, devices: config.devices,
      benchModelReps: config.benchModelReps, benchModelTokens: config.benchModelTokens, conversationReps: config.conversationReps, conversationModels: config.conversationModels,
      browsers: config.browsers, firefoxReps: config.firefoxReps, firefoxLoadReps: config.firefoxLoadReps,
    },
    durationS: Math.round((Date.now() - started) / 1000),
    summary: summarize(raw),
    raw,
    // The run before this one, summarised, for the comparison table (one level: its own `previous` is dropped).
    previous: previousRun(),
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(RESULTS, `${toJson(results)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(resolve(OUT, 'results.md'), markdown);
  console.log(`\n${markdown}`);
  log(`wrote ${RESULTS} and results.md`);
  // A number is never a failure; a measurement that could not be taken is.
  const failed = JSON.stringify(raw).match(/"error":/g)?.length ?? 0;
  if (failed > 0) {
    log(`${failed} measurements failed: see "error" in ${RESULTS}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
