#!/usr/bin/env node
// Sampled against greedy decoding of the benchmark model in Chromium, one step of each in turn
// (steps-worker.ts): the ratio of their tok/s holds up on a busy machine, where whole runs one
// after the other differ by 2× or more. Prints the medians and the ratio per round and overall.
// Run: node bench/sampling/browser/run.mjs [wasm|webgpu] (BENCH_PORT, SAMPLING_ROUNDS (0: the sampler
// alone), SAMPLING_TOKENS, SAMPLER_ROUNDS: rounds of the sampler alone, 30); the sampler-alone part needs `npm run bench:sampling`'s captured logits.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium.mjs';
import { BENCH_MODEL_DIR, copyBenchModel } from '../../runner/bench-model.mjs';

const root = resolve(import.meta.dirname, '../../..');
const outDir = resolve(root, 'bench/tmp/sampling-dist');
const device = process.argv[2] ?? 'wasm';
const port = Number(process.env.BENCH_PORT ?? 5205);
const rounds = Number(process.env.SAMPLING_ROUNDS ?? 6);
const tokens = Number(process.env.SAMPLING_TOKENS ?? (device === 'wasm' ? 128 : 32));

if (!existsSync(BENCH_MODEL_DIR)) throw new Error('run `node scripts/generate-bench-model.mjs` first');
await build({
  configFile: false, root, logLevel: 'warn', worker: { format: 'es' },
  build: {
    outDir, emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0, reportCompressedSize: false,
    rollupOptions: { input: { sampling: resolve(root, 'bench/sampling/browser/index.html') } },
  },
});
copyBenchModel(outDir);
// The sampler-only rounds read capture-logits.mjs's rows, served next to the page.
const logits = resolve(root, 'bench/tmp/sampling/logits-49k.f32');
if (existsSync(logits)) copyFileSync(logits, resolve(outDir, 'logits-49k.f32'));
const server = await preview({ configFile: false, root, logLevel: 'warn', build: { outDir }, preview: { port, strictPort: true, host: 'localhost' } });
const profile = mkdtempSync(join(tmpdir(), 'zstream-sampling-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: chromiumArgs, headless: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sum = (values) => values.reduce((a, b) => a + b, 0);
try {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`pageerror: ${error.message}`));
  await page.goto(`http://localhost:${port}/bench/sampling/browser/index.html`);
  await page.waitForFunction(() => window.samplingBench !== undefined);
  const info = await page.evaluate((d) => window.samplingBench.load(d), device);
  console.log(`${info.id} on ${info.device}; ${rounds} rounds of ${tokens} greedy and ${tokens} sampled steps, interleaved`);
  if (existsSync(resolve(outDir, 'logits-49k.f32'))) {
    const cost = await page.evaluate((n) => window.samplingBench.samplers('/logits-49k.f32', n), Number(process.env.SAMPLER_ROUNDS ?? 30));
    const [g, s] = [median(cost.greedy), median(cost.sampled)];
    // Rounds run greedy then sampled: the difference within a round is what the load least disturbs.
    const differences = cost.sampled.map((x, i) => x - cost.greedy[i]);
    const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
    console.log(`the Sampler alone on the model's logits: greedy ${g.toFixed(4)} ms, sampled ${s.toFixed(4)} ms a token (medians of ${cost.greedy.length} rounds); ` +
      `sampled − greedy a token: ${us(median(differences))} (median of the rounds' differences), greedy ${us(Math.min(...cost.greedy))} and sampled ${us(Math.min(...cost.sampled))} at best; load ${loadavg()[0].toFixed(1)}`);
  }
  if (rounds > 0) await page.evaluate((n) => window.samplingBench.pairs(n), Math.min(tokens, 16)); // warm-up, unrecorded
  const all = { greedy: [], sampled: [] };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const record = await page.evaluate((n) => window.samplingBench.pairs(n), tokens);
    all.greedy.push(...record.greedy);
    all.sampled.push(...record.sampled);
    // tok/s over the round: tokens ÷ time, so the ratio of sampled to greedy tok/s is greedy time ÷ sampled time.
    const ratio = sum(record.greedy) / sum(record.sampled);
    ratios.push(ratio);
    console.log(`round ${round + 1}: greedy ${median(record.greedy).toFixed(3)} ms, sampled ${median(record.sampled).toFixed(3)} ms a step (medians); sampled ÷ greedy tok/s ${ratio.toFixed(3)}; load ${loadavg()[0].toFixed(1)}`);
  }
  if (rounds > 0) {
    const g = median(all.greedy);
    const s = median(all.sampled);
    console.log(`overall: greedy ${g.toFixed(3)} ms, sampled ${s.toFixed(3)} ms a step (medians of ${all.greedy.length}); ` +
      `sampled ÷ greedy tok/s: ${(g / s).toFixed(3)} (step medians), ${median(ratios).toFixed(3)} (median of the rounds' tok/s ratios)`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await server.close();
}
