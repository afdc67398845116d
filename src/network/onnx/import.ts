/**
 * ONNX import: a model's graph to a {@link Network}. Shapes come from the
 * graph inputs, initializers and value_info when present, and are inferred
 * node by node otherwise (Conv, Gemm, MatMul, pooling, and the shape-carrying
 * ops around them). Conv becomes a convolution layer (groups included),
 * Gemm/MatMul with a 2-D weight a fully connected layer; every other node is
 * listed with the words it reads and writes, not dropped. Any problem — a
 * truncated file, an unknown op, a shape that cannot be inferred — is a
 * SpecError naming the node. The network's edges are the graph's activation
 * tensors (weights and shape constants are not edges; Flatten, Reshape,
 * Squeeze and Unsqueeze are seen through). Browser-safe: bytes in, network out.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type AttributeProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { SpecError } from '../../spec/errors.js';
import type { Layer, LayerEdges, Network, TensorShape } from '../network.js';

type Shape = number[];

/** Ops that keep the shape of their first input. */
const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Softplus', 'Softsign',
  'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Not',
  'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'LRN', 'Dropout', 'Identity', 'Softmax', 'LogSoftmax',
  'Cast', 'Pow',
]);
/** Ops that make no layer and only re-view their first input: the graph sees through them. */
const PASS_THROUGH = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);
/** Element-wise ops with broadcasting. */
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Greater', 'Less', 'Where', 'And', 'Or']);

function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}
function ints(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? a.ints.map(Number) : undefined;
}
function int(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? Number(a.i) : dflt;
}
function str(node: NodeProto, name: string, dflt: string): string {
  const a = attr(node, name);
  return a ? new TextDecoder().decode(a.s) : dflt;
}

/** Integer values of a small int tensor (for Reshape shapes, axes, ...). */
function tensorInts(t: TensorProto): number[] {
  if (t.int64Data.length) return t.int64Data.map(Number);
  if (t.int32Data.length) return [...t.int32Data];
  if (t.rawData.length) {
    const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const out: number[] = [];
    if (t.dataType === 7) for (let i = 0; i + 8 <= t.rawData.byteLength; i += 8) out.push(Number(dv.getBigInt64(i, true)));
    else if (t.dataType === 6) for (let i = 0; i + 4 <= t.rawData.byteLength; i += 4) out.push(dv.getInt32(i, true));
    else if (t.dataType === 1) for (let i = 0; i + 4 <= t.rawData.byteLength; i += 4) out.push(dv.getFloat32(i, true));
    return out;
  }
  if (t.floatData.length) return [...t.floatData];
  return [];
}

/** Fraction of non-zero values of a float initializer with data; undefined without data. */
function nonZeroFraction(t: TensorProto | undefined): number | undefined {
  if (!t || t.dataType !== 1) return undefined;
  let n = 0, nz = 0;
  if (t.rawData.length) {
    const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    for (let i = 0; i + 4 <= t.rawData.byteLength; i += 4, n++) if (dv.getFloat32(i, true) !== 0) nz++;
  } else for (const v of t.floatData) { n++; if (v !== 0) nz++; }
  return n > 0 ? nz / n : undefined;
}

const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);

function broadcast(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Sizes for symbolic dimensions of an ONNX model's input. */
export interface OnnxImportOptions {
  /** Batch size for a symbolic first dimension (default 1). */
  readonly batch?: number;
  /** Channels, height, width, for inputs whose dimensions are symbolic. */
  readonly inputShape?: readonly [number, number, number];
}

/** Parse an ONNX model and turn its graph into a network. `file` names it in errors. */
export function importOnnx(bytes: Uint8Array, file: string, options: OnnxImportOptions = {}): Network {
  const batch = options.batch ?? 1;
  let model;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new SpecError(file, '', 'an ONNX model (protobuf)', `unreadable: ${(e as Error).message.split('\n')[0]}`);
  }
  const g = model.graph;
  if (!g || g.node.length === 0) throw new SpecError(file, 'graph', 'an ONNX graph with nodes', g ? 'no nodes' : 'no graph');
  const shapes = new Map<string, Shape>();
  const consts = new Map<string, number[]>();
  for (const t of g.initializer) {
    shapes.set(t.name, t.dims.map(Number));
    if (t.dims.length <= 1 && (t.dataType === 7 || t.dataType === 6)) consts.set(t.name, tensorInts(t));
  }
  const graphInputs = new Set(g.input.map((i) => i.name));
  for (const vi of [...g.input, ...g.valueInfo]) {
    if (shapes.has(vi.name)) continue;
    const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
    if (!tt?.shape) continue;
    const dims = tt.shape.dim.map((d) => (d.value.case === 'dimValue' && Number(d.value.value) > 0 ? Number(d.value.value) : -1));
    if (dims.some((d) => d < 0)) {
      if (!graphInputs.has(vi.name)) continue; // inferred below instead
      // The first symbolic dimension is the batch; the others come from the given input shape.
      if (dims[0] < 0) dims[0] = batch;
      if (dims.some((d) => d < 0)) {
        const given = options.inputShape;
        if (!given || given.length !== dims.length - 1) {
          throw new SpecError(file, `input ${vi.name}`, 'fixed dimensions, or an input shape given as CxHxW (--input-shape)', `[${dims.map((d) => (d < 0 ? '?' : d)).join(', ')}]`);
        }
        for (let i = 1; i < dims.length; i++) dims[i] = given[i - 1];
      }
    }
    shapes.set(vi.name, dims);
  }
  const layers: Layer[] = [];
  const density = (weight: string): { weightDensity?: number } => {
    const d = nonZeroFraction(g.initializer.find((t) => t.name === weight));
    return d === undefined ? {} : { weightDensity: d };
  };
  const first = g.input.find((i) => !g.initializer.some((t) => t.name === i.name));
  // Activation tensors: an ONNX tensor → the graph tensor it is (Flatten, Reshape... pass one through).
  const alias = new Map<string, string>();
  const tensors = new Map<string, TensorShape>();
  const edges: LayerEdges[] = [];
  const unbatched = (s: Shape): TensorShape => (s.length >= 2 ? s.slice(1) : s);
  if (first) {
    alias.set(first.name, first.name);
    tensors.set(first.name, unbatched(shapes.get(first.name) ?? []));
  }
  const visit = (node: NodeProto, idx: number): void => {
    const name = node.name || `${node.opType}_${idx}`;
    const where = `node ${name} (${node.opType})`;
    const inShape = (i: number): Shape => {
      const s = shapes.get(node.input[i]);
      if (!s) throw new SpecError(file, where, `a known shape for input "${node.input[i]}" (missing in the file and not inferable)`);
      return s;
    };
    const setOut = (s: Shape, i = 0) => { if (node.output[i]) shapes.set(node.output[i], s); };
    const other = (op: string, inWords: number, outWords: number, pool?: Extract<Layer, { kind: 'other' }>['pool']) =>
      layers.push({ kind: 'other', name, op, inputWords: inWords, outputWords: outWords, ...(pool ? { pool } : {}) });
    const op = node.opType;
    if (op === 'Conv') {
      const x = inShape(0), w = inShape(1);
      if (x.length !== 4 || w.length !== 4) throw new SpecError(file, where, '2-D convolution (4-D input and weight)', `${x.length}-D input`);
      const group = int(node, 'group', 1);
      const [kH, kW] = ints(node, 'kernel_shape') ?? [w[2], w[3]];
      const [sH, sW] = ints(node, 'strides') ?? [1, 1];
      const [dH, dW] = ints(node, 'dilations') ?? [1, 1];
      let pads = ints(node, 'pads') ?? [0, 0, 0, 0];
      const auto = str(node, 'auto_pad', 'NOTSET');
      let oH: number, oW: number;
      if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
        oH = Math.ceil(x[2] / sH); oW = Math.ceil(x[3] / sW);
        const ph = Math.max(0, (oH - 1) * sH + dH * (kH - 1) + 1 - x[2]), pw = Math.max(0, (oW - 1) * sW + dW * (kW - 1) + 1 - x[3]);
        pads = [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
      } else {
        oH = Math.floor((x[2] + pads[0] + pads[2] - dH * (kH - 1) - 1) / sH) + 1;
        oW = Math.floor((x[3] + pads[1] + pads[3] - dW * (kW - 1) - 1) / sW) + 1;
      }
      if (x[1] !== w[1] * group) throw new SpecError(file, where, `input channels (${x[1]}) = weight channels × group (${w[1]} × ${group})`);
      layers.push({
        kind: 'conv', name, inC: x[1], inH: x[2], inW: x[3], outC: w[0], outH: oH, outW: oW, kH, kW,
        strideH: sH, strideW: sW, padH: pads[0], padW: pads[1], dilH: dH, dilW: dW, groups: group,
        ...density(node.input[1]),
      });
      setOut([x[0], w[0], oH, oW]);
    } else if (op === 'Gemm' || (op === 'MatMul' && shapes.get(node.input[1])?.length === 2 && g.initializer.some((t) => t.name === node.input[1]))) {
      const a = inShape(0), b = inShape(1);
      const transA = op === 'Gemm' ? int(node, 'transA', 0) : 0, transB = op === 'Gemm' ? int(node, 'transB', 0) : 0;
      const K = transB ? b[1] : b[0], N = transB ? b[0] : b[1];
      const M = op === 'Gemm' ? (transA ? a[1] : a[0]) : prod(a.slice(0, -1));
      layers.push({ kind: 'fc', name, inFeatures: K, outFeatures: N, ...density(node.input[1]) });
      setOut(op === 'Gemm' ? [M, N] : [...a.slice(0, -1), N]);
    } else if (op === 'MatMul') {
      const a = inShape(0), b = inShape(1);
      setOut([...broadcast(a.slice(0, -2), b.slice(0, -2)), a[a.length - 2], b[b.length - 1]]);
      other('matmul (activations × activations)', prod(a) + prod(b), prod(shapes.get(node.output[0])!));
    } else if (op === 'MaxPool' || op === 'AveragePool') {
      const x = inShape(0);
      const k = ints(node, 'kernel_shape')!;
      const s = ints(node, 'strides') ?? k.map(() => 1);
      const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
      const f = int(node, 'ceil_mode', 0) ? Math.ceil : Math.floor;
      const auto = str(node, 'auto_pad', 'NOTSET');
      const o = [0, 1].map((i) => (auto.startsWith('SAME') ? Math.ceil(x[2 + i] / s[i]) : f((x[2 + i] + pads[i] + pads[i + 2] - k[i]) / s[i]) + 1));
      setOut([x[0], x[1], o[0], o[1]]);
      other(op === 'MaxPool' ? 'maxpool' : 'avgpool', prod(x) / x[0], (x[1] * o[0] * o[1]), { kernel: k[0], stride: s[0], pad: pads[0], ceil: int(node, 'ceil_mode', 0) === 1, global: false });
    } else if (op === 'GlobalAveragePool' || op === 'GlobalMaxPool') {
      const x = inShape(0);
      setOut([x[0], x[1], 1, 1]);
      other(op === 'GlobalAveragePool' ? 'avgpool' : 'maxpool', prod(x) / x[0], x[1], { kernel: x[2], stride: 1, pad: 0, ceil: false, global: true });
    } else if (SAME_SHAPE.has(op)) {
      const x = inShape(0);
      setOut(x);
      // Shape arithmetic passes through casts.
      const c = consts.get(node.input[0]);
      if (c && (op === 'Cast' || op === 'Identity') && node.output[0]) { consts.set(node.output[0], c); return; }
      other(op.toLowerCase(), prod(x), prod(x));
    } else if (BROADCAST.has(op)) {
      const ins = node.input.filter(Boolean).map((_, i) => inShape(i));
      const s = ins.reduce(broadcast);
      setOut(s);
      // Element-wise on a constant (a scale, a bias) is folded into the node before it; count tensors.
      other(op.toLowerCase(), ins.reduce((a, x) => a + prod(x), 0), prod(s));
      const cs = node.input.map((n) => consts.get(n));
      if (cs.every((c) => c !== undefined) && node.output[0]) {
        const [a, b] = cs as number[][];
        const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => Math.trunc(x / y) }[op as 'Add'];
        if (f && a && b) consts.set(node.output[0], a.map((x, i) => f(x, b.length === 1 ? b[0] : b[i])));
      }
    } else if (op === 'Flatten') {
      const x = inShape(0);
      const axis = int(node, 'axis', 1);
      const ax = axis < 0 ? x.length + axis : axis;
      setOut([prod(x.slice(0, ax)), prod(x.slice(ax))]);
    } else if (op === 'Reshape') {
      const x = inShape(0);
      const target = consts.get(node.input[1]);
      if (!target) throw new SpecError(file, where, 'a constant target shape');
      const out = target.map((d, i) => (d === 0 ? x[i] : d));
      const known = prod(out.filter((d) => d !== -1));
      setOut(out.map((d) => (d === -1 ? prod(x) / known : d)));
    } else if (op === 'Transpose') {
      const x = inShape(0);
      const perm = ints(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      setOut(perm.map((p) => x[p]));
      other('transpose', prod(x), prod(x));
    } else if (op === 'Squeeze' || op === 'Unsqueeze') {
      const x = inShape(0);
      const axes = ints(node, 'axes') ?? (node.input[1] ? consts.get(node.input[1]) : undefined);
      if (op === 'Squeeze') {
        const ax = (axes ?? x.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + x.length : a));
        setOut(x.filter((_, i) => !ax.includes(i)));
      } else {
        if (!axes) throw new SpecError(file, where, 'constant axes');
        const n = x.length + axes.length;
        const ax = axes.map((a) => (a < 0 ? a + n : a));
        const out: Shape = [];
        let j = 0;
        for (let i = 0; i < n; i++) out.push(ax.includes(i) ? 1 : x[j++]);
        setOut(out);
        const c = consts.get(node.input[0]);
        if (c && node.output[0]) consts.set(node.output[0], c);
      }
    } else if (op === 'Concat') {
      const ins = node.input.map((_, i) => inShape(i));
      const axis = int(node, 'axis', 0);
      const ax = axis < 0 ? ins[0].length + axis : axis;
      const out = [...ins[0]];
      out[ax] = ins.reduce((a, s) => a + s[ax], 0);
      setOut(out);
      other('concat', ins.reduce((a, s) => a + prod(s), 0), prod(out));
      const cs = node.input.map((n) => consts.get(n));
      if (cs.every((c) => c !== undefined) && node.output[0]) consts.set(node.output[0], (cs as number[][]).flat());
    } else if (op === 'Constant') {
      const v = attr(node, 'value')?.t;
      if (v) {
        setOut(v.dims.map(Number));
        if (v.dims.length <= 1) consts.set(node.output[0], tensorInts(v));
      }
    } else if (op === 'Shape') {
      const x = inShape(0);
      setOut([x.length]);
      consts.set(node.output[0], x);
    } else if (op === 'Gather') {
      const data = inShape(0);
      const idx = consts.get(node.input[1]);
      const c = consts.get(node.input[0]);
      const idxShape = shapes.get(node.input[1]) ?? [];
      const axis = int(node, 'axis', 0);
      setOut([...data.slice(0, axis), ...idxShape, ...data.slice(axis + 1)]);
      if (c && idx) consts.set(node.output[0], idx.map((i) => c[i < 0 ? i + c.length : i]));
    } else if (op === 'Slice') {
      const x = inShape(0);
      const starts = ints(node, 'starts') ?? consts.get(node.input[1]);
      const ends = ints(node, 'ends') ?? consts.get(node.input[2]);
      if (!starts || !ends) throw new SpecError(file, where, 'constant starts and ends');
      const axes = ints(node, 'axes') ?? (node.input[3] ? consts.get(node.input[3]) : undefined) ?? starts.map((_, i) => i);
      const steps = (node.input[4] ? consts.get(node.input[4]) : undefined) ?? starts.map(() => 1);
      const out = [...x];
      const c = consts.get(node.input[0]);
      let cOut = c ? [...c] : undefined;
      axes.forEach((a0, i) => {
        const a = a0 < 0 ? a0 + x.length : a0;
        const n = x[a], st = steps[i];
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
        let b = starts[i] < 0 ? starts[i] + n : starts[i];
        let e = ends[i] < 0 ? ends[i] + n : ends[i];
        b = st > 0 ? clamp(b, 0, n) : clamp(b, -1, n - 1);
        e = st > 0 ? clamp(e, 0, n) : clamp(e, -1, n - 1);
        out[a] = Math.max(0, Math.ceil((e - b) / st));
        if (cOut && x.length === 1) { const v: number[] = []; for (let k = b; st > 0 ? k < e : k > e; k += st) v.push(cOut[k]); cOut = v; }
      });
      setOut(out);
      if (cOut && node.output[0]) consts.set(node.output[0], cOut);
      other('slice', prod(x), prod(out));
    } else if (op === 'Pad') {
      const x = inShape(0);
      const p = ints(node, 'pads') ?? (node.input[1] ? consts.get(node.input[1]) : undefined);
      if (!p) throw new SpecError(file, where, 'constant pads');
      setOut(x.map((d, i) => d + p[i] + p[i + x.length]));
      other('pad', prod(x), prod(shapes.get(node.output[0])!));
    } else if (op === 'Resize' || op === 'Upsample') {
      const x = inShape(0);
      const scalesName = op === 'Upsample' ? node.input[1] : node.input[2];
      const sizesName = op === 'Resize' ? node.input[3] : undefined;
      const sizes = sizesName ? consts.get(sizesName) : undefined;
      const scales = scalesName ? consts.get(scalesName) : undefined;
      const out = sizes ?? (scales ? x.map((d, i) => Math.floor(d * scales[i])) : undefined);
      if (!out) throw new SpecError(file, where, 'constant scales or sizes');
      setOut(out);
      other('resize', prod(x), prod(out));
    } else if (op === 'ReduceMean' || op === 'ReduceMax' || op === 'ReduceSum') {
      const x = inShape(0);
      const axes = (ints(node, 'axes') ?? x.map((_, i) => i)).map((a) => (a < 0 ? a + x.length : a));
      const keep = int(node, 'keepdims', 1);
      setOut(keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i)));
      other(op.toLowerCase(), prod(x), prod(shapes.get(node.output[0])!));
    } else {
      throw new SpecError(file, where, 'an op dnnergy knows (Conv, Gemm, MatMul, pooling, element-wise, shape ops)', op);
    }
  };
  g.node.forEach((node, idx) => {
    const before = layers.length;
    visit(node, idx);
    const activations = node.input.filter((n) => alias.has(n)).map((n) => alias.get(n)!);
    const out = node.output[0];
    if (layers.length > before) {
      if (!out) throw new SpecError(file, `node ${layers[before].name} (${node.opType})`, 'an output tensor');
      edges.push({ inputs: activations, output: out });
      alias.set(out, out);
      tensors.set(out, unbatched(shapes.get(out) ?? []));
    } else if (out && activations.length > 0 && PASS_THROUGH.has(node.opType)) {
      alias.set(out, activations[0]);
    }
  });
  const inS = first ? shapes.get(first.name) ?? [] : [];
  const name = g.name || model.producerName || file.replace(/^.*\//, '').replace(/\.onnx$/, '');
  return { name, input: [inS[1] ?? 0, inS[2] ?? 0, inS[3] ?? 0], layers, inputTensor: first?.name ?? '', tensors, edges };
}
