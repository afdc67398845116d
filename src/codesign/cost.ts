/**
 * What co-design optimises against: a cost provider prices a network, or one
 * variant of a layer (another shape, other densities), in one metric —
 * energy, latency, or anything a measurement gives. The dnnergy model on a
 * design is one provider: it maps each distinct layer shape once (cached by
 * shape) and prices densities with the sparse estimate, cheap enough for a
 * pruning loop. A real measurement (onnxruntime on this machine) is another.
 */
import type { Design } from '../designs/design.js';
import { planStorageEnergy } from '../model/cost.js';
import type { Result } from '../model/result.js';
import { sparseEnergy, type Densities } from '../model/sparse.js';
import { analyzeNetwork } from '../network/analyze.js';
import { layerMacs, shapeKey, type ConvLayer, type FcLayer, type Network } from '../network/network.js';

/** What a cost measures. */
export type CostMetric = 'energy' | 'latency' | (string & {});

/** Measured fraction of non-zero activations a layer reads and writes back. */
export interface ActivationDensity { readonly inputs: number; readonly outputs: number }

/** A layer with MACs that a network cost prices. */
export interface CostedLayer {
  readonly name: string;
  readonly kind: 'conv' | 'fc';
  readonly macs: number;
  readonly weights: number;
}

/** One layer's cost at given densities. */
export interface LayerCostAt {
  readonly name: string;
  /** Weight density. */
  readonly density: number;
  readonly activations: ActivationDensity;
  readonly cost: number;
  /** Cost with nothing sparse (weights and activations dense). */
  readonly denseCost: number;
  readonly macs: number;
  /** MACs with a non-zero weight and a non-zero input (what zero gating leaves). */
  readonly effectualMacs: number;
}

/**
 * The cost of one network as a function of its layers' densities, prepared
 * once (layers mapped or measured) and then evaluated synchronously: what a
 * pruning loop calls after every candidate step.
 */
export interface NetworkCost {
  readonly metric: CostMetric;
  /** 'pJ', 'MAC' (MAC-equivalents), 'cycles', 'ms', ... */
  readonly unit: string;
  /** The layers with MACs, in network order. */
  readonly layers: readonly CostedLayer[];
  /** Per-layer cost and total at these weight and activation densities (layers not named are dense). */
  at(weights: ReadonlyMap<string, number>, activations?: ReadonlyMap<string, ActivationDensity>): { total: number; layers: LayerCostAt[] };
}

/** A source of costs for networks and layer variants. */
export interface CostProvider {
  readonly metric: CostMetric;
  readonly unit: string;
  /** Cost of one layer variant (any shape; densities absent are dense). */
  layerCost(layer: ConvLayer | FcLayer, densities?: Densities): Promise<number>;
  /** Prepares the cost of a network's layers with MACs. */
  network(net: Network): Promise<NetworkCost>;
}

/** What the model needs of a design (a built-in or one read from Timeloop files). */
export type ModelDesign = Pick<Design, 'arch' | 'energy' | 'constraints'>;

/** How the model prices: the metric, the batch, and the mapper's budget and seed per shape. */
export interface ModelCostOptions {
  /** 'energy' (default; densities priced by the sparse estimate) or 'latency' (cycles: zeros are gated, not skipped). */
  readonly metric?: 'energy' | 'latency';
  readonly batch?: number;
  /** Mapper budget per layer shape. */
  readonly evaluations?: number;
  readonly seed?: number;
}

/** A network cost from the model, with every layer's dense mapping result. */
export interface ModelNetworkCost extends NetworkCost {
  readonly layers: readonly (CostedLayer & { readonly dense: Result })[];
}

/** The dnnergy model as a cost provider: the provider adds {@link ModelCostProvider.dense}, a layer's dense result. */
export interface ModelCostProvider extends CostProvider {
  network(net: Network): Promise<ModelNetworkCost>;
  /** The dense result of the best mapping found for a layer's shape (mapped once per shape). */
  dense(layer: ConvLayer | FcLayer): Promise<Result>;
}

const DENSE: ActivationDensity = { inputs: 1, outputs: 1 };

function weightCount(l: ConvLayer | FcLayer): number {
  return l.kind === 'conv' ? (l.outC * l.inC * l.kH * l.kW) / l.groups : l.inFeatures * l.outFeatures;
}

/**
 * The dnnergy model on a design as a cost provider. Layer shapes are mapped
 * (energy objective) once each and cached by shape; every shape is mapped
 * with the same seed and budget, so its result does not depend on which
 * network or variant asked first.
 */
export function modelCost(design: ModelDesign, o: ModelCostOptions = {}): ModelCostProvider {
  const metric = o.metric ?? 'energy';
  const plan = planStorageEnergy(design.arch, design.energy);
  const cache = new Map<string, Result>();
  const unit = metric === 'latency' ? 'cycles' : design.energy.unit ?? 'pJ';

  /** Maps the shapes not seen yet, through the whole-network path (one shape, one mapping). */
  const map = async (layers: readonly (ConvLayer | FcLayer)[]): Promise<void> => {
    const fresh = layers.filter((l, i) => !cache.has(shapeKey(l)) && layers.findIndex((x) => shapeKey(x) === shapeKey(l)) === i);
    if (fresh.length === 0) return;
    const net: Network = { name: 'shapes', input: [0, 0, 0], layers: fresh, inputTensor: '', tensors: new Map(), edges: fresh.map((l) => ({ inputs: [], output: l.name })) };
    const report = await analyzeNetwork(net, design.arch, design.energy, {
      batch: o.batch ?? 1, objective: 'energy', evaluations: o.evaluations ?? 20000, seed: o.seed ?? 1, threads: 1, constraints: design.constraints,
    });
    report.layers.forEach((r, i) => cache.set(shapeKey(fresh[i]), r.result!));
  };
  const dense = async (l: ConvLayer | FcLayer): Promise<Result> => {
    await map([l]);
    return cache.get(shapeKey(l))!;
  };
  const price = (r: Result, d: Densities): { cost: number; effectualMacs: number } => {
    const s = sparseEnergy(r, design.arch, plan, d);
    return { cost: metric === 'latency' ? r.cycles : s.energyPJ, effectualMacs: s.effectualMacs };
  };
  return {
    metric,
    unit,
    dense,
    async layerCost(l, d = { weights: 1 }) {
      return price(await dense(l), d).cost;
    },
    async network(net) {
      const withMacs = net.layers.filter((l): l is ConvLayer | FcLayer => l.kind !== 'other');
      await map(withMacs);
      const layers = withMacs.map((l) => ({ name: l.name, kind: l.kind, macs: layerMacs(l) * (o.batch ?? 1), weights: weightCount(l), dense: cache.get(shapeKey(l))! }));
      return {
        metric, unit, layers,
        at(weights, activations = new Map()) {
          const rows = layers.map((l) => {
            const d = weights.get(l.name) ?? 1;
            const a = activations.get(l.name) ?? DENSE;
            const p = price(l.dense, { weights: d, inputs: a.inputs, outputs: a.outputs });
            return { name: l.name, density: d, activations: a, cost: p.cost, denseCost: metric === 'latency' ? l.dense.cycles : l.dense.energyPJ, macs: l.macs, effectualMacs: p.effectualMacs };
          });
          return { total: rows.reduce((a, l) => a + l.cost, 0), layers: rows };
        },
      };
    },
  };
}
