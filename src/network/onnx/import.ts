/**
 * ONNX import: a model's graph to a {@link Network}. Nodes are taken in
 * topological order (sorted when the file is not) and each goes through its
 * entry of the op table (table.ts, ops/*.ts): shape inference, attribute
 * checks, and the layers it makes — Conv/ConvTranspose/ConvInteger become
 * convolution layers, Gemm/MatMul fully connected or matmul layers (tokens,
 * heads, two activation operands), LSTM/GRU/RNN matmul layers; every other
 * node is listed with the words it reads and writes, not dropped. An op
 * outside the table is kept as "not modelled" with a warning when the file's
 * value_info gives its output shapes (`strict` makes it an error), and is
 * a SpecError otherwise. The network's edges are the graph's activation
 * tensors (weights and shape constants are not edges; Flatten, Reshape,
 * Squeeze and Unsqueeze are seen through). Browser-safe: bytes in, network out.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type GraphProto, type NodeProto, type ValueInfoProto } from 'onnx-buf';
import { SpecError } from '../../spec/errors.js';
import { layerMacs, type Layer, type LayerEdges, type Network, type TensorShape } from '../network.js';
import { checkTensorData, OpNode, prod, tensorValues, type ImportState, type OnnxImportOptions, type Shape } from './context.js';
import { MACS_NOT_MODELLED, OP_TABLE, PASS_THROUGH } from './table.js';

export type { OnnxImportOptions } from './context.js';

/** Nodes in an order where every tensor is made before it is read (stable: a sorted graph keeps its order). */
export function topologicalOrder(nodes: readonly NodeProto[], file: string): NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => { if (o) producer.set(o, i); }));
  const state = new Uint8Array(nodes.length); // 0 unseen, 1 on the path, 2 placed
  const out: NodeProto[] = [];
  for (let s = 0; s < nodes.length; s++) {
    if (state[s]) continue;
    // Depth-first on an explicit stack: a long chain given backwards must not overflow the call stack.
    const stack: [number, number][] = [[s, 0]];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ins = nodes[top[0]].input;
      if (top[1] < ins.length) {
        const p = producer.get(ins[top[1]++]);
        if (p === undefined || p === top[0] || state[p] === 2) continue;
        if (state[p] === 1) throw new SpecError(file, `node ${nodes[p].name || nodes[p].opType}`, 'an acyclic graph', `a cycle through "${ins[top[1] - 1]}"`);
        state[p] = 1;
        stack.push([p, 0]);
      } else {
        state[top[0]] = 2;
        out.push(nodes[top[0]]);
        stack.pop();
      }
    }
  }
  return out;
}

type Dim = number | string | undefined;

function declaredDims(vi: ValueInfoProto): Dim[] | undefined {
  const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
  if (!tt?.shape) return undefined;
  return tt.shape.dim.map((d) => (d.value.case === 'dimValue' && Number(d.value.value) > 0 ? Number(d.value.value) : d.value.case === 'dimParam' && d.value.value ? d.value.value : undefined));
}

/** A graph input's shape: given in full, or its symbolic dims by name, the batch, or the legacy CxHxW. */
function inputShape(vi: ValueInfoProto, first: boolean, o: OnnxImportOptions, file: string): Shape | undefined {
  const dims = declaredDims(vi);
  const given = o.inputShapes?.[vi.name];
  if (given) {
    if (dims && (given.length !== dims.length || given.some((g, i) => typeof dims[i] === 'number' && dims[i] !== g))) {
      throw new SpecError(file, `input ${vi.name}`, `a shape matching the file's [${dims.map((d) => d ?? '?').join(', ')}]`, `[${given.join(', ')}] (--input-shape)`);
    }
    return [...given];
  }
  if (!dims) return undefined;
  const out = dims.map((d) => (typeof d === 'number' ? d : d !== undefined ? o.dims?.[d] : undefined));
  if (out[0] === undefined) out[0] = o.batch ?? 1;
  if (out.some((d) => d === undefined) && first && o.inputShape && o.inputShape.length === out.length - 1) o.inputShape.forEach((d, i) => { out[i + 1] = d; });
  if (out.some((d) => d === undefined)) {
    const names = dims.filter((d, i) => typeof d === 'string' && out[i] === undefined);
    throw new SpecError(file, `input ${vi.name}`, `fixed dimensions, or its shape given (--input-shape ${vi.name}=${out.map((d) => d ?? 'N').join('x')}${names.length ? `, or --dim ${names[0]}=N` : ''})`,
      `[${dims.map((d, i) => out[i] ?? (typeof d === 'string' ? `${d}?` : '?')).join(', ')}]`);
  }
  return out as Shape;
}

/** Names from the file, made printable on one line (a damaged file's names may hold any bytes). */
const oneLine = (s: string): string => {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
};

/** Parse an ONNX model and turn its graph into a network. `file` names it in errors (one line each). */
export function importOnnx(bytes: Uint8Array, file: string, options: OnnxImportOptions = {}): Network {
  try {
    return importGraph(bytes, file, options);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new SpecError(e.file, oneLine(e.field), oneLine(e.expected), e.found === undefined ? undefined : oneLine(e.found));
  }
}

function importGraph(bytes: Uint8Array, file: string, options: OnnxImportOptions): Network {
  let model;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new SpecError(file, '', 'an ONNX model (protobuf)', `unreadable: ${(e as Error).message.split('\n')[0]}`);
  }
  const g = model.graph;
  if (!g || g.node.length === 0) throw new SpecError(file, 'graph', 'an ONNX graph with nodes', g ? 'no nodes' : 'no graph');

  const layers: Layer[] = [];
  const edges: LayerEdges[] = [];
  const tensors = new Map<string, TensorShape>();
  // An ONNX tensor → the activation tensor it is (Flatten, Reshape... pass one through).
  const alias = new Map<string, string>();
  const names = new Set<string>();
  const unbatched = (s: Shape): TensorShape => (s.length >= 2 ? s.slice(1) : s);
  let index = 0;

  const state: ImportState = {
    file, options, shapes: new Map(), consts: new Map(), constant: new Set(), data: new Map(), masks: new Map(), warnings: [],
    runGraph: (sub) => runGraph(sub),
    bind: (to, from) => {
      const s = state.shapes.get(from);
      if (s) state.shapes.set(to, s);
      const c = state.consts.get(from);
      if (c) state.consts.set(to, c);
      if (state.constant.has(from)) state.constant.add(to);
      const d = state.data.get(from);
      if (d) state.data.set(to, d);
      const a = alias.get(from);
      if (a) alias.set(to, a);
    },
  };

  const loadInitializers = (sub: GraphProto) => {
    for (const t of sub.initializer) {
      checkTensorData(t, file, `initializer ${t.name}`);
      const dims = t.dims.map(Number);
      state.shapes.set(t.name, dims);
      state.constant.add(t.name);
      state.data.set(t.name, t);
      if (dims.length <= 1 && prod(dims) <= 64) {
        const v = tensorValues(t);
        if (v) state.consts.set(t.name, v);
      }
    }
    // Intermediate shapes the file states (used for ops outside the table), when fixed or named in `dims`.
    for (const vi of [...sub.valueInfo, ...sub.output]) {
      if (state.shapes.has(vi.name)) continue;
      const dims = declaredDims(vi)?.map((d) => (typeof d === 'string' ? options.dims?.[d] : d));
      if (dims && dims.every((d) => d !== undefined)) state.shapes.set(vi.name, dims as Shape);
    }
  };

  const visit = (node: NodeProto): void => {
    const n = new OpNode(node, state, index++);
    const entry = OP_TABLE.get(node.opType);
    const outs = node.output.filter(Boolean);
    if (entry && (node.domain === '' || node.domain === 'ai.onnx')) {
      if (node.opType !== 'Constant' && !node.input.some(Boolean)) n.fail('', 'a node with inputs', 'none');
      entry.infer(n);
    }
    else if (!options.strict && outs.length > 0 && outs.every((o) => state.shapes.has(o))) {
      // Shapes past it are the file's: keep going, and say what is left out.
      const macs = MACS_NOT_MODELLED.has(node.opType);
      const ins = node.input.filter((i) => i && state.shapes.has(i));
      state.warnings.push(`${n.where}: not modelled (an op dnnergy does not know${macs ? ', with MACs' : ''}); output shapes taken from the file`);
      outs.forEach((o) => {
        const i = node.output.indexOf(o);
        n.other(node.opType.toLowerCase(), ins.reduce((a, t) => a + prod(state.shapes.get(t)!), 0), prod(state.shapes.get(o)!), { unknown: true, ...(macs ? { macsLeftOut: true } : {}) }, i);
      });
    } else {
      const known = `an op dnnergy knows (${[...OP_TABLE.keys()].filter((k) => /^(Conv|Gemm|MatMul|LSTM)$/.test(k)).join(', ')}, pooling, element-wise, shape ops; docs in README)`;
      n.fail('', options.strict ? known : `${known}, or the output shapes in the file's value_info`, `${node.domain ? `${node.domain}.` : ''}${node.opType}`);
    }
    const ins = node.input.filter(Boolean);
    // (An If's outputs are its branch's: bound by the op, whatever its condition is.)
    if (node.opType === 'Constant' || node.opType === 'Shape' || node.opType === 'Size' || (node.opType !== 'If' && ins.length > 0 && ins.every((i) => state.constant.has(i)))) {
      for (const o of outs) state.constant.add(o);
    }
    const activations = node.input.filter((t) => t && alias.has(t)).map((t) => alias.get(t)!);
    // Arithmetic on constants alone (shapes, folded weights) runs before inference: no layer.
    const folded = outs.length > 0 && outs.every((o) => state.constant.has(o));
    for (const { layer, output } of folded ? [] : n.emitted) {
      const out = node.output[output];
      if (!out) n.fail('', 'an output tensor');
      // The mapper needs every bound ≥ 1: an empty product is the file's error, not a layer of no work.
      if (layer.kind !== 'other' && !(Number.isSafeInteger(layerMacs(layer)) && layerMacs(layer) >= 1)) n.fail('', 'operands without empty dimensions, of at most 2^53 MACs', `${layer.kind} of ${layerMacs(layer)} MACs`);
      let name = layer.name;
      for (let k = 2; names.has(name); k++) name = `${layer.name}#${k}`;
      names.add(name);
      layers.push(name === layer.name ? layer : { ...layer, name });
      edges.push({ inputs: activations, output: out });
      alias.set(out, out);
      tensors.set(out, unbatched(state.shapes.get(out) ?? []));
    }
    if (n.emitted.length === 0 && outs.length > 0 && activations.length > 0 && PASS_THROUGH.has(node.opType)) alias.set(outs[0], activations[0]);
  };
  const runGraph = (sub: GraphProto): void => {
    loadInitializers(sub);
    for (const node of topologicalOrder(sub.node, file)) visit(node);
  };

  loadInitializers(g);
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input.filter((i) => !inits.has(i.name));
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!inputs.some((i) => i.name === name)) throw new SpecError(file, 'input', `an input of the graph (${inputs.map((i) => i.name).join(', ')})`, `${name} (--input-shape)`);
  }
  inputs.forEach((vi, i) => {
    const s = inputShape(vi, i === 0, options, file);
    if (!s) return;
    state.shapes.set(vi.name, s);
    alias.set(vi.name, vi.name);
    tensors.set(vi.name, unbatched(s));
  });
  runGraph(g);
  // A condition given that no If reads is a typo or a different file: say so rather than ignore it.
  const conds = new Set<string>();
  const scan = (sub: GraphProto): void => {
    for (const nd of sub.node) {
      if (nd.opType === 'If' && nd.input[0]) conds.add(nd.input[0]);
      for (const a of nd.attribute) if (a.g) scan(a.g);
    }
  };
  scan(g);
  for (const c of Object.keys(options.conditions ?? {})) {
    if (!conds.has(c)) state.warnings.push(`--if ${c}: no If node has a condition of that name (${conds.size ? [...conds].slice(0, 4).join(', ') + (conds.size > 4 ? `, … ${conds.size - 4} more` : '') : 'the graph has no If'}); ignored`);
  }

  const first = inputs[0];
  const inS = first ? state.shapes.get(first.name) ?? [] : [];
  const name = g.name || model.producerName || file.replace(/^.*\//, '').replace(/\.onnx$/, '');
  const extra = inputs.slice(1).map((i) => i.name);
  return {
    name, input: [inS[1] ?? 0, inS[2] ?? 0, inS[3] ?? 0], layers, inputTensor: first?.name ?? '', tensors, edges,
    ...(extra.length ? { extraInputs: extra } : {}), ...(state.warnings.length ? { warnings: state.warnings } : {}),
    ...(state.masks.size ? { weightMasks: state.masks } : {}),
  };
}
