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
import { actualActivations, type ActivationMasks, type ImageMasks } from '../network/activations.js';
import type { DensitySpec } from '../sparse/spec.js';

/** What a cost measures. */
export type CostMetric = 'energy' | 'latency' | (string & {});

/**
 * Measured fraction of non-zero activations a layer reads and writes back;
 * with `masks` (the zero masks themselves, per image), the model prices the
 * layer on the measured tiles instead (actual data: network/activations.ts),
 * and `inputs`/`outputs` are the masks' fractions, shown in reports.
 */
export interface ActivationDensity {
  readonly inputs: number;
  readonly outputs: number;
  readonly masks?: ActivationMasks;
}

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

/** Laid-out measurements kept per layer tensor (a pruning step's candidates re-measure a few distinct ones). */
const RECENT_MASKS = 4;

function sameMasks(a: ImageMasks, b: ImageMasks): boolean {
  if (a === b) return true;
  if (a.images !== b.images || a.mask.length !== b.mask.length) return false;
  for (let i = 0; i < a.mask.length; i++) if (a.mask[i] !== b.mask[i]) return false;
  return true;
}

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
  // The engine keeps a tensor's counted tiles with its spec: a measurement equal to one seen lately (the
  // layers upstream of a candidate step are re-measured unchanged) gets the same spec, counted once.
  const laidOut = new WeakMap<ConvLayer | FcLayer, Record<'input' | 'output', { mask: ImageMasks; spec: DensitySpec | null }[]>>();
  const tiles = (l: ConvLayer | FcLayer, role: 'input' | 'output', m: ImageMasks): DensitySpec | undefined => {
    let byRole = laidOut.get(l);
    if (!byRole) laidOut.set(l, byRole = { input: [], output: [] });
    const seen = byRole[role];
    let e = seen.find((x) => sameMasks(x.mask, m));
    if (!e) {
      e = { mask: m, spec: actualActivations(layerWorkload(l, batch), l, role, m) };
      seen.unshift(e);
      if (seen.length > RECENT_MASKS) seen.pop();
    }
    return e.spec ?? undefined;
  };
  const price = (l: ConvLayer | FcLayer, d: LayerDensities, masks?: ActivationMasks): { cost: number; effectualMacs: number } => {
    const hit = cache.get(shapeKey(l))!;
    const inputs = masks && tiles(l, 'input', masks.inputs), outputs = masks && tiles(l, 'output', masks.outputs);
    // The engine decides sparse or dense on the laid-out densities: a padded input's border zeros count.
    const ld: LayerDensities = { ...d, ...(inputs ? { inputs: inputs.density } : {}), ...(outputs ? { outputs: outputs.density } : {}) };
    const s = evaluateLayerSparse(layerWorkload(l, batch), design.arch, hit.mapping, design.energy, ld, undefined, { ...(inputs ? { inputs } : {}), ...(outputs ? { outputs } : {}) });
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
            const p = price(l.layer, { weights: d, inputs: a.inputs, outputs: a.outputs }, a.masks);
            return { name: l.name, density: d, activations: a, cost: p.cost, denseCost: metric === 'latency' ? l.dense.cycles : l.dense.energyPJ, macs: l.macs, effectualMacs: p.effectualMacs };
          });
          return { total: rows.reduce((a, l) => a + l.cost, 0), layers: rows };
        },
      };
    },
  };
}
