/**
 * What the nest analysis produces: per storage level and data space, how
 * many words are read, filled and updated per instance. Two forms: flat
 * buffers the kernel writes in place ({@link CountBuffers}, the mapper's
 * view) and a readable tree ({@link Counts}) for everything else.
 */

import type { ImperfectInfo } from './imperfect.js';

/**
 * Counts of one evaluation, per instance, indexed `[l*S + s]` (storage level
 * l innermost first, data space s). Reused across runs: copy what you keep.
 * A class, not an object literal: V8 builds a literal's boilerplate on its
 * second run with placeholder values, which widens the recorded type of
 * every typed-array field and discards the optimised code that read them
 * (the kernel's and the cost's, when a second evaluator is made).
 */
export class CountBuffers {
  /** Compute cycles before bandwidth limits (per compute unit). */
  temporalIterations = 0;
  /**
   * Set when the mapping has imperfect loops (imperfect.ts): the Computes
   * billed and the true ones; null for a perfect nest.
   */
  imperfect: ImperfectInfo | null = null;
  utilizedCompute = 0;
  readonly utilizedInstances: Float64Array;
  readonly kept: Uint8Array;
  readonly reads: Float64Array;
  readonly fills: Float64Array;
  readonly updates: Float64Array;
  readonly temporalReductions: Float64Array;
  readonly utilizedCapacity: Float64Array;
  readonly partitionSize: Float64Array;
  /** Zeroed buffers for `L` storage levels and `LS` = L × data spaces. */
  constructor(L: number, LS: number) {
    this.utilizedInstances = new Float64Array(L);
    this.kept = new Uint8Array(LS);
    this.reads = new Float64Array(LS);
    this.fills = new Float64Array(LS);
    this.updates = new Float64Array(LS);
    this.temporalReductions = new Float64Array(LS);
    this.utilizedCapacity = new Float64Array(LS);
    this.partitionSize = new Float64Array(LS);
  }
}


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


/**
 * The readable form of a kernel's buffers (a copy: the buffers may be
 * overwritten by the next run). `levels` names and instances come from the
 * architecture's storage levels, innermost first.
 */
export function readCounts(
  storage: readonly { readonly name: string; readonly instances: number }[],
  dataSpaces: number,
  computes: number,
  o: CountBuffers,
): Counts {
  const S = dataSpaces;
  return {
    computes,
    temporalIterations: o.temporalIterations,
    utilizedComputeInstances: o.utilizedCompute,
    levels: storage.map((st, l) => ({
      name: st.name,
      instances: st.instances,
      utilizedInstances: o.utilizedInstances[l],
      dataSpaces: Array.from({ length: S }, (_, s) => {
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
