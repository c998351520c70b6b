// The shape warm-up on the generated model in Node (onnxruntime-node, CPU): it runs every class of
// shape that ONNX Runtime's WebGPU kernels compile a variant for (e2e/first-token.spec.ts checks on
// WebGPU that no request compiles after it), and keeps nothing.
import { DynamicCache, type PreTrainedModel, type Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { decodeContext, loadGeneratedModel } from '../../test/generated-model.js';
import { SHAPE_PASSES, warmUpShapes } from './shape-warm-up.js';

let model: PreTrainedModel;

beforeAll(async () => {
  ({ model } = await loadGeneratedModel());
}, 60_000);

afterAll(async () => {
  await model.dispose();
});

const context = (contextLength: number) => decodeContext(model, undefined, contextLength);

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
    // The passes of 2, 3, 4, 5, 9 and 10 rows fit; the 10-row pass fills the window exactly.
    const fitting = SHAPE_PASSES.filter((p) => p.prompt + p.decode <= 10);
    expect(shapes.length).toBe(fitting.reduce((sum, p) => sum + 1 + p.decode, 0));
    expect(fitting.length).toBe(6);
    expect(Math.max(...shapes.map((s) => s.keys))).toBe(10);
  } finally {
    forward.mockRestore();
  }
});

it('a failed pass rejects with its own error', async () => {
  const forward = vi.spyOn(model, 'forward').mockRejectedValueOnce(new Error('device lost'));
  try {
    await expect(warmUpShapes(context(2048), 0)).rejects.toThrow('device lost');
  } finally {
    forward.mockRestore();
  }
});
