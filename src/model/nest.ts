/**
 * Nest analysis: how many times each storage level reads, fills and updates
 * each data space under a mapping. This reproduces the counts of Timeloop's
 * nest analysis (May 2024 semantics, see docs/model.md) analytically: no
 * iteration points are enumerated; a level/data-space pair costs O(K)
 * arithmetic for K non-trivial loops above the level.
 */
import type { Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';

/** Access counts of one data space at one storage level, per instance. */
export interface DataSpaceCounts {
  /** Whether the level keeps (holds a tile of) this data space. */
  readonly kept: boolean;
  readonly reads: number;
  readonly fills: number;
  readonly updates: number;
  readonly temporalReductions: number;
  /** Words of the tile held at the level (0 if bypassed). */
  readonly utilizedCapacity: number;
  /** Words of the tensor this instance is responsible for over the whole run. */
  readonly partitionSize: number;
}

/** Counts of one storage level. */
export interface LevelCounts {
  readonly name: string;
  readonly instances: number;
  /** Instances that receive work under this mapping. */
  readonly utilizedInstances: number;
  /** Per data space, in workload order. */
  readonly dataSpaces: readonly DataSpaceCounts[];
}

/** Everything the nest analysis derives from (workload, arch, mapping). */
export interface Counts {
  /** Operations of the workload (product of its bounds). */
  readonly computes: number;
  /** Operations each utilised compute instance performs in sequence. */
  readonly temporalIterations: number;
  /** Compute instances that receive work. */
  readonly utilizedComputeInstances: number;
  /** Storage levels, innermost first. */
  readonly levels: readonly LevelCounts[];
}

import { Evaluator, compileMapping, compileProblem, type AnalysisOptions } from './evaluator.js';

export type { AnalysisOptions } from './evaluator.js';

/** Analyse a mapping: per-level, per-data-space access counts (per instance). */
export function analyse(w: Workload, arch: Arch, m: Mapping, options: AnalysisOptions = {}): Counts {
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, options);
  const o = ev.run(compileMapping(p, m));
  const S = w.dataSpaces.length;
  let computes = 1;
  for (const b of w.bounds) computes *= b;
  return {
    computes,
    temporalIterations: o.temporalIterations,
    utilizedComputeInstances: o.utilizedCompute,
    levels: arch.storage.map((st, l) => ({
      name: st.name,
      instances: st.instances,
      utilizedInstances: o.utilizedInstances[l],
      dataSpaces: w.dataSpaces.map((_, s) => {
        const i = l * S + s;
        return {
          kept: o.kept[i] === 1,
          reads: o.reads[i],
          fills: o.fills[i],
          updates: o.updates[i],
          temporalReductions: o.temporalReductions[i],
          utilizedCapacity: o.utilizedCapacity[i],
          partitionSize: o.partitionSize[i],
        };
      }),
    })),
  };
}
