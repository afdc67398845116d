/**
 * Energy of a (pruned) network on an accelerator: every layer is mapped once
 * dense (the dataflow does not change with pruning), then its energy for any
 * weight density comes from the sparse estimate — cheap enough to sit in the
 * pruning loop. The energy metric of the model's cost provider (cost.ts).
 */
import type { Result } from '../model/result.js';
import type { Network } from '../network/network.js';
import { modelCost, type ActivationDensity, type ModelDesign, type ModelNetworkCost } from './cost.js';

export type { ActivationDensity } from './cost.js';

/** A layer with MACs and its dense mapping result. */
export interface LayerCost {
  readonly name: string;
  readonly kind: 'conv' | 'fc';
  readonly macs: number;
  readonly weights: number;
  readonly dense: Result;
}

/** The dense mapping of every layer: what the sparse estimates start from. */
export interface EnergyModel extends ModelNetworkCost {
  readonly layers: readonly LayerCost[];
}

/** Maps every layer of the network on the design (each shape once) for its energy at any densities. */
export async function energyModel(net: Network, design: ModelDesign, o: { batch?: number; evaluations?: number; seed?: number } = {}): Promise<EnergyModel> {
  return modelCost(design, { ...o, metric: 'energy' }).network(net);
}

/** One layer's energy at given weight and activation densities. */
export interface LayerEnergy {
  readonly name: string;
  /** Weight density. */
  readonly density: number;
  readonly activations: ActivationDensity;
  readonly energy: number;
  /** Energy with nothing sparse (weights and activations dense). */
  readonly denseEnergy: number;
  readonly macs: number;
  readonly effectualMacs: number;
}

/**
 * Per-layer energy at the given weight densities and activation densities
 * (layers not named are dense).
 */
export function networkEnergy(m: EnergyModel, densities: ReadonlyMap<string, number>, activations: ReadonlyMap<string, ActivationDensity> = new Map()): { total: number; layers: LayerEnergy[] } {
  const r = m.at(densities, activations);
  return {
    total: r.total,
    layers: r.layers.map((l) => ({ name: l.name, density: l.density, activations: l.activations, energy: l.cost, denseEnergy: l.denseCost, macs: l.macs, effectualMacs: l.effectualMacs })),
  };
}
