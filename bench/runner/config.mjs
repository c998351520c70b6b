// The benchmark's knobs, from the environment. Defaults finish in a few minutes on 2 cores.
const int = (name, fallback) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
};

const devices = (process.env.BENCH_DEVICES ?? 'webgpu,wasm').split(',').map((d) => d.trim()).filter(Boolean);
for (const d of devices) if (d !== 'webgpu' && d !== 'wasm') throw new Error(`BENCH_DEVICES: unknown device "${d}"`);

const browsers = (process.env.BENCH_BROWSERS ?? 'chromium,firefox').split(',').map((b) => b.trim()).filter(Boolean);
for (const b of browsers) if (b !== 'chromium' && b !== 'firefox') throw new Error(`BENCH_BROWSERS: unknown browser "${b}"`);

/** Results of Firefox ESR (WASM only: it has no WebGPU adapter here) are keyed under this name. */
export const FIREFOX_KEY = 'firefox wasm';

export const config = {
  /** The preview server's port (5173 is the dev server's). */
  port: int('BENCH_PORT', 5205),
  devices,
  /** Streaming repetitions per path and workload, paths alternating within each. */
  reps: int('BENCH_REPS', 5),
  /** Cold + warm load pairs per device, each in a fresh browser profile (SwiftShader loads take ~5 s). */
  loadReps: { wasm: int('BENCH_LOAD_REPS', 3), webgpu: int('BENCH_LOAD_REPS', 2) },
  /** Tokens of the `long` workload: per-token costs show at WASM speed, SwiftShader is ~60 tok/s. */
  longTokens: { wasm: int('BENCH_LONG_TOKENS_WASM', 256), webgpu: int('BENCH_LONG_TOKENS_WEBGPU', 96) },
  /** The benchmark model (49,152-token vocabulary): repetitions and tokens of its greedy and sampled workloads. */
  benchModelReps: int('BENCH_MODEL_REPS', 3),
  benchModelTokens: { wasm: int('BENCH_MODEL_TOKENS_WASM', 128), webgpu: int('BENCH_MODEL_TOKENS_WEBGPU', 32) },
  /** 10-turn conversations per mode (with and without the prefix cache), modes alternating; SwiftShader's take ~20 s. */
  conversationReps: { wasm: int('BENCH_CONVERSATION_REPS', 2), webgpu: int('BENCH_CONVERSATION_REPS', 1) },
  /** A third mode: the cache on and this pause between turns (a person reading), so the next turn's warm-up runs; 0 skips it. */
  conversationPauseMs: int('BENCH_CONVERSATION_PAUSE_MS', 2000),
  /**
   * The models a conversation runs on: the chat model, whose tokenizer re-encodes its answers to the
   * tokens it generated (a real model's case; the goal is measured on it), and the embedded model,
   * whose answers come back as byte tokens the cache never saw (the worst case).
   */
  conversationModels: (process.env.BENCH_CONVERSATION_MODELS ?? 'zstream-tiny-chat,zstream-tiny-story').split(',').map((m) => m.trim()).filter(Boolean),
  /** Devices that also run the engine's layers one at a time (per-token costs show on WASM). */
  layerDevices: (process.env.BENCH_LAYER_DEVICES ?? 'wasm').split(',').map((d) => d.trim()),
  /** Chromium runs every device; Firefox ESR the WASM streaming and loads, with fewer repetitions. */
  browsers,
  firefoxReps: int('BENCH_FIREFOX_REPS', 3),
  firefoxLoadReps: int('BENCH_FIREFOX_LOAD_REPS', 1),
  /** What to measure (BENCH_PARTS=conversation,benchModel runs the new parts alone): loads, streaming, conversation, benchModel. */
  parts: (process.env.BENCH_PARTS ?? 'loads,streaming,conversation,benchModel').split(',').map((p) => p.trim()),
  /** Skip `vite build` and serve the last build (for iterating on the runner only). */
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
};
