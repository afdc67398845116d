/**
 * The network as a graph: which layer makes each tensor and which layers
 * read it, whether every layer's shapes agree with its neighbours', and
 * `shrink`, the edit NetAdapt makes (fewer filters in one layer, and
 * everything that reads them follows).
 *
 * Channels are tied where one layer cannot change them alone: an
 * element-wise add joins its inputs and its output, an op that keeps its
 * input's shape (pooling, activations, normalisation) passes its channels
 * through, and a depthwise convolution has as many channels as its input.
 * A concatenation is not tied: its output has the sum of its inputs'
 * channels, at the offsets `concatOffsets` gives.
 */
import { SpecError } from '../spec/errors.js';
import type { Layer, Network, TensorShape } from './network.js';

/** How an op without MACs treats channels. */
type ChannelRule = 'follow' | 'join' | 'concat' | 'opaque';

/** Ops that keep their input's channels (lower-case op names, as the importer and builder write them). */
const FOLLOW = new Set([
  'maxpool', 'avgpool', 'relu', 'leakyrelu', 'prelu', 'elu', 'selu', 'sigmoid', 'hardsigmoid', 'hardswish', 'tanh', 'clip',
  'softplus', 'softsign', 'mish', 'gelu', 'erf', 'exp', 'log', 'sqrt', 'neg', 'abs', 'reciprocal', 'floor', 'ceil', 'round',
  'sign', 'not', 'batchnormalization', 'instancenormalization', 'lrn', 'dropout', 'identity', 'cast', 'pow', 'pad', 'resize',
]);
/** Element-wise ops over several tensors: every input with the output's channels is joined to it. */
const JOIN = new Set(['add', 'sub', 'mul', 'div', 'max', 'min', 'sum', 'mean']);

function rule(l: Layer): ChannelRule {
  if (l.kind !== 'other') return 'opaque';
  if (l.op === 'concat') return 'concat';
  if (JOIN.has(l.op)) return 'join';
  return FOLLOW.has(l.op) ? 'follow' : 'opaque';
}

/** A depthwise convolution: one input channel per group, so its channels are its input's. */
export function isDepthwise(l: Layer): boolean {
  return l.kind === 'conv' && l.groups > 1 && l.groups === l.inC;
}

interface Index {
  readonly byName: ReadonlyMap<string, number>;
  /** Tensor → index of the layer that makes it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Tensor → indices of the layers that read it (a layer reading it twice is listed once). */
  readonly consumers: ReadonlyMap<string, readonly number[]>;
}

// Networks are immutable values: an index built once per network stays right.
const INDEX = new WeakMap<Network, Index>();

function index(net: Network): Index {
  let ix = INDEX.get(net);
  if (ix) return ix;
  const byName = new Map<string, number>(), producer = new Map<string, number>(), consumers = new Map<string, number[]>();
  net.layers.forEach((l, i) => {
    if (!byName.has(l.name)) byName.set(l.name, i);
    const e = net.edges[i];
    if (!e) return;
    producer.set(e.output, i);
    for (const t of new Set(e.inputs)) {
      const list = consumers.get(t) ?? [];
      list.push(i);
      consumers.set(t, list);
    }
  });
  ix = { byName, producer, consumers };
  INDEX.set(net, ix);
  return ix;
}

function layerIndex(net: Network, name: string): number {
  const i = index(net).byName.get(name);
  if (i === undefined) throw new SpecError(net.name, 'layer', `a layer of the network`, name);
  return i;
}

/** The layer that makes a tensor; undefined for the network's input. */
export function producerOf(net: Network, tensor: string): Layer | undefined {
  const i = index(net).producer.get(tensor);
  return i === undefined ? undefined : net.layers[i];
}

/** The layers that read a tensor, in topological order. */
export function consumersOf(net: Network, tensor: string): Layer[] {
  return (index(net).consumers.get(tensor) ?? []).map((i) => net.layers[i]);
}

/** The layers whose outputs a layer reads (the network input has none), in input order. */
export function producers(net: Network, layer: string): Layer[] {
  return net.edges[layerIndex(net, layer)].inputs.flatMap((t) => producerOf(net, t) ?? []);
}

/** The layers that read a layer's output. */
export function consumers(net: Network, layer: string): Layer[] {
  return consumersOf(net, net.edges[layerIndex(net, layer)].output);
}

/** Channel offsets of a concatenation's inputs in its output: [start, end) per input, in order. */
export function concatOffsets(net: Network, layer: string): { tensor: string; start: number; end: number }[] {
  const i = layerIndex(net, layer);
  if (rule(net.layers[i]) !== 'concat') throw new SpecError(net.name, `layer ${layer}`, 'a concatenation', net.layers[i].kind);
  let at = 0;
  return net.edges[i].inputs.map((tensor) => {
    const c = net.tensors.get(tensor)![0];
    const r = { tensor, start: at, end: at + c };
    at += c;
    return r;
  });
}

const prod = (s: TensorShape) => s.reduce((a, b) => a * b, 1);
const same = (a: TensorShape, b: TensorShape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Whether `s` broadcasts to `out` (numpy rules, aligned on the right). */
function broadcastsTo(s: TensorShape, out: TensorShape): boolean {
  if (s.length > out.length) return false;
  return s.every((d, i) => d === 1 || d === out[out.length - s.length + i]);
}

const nonUnit = (s: TensorShape): TensorShape => s.filter((d) => d !== 1);

/**
 * Everything wrong with a network's graph, one line each; empty when it is
 * consistent: layers in topological order, every tensor made once, and every
 * layer's input and output shapes equal to what its neighbours make.
 */
export function graphProblems(net: Network): string[] {
  const problems: string[] = [];
  if (net.edges.length !== net.layers.length) return [`${net.layers.length} layers but ${net.edges.length} edge lists`];
  const made = new Set([net.inputTensor, ...(net.extraInputs ?? [])]);
  const shape = (t: string) => net.tensors.get(t) ?? [];
  net.layers.forEach((l, i) => {
    const e = net.edges[i];
    const say = (s: string) => problems.push(`${l.name}: ${s}`);
    for (const t of e.inputs) if (!made.has(t)) say(`reads ${t} before it is made`);
    if (made.has(e.output)) say(`makes ${e.output}, made before`);
    made.add(e.output);
    if (!net.tensors.has(e.output)) say(`output ${e.output} has no shape`);
    const ins = e.inputs.map(shape), out = shape(e.output);
    if (l.kind === 'conv') {
      // A 1-D convolution (one row high) reads and writes channels × length.
      // (An imported graph sees through Squeeze/Unsqueeze: a one-channel signal may reach it as its samples alone.)
      const fits = (s: TensorShape | undefined, c: number, h: number, w: number) => s !== undefined && (same(s, [c, h, w]) || (h === 1 && same(s, [c, w])) || same(nonUnit(s), nonUnit([c, h, w])));
      if (ins.length !== 1 || !fits(ins[0], l.inC, l.inH, l.inW)) say(`input ${ins.map((s) => s.join('x')).join(', ')}, expected ${l.inC}x${l.inH}x${l.inW}`);
      if (!fits(out, l.outC, l.outH, l.outW)) say(`output ${out.join('x')}, expected ${l.outC}x${l.outH}x${l.outW}`);
      if (l.inC % l.groups !== 0 || l.outC % l.groups !== 0) say(`groups ${l.groups} do not divide ${l.inC} and ${l.outC}`);
    } else if (l.kind === 'fc') {
      const fits = (s: TensorShape | undefined, n: number) => s !== undefined && (prod(s) === n || s[s.length - 1] === n);
      if (ins.length !== 1 || !fits(ins[0], l.inFeatures)) say(`input ${ins.map((s) => s.join('x')).join(', ')}, expected ${l.inFeatures} features`);
      if (!fits(out, l.outFeatures)) say(`output ${out.join('x')}, expected ${l.outFeatures} features`);
    } else if (l.kind === 'matmul') {
      // Its operands are views (transposes, reshapes, recurrent state) the importer checked: nothing to agree with here.
    } else if (ins.length > 0) {
      // (A layer without activation inputs computes on constants, shape arithmetic: nothing to agree with.)
      const r = rule(l);
      if (l.pool && (ins.length !== 1 || prod(ins[0]) !== l.inputWords || prod(out) !== l.outputWords || ins[0][0] !== out[0])) say(`pooling ${ins.map((s) => s.join('x')).join(', ')} → ${out.join('x')} with ${l.inputWords} → ${l.outputWords} words`);
      // (Unit axes aside: an imported graph sees through Squeeze and Unsqueeze; a signal of one axis has no channels.)
      const units = nonUnit;
      if (r === 'follow' && ins[0][0] !== out[0] && units(ins[0])[0] !== units(out)[0] && units(ins[0]).length >= 2) say(`channels ${ins[0]?.[0]} in, ${out[0]} out`);
      if (r === 'join' && !ins.every((s) => broadcastsTo(s, out) || broadcastsTo(units(s), units(out)))) say(`inputs ${ins.map((s) => s.join('x')).join(', ')} do not broadcast to ${out.join('x')}`);
      if (r === 'concat') {
        const axis = out.findIndex((d, a) => ins.every((s) => s.length === out.length && s.every((x, b) => b === a || x === out[b])) && ins.reduce((t, s) => t + s[a], 0) === d);
        if (axis < 0) say(`inputs ${ins.map((s) => s.join('x')).join(', ')} do not concatenate to ${out.join('x')}`);
      }
    }
  });
  return problems;
}

/** Sets of tensors whose channel counts must stay equal, as a map tensor → representative. */
function channelSets(net: Network): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let r = t;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(t, r);
    return r;
  };
  const tie = (a: string, b: string) => { const ra = find(a), rb = find(b); if (ra !== rb) parent.set(rb, ra); };
  for (const t of net.tensors.keys()) parent.set(t, t);
  net.layers.forEach((l, i) => {
    const e = net.edges[i];
    const out = net.tensors.get(e.output)!;
    const r = rule(l);
    if (r === 'follow' && e.inputs.length > 0) tie(e.inputs[0], e.output);
    else if (r === 'join') for (const t of e.inputs) { const s = net.tensors.get(t)!; if (s.length === out.length && s[0] === out[0]) tie(t, e.output); }
    else if (l.kind === 'conv' && isDepthwise(l) && l.outC === l.inC) tie(e.inputs[0], e.output);
  });
  for (const t of parent.keys()) find(t);
  return parent;
}

/** The layers whose output channels are tied to this layer's: they shrink together. */
export function tiedLayers(net: Network, layer: string): Layer[] {
  const sets = channelSets(net);
  const root = sets.get(net.edges[layerIndex(net, layer)].output);
  return net.layers.filter((_, i) => sets.get(net.edges[i].output) === root);
}

/**
 * A copy of the network with `layer` (a convolution or fully connected
 * layer) making `channels` output channels instead of its current number,
 * and the graph kept consistent: the layers tied to it (through element-wise
 * adds, shape-keeping ops and depthwise convolutions) shrink with it, every
 * reader's input channels follow (a fully connected layer after a flatten
 * loses channels × H × W inputs), and a concatenation's output loses what its
 * input lost. Words of layers without MACs are scaled to their new tensors.
 * A shrink that cannot be made consistent (it would shrink the network's
 * input, or reach an op whose channels it cannot follow) is a SpecError.
 */
export function shrink(net: Network, layer: string, channels: number): Network {
  const ix = index(net);
  const src = layerIndex(net, layer);
  const l = net.layers[src];
  const fail = (where: string, expected: string, found?: string): never => { throw new SpecError(net.name, where, expected, found); };
  if (l.kind === 'other') fail(`layer ${layer}`, 'a convolution or fully connected layer to shrink', l.op);
  if (l.kind === 'matmul') fail(`layer ${layer}`, 'a convolution or fully connected layer to shrink', 'a matrix product');
  if (isDepthwise(l)) fail(`layer ${layer}`, "a layer that makes its own channels (a depthwise layer's follow its input: shrink the layer before it)", 'depthwise');
  const start = net.edges[src].output;
  const old = net.tensors.get(start)![0];
  if (!Number.isSafeInteger(channels) || channels < 1 || channels > old) fail(`layer ${layer}`, `a channel count from 1 to ${old}`, String(channels));
  const sets = channelSets(net);
  const members = new Map<string, string[]>();
  for (const [t, r] of sets) members.set(r, [...(members.get(r) ?? []), t]);
  const newC = new Map<string, number>();
  const queue: { root: string; c: number; via?: number }[] = [{ root: sets.get(start)!, c: channels }];
  while (queue.length > 0) {
    const { root, c, via } = queue.shift()!;
    const set = members.get(root)!;
    if (newC.has(set[0])) {
      if (newC.get(set[0]) !== c) fail(`tensor ${set[0]}`, `one channel count (reached as ${newC.get(set[0])} and ${c})`);
      continue;
    }
    for (const t of set) {
      if (t === net.inputTensor) fail(`layer ${layer}`, 'a shrink that leaves the network input alone', `tied to input ${t}`);
      newC.set(t, c);
    }
    for (const t of set) {
      const p = ix.producer.get(t);
      if (p === undefined) continue;
      const pl = net.layers[p], r = rule(pl);
      if (pl.kind === 'other' && (r === 'opaque' || (r === 'concat' && p !== via))) {
        fail(`layer ${pl.name}`, r === 'concat' ? 'one input of the concatenation to shrink (its output is tied to the shrunk layer)' : 'an op whose channels a shrink can follow', pl.op);
      }
      if (pl.kind === 'conv' && !isDepthwise(pl) && c % pl.groups !== 0) fail(`layer ${pl.name}`, `a channel count its ${pl.groups} groups divide`, String(c));
      if (pl.kind === 'conv' && isDepthwise(pl) && sets.get(net.edges[p].inputs[0]) !== root) fail(`layer ${pl.name}`, 'a depthwise layer with as many outputs as inputs', `${pl.inC} → ${pl.outC}`);
    }
    for (const t of set) {
      for (const j of ix.consumers.get(t) ?? []) {
        const cl = net.layers[j], out = net.edges[j].output;
        if (sets.get(out) === root) continue;
        if (cl.kind === 'fc') continue;
        if (cl.kind === 'matmul') fail(`layer ${cl.name}`, 'an op whose channels a shrink can follow', 'a matrix product');
        if (cl.kind === 'conv') {
          if (isDepthwise(cl)) fail(`layer ${cl.name}`, 'a depthwise layer with as many outputs as inputs', `${cl.inC} → ${cl.outC}`);
          if (c % cl.groups !== 0) fail(`layer ${cl.name}`, `input channels its ${cl.groups} groups divide`, String(c));
          continue;
        }
        if (rule(cl) !== 'concat' || !isChannelConcat(net, j)) fail(`layer ${cl.name}`, 'an op whose channels a shrink can follow', cl.kind === 'other' ? cl.op : cl.kind);
        const total = net.edges[j].inputs.reduce((a, x) => a + (newC.get(x) ?? net.tensors.get(x)![0]), 0);
        queue.push({ root: sets.get(out)!, c: total, via: j });
      }
    }
  }
  const tensors = new Map<string, TensorShape>();
  for (const [t, s] of net.tensors) tensors.set(t, newC.has(t) ? [newC.get(t)!, ...s.slice(1)] : s);
  const layers = net.layers.map((x, i): Layer => {
    const e = net.edges[i];
    const inT = e.inputs[0];
    const changed = e.inputs.some((t) => newC.has(t)) || newC.has(e.output);
    if (!changed) return x;
    if (x.kind === 'conv') {
      const inC = newC.get(inT) ?? x.inC, outC = newC.get(e.output) ?? x.outC;
      return { ...x, inC, outC, groups: isDepthwise(x) ? inC : x.groups };
    }
    if (x.kind === 'matmul') return x;
    if (x.kind === 'fc') {
      const s = tensors.get(inT)!;
      return { ...x, inFeatures: newC.has(inT) ? prod(s) : x.inFeatures, outFeatures: newC.get(e.output) ?? x.outFeatures };
    }
    // Words may count the batch (imported graphs) or constants: move them by the activations' change.
    const oldOut = prod(net.tensors.get(e.output)!);
    const k = oldOut > 0 ? x.outputWords / oldOut : 1;
    const sum = (m: ReadonlyMap<string, TensorShape>) => e.inputs.reduce((a, t) => a + prod(m.get(t)!), 0);
    return { ...x, inputWords: x.inputWords + k * (sum(tensors) - sum(net.tensors)), outputWords: x.outputWords + k * (prod(tensors.get(e.output)!) - oldOut) };
  });
  return { ...net, layers, tensors };
}

/** Whether a concatenation joins channels (the first axis of its tensors). */
function isChannelConcat(net: Network, i: number): boolean {
  const e = net.edges[i];
  const out = net.tensors.get(e.output)!;
  return e.inputs.reduce((a, t) => a + net.tensors.get(t)![0], 0) === out[0];
}
