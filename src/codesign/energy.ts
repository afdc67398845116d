/**
 * Energy of a (pruned) network on an accelerator: every layer is mapped once
 * dense (the dataflow does not change with pruning), then its energy for any
 * weight density comes from the sparse estimate — cheap enough to sit in the
 * pruning loop.
 */
import type { Design } from '../designs/design.js';
import { planEnergy, type EnergyPlan } from '../model/cost.js';
import { sparseEnergy } from '../model/sparse.js';
import type { Result } from '../model/result.js';
import { analyzeNetwork } from '../network/analyze.js';
import type { Network } from '../network/network.js';

export interface LayerCost {
  readonly name: string;
  readonly kind: 'conv' | 'fc';
  readonly macs: number;
  readonly weights: number;
  readonly dense: Result;
}

/** The dense mapping of every layer: what the sparse estimates start from. */
export interface EnergyModel {
  readonly arch: Design;
  readonly plan: EnergyPlan;
  readonly layers: readonly LayerCost[];
}

export async function energyModel(net: Network, arch: Design, o: { batch?: number; evaluations?: number; seed?: number } = {}): Promise<EnergyModel> {
  const report = await analyzeNetwork(net, arch.arch, arch.energy, {
    batch: o.batch ?? 1, objective: 'energy', evaluations: o.evaluations ?? 20000, seed: o.seed ?? 1, threads: 1, constraints: arch.constraints,
  });
  const layers: LayerCost[] = [];
  for (const l of report.layers) {
    if (!l.result || l.layer.kind === 'other') continue;
    const weights = l.layer.kind === 'conv' ? (l.layer.outC * l.layer.inC * l.layer.kH * l.layer.kW) / l.layer.groups : l.layer.inFeatures * l.layer.outFeatures;
    layers.push({ name: l.layer.name, kind: l.layer.kind, macs: l.macs, weights, dense: l.result });
  }
  return { arch, plan: planEnergy(arch.arch, arch.energy), layers };
}

/** Measured fraction of non-zero activations a layer reads and writes back. */
export interface ActivationDensity { readonly inputs: number; readonly outputs: number }

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

const DENSE_ACTIVATIONS: ActivationDensity = { inputs: 1, outputs: 1 };

/**
 * Per-layer energy at the given weight densities and activation densities
 * (layers not named are dense).
 */
export function networkEnergy(m: EnergyModel, densities: ReadonlyMap<string, number>, activations: ReadonlyMap<string, ActivationDensity> = new Map()): { total: number; layers: LayerEnergy[] } {
  const layers = m.layers.map((l) => {
    const d = densities.get(l.name) ?? 1;
    const a = activations.get(l.name) ?? DENSE_ACTIVATIONS;
    const s = sparseEnergy(l.dense, m.arch.arch, m.plan, { weights: d, inputs: a.inputs, outputs: a.outputs });
    return { name: l.name, density: d, activations: a, energy: s.energyPJ, denseEnergy: l.dense.energyPJ, macs: l.macs, effectualMacs: s.effectualMacs };
  });
  return { total: layers.reduce((a, l) => a + l.energy, 0), layers };
}
