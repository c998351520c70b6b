// The devices a load tries, for each adapter a browser may hand out (real Chromium's SwiftShader, a
// fallback adapter, is checked end to end in e2e/load-faults.spec.ts; a hardware one exists only here).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { candidateDevices } from './devices.js';

function withAdapter(adapter: { isFallbackAdapter: boolean; vendor?: string; architecture?: string; f16?: boolean } | null | 'no gpu') {
  const gpu = adapter === 'no gpu' ? undefined : {
    requestAdapter: async () => adapter && {
      info: { isFallbackAdapter: adapter.isFallbackAdapter, vendor: adapter.vendor ?? '', architecture: adapter.architecture ?? '' },
      features: new Set(adapter.f16 ? ['shader-f16'] : []),
    },
  };
  vi.stubGlobal('navigator', { gpu });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('candidateDevices', () => {
  it("'auto' on a hardware adapter tries WebGPU, then WASM", async () => {
    withAdapter({ isFallbackAdapter: false, vendor: 'nvidia', f16: true });
    expect(await candidateDevices('auto')).toEqual({ devices: ['webgpu', 'wasm'], shaderF16: true });
  });

  it("'auto' on a software fallback adapter tries WASM first and says why", async () => {
    withAdapter({ isFallbackAdapter: true, vendor: 'google', architecture: 'swiftshader' });
    expect(await candidateDevices('auto')).toEqual({
      devices: ['wasm', 'webgpu'], shaderF16: false,
      reason: 'the WebGPU adapter is a software fallback (google swiftshader), slower than WASM',
    });
    // A browser may leave the adapter's names empty (privacy): the reason names what there is.
    withAdapter({ isFallbackAdapter: true, vendor: 'microsoft' });
    expect((await candidateDevices('auto')).reason).toBe('the WebGPU adapter is a software fallback (microsoft), slower than WASM');
    withAdapter({ isFallbackAdapter: true });
    expect((await candidateDevices('auto')).reason).toBe('the WebGPU adapter is a software fallback (unnamed), slower than WASM');
  });

  it("'webgpu' runs on whatever adapter there is, a fallback one too", async () => {
    withAdapter({ isFallbackAdapter: true });
    expect(await candidateDevices('webgpu')).toEqual({ devices: ['webgpu'], shaderF16: false });
  });

  it('without an adapter or without WebGPU, WASM with the reason; webgpu alone fails', async () => {
    withAdapter(null);
    expect(await candidateDevices('auto')).toEqual({ devices: ['wasm'], reason: 'no WebGPU adapter is available', shaderF16: false });
    await expect(candidateDevices('webgpu')).rejects.toMatchObject({ code: 'model_load_failed', message: 'Cannot run on WebGPU: no WebGPU adapter is available.' });
    withAdapter('no gpu');
    expect(await candidateDevices('auto')).toEqual({ devices: ['wasm'], reason: 'this browser has no WebGPU', shaderF16: false });
  });

  it("'wasm' asks for no adapter", async () => {
    const requestAdapter = vi.fn();
    vi.stubGlobal('navigator', { gpu: { requestAdapter } });
    expect(await candidateDevices('wasm')).toEqual({ devices: ['wasm'], shaderF16: false });
    expect(requestAdapter).not.toHaveBeenCalled();
  });
});
