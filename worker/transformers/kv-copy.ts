// A KV cache cut to its first positions, for a request that can use only the start of a cached
// entry (worker/transformers/prefix-cache.ts). Every tensor is `[batch, heads, seq, head_dim]`,
// contiguous, so the copy is one range per (batch, head) row.
import { DynamicCache, Tensor } from '@huggingface/transformers';

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, float16: 2 };

/**
 * ONNX Runtime Web's tensor class: that of a cache tensor's `ort_tensor`, which its sessions return
 * and take (transformers.js's own `Tensor` export builds onnxruntime-common's, another class).
 */
type OrtTensorClass = {
  fromGpuBuffer(buffer: GPUBuffer, options: { dataType: string; dims: readonly number[]; dispose?: () => void }): unknown;
};

/**
 * A copy of the first `length` positions of every tensor of `cache`. GPU tensors are copied on the
 * GPU (`copyBufferToBuffer`, one command buffer for the whole cache) into buffers the copy owns and
 * frees at dispose, so neither the entry nor the copy leaves the GPU (nothing reads the copy back:
 * it has no downloader); CPU tensors (WASM, or no device given) are copied in memory.
 */
export async function truncatedCopy(cache: DynamicCache, length: number, device?: GPUDevice): Promise<DynamicCache> {
  const entries: Record<string, Tensor> = {};
  const gpu = device && { device, encoder: device.createCommandEncoder() };
  for (const [name, tensor] of cacheTensors(cache)) {
    entries[name] = tensor.location === 'gpu-buffer' && gpu ? gpuCopy(tensor, length, gpu) : await cpuCopy(tensor, length);
  }
  gpu?.device.queue.submit([gpu.encoder.finish()]);
  return new DynamicCache(entries);
}

export function cacheTensors(cache: DynamicCache): Array<[string, Tensor]> {
  return Object.entries(cache).filter((pair): pair is [string, Tensor] => pair[1] instanceof Tensor);
}

export function tensorBytes(tensor: Tensor): number {
  return tensor.size * (BYTES_PER_ELEMENT[tensor.type] ?? 4);
}

function gpuCopy(tensor: Tensor, length: number, { device, encoder }: { device: GPUDevice; encoder: GPUCommandEncoder }): Tensor {
  const [batch = 1, heads = 1, seq = 0, headDim = 1] = tensor.dims;
  const element = BYTES_PER_ELEMENT[tensor.type] ?? 4;
  // copyBufferToBuffer wants sizes and offsets in multiples of 4: a head_dim is even, so f16 rows are.
  const rowBytes = length * headDim * element;
  const bytes = batch * heads * rowBytes;
  const source = tensor.ort_tensor.gpuBuffer as GPUBuffer;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  // Rounded up to 16 bytes, as ONNX Runtime sizes its own buffers.
  const buffer = device.createBuffer({ size: Math.ceil(bytes / 16) * 16, usage });
  for (let row = 0; row < batch * heads; row++) {
    encoder.copyBufferToBuffer(source, row * seq * headDim * element, buffer, row * rowBytes, rowBytes);
  }
  const dims = [batch, heads, length, headDim];
  const OrtTensor = tensor.ort_tensor.constructor as unknown as OrtTensorClass;
  const copy = OrtTensor.fromGpuBuffer(buffer, {
    dataType: tensor.type,
    dims,
    dispose: () => buffer.destroy(),
  });
  return new Tensor(copy as Tensor['ort_tensor']);
}

/**
 * A GPU tensor without a device to copy on is read back first, and ONNX Runtime's `getData()` turns
 * it into a CPU tensor for good (its GPU buffer would then never be freed, since caches dispose GPU
 * tensors only): `getData(true)` frees the buffer at once, so the entry copied from lives on in CPU
 * memory and is uploaded again when a request takes it whole.
 */
async function cpuCopy(tensor: Tensor, length: number): Promise<Tensor> {
  const [batch = 1, heads = 1, seq = 0, headDim = 1] = tensor.dims;
  const data = (tensor.location === 'gpu-buffer' ? await tensor.ort_tensor.getData(true) : tensor.data) as Float32Array;
  const Typed = data.constructor as new (n: number) => Float32Array;
  const out = new Typed(batch * heads * length * headDim);
  for (let row = 0; row < batch * heads; row++) {
    out.set(data.subarray(row * seq * headDim, (row * seq + length) * headDim), row * length * headDim);
  }
  return new Tensor(tensor.type, out, [batch, heads, length, headDim]);
}
