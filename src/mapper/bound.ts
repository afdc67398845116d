/**
 * A lower bound on the cost of any mapping of a layer on an architecture:
 * every operation's compute energy, and the compulsory traffic of the
 * backing store (every input and weight read from it once, every output
 * written to it once, at its cheapest per-word energy); cycles at least the
 * operations over the compute units. Valid for every mapping the model can
 * evaluate (checked by a property test); loose where on-chip traffic
 * dominates, and reported as such.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import { operationCount, projectedSize, type Workload } from '../workload/workload.js';
import { score, type Objective } from '../model/objective.js';

/** A lower bound on the cost of any mapping: energy, cycles and the objective's score. */
export interface LowerBound {
  readonly energyPJ: number;
  readonly cycles: number;
  /** The bound on the objective. */
  readonly score: number;
  /** Parts of the energy bound, pJ. */
  readonly parts: { compute: number; backingStore: number };
}

/** The lower bound for layer `w` on `arch` with energies `plan`, under `objective`. */
export function lowerBound(w: Workload, arch: Arch, plan: EnergyPlan, objective: Objective): LowerBound {
  const ops = operationCount(w);
  const compute = ops * plan.compute;
  const top = arch.storage.length - 1;
  const lv = arch.storage[top];
  let backing = 0;
  for (const ds of w.dataSpaces) {
    const words = projectedSize(ds, w.bounds.map((b) => b));
    const perBlock = ds.readWrite ? plan.update[top] : plan.read[top];
    // At least ceil(words / block) block accesses, shared by at most a cluster.
    backing += (Math.ceil(words / lv.blockSize) * perBlock) / Math.max(1, lv.clusterSize);
  }
  const cycles = Math.ceil(ops / arch.compute.instances);
  const energyPJ = compute + backing;
  return { energyPJ, cycles, score: score(objective, energyPJ, cycles), parts: { compute, backingStore: backing } };
}
