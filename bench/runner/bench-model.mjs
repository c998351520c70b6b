// Where the benchmark model lives and how a bench build serves it. Outside public/: `npm run build`
// copies public/ into the demo site, which must not ship a 25 MB model that only the bench uses.
import { cpSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const BENCH_MODEL_ID = 'zstream-bench-49k';
/** Written by scripts/generate-bench-model.mjs (`npm run bench`'s prebench); git ignores it. */
export const BENCH_MODEL_DIR = resolve(import.meta.dirname, '../models', BENCH_MODEL_ID);

/** Puts the benchmark model next to the embedded ones (`/models/`) in a built bench page, where it exists. */
export function copyBenchModel(outDir) {
  if (existsSync(BENCH_MODEL_DIR)) cpSync(BENCH_MODEL_DIR, resolve(outDir, 'models', BENCH_MODEL_ID), { recursive: true });
}
