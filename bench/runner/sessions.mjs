// The measurements, in browser sessions: loads (cold in a fresh profile, warm on a second page in
// the same profile) and streaming (all paths on one page, alternating, repeated).
import { freshBrowser, measure, openBench, reniceBrowsers } from './browser.mjs';
import { BENCH_MODEL_ID as BENCH_MODEL } from './bench-model.mjs';
import { config } from './config.mjs';

export const PATHS = ['floor', 'chatStream', 'sdk', 'responses', 'fetch', 'baseline'];
/** The engine's layers one at a time (bench/page/paths.ts): where the time between (a) and (b) goes. */
export const LAYERS = ['loop', 'transfer', 'pullById', 'firstInReply', 'batched'];

/** `list` rotated by `by`: each repetition starts with another path, so none always goes first. */
const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

const errorRecord = (error) => ({ error: error instanceof Error ? error.message : String(error) });

export async function measureLoads(baseURL, device, log, browserName = 'chromium') {
  const problems = [];
  const loads = { engine: { cold: [], warm: [] }, baseline: { cold: [], warm: [] } };
  const reps = browserName === 'firefox' ? config.firefoxLoadReps : config.loadReps[device];
  for (let rep = 0; rep < reps; rep++) {
    for (const what of rotate(['engine', 'baseline'], rep)) {
      const browser = await freshBrowser(browserName);
      try {
        for (const phase of ['cold', 'warm']) {
          const page = await openBench(browser.context, baseURL, problems);
          const record = await measure(page, ([w, d]) => (w === 'engine' ? window.bench.loadEngine(d) : window.bench.loadBaseline(d)), [what, device])
            .catch(errorRecord);
          loads[what][phase].push(record);
          log(`  ${device} ${what} ${phase} load: ${record.error ?? `${record.loadMs.toFixed(0)} ms, first TTFT ${record.first.deltas[0]?.toFixed(1)} ms`}`);
          await page.close();
        }
      } finally {
        await browser.close();
      }
    }
  }
  return { loads, problems };
}

/** The embedded model: story and long, every path, the engine's layers where configured, flow control. */
export function measureStreaming(baseURL, device, log, browserName = 'chromium') {
  const workloads = [{ name: 'story' }, { name: 'long', tokens: config.longTokens[device] }];
  const paths = config.layerDevices.includes(device) ? [...PATHS, ...LAYERS] : PATHS;
  const reps = browserName === 'firefox' ? config.firefoxReps : config.reps;
  return measurePaths(baseURL, device, log, { workloads, paths, reps, flow: true, browserName });
}

/** The benchmark model with a real vocabulary: greedy and sampled, the same length, every path. */
export function measureBenchModel(baseURL, device, log) {
  const tokens = config.benchModelTokens[device];
  const workloads = [{ name: 'greedy', tokens }, { name: 'sampled', tokens }];
  return measurePaths(baseURL, device, log, { model: BENCH_MODEL, workloads, paths: PATHS, reps: config.benchModelReps, flow: false });
}

async function measurePaths(baseURL, device, log, { model, workloads, paths, reps, flow: withFlow, browserName = 'chromium' }) {
  const problems = [];
  const runs = Object.fromEntries(workloads.map((w) => [w.name, Object.fromEntries(paths.map((p) => [p, []]))]));
  const browser = await freshBrowser(browserName);
  try {
    const page = await openBench(browser.context, baseURL, problems);
    // Three loads (engine, floor, baseline); SwiftShader compiles the 49k model's shaders slowly.
    const info = await measure(page, ([d, m]) => window.bench.setUp(d, m), [device, model], 300_000);
    log(`  ${device}: engine on ${info.engine.device}, floor on ${info.floor.device}${model ? ` (${model})` : ''}`);
    reniceBrowsers();
    // Unrecorded first runs: JIT, the SDK's first-call work and each worker's kernels for longer
    // sequences settle first (the long workload once per worker: floor, engine, baseline).
    const warmUps = [...paths.map((p) => [p, workloads[0]]), ...['floor', 'chatStream', 'baseline'].map((p) => [p, workloads[1]])];
    for (const run of warmUps) await measure(page, ([p, w]) => window.bench.run(p, w), run);
    for (let rep = 0; rep < reps; rep++) {
      for (const workload of workloads) {
        for (const path of rotate(paths, rep)) {
          const record = await measure(page, ([p, w]) => window.bench.run(p, w), [path, workload]).catch(errorRecord);
          runs[workload.name][path].push(record);
        }
      }
      log(`  ${device}: repetition ${rep + 1}/${reps} done`);
    }
    if (!withFlow) return { info, workloads, runs, problems };
    const flow = await measureFlow(page, workloads, device);
    log(`  ${device}: flow control measured`);
    return { info, workloads, runs, flow, problems };
  } finally {
    await browser.close();
  }
}

/** 10-turn conversations on each model, with and without the prefix cache, and with it and a pause between turns, alternating. */
export async function measureConversations(baseURL, device, log) {
  const problems = [];
  const records = [];
  const browser = await freshBrowser();
  try {
    const page = await openBench(browser.context, baseURL, problems);
    for (let rep = 0; rep < config.conversationReps[device]; rep++) {
      for (const model of config.conversationModels) {
        const pause = config.conversationPauseMs;
        // [cache, pause between turns, next turn readied while idle]; the pause without the warm-up
        // tells what the pause alone does (the page and the device finishing the previous turn's work).
        const modes = [[true, 0, true], [false, 0, true], ...(pause > 0 ? [[true, pause, true], [true, pause, false]] : [])];
        for (const [reuse, pauseMs, warm] of rotate(modes, rep)) {
          // Without the cache SwiftShader prefills up to 1,700 tokens a turn: minutes on a busy machine.
          const deadline = device === 'webgpu' ? 900_000 : 300_000;
          const args = [device, reuse, model === 'zstream-tiny-story' ? undefined : model, pauseMs, warm];
          const record = await measure(page, ([d, r, m, p, w]) => window.bench.conversation(d, r, m, 40, p, w), args, deadline)
            .catch((error) => ({ model, reuse, pauseMs, warm, ...errorRecord(error) }));
          records.push(record);
          const turns = record.turns ?? [];
          const how = `${reuse ? 'with' : 'without'} reuse${pauseMs ? `, ${pauseMs} ms between turns${warm ? '' : ', warmNextTurn: false'}` : ''}`;
          log(`  ${device} ${model} conversation ${how}: ${record.error ?? turns.map((t) => t.ttftMs.toFixed(0)).join(' ')} ms; cached ${turns.map((t) => t.cachedTokens).join(' ')}`);
        }
      }
    }
    return { records, problems };
  } finally {
    await browser.close();
  }
}

/**
 * Pauses long enough that an unbounded engine would run far ahead (WASM decodes ~1000 tok/s,
 * SwiftShader ~50), and a pause twice as long: bounded run-ahead does not grow with it.
 */
const PAUSE_MS = { wasm: 500, webgpu: 2000 };
const FLOW_REPS = 3;

/**
 * The paused reader reads the long workload: runAhead bounds events, and sampled text packs several
 * byte tokens into some events, so a few more tokens than runAhead may be generated (the story, 32
 * tokens, is shorter than the default runAhead). Aborts cut the long workload too.
 */
async function measureFlow(page, [, long], device) {
  const flow = { pausedReader: [], abort: [] };
  for (let rep = 0; rep < FLOW_REPS; rep++) {
    for (const ms of [PAUSE_MS[device], 2 * PAUSE_MS[device]]) {
      flow.pausedReader.push(await measure(page, ([w, p]) => window.bench.pausedReader(w, p), [long, ms]).catch(errorRecord));
    }
    for (const how of ['signal', 'cancel']) {
      flow.abort.push(await measure(page, ([w, h]) => window.bench.abortMidStream(w, h), [long, how]).catch(errorRecord));
    }
  }
  return flow;
}
