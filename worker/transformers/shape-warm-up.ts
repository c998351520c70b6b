// ONNX Runtime's WebGPU kernels choose a shader by the shapes they are given and compile it on first
// use: a MatMul has one variant for up to 8 rows and one for more, each vectorised or not (both inner
// sizes multiples of 4, so it turns with the key count), a Softmax packs 4, 2 or 1 keys per lane, and
// tiny shapes take a naive MatMul. A chat warm-up shows them one prompt length and one or two key
// counts; what it leaves compiles in a user's request. Measured with the embedded model on SwiftShader:
// 20 ms in the first request's prefill (a key count the warm-up had not had), and 0.35–0.5 s at the
// first decode step whose key count was a multiple of 4. These passes give every kernel each class of
// shape once, at load, so that no request compiles (docs/first-token.md). WebGPU only: the WASM
// backend compiles nothing per shape.
import type { DynamicCache } from '@huggingface/transformers';
import { forwardPass, type DecodeContext } from './token-stream.js';

/**
 * Prefill lengths from an empty cache, each followed by `decode` single-token steps: rows ≤ 8 and > 8,
 * key counts of every remainder mod 4 in both, and one-token steps at every remainder.
 */
export const SHAPE_PASSES: readonly { prompt: number; decode: number }[] = [
  { prompt: 2, decode: 0 },
  { prompt: 3, decode: 0 },
  { prompt: 4, decode: 0 },
  { prompt: 5, decode: 0 },
  { prompt: 9, decode: 0 },
  { prompt: 10, decode: 0 },
  { prompt: 11, decode: 0 },
  { prompt: 12, decode: 4 },
];

/**
 * Runs SHAPE_PASSES on `token` repeated (the values do not matter, the shapes do). Nothing enters the
 * prefix cache: each pass frees its own KV cache.
 */
export async function warmUpShapes(ctx: DecodeContext, token: number): Promise<void> {
  for (const { prompt, decode } of SHAPE_PASSES) {
    if (prompt + decode > ctx.contextLength) continue;
    let cache: DynamicCache | undefined;
    try {
      ({ cache } = await forwardPass(ctx, new Array<number>(prompt).fill(token), 0, undefined));
      for (let step = 0; step < decode; step++) {
        ({ cache } = await forwardPass(ctx, [token], prompt + step, cache));
      }
    } finally {
      await cache?.dispose();
    }
  }
}
