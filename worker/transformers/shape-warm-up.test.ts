// The shape warm-up on the generated model in Node (onnxruntime-node, CPU): it runs every class of
// shape that ONNX Runtime's WebGPU kernels compile a variant for (e2e/first-token.spec.ts checks on
// WebGPU that no request compiles after it), and keeps nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, DynamicCache, env, type PreTrainedModel, type Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { PrefixCache } from './prefix-cache.js';
import { SHAPE_PASSES, warmUpShapes } from './shape-warm-up.js';
import type { DecodeContext } from './token-stream.js';

const MODEL = 'zstream-tiny-story';
let model: PreTrainedModel;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zstream-shapes-'));
  execFileSync('node', ['scripts/generate-model.mjs', join(dir, MODEL)]);
  env.allowRemoteModels = false;
  env.localModelPath = `${dir}/`;
  model = await AutoModelForCausalLM.from_pretrained(MODEL, { device: 'cpu' });
}, 60_000);

afterAll(async () => {
  await model.dispose();
});

function context(contextLength: number): DecodeContext {
  return {
    model,
    ones: new BigInt64Array(contextLength).fill(1n),
    positions: BigInt64Array.from({ length: contextLength }, (_, i) => BigInt(i)),
    contextLength,
    eosIds: new Set(),
    decode: () => '',
    prefixCache: new PrefixCache(),
  };
}

/** Rows fed and keys attended (cached + fed) of every forward pass the spy saw. */
function shapesOf(forward: { mock: { calls: unknown[][] } }): Array<{ rows: number; keys: number }> {
  return forward.mock.calls.map(([inputs]) => {
    const { input_ids: ids, attention_mask: mask } = inputs as Record<string, Tensor>;
    return { rows: ids!.dims[1]!, keys: mask!.dims[1]! };
  });
}

it('runs rows up to 8 and more at every key count mod 4, and single-token steps at every key count mod 4; keeps no cache', async () => {
  const forward = vi.spyOn(model, 'forward');
  const dispose = vi.spyOn(DynamicCache.prototype, 'dispose');
  const ctx = context(2048);
  let shapes: ReturnType<typeof shapesOf>;
  let disposed: number;
  try {
    await warmUpShapes(ctx, 0);
    shapes = shapesOf(forward);
    disposed = dispose.mock.calls.length;
  } finally {
    forward.mockRestore();
    dispose.mockRestore();
  }
  const keyClasses = (rows: (n: number) => boolean) => new Set(shapes.filter((s) => rows(s.rows)).map((s) => s.keys % 4));
  expect(keyClasses((n) => n === 1)).toEqual(new Set([0, 1, 2, 3]));
  expect(keyClasses((n) => n > 1 && n <= 8)).toEqual(new Set([0, 1, 2, 3]));
  expect(keyClasses((n) => n > 8)).toEqual(new Set([0, 1, 2, 3]));
  expect(shapes.length).toBe(SHAPE_PASSES.reduce((sum, p) => sum + 1 + p.decode, 0));
  expect(disposed).toBe(SHAPE_PASSES.length);
  expect(ctx.prefixCache.size).toBe(0);
});

it('skips a pass that the context window cannot hold', async () => {
  const forward = vi.spyOn(model, 'forward');
  try {
    await warmUpShapes(context(10), 0);
    const shapes = shapesOf(forward);
    expect(Math.max(...shapes.map((s) => s.keys))).toBeLessThanOrEqual(10);
    expect(shapes.length).toBeGreaterThan(0);
  } finally {
    forward.mockRestore();
  }
});
