/**
 * An accelerator as Timeloop sees it: storage levels from the one next to the
 * arithmetic units outwards, each replicated over a mesh, and the arithmetic
 * units themselves.
 */
import type { NocLink } from './network.js';

/** One level of the memory hierarchy (a buffer, a register file, DRAM...). */
export interface StorageLevel {
  readonly name: string;
  /** Component class as written in the spec (`SRAM`, `DRAM`, `smartbuffer_RF`, ...). */
  readonly className: string;
  /** Number of instances of this level in the whole design. */
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
  /** Capacity in words; `null` means unbounded (DRAM). */
  readonly sizeWords: number | null;
  /** Bits per word (Timeloop's `datawidth` / `word_bits`). */
  readonly wordBits: number;
  /** Words per access of one instance (`width / datawidth / clusterSize`). */
  readonly blockSize: number;
  /**
   * Instances that share one wide access (Timeloop's cluster_size): the
   * energy of an access is spread over the utilised instances of a cluster.
   */
  readonly clusterSize: number;
  /** Words per cycle per instance; `null` means unlimited. */
  readonly readBandwidth: number | null;
  readonly writeBandwidth: number | null;
  readonly sharedBandwidth: number | null;
  /** Buffering factor: the usable capacity is `sizeWords / multipleBuffering`. */
  readonly multipleBuffering: number;
  /** A placeholder level that only carries a spatial fanout (Timeloop's dummy_storage). */
  readonly isDummy: boolean;
  /**
   * Off-chip memory (DRAM): where compressed activations travel as on the
   * Eyeriss chip, and what reports count as "DRAM accesses". Set by every
   * reader and builder (docs/model.md, "Off-chip levels"); rules speak of it,
   * never of a level's name, class or position.
   */
  readonly offChip: boolean;
}

/** The arithmetic units at the bottom of the hierarchy. */
export interface ComputeLevel {
  readonly name: string;
  readonly className: string;
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
}

/** A whole accelerator. `storage[0]` is the level next to the compute units. */
export interface Arch {
  readonly name: string;
  readonly compute: ComputeLevel;
  readonly storage: readonly StorageLevel[];
  /** Networks-on-chip that carry a level's traffic (absent: none beyond Timeloop's implicit ones). */
  readonly networks?: readonly NocLink[];
  /** What the reader took in but the model does not model: each becomes a warning in every result. */
  readonly notModelled?: readonly string[];
}

/** Indices of the off-chip storage levels, innermost first (usually one: DRAM, the outermost). */
export function offChipLevels(arch: Arch): number[] {
  const out: number[] = [];
  arch.storage.forEach((lv, l) => { if (lv.offChip) out.push(l); });
  return out;
}

/**
 * Whether a component class names off-chip memory: Timeloop's and
 * Accelergy's DRAM classes (`DRAM`, `DRAM_lpddr4`, ...), case-insensitive.
 */
export function isOffChipClass(className: string): boolean {
  return /dram/i.test(className);
}

/** Fanout from storage level `i` to its children (level i-1, or compute for i=0). */
export function fanout(arch: Arch, i: number): { x: number; y: number; total: number } {
  const child = i === 0 ? arch.compute : arch.storage[i - 1];
  const parent = arch.storage[i];
  const total = Math.max(1, Math.floor(child.instances / parent.instances));
  // Meshes that disagree with the instance counts (a child whose mesh was never given)
  // must not let an axis fan out wider than the instances allow.
  const x = Math.min(total, Math.max(1, Math.floor(child.meshX / parent.meshX)));
  const y = Math.min(Math.floor(total / x), Math.max(1, Math.floor(child.meshY / parent.meshY)));
  return { x, y, total };
}
