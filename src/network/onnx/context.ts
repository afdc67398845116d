/**
 * What an op of the ONNX op table sees: the shapes and small constant values
 * known so far, typed attribute readers that check each attribute's legal
 * range (a value outside it is a SpecError naming the node and attribute),
 * and the layers the node makes. Browser-safe.
 */
import type { AttributeProto, GraphProto, NodeProto, TensorProto } from 'onnx-buf';
import { SpecError } from '../../spec/errors.js';
import type { Layer, WeightMask } from '../network.js';

/** A tensor's full ONNX shape (batch included). */
export type Shape = number[];

/** Sizes for symbolic dimensions and choices an ONNX graph leaves open. */
export interface OnnxImportOptions {
  /** Batch size for a symbolic first dimension (default 1). */
  readonly batch?: number;
  /** Channels, height, width of the first input when its dimensions are symbolic (the legacy `--input-shape CxHxW`). */
  readonly inputShape?: readonly [number, number, number];
  /** Full shapes of graph inputs by name, batch included, any rank and layout (`--input-shape x=1x3x224x224`). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Sizes of symbolic dimensions by their name in the file (`--dim batch=1`). */
  readonly dims?: Readonly<Record<string, number>>;
  /** Values of `If` conditions that are not constant, by the condition tensor's name. */
  readonly conditions?: Readonly<Record<string, boolean>>;
  /** Refuse ops dnnergy does not know even when the file gives their output shapes. */
  readonly strict?: boolean;
  /** Keep each weight's zero mask (a byte per weight) for actual-data densities (`analyze --density-from actual`). */
  readonly weightMasks?: boolean;
}

/** The import's state, shared by every node (and by the nodes of an `If` branch taken). */
export interface ImportState {
  readonly file: string;
  readonly options: OnnxImportOptions;
  readonly shapes: Map<string, Shape>;
  /** Values of small constant tensors (shape arithmetic, scales, axes, conditions). */
  readonly consts: Map<string, number[]>;
  /** Tensors computed from constants alone: weights, whatever their producer. */
  readonly constant: Set<string>;
  /** Tensors with data (initializers, Constant nodes), for weight densities. */
  readonly data: Map<string, TensorProto>;
  /** Zero masks of the layers' weights, by layer name (only with `options.weightMasks`). */
  readonly masks: Map<string, WeightMask>;
  readonly warnings: string[];
  /** Run a subgraph's nodes in this state (the branch an `If` takes). */
  runGraph(g: GraphProto): void;
  /** Make `to` the same tensor as `from` (shape, value, activation): an `If`'s outputs are its branch's. */
  bind(to: string, from: string): void;
}

/** A layer a node makes, and which of its outputs the layer writes. */
export interface Emitted {
  readonly layer: Layer;
  readonly output: number;
}

/** Bytes per element of ONNX tensor data types (TensorProto.DataType). */
const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Numpy broadcasting of two shapes (aligned on the right). */
export function broadcast(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : Math.max(x, y));
  }
  return out;
}

/**
 * Checks that a tensor's data holds as many elements as its dims say (a
 * short `raw_data` would otherwise give a density from a few values).
 */
export function checkTensorData(t: TensorProto, file: string, where: string): void {
  const dims = t.dims.map(Number);
  if (dims.some((d) => !(Number.isSafeInteger(d) && d >= 0))) throw new SpecError(file, `${where}.dims`, 'sizes ≥ 0', `[${dims.join(', ')}]`);
  const n = prod(dims);
  const bytes = ELEM_BYTES[t.dataType];
  if (t.rawData.length > 0 && bytes !== undefined && t.rawData.length !== n * bytes) {
    throw new SpecError(file, `${where}.raw_data`, `${n * bytes} bytes (${n} values of ${bytes} bytes for dims [${t.dims.join(', ')}])`, `${t.rawData.length} bytes`);
  }
  const typed = t.floatData.length || t.int64Data.length || t.int32Data.length || t.doubleData.length;
  if (t.rawData.length === 0 && typed > 0 && typed !== n && !(t.dataType === 10 || t.dataType === 16)) {
    throw new SpecError(file, `${where}.data`, `${n} values for dims [${t.dims.join(', ')}]`, `${typed}`);
  }
}

/** The values of a tensor with data, as numbers (booleans as 0/1); undefined when it has none. */
export function tensorValues(t: TensorProto): number[] | undefined {
  if (t.int64Data.length) return t.int64Data.map(Number);
  if (t.int32Data.length) return [...t.int32Data];
  if (t.floatData.length) return [...t.floatData];
  if (t.doubleData.length) return [...t.doubleData];
  const r = t.rawData;
  if (!r.length) return prod(t.dims.map(Number)) === 0 ? [] : undefined;
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const out: number[] = [];
  const read: Record<number, [number, (i: number) => number]> = {
    1: [4, (i) => dv.getFloat32(i, true)], 11: [8, (i) => dv.getFloat64(i, true)], 7: [8, (i) => Number(dv.getBigInt64(i, true))],
    6: [4, (i) => dv.getInt32(i, true)], 3: [1, (i) => dv.getInt8(i)], 2: [1, (i) => dv.getUint8(i)], 9: [1, (i) => dv.getUint8(i)],
  };
  const f = read[t.dataType];
  if (!f) return undefined;
  for (let i = 0; i + f[0] <= r.byteLength; i += f[0]) out.push(f[1](i));
  return out;
}

/** Fraction of non-zero values of a weight with data; undefined without data. */
export function nonZeroFraction(t: TensorProto | undefined): number | undefined {
  if (!t) return undefined;
  const v = tensorValues(t);
  if (!v || v.length === 0 || v.length < prod(t.dims.map(Number))) return undefined;
  let nz = 0;
  for (const x of v) if (x !== 0) nz++;
  return nz / v.length;
}

/** One node as its op sees it: its inputs' shapes and values, checked attributes, and the layers it makes. */
export class OpNode {
  readonly name: string;
  readonly where: string;
  readonly emitted: Emitted[] = [];
  constructor(readonly node: NodeProto, readonly state: ImportState, index: number) {
    this.name = node.name || `${node.opType}_${index}`;
    this.where = `node ${this.name} (${node.opType})`;
  }
  /** The node's op type. */
  get op(): string { return this.node.opType; }
  /** The file errors name. */
  get file(): string { return this.state.file; }

  /** A one-line user error naming this node and `attribute` (or an input, when it is one). */
  fail(attribute: string, expected: string, found?: string): never {
    throw new SpecError(this.file, attribute ? `${this.where}.${attribute}` : this.where, expected, found);
  }

  /** Whether input `i` is given (ONNX leaves optional inputs empty). */
  has(i: number): boolean { return !!this.node.input[i]; }
  /** Shape of input `i`. */
  shape(i: number): Shape {
    const s = this.state.shapes.get(this.node.input[i]);
    if (!s) this.fail('', `a known shape for input "${this.node.input[i] ?? `#${i}`}" (missing in the file and not inferable)`);
    return s;
  }
  /** Shape of input `i`, which must have `ranks` (e.g. [3, 4]); `what` names it in the error. */
  shapeOfRank(i: number, ranks: readonly number[], what: string): Shape {
    const s = this.shape(i);
    if (!ranks.includes(s.length)) this.fail(what, `a ${ranks.join('-D or ')}-D tensor`, `${s.length}-D [${s.join(', ')}]`);
    return s;
  }
  /** Constant value of input `i`, if known. */
  value(i: number): number[] | undefined { return this.has(i) ? this.state.consts.get(this.node.input[i]) : undefined; }
  /** Whether input `i` is computed from constants alone (a weight). */
  isConstant(i: number): boolean { return this.has(i) && this.state.constant.has(this.node.input[i]); }
  /** Density of the weight at input `i`, when its data is in the file. */
  density(i: number, transposed = false): { weightDensity?: number } {
    const t = this.state.data.get(this.node.input[i]);
    const d = nonZeroFraction(t);
    if (d === undefined) return {};
    if (this.state.options.weightMasks && t) {
      const v = tensorValues(t)!;
      const mask = new Uint8Array(v.length);
      for (let j = 0; j < v.length; j++) mask[j] = v[j] !== 0 ? 1 : 0;
      this.state.masks.set(this.layerName(), { mask, dims: t.dims.map(Number), transposed });
    }
    return { weightDensity: d };
  }

  /** The attribute called `name`, if the node has it. */
  attr(name: string): AttributeProto | undefined { return this.node.attribute.find((a) => a.name === name); }
  /** An int attribute, unchecked (`dflt` when absent). */
  int(name: string, dflt: number): number { const a = this.attr(name); return a ? Number(a.i) : dflt; }
  /** A float attribute (`dflt` when absent). */
  float(name: string, dflt: number): number { const a = this.attr(name); return a ? a.f : dflt; }
  /** A string attribute (`dflt` when absent). */
  str(name: string, dflt: string): string { const a = this.attr(name); return a ? new TextDecoder().decode(a.s) : dflt; }
  /** An ints attribute, unchecked. */
  ints(name: string): number[] | undefined { const a = this.attr(name); return a ? a.ints.map(Number) : undefined; }

  /** An int attribute in [min, max]. */
  intIn(name: string, dflt: number, min: number, max = Infinity): number {
    const v = this.int(name, dflt);
    if (!(v >= min && v <= max)) this.fail(name, max === Infinity ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, String(v));
    return v;
  }
  /** An ints attribute of exactly `len` values, each ≥ `min`; `dflt` when absent. */
  intsOf(name: string, len: number, min: number, dflt?: number[]): number[] {
    const v = this.ints(name);
    if (v === undefined) {
      if (dflt === undefined) this.fail(name, `${len} integers ≥ ${min} (the attribute is required)`, 'none');
      return dflt;
    }
    if (v.length !== len) this.fail(name, `${len} values (one per ${len === 2 * Math.floor(len / 2) && name === 'pads' ? 'side of each spatial axis' : 'spatial axis'})`, `${v.length} [${v.join(', ')}]`);
    const bad = v.find((x) => !(x >= min));
    if (bad !== undefined) this.fail(name, `values ≥ ${min}`, `[${v.join(', ')}]`);
    return v;
  }

  /** Set the shape (and optionally the constant value) of output `i`. */
  out(s: Shape, i = 0, value?: number[]): void {
    const o = this.node.output[i];
    if (!o) return;
    this.state.shapes.set(o, s);
    if (value) this.state.consts.set(o, value);
  }
  /** Add a layer writing output `i`. */
  emit(layer: Layer, output = 0): void { this.emitted.push({ layer, output }); }
  /** Add a layer without MACs writing output `i`. */
  other(op: string, inputWords: number, outputWords: number, extra: Partial<Extract<Layer, { kind: 'other' }>> = {}, output = 0): void {
    this.emit({ kind: 'other', name: this.layerName(), op, inputWords, outputWords, ...extra }, output);
  }
  /** The next layer's name: the node's, then `name:1`, `name:2`, … for a node that makes several. */
  layerName(): string { return this.emitted.length === 0 ? this.name : `${this.name}:${this.emitted.length}`; }
}

/** An entry of the op table: how a node of this op infers its outputs' shapes and which layers it makes. */
export interface OpEntry {
  readonly infer: (n: OpNode) => void;
  /** Ops whose MACs dnnergy models (Conv, Gemm, MatMul, LSTM, ...). */
  readonly macs?: boolean;
}
