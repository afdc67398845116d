/** Pieces the built-in architectures are made of. */
import type { LevelConstraints } from '../mapping/constraints.js';
import type { TensorRole, Workload } from '../workload/workload.js';
import type { StorageLevel } from '../arch/arch.js';
import type { Design } from './design.js';

/** Where a level's energy goes in the Eyeriss papers' breakdown. */
export type EnergyCategory = 'ALU' | 'RF' | 'array' | 'buffer' | 'DRAM';

/**
 * A ready-made accelerator: a {@link Design} plus what the Eyeriss-style
 * energy breakdown of the dataflow study needs.
 */
export interface BuiltinArch extends Design {
  /**
   * Energy of one evaluation split as the Eyeriss papers split it. Per-PE
   * storage charges the array hop on its fills, so its fills move to `array`.
   */
  readonly categories: ReadonlyMap<string, EnergyCategory>;
  /** Energy per word moved over the PE array (normalised units). */
  readonly arrayHop: number;
  /** Energy of the arithmetic alone; the compute action may also carry array hops. */
  readonly macEnergy: number;
}

/** The normalised energies of ISCA 2016 (one MAC = 1), per 16-bit word. */
export const NORMALISED = { mac: 1, rf: 1, array: 2, buffer: 6, dram: 200 } as const;

export function storageLevel(name: string, o: Partial<StorageLevel> & { instances?: number; meshX?: number }): StorageLevel {
  const instances = o.instances ?? 1;
  const meshX = o.meshX ?? instances;
  return {
    name, className: o.className ?? 'SRAM', instances, meshX, meshY: instances / meshX,
    sizeWords: o.sizeWords ?? null, wordBits: o.wordBits ?? 16, blockSize: o.blockSize ?? 1, clusterSize: 1,
    readBandwidth: o.readBandwidth ?? null, writeBandwidth: o.writeBandwidth ?? null, sharedBandwidth: o.sharedBandwidth ?? null,
    multipleBuffering: 1, isDummy: o.isDummy ?? false, offChip: o.offChip ?? o.className === 'DRAM',
  };
}

export { freeLevel } from '../mapping/constraints.js';

/** Fix the named dimensions (those the workload has) to 1 in a factor map. */
export function fixToOne(w: Workload, m: Map<number, number>, names: readonly string[]): void {
  for (const n of names) {
    const d = w.dims.indexOf(n);
    if (d >= 0) m.set(d, 1);
  }
}

/** Every dimension of the workload except the named ones, fixed to 1. */
export function onlyAllow(w: Workload, m: Map<number, number>, allowed: readonly string[]): void {
  fixToOne(w, m, w.dims.filter((d) => !allowed.includes(d)));
}

/** A level keeps exactly the tensors of the given roles and bypasses the rest. */
export function keepOnly(w: Workload, c: LevelConstraints, roles: readonly TensorRole[]): void {
  w.dataSpaces.forEach((x, s) => (roles.includes(x.role) ? c.keep : c.bypass).add(s));
}

/**
 * A design with its off-chip levels' read and write ports limited to
 * `wordsPerCycle` each (null: unlimited), replacing any limit they had
 * (a shared one included): the DRAM bandwidth every design takes as a
 * parameter (bandwidth throttling, docs/model.md §7).
 */
export function withDramBandwidth<D extends Design>(d: D, wordsPerCycle: number | null): D {
  const storage = d.arch.storage.map((l) => (l.offChip ? { ...l, readBandwidth: wordsPerCycle, writeBandwidth: wordsPerCycle, sharedBandwidth: null } : l));
  return { ...d, arch: { ...d.arch, storage } };
}
