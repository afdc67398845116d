/**
 * Real CPU latency as a NetAdapt table source. Each layer variant is made a
 * one-layer ONNX model (its convolution or fully connected layer with
 * seeded weights and its ReLU, or its pooling) and timed in isolation by a
 * timer the caller gives (io/ort.ts runs onnxruntime-node; this module stays
 * free of Node so the core runs in a browser). A runtime's cost per call is
 * in every isolated timing but only once in a whole network's: it is timed
 * on a model that does nothing (a 1×1 pooling of one value), taken off
 * every entry, and added once per network (the source's `fixed`).
 */
import { NetworkBuilder, type ConvLayer, type FcLayer, type Network, type OtherLayer, type TensorShape } from '../network/network.js';
import { exportSequentialOnnx, type LayerValues } from '../network/onnx/export.js';
import { Rng } from '../util/rng.js';
import type { LayerCostSource } from './netadapt-lut.js';

/** A timing of one model, as the timer reports it. */
export interface CpuTiming {
  readonly medianMs: number;
  readonly noise: number;
  readonly runs: number;
  /** Rounds' medians, highest over lowest, when timed in rounds. */
  readonly roundSpread?: number;
}

/** Times ONNX model bytes on an input of `dims` (batch first). */
export type OnnxTimer = (model: Uint8Array, dims: readonly number[]) => Promise<CpuTiming>;

/** One timed table entry, for the report. */
export interface TimedEntry {
  readonly layer: string;
  readonly shape: string;
  readonly medianMs: number;
  readonly noise: number;
  readonly roundSpread?: number;
}

/** The CPU source and what it timed. */
export interface CpuSource extends LayerCostSource {
  readonly overheadMs: number;
  readonly timed: readonly TimedEntry[];
  /** Time a whole network (its ONNX export with these weights). */
  measure(net: Network, values?: ReadonlyMap<string, LayerValues>): Promise<CpuTiming>;
}

function seeded(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() - 0.5) * 0.2;
  return a;
}

/** A one-layer network of `l` on its own input, and the weights that make it runnable. */
function alone(l: ConvLayer | FcLayer | OtherLayer, input: TensorShape): { net: Network; values: Map<string, LayerValues> } {
  const values = new Map<string, LayerValues>();
  if (l.kind === 'conv') {
    const b = new NetworkBuilder(l.name, [l.inC, l.inH, l.inW]).conv(l.name, l.outC, l.kH, l.strideH, l.padH, l.groups, l.dilH);
    values.set(l.name, { weight: seeded((l.outC * l.inC * l.kH * l.kW) / l.groups, 1), bias: seeded(l.outC, 2), activation: 'relu' });
    return { net: b.build(), values };
  }
  if (l.kind === 'fc') {
    const b = new NetworkBuilder(l.name, [l.inFeatures, 1, 1]).fc(l.name, l.outFeatures);
    values.set(l.name, { weight: seeded(l.inFeatures * l.outFeatures, 1), bias: seeded(l.outFeatures, 2) });
    return { net: b.build(), values };
  }
  const b = new NetworkBuilder(l.name, [input[0], input[1] ?? 1, input[2] ?? 1]);
  const p = l.pool!;
  if (p.global) b.globalPool(l.name);
  else b.pool(l.name, l.op === 'maxpool' ? 'maxpool' : 'avgpool', p.kernel, p.stride, p.pad, p.ceil);
  return { net: b.build(), values };
}

/** The CPU latency source over `timer`; the call overhead is timed first. */
export async function cpuSource(timer: OnnxTimer): Promise<CpuSource> {
  const timed: TimedEntry[] = [];
  const time = async (name: string, shape: string, net: Network, values: Map<string, LayerValues>) => {
    const t = await timer(exportSequentialOnnx(net, 1, values), [1, ...net.input]);
    timed.push({ layer: name, shape, medianMs: t.medianMs, noise: t.noise, ...(t.roundSpread !== undefined ? { roundSpread: t.roundSpread } : {}) });
    return t.medianMs;
  };
  const idle = alone({ kind: 'other', name: 'idle', op: 'maxpool', inputWords: 1, outputWords: 1, pool: { kernel: 1, stride: 1, pad: 0, ceil: false, global: false } }, [1, 1, 1]);
  const overheadMs = await time('idle', '1x1x1 maxpool k1', idle.net, idle.values);
  const net = (l: ConvLayer | FcLayer | OtherLayer, input: TensorShape) => alone(l, input);
  return {
    metric: 'latency', unit: 'ms', platform: 'cpu', fixed: overheadMs, overheadMs, timed,
    async layerCost(l) {
      const { net: n, values } = net(l, []);
      return Math.max(0, (await time(l.name, JSON.stringify(n.layers[0]), n, values)) - overheadMs);
    },
    async otherCost(l, input) {
      if (!l.pool) return 0;
      const { net: n, values } = net(l, input);
      return Math.max(0, (await time(l.name, `${input.join('x')} ${l.op}`, n, values)) - overheadMs);
    },
    async measure(whole, values) {
      return timer(exportSequentialOnnx(whole, 1, values), [1, ...whole.input]);
    },
  };
}
