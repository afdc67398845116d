/**
 * What co-design optimises against: a cost provider prices a network, or one
 * variant of a layer (another shape, other densities), in one metric —
 * energy, latency, or anything a measurement gives. The dnnergy model on a
 * design is one provider: it maps each distinct layer shape once (cached by
 * shape) and prices densities by evaluating that mapping with the sparse
 * engine under the design's sparsity (network/sparsity.ts), cheap enough for
 * a pruning loop. A real measurement (onnxruntime on this machine) is another.
 */
import type { Design } from '../designs/design.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Result } from '../model/result.js';
import { analyzeNetwork } from '../network/analyze.js';
import { layerMacs, layerWorkload, shapeKey, type ConvLayer, type FcLayer, type Network } from '../network/network.js';
import { evaluateLayerSparse, type LayerDensities } from '../network/sparsity.js';

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
  layerCost(layer: ConvLayer | FcLayer, densities?: LayerDensities): Promise<number>;
  /** Prepares the cost of a network's layers with MACs. */
  network(net: Network): Promise<NetworkCost>;
}

/** What the model needs of a design (a built-in or one read from Timeloop files). */
export type ModelDesign = Pick<Design, 'arch' | 'energy' | 'constraints'>;

/** How the model prices: the metric, the batch, and the mapper's budget and seed per shape. */
export interface ModelCostOptions {
  /** 'energy' (default) or 'latency' (cycles); densities below 1 are priced by the sparse engine (zeros gated: compression may still shorten bandwidth-bound layers). */
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
  const batch = o.batch ?? 1;
  const cache = new Map<string, { result: Result; mapping: Mapping }>();
  const unit = metric === 'latency' ? 'cycles' : design.energy.unit ?? 'pJ';

  /** Maps the shapes not seen yet, through the whole-network path (one shape, one mapping). */
  const map = async (layers: readonly (ConvLayer | FcLayer)[]): Promise<void> => {
    const fresh = layers.filter((l, i) => !cache.has(shapeKey(l)) && layers.findIndex((x) => shapeKey(x) === shapeKey(l)) === i);
    if (fresh.length === 0) return;
    const net: Network = { name: 'shapes', input: [0, 0, 0], layers: fresh, inputTensor: '', tensors: new Map(), edges: fresh.map((l) => ({ inputs: [], output: l.name })) };
    // The layers' own weight densities are not used here: `at` prices them.
    const report = await analyzeNetwork(net, design.arch, design.energy, {
      batch, objective: 'energy', evaluations: o.evaluations ?? 20000, seed: o.seed ?? 1, threads: 1, constraints: design.constraints,
      densities: { weights: 1 },
    });
    report.layers.forEach((r, i) => cache.set(shapeKey(fresh[i]), { result: r.result!, mapping: r.mapping! }));
  };
  const dense = async (l: ConvLayer | FcLayer): Promise<Result> => {
    await map([l]);
    return cache.get(shapeKey(l))!.result;
  };
  const price = (l: ConvLayer | FcLayer, d: LayerDensities): { cost: number; effectualMacs: number } => {
    const hit = cache.get(shapeKey(l))!;
    const s = evaluateLayerSparse(layerWorkload(l, batch), design.arch, hit.mapping, design.energy, d);
    const r = s ?? { energyPJ: hit.result.energyPJ, cycles: hit.result.cycles, effectualMacs: hit.result.computes };
    return { cost: metric === 'latency' ? r.cycles : r.energyPJ, effectualMacs: r.effectualMacs };
  };
  return {
    metric,
    unit,
    dense,
    async layerCost(l, d = {}) {
      await dense(l);
      return price(l, d).cost;
    },
    async network(net) {
      const withMacs = net.layers.filter((l): l is ConvLayer | FcLayer => l.kind !== 'other');
      await map(withMacs);
      const layers = withMacs.map((l) => ({ layer: l, name: l.name, kind: l.kind, macs: layerMacs(l) * batch, weights: weightCount(l), dense: cache.get(shapeKey(l))!.result }));
      return {
        metric, unit, layers,
        at(weights, activations = new Map()) {
          const rows = layers.map((l) => {
            const d = weights.get(l.name) ?? 1;
            const a = activations.get(l.name) ?? DENSE;
            const p = price(l.layer, { weights: d, inputs: a.inputs, outputs: a.outputs });
            return { name: l.name, density: d, activations: a, cost: p.cost, denseCost: metric === 'latency' ? l.dense.cycles : l.dense.energyPJ, macs: l.macs, effectualMacs: p.effectualMacs };
          });
          return { total: rows.reduce((a, l) => a + l.cost, 0), layers: rows };
        },
      };
    },
  };
}
