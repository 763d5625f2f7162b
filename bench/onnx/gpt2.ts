/**
 * GPT-2 with a KV cache as an ONNX graph (opset 20), built from a checkpoint's parameters (the
 * same `Map<name, Param>` the engine uploads), weights as initializers. The peer engine of the
 * benchmark runs it in onnxruntime-web.
 *
 * Inputs (batch 1):
 *   input_ids      int64 [T]             the new tokens
 *   position_ids   int64 [T]             their positions (P .. P+T-1)
 *   attention_mask float [1, 1, T, P+T]  added to the scores: 0 where a query sees a key, −1e9
 *                                        where it must not (the future); all zeros for one token
 *   past_key.i     float [1, H, D, P]   per block, keys stored transposed (as the engine's kT), so
 *                                       a tick's q·kᵀ needs no transpose of the whole cache
 *   past_value.i   float [1, H, P, D]   (P = 0 on the first call)
 * Outputs:
 *   logits         float [1, V]          the last position's logits (as the engine's tick)
 *   present_key.i [1, H, D, P+T], present_value.i [1, H, P+T, D]
 *
 * Each block: LayerNormalization → MatMul+Add (c_attn) → Split q,k,v → Reshape/Transpose to
 * heads (keys transposed) → Concat with the past → q·kᵀ/√D + mask → Softmax → ·v → back to [T, C] → MatMul+Add
 * (c_proj) → residual Add; LayerNormalization → MatMul+Add (c_fc) → Gelu(approximate=tanh, GPT-2's
 * gelu_new) → MatMul+Add (c_proj) → residual Add. Then ln_f on the last row and logits = x·wteᵀ
 * (Gemm with transB, so wte is stored once).
 */
import type { GPT2Config } from '../../model/config.ts';
import type { Param } from '../../model/checkpoint.ts';
import { encodeModel, type Initializer, type Model, type Node, type ValueInfo } from './proto.ts';

/** The graph as an object (for tests and inspection); `gpt2Onnx` encodes it. */
export function gpt2Graph(config: GPT2Config, params: Map<string, Param>): Model {
  const { n_layer: L, n_head: H, n_embd: C, vocab_size: V } = config;
  const D = C / H;
  const nodes: Node[] = [];
  const initializers: Initializer[] = [];
  const weight = (name: string): string => {
    const p = params.get(name);
    if (!p) throw new Error(`checkpoint has no ${name}`);
    initializers.push({ name, type: 'FLOAT', dims: p.shape, data: p.data });
    return name;
  };
  const ints = (name: string, values: number[]): string => {
    initializers.push({ name, type: 'INT64', dims: [values.length], data: BigInt64Array.from(values, BigInt) });
    return name;
  };
  const scalar = (name: string, value: number): string => {
    initializers.push({ name, type: 'FLOAT', dims: [], data: Float32Array.of(value) });
    return name;
  };
  let n = 0;
  const op = (type: string, inputs: string[], attrs?: Node['attrs'], outputs = 1): string[] => {
    const id = `${type}_${n++}`;
    const outs = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? id : `${id}:${i}`));
    nodes.push({ op: type, inputs, outputs: outs, name: id, attrs });
    return outs;
  };
  const op1 = (type: string, inputs: string[], attrs?: Node['attrs']) => op(type, inputs, attrs)[0];
  const linear = (x: string, prefix: string) => op1('Add', [op1('MatMul', [x, weight(`${prefix}.weight`)]), weight(`${prefix}.bias`)]);
  const layerNorm = (x: string, prefix: string) =>
    op1('LayerNormalization', [x, weight(`${prefix}.weight`), weight(`${prefix}.bias`)], { axis: -1, epsilon: { float: config.layer_norm_epsilon } });

  const toHeads = ints('shape_heads', [1, -1, H, D]);
  const toRows = ints('shape_rows', [-1, C]);
  const qkvSplit = ints('split_qkv', [C, C, C]);
  const scale = scalar('inv_sqrt_d', 1 / Math.sqrt(D));
  const last = ints('last_row', [-1]);

  let x = op1('Add', [op1('Gather', [weight('wte.weight'), 'input_ids']), op1('Gather', [weight('wpe.weight'), 'position_ids'])]);
  const outputs: ValueInfo[] = [{ name: 'logits', type: 'FLOAT', dims: [1, V] }];
  const inputs: ValueInfo[] = [
    { name: 'input_ids', type: 'INT64', dims: ['T'] },
    { name: 'position_ids', type: 'INT64', dims: ['T'] },
    { name: 'attention_mask', type: 'FLOAT', dims: [1, 1, 'T', 'S'] },
  ];
  for (let l = 0; l < L; l++) {
    const h = `h.${l}`;
    inputs.push({ name: `past_key.${l}`, type: 'FLOAT', dims: [1, H, D, 'P'] }, { name: `past_value.${l}`, type: 'FLOAT', dims: [1, H, 'P', D] });
    outputs.push({ name: `present_key.${l}`, type: 'FLOAT', dims: [1, H, D, 'S'] }, { name: `present_value.${l}`, type: 'FLOAT', dims: [1, H, 'S', D] });
    const [q, k, v] = op('Split', [linear(layerNorm(x, `${h}.ln_1`), `${h}.attn.c_attn`), qkvSplit], { axis: 1 }, 3);
    const heads = (t: string, perm = [0, 2, 1, 3]) => op1('Transpose', [op1('Reshape', [t, toHeads])], { perm }); // [1, H, T, D]
    nodes.push({ op: 'Concat', inputs: [`past_key.${l}`, heads(k, [0, 2, 3, 1])], outputs: [`present_key.${l}`], attrs: { axis: 3 } }); // [1, H, D, S]
    nodes.push({ op: 'Concat', inputs: [`past_value.${l}`, heads(v)], outputs: [`present_value.${l}`], attrs: { axis: 2 } });
    const scores = op1('Add', [op1('MatMul', [op1('Mul', [heads(q), scale]), `present_key.${l}`]), 'attention_mask']);
    const y = op1('MatMul', [op1('Softmax', [scores], { axis: -1 }), `present_value.${l}`]); // [1, H, T, D]
    const merged = op1('Reshape', [op1('Transpose', [y], { perm: [0, 2, 1, 3] }), toRows]);
    x = op1('Add', [x, linear(merged, `${h}.attn.c_proj`)]);
    const f = op1('Gelu', [linear(layerNorm(x, `${h}.ln_2`), `${h}.mlp.c_fc`)], { approximate: 'tanh' });
    x = op1('Add', [x, linear(f, `${h}.mlp.c_proj`)]);
  }
  const lastRow = op1('Gather', [x, last], { axis: 0 }); // [1, C]
  nodes.push({ op: 'Gemm', inputs: [layerNorm(lastRow, 'ln_f'), 'wte.weight'], outputs: ['logits'], attrs: { transB: 1 } });
  return { opset: 20, nodes, initializers, inputs, outputs, name: 'gpt2' };
}

/** The ONNX file's bytes. */
export function gpt2Onnx(config: GPT2Config, params: Map<string, Param>): Uint8Array {
  return encodeModel(gpt2Graph(config, params));
}

/** The attention mask for T new tokens after P cached ones: query t sees keys 0 .. P+t. */
export function causalMask(T: number, P: number): Float32Array {
  const S = P + T;
  const m = new Float32Array(T * S);
  for (let t = 0; t < T; t++) for (let s = P + t + 1; s < S; s++) m[t * S + s] = -1e9;
  return m;
}
