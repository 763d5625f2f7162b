/**
 * A minimal ONNX writer: the few messages of onnx.proto (proto2) a GPT-2 graph needs, encoded by
 * hand in protobuf's wire format — varints (wire type 0), 32-bit floats (type 5) and
 * length-delimited fields (type 2). Field numbers are those of onnx/onnx.proto (IR version 9).
 *
 * A message is encoded as a list of byte chunks with their total length, so that weights
 * (hundreds of MB for GPT-2 124M) are copied once, into the final buffer, and not once per level
 * of nesting.
 */

/** Encoded bytes, as chunks (never copied until `concat`). */
export class Bytes {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  push(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.byteLength;
    return this;
  }

  append(b: Bytes): this {
    for (const c of b.chunks) this.push(c);
    return this;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** A varint: 7 bits a byte, low first. Negative int64 values take ten bytes (two's complement). */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Uint8Array.from(out);
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const utf8 = new TextEncoder();

/** Builder for one message's fields. */
export class Msg extends Bytes {
  int(field: number, value: number | bigint): this {
    return this.push(key(field, 0)).push(varint(value));
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.push(key(field, 5)).push(b);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.push(key(field, 2)).push(varint(value.byteLength)).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  msg(field: number, value: Bytes): this {
    this.push(key(field, 2)).push(varint(value.length));
    return this.append(value);
  }
}

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DataTypeName = keyof typeof DataType;

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrValue>;
}

export interface Initializer {
  name: string;
  type: DataTypeName;
  dims: number[];
  /** Little-endian raw bytes (Float32Array/BigInt64Array/Int32Array views are taken as is). */
  data: Float32Array | BigInt64Array | Int32Array;
}

/** A graph input or output: dims are numbers or symbolic names. */
export interface ValueInfo {
  name: string;
  type: DataTypeName;
  dims: (number | string)[];
}

export interface Model {
  opset: number;
  nodes: Node[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  name?: string;
  producer?: string;
}

function attribute(name: string, value: AttrValue): Msg {
  const m = new Msg().string(1, name);
  if (typeof value === 'string') return m.bytes(4, utf8.encode(value)).int(20, AttrType.STRING);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; pass { float: ${value} }`);
    return m.int(3, value).int(20, AttrType.INT);
  }
  if (Array.isArray(value)) {
    for (const v of value) m.int(8, v);
    return m.int(20, AttrType.INTS);
  }
  if ('float' in value) return m.float(2, value.float).int(20, AttrType.FLOAT);
  for (const v of value.floats) m.float(7, v);
  return m.int(20, AttrType.FLOATS);
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7. */
export function encodeNode(n: Node): Msg {
  const m = new Msg();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  if (n.name) m.string(3, n.name);
  m.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) m.msg(5, attribute(k, v));
  if (n.domain) m.string(7, n.domain);
  return m;
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
export function encodeTensor(t: Initializer): Msg {
  const m = new Msg();
  for (const d of t.dims) m.int(1, d);
  m.int(2, DataType[t.type]);
  m.string(8, t.name);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new Error(`initializer ${t.name}: ${t.data.length} values for dims [${t.dims.join(', ')}]`);
  return m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } } }. */
export function encodeValueInfo(v: ValueInfo): Msg {
  const shape = new Msg();
  for (const d of v.dims) shape.msg(1, typeof d === 'number' ? new Msg().int(1, d) : new Msg().string(2, d));
  const tensorType = new Msg().int(1, DataType[v.type]).msg(2, shape);
  return new Msg().string(1, v.name).msg(2, new Msg().msg(1, tensorType));
}

/**
 * ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8.
 * GraphProto: node 1, name 2, initializer 5, input 11, output 12.
 */
export function encodeModel(model: Model): Uint8Array {
  const graph = new Msg();
  for (const n of model.nodes) graph.msg(1, encodeNode(n));
  graph.string(2, model.name ?? 'graph');
  for (const t of model.initializers) graph.msg(5, encodeTensor(t));
  for (const v of model.inputs) graph.msg(11, encodeValueInfo(v));
  for (const v of model.outputs) graph.msg(12, encodeValueInfo(v));
  const m = new Msg()
    .int(1, 9) // IR version 9 (ONNX 1.15), which opsets up to 20 need
    .string(2, model.producer ?? 'token-clock')
    .msg(7, graph)
    .msg(8, new Msg().string(1, '').int(2, model.opset));
  return m.concat();
}
