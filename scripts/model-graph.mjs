// The ONNX graph of the test model (opset 17). Input and output names and shapes follow
// what transformers.js expects of an exported decoder with a KV cache.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { FLOAT, INT64, BOOL } = onnx.TensorProto.DataType;

// Seeded PRNG (mulberry32) and Box-Muller normals: the same weights on every machine.
function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `headNoise`: the spread of the LM head's other columns (sampling strays more with more); `rawData`
 * stores weights as bytes, which a large vocabulary needs (the benchmark model) and which leaves the
 * embedded model's file as it was when off.
 */
export function buildGraph({ hidden, heads, headDim, layers, intermediate, maxPositions, vocab, chain, eos, headNoise = 0.05, rawData = false }) {
  const normal = rng(20261121);
  const nodes = [];
  const inits = [];
  let n = 0;
  const tmp = (p) => `${p}_${n++}`;
  const node = (op, inputs, attrs = {}, outName) => {
    const out = outName ?? tmp(op);
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v) ? { name, ints: v, type: onnx.AttributeProto.AttributeType.INTS }
        : Number.isInteger(v) ? { name, i: v, type: onnx.AttributeProto.AttributeType.INT }
          : { name, f: v, type: onnx.AttributeProto.AttributeType.FLOAT });
    nodes.push({ opType: op, input: inputs, output: [out], name: out, attribute });
    return out;
  };
  const init = (name, dims, data, type = FLOAT) => {
    const floats = rawData ? { rawData: new Uint8Array(Float32Array.from(data).buffer) } : { floatData: Array.from(data) };
    inits.push(type === FLOAT
      ? { name, dims, dataType: FLOAT, ...floats }
      : { name, dims, dataType: INT64, int64Data: Array.from(data) });
    return name;
  };
  const randomMatrix = (name, rows, cols, std) =>
    init(name, [rows, cols], Float32Array.from({ length: rows * cols }, () => normal() * std));
  const ones = (name, len) => init(name, [len], new Float32Array(len).fill(1));

  // Embeddings: the story's tokens get orthonormal rows (Gram-Schmidt); the rest random unit rows.
  const emb = new Float32Array(vocab * hidden);
  const row = (t) => emb.subarray(t * hidden, (t + 1) * hidden);
  const onChain = new Set(chain);
  if (chain.length > hidden) throw new Error(`story of ${chain.length} tokens needs hidden >= that`);
  const basis = [];
  for (const t of chain) {
    const v = Float32Array.from({ length: hidden }, normal);
    for (const b of basis) {
      const d = v.reduce((s, x, i) => s + x * b[i], 0);
      for (let i = 0; i < hidden; i++) v[i] -= d * b[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < hidden; i++) v[i] /= norm;
    basis.push(v);
    row(t).set(v);
  }
  for (let t = 0; t < vocab; t++) {
    if (onChain.has(t)) continue;
    const v = Float32Array.from({ length: hidden }, normal);
    const norm = Math.hypot(...v);
    row(t).set(v.map((x) => x / norm));
  }
  init('embed_tokens', [vocab, hidden], emb);

  // LM head [hidden, vocab]: column s is the embedding of s's predecessor on the chain, scaled
  // so the successor's logit is about 7 after the final RMSNorm (sqrt(hidden) * alpha); other
  // columns are small noise, so sampling at temperature 1 strays now and then.
  const alpha = 7 / Math.sqrt(hidden);
  const head = Float32Array.from({ length: hidden * vocab }, () => normal() * headNoise);
  const successors = [...chain.slice(1), eos];
  chain.forEach((t, i) => {
    const target = successors[i];
    for (let h = 0; h < hidden; h++) head[h * vocab + target] = row(t)[h] * alpha;
  });
  init('lm_head', [hidden, vocab], head);

  // RoPE tables [maxPositions, headDim / 2].
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / 10000 ** ((2 * i) / headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  init('rope_cos', [maxPositions, half], cos);
  init('rope_sin', [maxPositions, half], sin);

  const scalarI64 = (name, v) => init(name, [], [v], INT64);
  const i64 = (name, values) => init(name, [values.length], values, INT64);
  scalarI64('zero', 0);
  scalarI64('one', 1);
  i64('axes0', [0]);
  i64('axes1', [1]);
  i64('axes01', [0, 1]);
  i64('axes12', [1, 2]);
  i64('heads_shape', [0, 0, heads, headDim]);
  i64('hidden_shape', [0, 0, hidden]);
  i64('lo_start', [0]);
  i64('lo_end', [half]);
  i64('hi_end', [headDim]);
  i64('axis3', [3]);
  init('mask_off', [], [-1e9]);
  init('mask_on', [], [0]);
  init('eps', [], [1e-5]);
  init('attn_scale', [], [1 / Math.sqrt(headDim)]);

  // Additive attention bias [b, 1, s, T]: causal over past + current, and the attention mask.
  const pastLen = node('Shape', ['past_key_values.0.key'], { start: 2, end: 3 });
  const seqLen = node('Shape', ['input_ids'], { start: 1, end: 2 });
  const total = node('Add', [pastLen, seqLen]);
  const pastS = node('Squeeze', [pastLen, 'axes0']);
  const totalS = node('Squeeze', [total, 'axes0']);
  const rows = node('Unsqueeze', [node('Range', [pastS, totalS, 'one']), 'axes1']);
  const cols = node('Unsqueeze', [node('Range', ['zero', totalS, 'one']), 'axes0']);
  const causal = node('LessOrEqual', [cols, rows]);
  const padMask = node('Unsqueeze', [node('Cast', ['attention_mask'], { to: BOOL }), 'axes12']);
  const bias = node('Where', [node('And', [causal, padMask]), 'mask_on', 'mask_off']);

  const cosT = node('Unsqueeze', [node('Gather', ['rope_cos', 'position_ids']), 'axes1']);
  const sinT = node('Unsqueeze', [node('Gather', ['rope_sin', 'position_ids']), 'axes1']);
  const rope = (t) => {
    const lo = node('Slice', [t, 'lo_start', 'lo_end', 'axis3']);
    const hi = node('Slice', [t, 'lo_end', 'hi_end', 'axis3']);
    const a = node('Sub', [node('Mul', [lo, cosT]), node('Mul', [hi, sinT])]);
    const b = node('Add', [node('Mul', [hi, cosT]), node('Mul', [lo, sinT])]);
    return node('Concat', [a, b], { axis: 3 });
  };
  const rmsNorm = (x, weight) => {
    const meanSq = node('ReduceMean', [node('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inv = node('Reciprocal', [node('Sqrt', [node('Add', [meanSq, 'eps'])])]);
    return node('Mul', [node('Mul', [x, inv]), weight]);
  };
  const splitHeads = (x) => node('Transpose', [node('Reshape', [x, 'heads_shape'])], { perm: [0, 2, 1, 3] });

  let x = node('Gather', ['embed_tokens', 'input_ids']);
  for (let l = 0; l < layers; l++) {
    const w = (name, r, c, std) => randomMatrix(`layers.${l}.${name}`, r, c, std);
    const h = rmsNorm(x, ones(`layers.${l}.input_norm`, hidden));
    const q = rope(splitHeads(node('MatMul', [h, w('q_proj', hidden, hidden, 0.2)])));
    const k = rope(splitHeads(node('MatMul', [h, w('k_proj', hidden, hidden, 0.2)])));
    const v = splitHeads(node('MatMul', [h, w('v_proj', hidden, hidden, 0.2)]));
    const keys = node('Concat', [`past_key_values.${l}.key`, k], { axis: 2 }, `present.${l}.key`);
    const values = node('Concat', [`past_key_values.${l}.value`, v], { axis: 2 }, `present.${l}.value`);
    const scores = node('Add', [
      node('Mul', [node('MatMul', [q, node('Transpose', [keys], { perm: [0, 1, 3, 2] })]), 'attn_scale']),
      bias,
    ]);
    const attn = node('MatMul', [node('Softmax', [scores], { axis: -1 }), values]);
    const merged = node('Reshape', [node('Transpose', [attn], { perm: [0, 2, 1, 3] }), 'hidden_shape']);
    x = node('Add', [x, node('MatMul', [merged, w('o_proj', hidden, hidden, 0.002)])]);
    const h2 = rmsNorm(x, ones(`layers.${l}.post_norm`, hidden));
    const gate = node('MatMul', [h2, w('gate_proj', hidden, intermediate, 0.2)]);
    const up = node('MatMul', [h2, w('up_proj', hidden, intermediate, 0.2)]);
    const act = node('Mul', [node('Mul', [gate, node('Sigmoid', [gate])]), up]);
    x = node('Add', [x, node('MatMul', [act, w('down_proj', intermediate, hidden, 0.002)])]);
  }
  node('MatMul', [rmsNorm(x, ones('final_norm', hidden)), 'lm_head'], {}, 'logits');

  const tensorType = (name, elemType, dims) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const cacheInputs = [];
  const cacheOutputs = [];
  for (let l = 0; l < layers; l++) {
    for (const kind of ['key', 'value']) {
      cacheInputs.push(tensorType(`past_key_values.${l}.${kind}`, FLOAT, ['batch_size', heads, 'past_sequence_length', headDim]));
      cacheOutputs.push(tensorType(`present.${l}.${kind}`, FLOAT, ['batch_size', heads, 'total_sequence_length', headDim]));
    }
  }
  const model = {
    irVersion: 8,
    producerName: 'zstream generate-model',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'tiny_llama',
      node: nodes,
      initializer: inits,
      input: [
        tensorType('input_ids', INT64, ['batch_size', 'sequence_length']),
        tensorType('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
        tensorType('position_ids', INT64, ['batch_size', 'sequence_length']),
        ...cacheInputs,
      ],
      output: [tensorType('logits', FLOAT, ['batch_size', 'sequence_length', vocab]), ...cacheOutputs],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}
