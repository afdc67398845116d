/**
 * Real CPU latency as a NetAdapt table source. Each layer variant (its
 * convolution or fully connected layer with seeded weights and its ReLU, or
 * its pooling) is made into ONNX models of 1, 2, 3, 4 independent copies,
 * timed by a timer the caller gives (io/ort.ts runs onnxruntime-node; this
 * module stays free of Node so the core runs in a browser); the entry is the
 * slope of time against copies — the layer's marginal time — so no
 * separately timed call overhead is subtracted from it (an overhead off by
 * 20% had moved a 10-layer sum by ~15%). The overhead is added once per
 * network (the source's `fixed`). What remains subtracted is a copy's own
 * graph output (~0.3 µs against a node inside a network, timed once).
 */
import { NetworkBuilder, type ConvLayer, type FcLayer, type Network, type OtherLayer, type TensorShape } from '../network/network.js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, TensorProtoSchema, ValueInfoProtoSchema, type NodeProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import { exportSequentialOnnx, type LayerValues } from '../network/onnx/export.js';
import { Rng } from '../util/rng.js';
import { median, type CaseTiming, type OnnxCase } from '../util/timing.js';
import type { LayerCostSource } from './netadapt-lut.js';

/** A timing of one model, as the source reports it (a whole network's: its lowest round). */
export interface CpuTiming {
  /** The lowest of the rounds' medians (ms): the figure, as the table's entries use it. */
  readonly medianMs: number;
  /** Median of the rounds' medians: what a typical moment of this machine gave. */
  readonly medianOfRoundsMs?: number;
  readonly noise: number;
  /** Rounds timed. */
  readonly runs: number;
  /** Rounds' medians, highest over lowest, when timed in rounds. */
  readonly roundSpread?: number;
}

export type { CaseTiming, OnnxCase };

/**
 * Times models round-robin (each model's runs in a round, then the next
 * model's, for some rounds), on one thread, with the same session options
 * for every model. `spread` marks a timing of many entries at once (a
 * primed batch, whole networks to compare): the timer may spread its rounds
 * over time there, where one entry asked alone must be quick.
 */
export type OnnxTimer = (cases: readonly OnnxCase[], o?: { readonly spread?: boolean }) => Promise<readonly CaseTiming[]>;

/** One timed table entry, for the report. */
export interface TimedEntry {
  readonly layer: string;
  readonly shape: string;
  /** The entry: one copy's marginal time (the slope), in ms. */
  readonly medianMs: number;
  /** The fit's intercept: the call's own cost with this input. */
  readonly interceptMs: number;
  /** Root-mean-square distance of the points from the fitted line, over the slope. */
  readonly fitError: number;
  /** Times the entry was timed again because its fit was poor. */
  readonly retimes: number;
  readonly noise: number;
  /** Median over the copy counts of the rounds' medians, highest over lowest. */
  readonly roundSpread?: number;
}

/** How the CPU source times an entry. */
export interface CpuSourceOptions {
  /** Copy counts of the models whose time against count gives an entry's slope (default 1, 2, 3, 4). */
  readonly copies?: readonly number[];
  /** A fit whose `fitError` exceeds this is timed again (default 0.1). */
  readonly maxFitError?: number;
  /** Re-timings at most per entry (default 2); the best fit counts. */
  readonly maxRetimes?: number;
}

/** The CPU source and what it timed. */
export interface CpuSource extends LayerCostSource {
  readonly overheadMs: number;
  /** What a copy's own graph output costs beyond a node inside a network (ms), taken off every slope. */
  readonly outputMs: number;
  readonly timed: readonly TimedEntry[];
  /**
   * Time every entry these networks need that is not timed yet, all their
   * models interleaved in one round-robin: a burst of load then lands in one
   * round of many entries, and each entry's lowest rounds discard it.
   */
  prime(nets: readonly Network[]): Promise<void>;
  /** Time whole networks interleaved (A, B, C, A, B, C, ...), as the table's models are. */
  measureAll(nets: readonly { net: Network; values?: ReadonlyMap<string, LayerValues> }[]): Promise<CpuTiming[]>;
}

/** Least-squares line through (x, y): slope, intercept, and the RMS residual. */
export function lineFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number; rms: number } {
  if (xs.length !== ys.length || xs.length < 2) throw new Error(`lineFit: expected two or more points, found ${xs.length} x and ${ys.length} y`);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  if (sxx === 0) throw new Error('lineFit: expected at least two distinct x');
  const slope = sxy / sxx, intercept = my - slope * mx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (ys[i] - intercept - slope * xs[i]) ** 2;
  return { slope, intercept, rms: Math.sqrt(ss / n) };
}

function seeded(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() - 0.5) * 0.2;
  return a;
}

/** A one-layer network of `l` on its own input, and weights (seeded by `seed`) that make it runnable. */
export function alone(l: ConvLayer | FcLayer | OtherLayer, input: TensorShape, seed = 1): { net: Network; values: Map<string, LayerValues> } {
  const values = new Map<string, LayerValues>();
  if (l.kind === 'conv') {
    const b = new NetworkBuilder(l.name, [l.inC, l.inH, l.inW]).conv(l.name, l.outC, l.kH, l.strideH, l.padH, l.groups, l.dilH);
    values.set(l.name, { weight: seeded((l.outC * l.inC * l.kH * l.kW) / l.groups, 2 * seed - 1), bias: seeded(l.outC, 2 * seed), activation: 'relu' });
    return { net: b.build(), values };
  }
  if (l.kind === 'fc') {
    const b = new NetworkBuilder(l.name, [l.inFeatures, 1, 1]).fc(l.name, l.outFeatures);
    values.set(l.name, { weight: seeded(l.inFeatures * l.outFeatures, 2 * seed - 1), bias: seeded(l.outFeatures, 2 * seed) });
    return { net: b.build(), values };
  }
  const b = new NetworkBuilder(l.name, [input[0], input[1] ?? 1, input[2] ?? 1]);
  const p = l.pool!;
  if (p.global) b.globalPool(l.name);
  else b.pool(l.name, l.op === 'maxpool' ? 'maxpool' : 'avgpool', p.kernel, p.stride, p.pad, p.ceil);
  return { net: b.build(), values };
}

/**
 * `k` independent copies of a sequential network in one ONNX model: every
 * copy reads the one input and has its own output and its own weights
 * (`valuesOf(copy)`; distinct values keep onnxruntime from merging the
 * copies as common subexpressions). Run on one thread the copies execute
 * one after another, so a model's time grows by one copy's time per copy.
 */
export function copiesOnnx(net: Network, k: number, valuesOf: (copy: number) => ReadonlyMap<string, LayerValues> | undefined, ownInputs = false): Uint8Array {
  if (!Number.isSafeInteger(k) || k < 1) throw new Error(`copies: expected a count of at least 1, found ${k}`);
  const nodes: NodeProto[] = [], inits: TensorProto[] = [], outputs: ValueInfoProto[] = [], graphInputs: ValueInfoProto[] = [];
  let first: ReturnType<typeof fromBinary<typeof ModelProtoSchema>> | undefined;
  for (let c = 0; c < k; c++) {
    const m = fromBinary(ModelProtoSchema, exportSequentialOnnx(net, 1, valuesOf(c)));
    first ??= m;
    const g = m.graph!;
    const inputs = new Set(g.input.map((i) => i.name));
    const rename = (t: string) => (t === '' || (inputs.has(t) && (!ownInputs || c === 0)) ? t : `c${c}/${t}`);
    if (c === 0 || ownInputs) for (const i of g.input) graphInputs.push(create(ValueInfoProtoSchema, { ...i, name: rename(i.name) }));
    for (const n of g.node) nodes.push(create(NodeProtoSchema, { ...n, name: `c${c}/${n.name}`, input: n.input.map(rename), output: n.output.map(rename) }));
    for (const t of g.initializer) inits.push(create(TensorProtoSchema, { ...t, name: rename(t.name) }));
    for (const o of g.output) outputs.push(create(ValueInfoProtoSchema, { ...o, name: rename(o.name) }));
  }
  const g = first!.graph!;
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { ...first!, graph: create(GraphProtoSchema, { ...g, node: nodes, initializer: inits, input: graphInputs, output: outputs }) }));
}

/** A layer or pooling the table asks about, with the input it reads. */
interface Item { readonly key: string; readonly label: string; readonly layer: ConvLayer | FcLayer | OtherLayer; readonly input: TensorShape }

const IDLE: OtherLayer = { kind: 'other', name: 'idle', op: 'maxpool', inputWords: 1, outputWords: 1, pool: { kernel: 1, stride: 1, pad: 0, ceil: false, global: false } };

/**
 * The CPU latency source over `timer`. An entry is a layer's marginal time
 * in a model: the slope, against k, of the time of a model of k independent
 * copies of the layer (each with its own seeded weights, all reading one
 * input), least-squares over the copy counts with each count's lowest round.
 * The call overhead is not taken off an entry (it is the intercept); it is
 * paid once per network, as the source's `fixed`: the time of a model that
 * does nothing (a 1×1 pooling of one value). A copy's own graph output is
 * taken off (`outputMs`: the slope of copies of that nothing over the slope
 * of a chain of them).
 */
export async function cpuSource(timer: OnnxTimer, o: CpuSourceOptions = {}): Promise<CpuSource> {
  const ks = o.copies ?? [1, 2, 3, 4];
  const maxFitError = o.maxFitError ?? 0.1, maxRetimes = o.maxRetimes ?? 2;
  if (ks.length < 2 || new Set(ks).size !== ks.length || ks.some((k) => !Number.isSafeInteger(k) || k < 1)) throw new Error(`cpuSource: expected two or more distinct copy counts, found ${ks.join(', ')}`);
  const timed: TimedEntry[] = [];
  const cache = new Map<string, number>();
  const casesOf = (it: Item): OnnxCase[] => {
    const a = alone(it.layer, it.input);
    return ks.map((k) => ({ model: copiesOnnx(a.net, k, (c) => alone(it.layer, it.input, c + 1).values), dims: [1, ...a.net.input] }));
  };
  const lowest = (t: CaseTiming) => Math.min(...t.roundsMs);
  const fitOf = (ts: readonly CaseTiming[]) => {
    const f = lineFit(ks, ts.map(lowest));
    return { ...f, error: f.rms / Math.max(Math.abs(f.slope), 1e-9) };
  };
  /** Time `items` interleaved; re-time those whose fit is poor, keeping each one's best fit. */
  const timeItems = async (items: readonly Item[], spread = false) => {
    const fresh = items.filter((it, i) => !cache.has(it.key) && items.findIndex((x) => x.key === it.key) === i);
    if (fresh.length === 0) return;
    const best = new Map<string, { fit: ReturnType<typeof fitOf>; ts: readonly CaseTiming[]; retimes: number }>();
    let todo = fresh;
    for (let attempt = 0; attempt <= maxRetimes && todo.length > 0; attempt++) {
      const ts = await timer(todo.flatMap(casesOf), { spread });
      for (const [i, it] of todo.entries()) {
        const mine = ts.slice(i * ks.length, (i + 1) * ks.length);
        const fit = fitOf(mine);
        const had = best.get(it.key);
        if (!had || fit.error < had.fit.error) best.set(it.key, { fit, ts: mine, retimes: attempt });
      }
      todo = todo.filter((it) => best.get(it.key)!.fit.error > maxFitError);
    }
    for (const it of fresh) {
      const b = best.get(it.key)!;
      const v = Math.max(0, b.fit.slope - outputMs);
      cache.set(it.key, v);
      timed.push({
        layer: it.layer.name, shape: it.label, medianMs: v, interceptMs: b.fit.intercept, fitError: b.fit.error, retimes: b.retimes,
        noise: median(b.ts.map((t) => t.noise)), roundSpread: median(b.ts.map((t) => Math.max(...t.roundsMs) / lowest(t))),
      });
    }
  };
  const itemOf = (l: ConvLayer | FcLayer | OtherLayer, input: TensorShape): Item => {
    const a = alone(l, input);
    const label = l.kind === 'other' ? `${input.join('x')} ${l.op}` : JSON.stringify(a.net.layers[0]);
    return { key: `${JSON.stringify({ ...a.net.layers[0], name: '' })} ${a.net.input.join('x')}`, label, layer: l, input };
  };
  const itemsOf = (net: Network): Item[] => net.layers.flatMap((l, i): Item[] => {
    if (l.kind === 'conv' || l.kind === 'fc') return [itemOf(l, [])];
    if (l.kind === 'other' && l.pool) return [itemOf(l, net.tensors.get(net.edges[i].inputs[0]) ?? [])];
    return [];
  });
  const timing = (t: CaseTiming, runs: number): CpuTiming => ({
    medianMs: lowest(t), medianOfRoundsMs: median(t.roundsMs), noise: t.noise, runs, roundSpread: Math.max(...t.roundsMs) / lowest(t),
  });
  // The call overhead (a model that does nothing), and what a graph output costs: copies of that nothing, each its own
  // output, against a chain of as many (one output, inner tensors from ORT's planned memory, as in a whole network).
  const idle = alone(IDLE, [1, 1, 1]);
  const chain = (k: number) => {
    const b = new NetworkBuilder('chain', [1, 1, 1]);
    for (let i = 0; i < k; i++) b.pool(`p${i}`, 'maxpool', 1, 1);
    return { model: exportSequentialOnnx(b.build(), 1), dims: [1, 1, 1, 1] };
  };
  const calib = await timer([
    { model: exportSequentialOnnx(idle.net, 1, idle.values), dims: [1, 1, 1, 1] },
    ...ks.map((k) => ({ model: copiesOnnx(idle.net, k, () => idle.values), dims: [1, 1, 1, 1] })),
    ...ks.map(chain),
  ]);
  const overheadMs = lowest(calib[0]);
  const outputMs = Math.max(0, lineFit(ks, calib.slice(1, 1 + ks.length).map(lowest)).slope - lineFit(ks, calib.slice(1 + ks.length).map(lowest)).slope);
  const entry = async (it: Item) => {
    await timeItems([it]);
    return cache.get(it.key)!;
  };
  const measureAll = async (nets: readonly { net: Network; values?: ReadonlyMap<string, LayerValues> }[]) =>
    (await timer(nets.map(({ net, values }) => ({ model: exportSequentialOnnx(net, 1, values), dims: [1, ...net.input] })), { spread: true })).map((t) => timing(t, t.roundsMs.length));
  return {
    metric: 'latency', unit: 'ms', platform: 'cpu', fixed: overheadMs, overheadMs, outputMs, timed,
    layerCost: (l) => entry(itemOf(l, [])),
    async otherCost(l, input) {
      return l.pool ? entry(itemOf(l, input)) : 0;
    },
    async prime(nets) {
      await timeItems(nets.flatMap(itemsOf), true);
    },
    measureAll,
  };
}
