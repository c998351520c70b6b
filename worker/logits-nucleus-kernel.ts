// The nucleus sampler's passes over a row of scores in WebAssembly SIMD, four scores a step: the
// largest score; then the tokens near the top listed, and the rest's mass approximated (within
// KERNEL_ERROR) without an exponential. Source: bench/sampling/kernel/nucleus-pass.wat, assembled
// by bench/sampling/kernel/assemble.mjs into the bytes below (about 1 KB; --check compares).
// JavaScript cannot run four lanes at once: the same pass there costs ~2× argmax, here ~argmax.

const KERNEL = 'AGFzbQEAAAABEQJgB39/f319fX8AYAJ/fwF9AwMCAAEFAwEAAQYSAn8BQQALfAFEAAAAAAAAAAALBysFBm1lbW9yeQIABmxpc3RlZAMABHJlc3QDAQRwYXNzAAAHbGFyZ2VzdAABCp4GAscEAgR/FXv9DAAAAAAAAAAAAAAAAAAAAAAhEyAH/RH9DAAAAAABAAAAAgAAAAMAAAD9rgEhFCAD/RMhFSAE/RMhFiAF/RMhF/0MBAAAAAQAAAAEAAAABAAAACEY/QwAACBCAAAgQgAAIEIAACBCIRn9DIWF3TuFhd07hYXdO4WF3TshGv0MXFVZvVxVWb1cVVm9XFVZvSEb/QxeE3U+XhN1Pl4TdT5eE3U+IRz9DEtqMb9LajG/S2oxv0tqMb8hHf0M0/9/P9P/fz/T/38/0/9/PyEe/Qx/AABLfwAAS38AAEt/AABLIR8CQANAIAcgAU8NASAHQcAAaiABIAdBwABqIAFJGyEI/QwAAAAAAAAAAAAAAAAAAAAAIREDQCAAIAdBAnRq/QAEACELIAsgF/1GIQwgDP2kASEKIAIgCUECdGogFCAKQQR0/QAEAP0O/QsEACAJIAppaiEJIBQgGP2uASEUIBUgC/3lASAW/eYBIBn96gEhDSAN/WghDiANIA795QEhDyAPIBr95gEgG/3kASEQIA8gEP3mASAc/eQBIRAgDyAQ/eYBIB395AEhECAPIBD95gEgHv3kASEQIBAgHyAO/eUBQRf9qwH95gEhECARIBAgDP1P/eQBIREgB0EEaiEHIAcgCEkNAAsgEf1fIBEgEf0NCAkKCwwNDg8ICQoLDA0OD/1f/fABIRIgEyAS/fABIRMgBiAIQQFrQQZ2QQN0aiAS/SEAIBL9IQGgOQMADAALCyAJJAAgE/0hACAT/SEBoCQBC9IBAwF/BHsBf/0MAACA/wAAgP8AAID/AACA/yEDIAMhBCADIQUgAyEGAkADQCACQRBqIAFLDQEgACACQQJ0aiEHIAMgB/0ABAD96wEhAyAEIAf9AAQQ/esBIQQgBSAH/QAEIP3rASEFIAYgB/0ABDD96wEhBiACQRBqIQIMAAsLAkADQCACIAFPDQEgAyAAIAJBAnRq/QAEAP3rASEDIAJBBGohAgwACwsgAyAE/esBIAUgBv3rAf3rASEDIAP9HwAgA/0fAZcgA/0fAiAD/R8Dl5cLC4cCAQBBAAuAAoCAgICAgICAgICAgICAgIAAAQIDgICAgICAgICAgICABAUGB4CAgICAgICAgICAgAABAgMEBQYHgICAgICAgIAICQoLgICAgICAgICAgICAAAECAwgJCguAgICAgICAgAQFBgcICQoLgICAgICAgIAAAQIDBAUGBwgJCguAgICADA0OD4CAgICAgICAgICAgAABAgMMDQ4PgICAgICAgIAEBQYHDA0OD4CAgICAgICAAAECAwQFBgcMDQ4PgICAgAgJCgsMDQ4PgICAgICAgIAAAQIDCAkKCwwNDg+AgICABAUGBwgJCgsMDQ4PgICAgAABAgMEBQYHCAkKCwwNDg8=';

/**
 * Bound on |approximated/true − 1| for each non-listed token's 2^(−x) and their sum, the origin
 * being the largest score: x's three roundings in f32 (3 ulps of x ≤ 40: 5.0e-6 of 2^(−x)), the
 * polynomial in f32 (≤ 2.8e-6: every f32 fraction checked by
 * bench/sampling/kernel/check-polynomial.mjs), the sum's 16 f32 additions per lane (8.9e-7).
 */
export const KERNEL_ERROR = 1e-5;
/** Tokens at x ≥ 40 octaves below the origin count 2^-40 each: an allowance of that much per token covers them. */
export const KERNEL_FLOOR = 2 ** -40;

/**
 * Compiled once per thread: the engine tiers a module's code up to optimized code as it runs, and
 * a module compiled per request would run its baseline code only (about 3× slower).
 */
let module: WebAssembly.Module | null | undefined;
function compiled(): WebAssembly.Module | null {
  if (module !== undefined) return module;
  const bytes = Uint8Array.from(atob(KERNEL), (c) => c.charCodeAt(0));
  // No SIMD: null. Synchronous: about 1 KB compiles in microseconds (Chromium allows it on any thread under 4 KB).
  module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return module;
}

/** The kernel's memory: the table of shuffles at 0, the scores from here. */
const SCORES_AT = 256;
/** The kernel sums 16 steps of 4 scores in f32, then stores that block's sum. */
export const BLOCK = 64;

interface Exports {
  memory: WebAssembly.Memory;
  listed: WebAssembly.Global;
  rest: WebAssembly.Global;
  largest(scores: number, n: number): number;
  pass(scores: number, n: number, list: number, origin: number, scale: number, threshold: number, blocks: number): void;
}

/** Where a row's scores and its list of tokens near the top live in the kernel's memory. */
export class NucleusKernel {
  /** The row's scores (the caller writes them here, or draw copies them). */
  scores = new Float32Array(0);
  /** The listed tokens' indices, `listed` of them after a pass. */
  list = new Int32Array(0);
  listed = 0;
  /** Σ 2^(−x) over the tokens not listed, x = (origin − score) · scale. */
  rest = 0;
  /** The same sum by block of BLOCK scores (the last one partial; the n % 4 left out). */
  blocks = new Float64Array(0);

  private constructor(private readonly exports: Exports) {}

  /** A kernel of its own (its memory holds one row), or undefined where WebAssembly or its SIMD is missing: the JavaScript pass does the work. */
  static create(): NucleusKernel | undefined {
    const module = compiled();
    return module ? new NucleusKernel(new WebAssembly.Instance(module).exports as unknown as Exports) : undefined;
  }

  /** Room for rows of n scores. */
  reserve(n: number): void {
    if (this.scores.length === n) return;
    // The kernel's shuffle table, the scores, the list (and 3 lanes after it: the kernel stores 4
    // at a time), the blocks' sums.
    const listAt = SCORES_AT + Math.ceil((n * 4) / 16) * 16;
    const blocksAt = listAt + Math.ceil((n * 4 + 16) / 16) * 16;
    const bytes = blocksAt + Math.ceil(n / BLOCK) * 8;
    const { memory } = this.exports;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    this.scores = new Float32Array(memory.buffer, SCORES_AT, n);
    this.list = new Int32Array(memory.buffer, listAt, n + 4);
    this.blocks = new Float64Array(memory.buffer, blocksAt, Math.ceil(n / BLOCK));
  }

  /** The largest of the first n − n % 4 scores (NaN ignored); -Infinity when there is none. */
  largest(): number {
    const n = this.scores.length;
    return this.exports.largest(SCORES_AT, n - (n % 4));
  }

  /**
   * The pass over the first n − n % 4 scores: lists (in `list`) each token scoring at least
   * `threshold`, and sums 2^(−x) over the others (`rest`, and by block in `blocks`). `origin`, `scale` and `threshold` are
   * rounded to f32 here: pass f32 values to know them exactly.
   */
  pass(origin: number, scale: number, threshold: number): void {
    const n = this.scores.length;
    this.exports.pass(SCORES_AT, n - (n % 4), this.list.byteOffset, origin, scale, threshold, this.blocks.byteOffset);
    this.listed = this.exports.listed.value as number;
    this.rest = this.exports.rest.value as number;
  }
}
