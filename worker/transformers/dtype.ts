// The weight format to load on a device: the registry's choice, except that f16 weights compute in
// f16 on WebGPU, which needs the adapter's `shader-f16`; without it their f32 counterpart loads.
import type { Device, ModelSpec, TransformersDtype } from '../../src/shared/protocol.js';

const WITHOUT_F16: Partial<Record<TransformersDtype, TransformersDtype>> = { fp16: 'fp32', q4f16: 'q4' };

export function dtypeFor(
  dtype: Extract<ModelSpec, { backend: 'transformers' }>['dtype'],
  device: Device,
  shaderF16: boolean,
): { dtype?: TransformersDtype; note?: string } {
  const wanted = dtype[device];
  if (!wanted) return {};
  const substitute = device === 'webgpu' && !shaderF16 ? WITHOUT_F16[wanted] : undefined;
  if (!substitute) return { dtype: wanted };
  return { dtype: substitute, note: `the WebGPU adapter lacks shader-f16, so ${substitute} weights run instead of ${wanted}` };
}
