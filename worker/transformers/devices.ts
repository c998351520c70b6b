// Which devices a load tries, in order. 'auto' prefers WebGPU on a GPU, but not on a software
// fallback adapter (the spec's GPUAdapterInfo.isFallbackAdapter: SwiftShader, WARP), which runs these
// models far slower than WASM: measured here on SwiftShader, the embedded model's load takes 22 s
// against 5 s and the 49k-vocabulary benchmark model decodes 3 tok/s against 315 (bench/results.md).
// `device: 'webgpu'` still runs on such an adapter.
import { ZStreamError } from '../../src/shared/errors.js';
import type { Device, LoadOptions } from '../../src/shared/protocol.js';

export interface Candidates {
  devices: Device[];
  /** Why WebGPU is not the device tried first, when it is not. */
  reason?: string;
  shaderF16: boolean;
}

export async function candidateDevices(preference: LoadOptions['device']): Promise<Candidates> {
  if (preference === 'wasm') return { devices: ['wasm'], shaderF16: false };
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  const shaderF16 = adapter?.features.has('shader-f16') ?? false;
  if (adapter && preference === 'webgpu') return { devices: ['webgpu'], shaderF16 };
  if (adapter?.info.isFallbackAdapter) {
    const name = [adapter.info.vendor, adapter.info.architecture].filter(Boolean).join(' ') || 'unnamed';
    return { devices: ['wasm', 'webgpu'], reason: `the WebGPU adapter is a software fallback (${name}), slower than WASM`, shaderF16 };
  }
  if (adapter) return { devices: ['webgpu', 'wasm'], shaderF16 };
  const reason = navigator.gpu ? 'no WebGPU adapter is available' : 'this browser has no WebGPU';
  if (preference === 'webgpu') throw new ZStreamError('model_load_failed', `Cannot run on WebGPU: ${reason}.`);
  return { devices: ['wasm'], reason, shaderF16 };
}
