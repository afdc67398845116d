/**
 * The result of evaluating one mapping, its JSON form (the results schema of
 * DESIGN.md) and the sanity checks every result passes before it leaves the
 * core.
 */
import { InternalError } from '../spec/errors.js';
import type { TensorRole } from '../workload/workload.js';
import type { NocMode } from '../arch/network.js';

/** Per-instance counts and total energy of one data space at one level. */
export interface DataSpaceResult {
  readonly name: string;
  /** The tensor's role in the workload (not in the JSON form, whose keys are stable). */
  readonly role: TensorRole;
  readonly reads: number;
  readonly fills: number;
  readonly updates: number;
  readonly temporalReductions: number;
  readonly utilizedCapacity: number;
  /** Energy of all instances of the level for this data space, pJ. */
  readonly energyPJ: number;
  /** Sparse runs only: algorithmic (dense) and gated/skipped counts, metadata, compressed capacity. */
  readonly sparse?: SparseDataSpaceResult;
}

/** Read, fill and update counts of one kind (per instance). */
export interface AccessTriple { readonly reads: number; readonly fills: number; readonly updates: number }

/**
 * What a sparse run adds per level and tensor (per instance). With it,
 * `reads`/`fills`/`updates` are the actual accesses and `utilizedCapacity`
 * the compressed tile (words at confidence 1).
 */
export interface SparseDataSpaceResult {
  readonly algorithmic: AccessTriple;
  readonly gated: AccessTriple;
  readonly skipped: AccessTriple;
  /** Representation format, ranks outermost first (empty: uncompressed, no metadata). */
  readonly format: readonly string[];
  /** Metadata accesses per rank (outermost first) as [metadata, payload] units: actual, gated, skipped. */
  readonly metadata: {
    readonly actual: { readonly reads: readonly (readonly number[])[]; readonly fills: readonly (readonly number[])[]; readonly updates: readonly (readonly number[])[] };
    readonly gated: { readonly reads: readonly (readonly number[])[]; readonly fills: readonly (readonly number[])[]; readonly updates: readonly (readonly number[])[] };
    readonly skipped: { readonly reads: readonly (readonly number[])[]; readonly fills: readonly (readonly number[])[]; readonly updates: readonly (readonly number[])[] };
  };
  /** Metadata capacity: bits, and per rank (outermost first) [metadata, payload] units. */
  readonly metadataCapacityBits: number;
  readonly metadataCapacity: readonly (readonly number[])[];
  readonly decompressions: number;
  readonly compressions: number;
  /** Average utilised instances (Timeloop lowers it when empty tiles are not sent). */
  readonly averageInstances: number;
}

/** Computes of a sparse run: algorithmic (dense), actual, gated, skipped. */
export interface ComputeSparseResult { readonly algorithmic: number; readonly actual: number; readonly gated: number; readonly skipped: number }

/** One level: the compute units (index 0) or a storage level. */
export interface LevelResult {
  readonly name: string;
  readonly instances: number;
  readonly utilizedInstances: number;
  /** Dynamic energy of the level's accesses (or computes), all instances, pJ. */
  readonly energyPJ: number;
  /** Leakage over the run, all instances, pJ (included in `energyPJ`). */
  readonly leakagePJ: number;
  /** Cycles this level needs given its bandwidth (the compute level: its own cycles). */
  readonly cycles: number;
  /**
   * Off-chip memory (`StorageLevel.offChip`; false for compute), so reports
   * can sum off-chip traffic without the architecture. Not in the JSON form.
   */
  readonly offChip: boolean;
  /** Data spaces the level keeps, workload order (empty for compute). */
  readonly dataSpaces: readonly DataSpaceResult[];
  /** Sparse runs, compute level only: the computes by kind. */
  readonly computeCounts?: ComputeSparseResult;
}

/** A network-on-chip's traffic and energy (per instance of its parent level's transfers; energy of all). */
export interface NetworkResult {
  readonly name: string;
  /** The storage level whose accesses cross it. */
  readonly parent: string;
  readonly energyPJ: number;
  /** Words of each tensor that cross it, per parent instance, and their energy over all instances. */
  readonly dataSpaces: readonly { readonly name: string; readonly transfers: number; readonly energyPJ: number }[];
  /** For a network that limits cycles (one with a mode): the mode it ran in and the cycles it alone needs. */
  readonly mode?: NocMode;
  readonly cycles?: number;
}

/** A whole evaluation. */
export interface Result {
  readonly computes: number;
  readonly cycles: number;
  readonly utilization: number;
  readonly energyPJ: number;
  /** Compute level first, then storage levels outwards. */
  readonly levels: readonly LevelResult[];
  /** Networks-on-chip that carry energy, when the architecture names any (their energy is in the total). */
  readonly networks?: readonly NetworkResult[];
  /** Estimates or defaults that stood in for user data. */
  readonly warnings: readonly string[];
  /** Imperfect mappings only: how partial tiles were counted, and the other rule's totals. */
  readonly partialTiles?: PartialTilesResult;
}

/** Totals of one evaluation under one partial-tile rule. */
export interface PartialTilesTotals {
  readonly mode: 'timeloop' | 'exact';
  readonly computes: number;
  readonly cycles: number;
  readonly energyPJ: number;
}

/**
 * What an imperfect mapping's result adds: the rule its numbers follow
 * (Timeloop's, the default, or `exact`), the true operation count, and the
 * totals under the other rule (docs/model.md, "Imperfect factorisation").
 */
export interface PartialTilesResult {
  readonly mode: 'timeloop' | 'exact';
  readonly exactComputes: number;
  readonly other?: PartialTilesTotals;
}

/** The `--json` form: keys are stable; fields are added, never renamed. */
export function resultToJSON(r: Result): unknown {
  return {
    computes: r.computes,
    cycles: r.cycles,
    utilization: r.utilization,
    energy_pJ: r.energyPJ,
    levels: r.levels.map((l) => ({
      name: l.name,
      instances: l.instances,
      utilized_instances: l.utilizedInstances,
      energy_pJ: l.energyPJ,
      leakage_pJ: l.leakagePJ,
      cycles: l.cycles,
      dataspaces: Object.fromEntries(
        l.dataSpaces.map((d) => [
          d.name,
          {
            reads: d.reads,
            fills: d.fills,
            updates: d.updates,
            temporal_reductions: d.temporalReductions,
            utilized_capacity: d.utilizedCapacity,
            energy_pJ: d.energyPJ,
            ...(d.sparse ? sparseJSON(d.sparse) : {}),
          },
        ]),
      ),
      ...(l.computeCounts ? { computes: { algorithmic: l.computeCounts.algorithmic, actual: l.computeCounts.actual, gated: l.computeCounts.gated, skipped: l.computeCounts.skipped } } : {}),
    })),
    ...(r.networks ? { networks: r.networks.map((n) => ({ name: n.name, parent: n.parent, energy_pJ: n.energyPJ, ...(n.mode !== undefined ? { mode: n.mode, cycles: n.cycles } : {}), dataspaces: Object.fromEntries(n.dataSpaces.map((d) => [d.name, { transfers: d.transfers, energy_pJ: d.energyPJ }])) })) } : {}),
    ...(r.partialTiles ? { partial_tiles: {
      mode: r.partialTiles.mode,
      exact_computes: r.partialTiles.exactComputes,
      ...(r.partialTiles.other ? { other: { mode: r.partialTiles.other.mode, computes: r.partialTiles.other.computes, cycles: r.partialTiles.other.cycles, energy_pJ: r.partialTiles.other.energyPJ } } : {}),
    } } : {}),
    warnings: r.warnings,
  };
}

function sparseJSON(d: SparseDataSpaceResult): Record<string, unknown> {
  const triple = (t: AccessTriple) => ({ reads: t.reads, fills: t.fills, updates: t.updates });
  const md = (m: SparseDataSpaceResult['metadata']['actual']) => ({ reads: m.reads, fills: m.fills, updates: m.updates });
  return {
    algorithmic: triple(d.algorithmic),
    gated: triple(d.gated),
    skipped: triple(d.skipped),
    format: d.format,
    metadata: { actual: md(d.metadata.actual), gated: md(d.metadata.gated), skipped: md(d.metadata.skipped) },
    metadata_capacity_bits: d.metadataCapacityBits,
    metadata_capacity: d.metadataCapacity,
    decompressions: d.decompressions,
    compressions: d.compressions,
    average_instances: d.averageInstances,
  };
}

/**
 * Every count is a non-negative safe integer, energies are finite and add up,
 * utilisation lies in [0, 1]. A failure is a bug in dnnergy, reported with
 * the level, tensor and field.
 */
export function checkResult(r: Result): void {
  // Per-instance counts of an imperfect nest are averages over unequal instances (imperfect.ts).
  const whole = r.partialTiles === undefined;
  const count = (v: number, where: string) => {
    if (!whole) { if (!Number.isFinite(v) || v < -1e-9) throw new InternalError(`result check failed: ${where} = ${v} is not a finite non-negative number`); return; }
    if (!Number.isSafeInteger(v) || v < 0) throw new InternalError(`result check failed: ${where} = ${v} is not a non-negative safe integer`);
  };
  const finite = (v: number, where: string) => {
    if (!Number.isFinite(v) || v < 0) throw new InternalError(`result check failed: ${where} = ${v} is not a finite non-negative number`);
  };
  if (!Number.isSafeInteger(r.computes) || r.computes < 0) throw new InternalError(`result check failed: computes = ${r.computes} is not a non-negative safe integer`);
  if (!Number.isSafeInteger(r.cycles) || r.cycles < 0) throw new InternalError(`result check failed: cycles = ${r.cycles} is not a non-negative safe integer`);
  finite(r.energyPJ, 'energy_pJ');
  if (!(r.utilization >= 0 && r.utilization <= 1 + 1e-12)) throw new InternalError(`result check failed: utilization = ${r.utilization} outside [0, 1]`);
  let sum = 0;
  for (const l of r.levels) {
    finite(l.energyPJ, `${l.name}.energy_pJ`);
    finite(l.leakagePJ, `${l.name}.leakage_pJ`);
    count(l.instances, `${l.name}.instances`);
    count(l.utilizedInstances, `${l.name}.utilized_instances`);
    if (l.utilizedInstances > l.instances) throw new InternalError(`result check failed: ${l.name} uses ${l.utilizedInstances} of ${l.instances} instances`);
    let dsSum = 0;
    for (const d of l.dataSpaces) {
      const at = `${l.name}.${d.name}`;
      count(d.reads, `${at}.reads`);
      count(d.fills, `${at}.fills`);
      count(d.updates, `${at}.updates`);
      count(d.temporalReductions, `${at}.temporal_reductions`);
      count(d.utilizedCapacity, `${at}.utilized_capacity`);
      finite(d.energyPJ, `${at}.energy_pJ`);
      dsSum += d.energyPJ;
    }
    if (l.dataSpaces.length > 0 && Math.abs(dsSum + l.leakagePJ - l.energyPJ) > 1e-9 * Math.max(1, l.energyPJ)) {
      throw new InternalError(`result check failed: ${l.name} data-space energies (${dsSum}) + leakage (${l.leakagePJ}) differ from the level's ${l.energyPJ}`);
    }
    sum += l.energyPJ;
  }
  for (const n of r.networks ?? []) {
    finite(n.energyPJ, `network ${n.name}.energy_pJ`);
    for (const d of n.dataSpaces) count(d.transfers, `network ${n.name}.${d.name}.transfers`);
    if (n.cycles !== undefined) count(n.cycles, `network ${n.name}.cycles`);
    sum += n.energyPJ;
  }
  if (Math.abs(sum - r.energyPJ) > 1e-9 * Math.max(1, r.energyPJ)) {
    throw new InternalError(`result check failed: level energies add up to ${sum}, total says ${r.energyPJ}`);
  }
}
