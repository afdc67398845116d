/**
 * How the chips as built treat zeros, as sparse specs of the sparse engine
 * (src/sparse: Sparseloop's rules), by tensor role, never by name.
 *
 * `eyeriss-v1` (JSSC 2017, Sec. IV-D/E) is the project's one role-built
 * Eyeriss v1 rule, `designSparsity` (network/sparsity.ts: activations
 * run-length coded at the off-chip level, weight reads gated on zero
 * inputs at the innermost level keeping the weights, which reaches the
 * MACs), with what the chip as built does differently from that rule's
 * generic form:
 * - the chip packs three (5-bit run, 16-bit value) pairs into a 64-bit
 *   word: 15 metadata bits per off-chip access, not as many 5-bit runs as
 *   fit in a block;
 * - the chip codes activations only: a pruned layer's weights go off chip
 *   uncompressed;
 * - the chip checks ifmaps only: no compute-level `gateOnZeroOperand`
 *   (which would gate zero weights too).
 * Sparseloop lowers the compute cycles by the computes the gating removes;
 * the chip spends them (clock gating), which studies/chip-eval.ts restores.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { designSparsity } from '../network/sparsity.js';
import type { LevelSparsity, OptimizationGroup, SparseSpec, TensorFormat } from '../sparse/spec.js';
import { roleIndex, type Workload } from '../workload/workload.js';
import { NORMALISED as E, type BuiltinArch } from './build.js';

/** Densities of a layer's tensors by role (1 when absent). */
export interface TensorDensities {
  readonly weights?: number;
  readonly inputs?: number;
  readonly outputs?: number;
}

/** A chip's treatment of zeros: its energy table with the sparse actions priced, and its spec for a layer. */
export interface ChipSparsity {
  /** The design's table plus the energies of gated/skipped/metadata actions (dense actions unchanged). */
  readonly energy: EnergyTable;
  /** The sparse spec of one layer at the given densities under a mapping (which levels keep which tensor). */
  spec(w: Workload, d: TensorDensities, mapping: Mapping): SparseSpec;
}

/** One level's sparsity, empty. */
export function emptyLevel(S: number): LevelSparsity {
  return { formats: new Array<TensorFormat | null>(S).fill(null), gating: [], skipping: [], spatialSkipping: [], metadataWidth: 0, metadataWordBits: 0, metadataDepth: null };
}

/** The densities of a workload's tensors, by role: the role-built rule's (`designSparsity`), so both chips read densities alike. */
export function roleDensities(w: Workload, arch: Arch, mapping: Mapping, d: TensorDensities): SparseSpec['densities'] {
  return designSparsity(w, arch, mapping, d, { always: true })!.densities;
}

/** A group of one option: `target` gated or skipped when `on` is zero (role indices). */
export function when(target: number, on: readonly number[]): OptimizationGroup {
  return [{ target, conditionOn: on }];
}

/** The dimensions a tensor's coordinates depend on (its ranks' terms), one flattening group. */
export function tensorDims(w: Workload, s: number): number[][] {
  return [[...new Set(w.dataSpaces[s].ranks.flatMap((r) => r.map((t) => t.dim)))].sort((a, b) => a - b)];
}

/** Bits of one RLC run (JSSC'17: 5). */
export const EYERISS_V1_RUN_BITS = 5;
/** Metadata bits the chip's 64-bit word carries: three 5-bit runs (beside three 16-bit values and a flag bit). */
export const EYERISS_V1_RUN_WORD_BITS = 3 * EYERISS_V1_RUN_BITS;

/** `eyeriss-v1`'s RLC between layers and zero gating (see the module comment). */
export function eyerissV1Sparsity(design: BuiltinArch): ChipSparsity {
  const storage = design.arch.storage;
  const lvl = (name: string) => storage.findIndex((l) => l.name === name);
  const DRAM = storage.findIndex((l) => l.offChip || l.className === 'DRAM'), WEIGHTS = lvl('weights_spad');
  const components = new Map(design.energy.components);
  // A run is priced as its share of a DRAM word (energy per bit); gated reads and MACs cost nothing.
  const dram = components.get(storage[DRAM].name)!;
  const perRunWord = (E.dram * EYERISS_V1_RUN_WORD_BITS) / 16;
  components.set(storage[DRAM].name, { ...dram, metadata_read: perRunWord, metadata_write: perRunWord, metadata_update: perRunWord, decompression_count: 0, compression_count: 0 });
  components.set(storage[WEIGHTS].name, { ...components.get(storage[WEIGHTS].name)!, gated_read: 0, gated_write: 0, gated_update: 0 });
  components.set(design.arch.compute.name, { ...components.get(design.arch.compute.name)!, mac_gated: 0 });
  for (const l of storage) if (!l.offChip && components.has(l.name)) components.set(l.name, { decompression_count: 0, compression_count: 0, ...components.get(l.name)! });
  return {
    energy: { ...design.energy, components },
    spec(w, d, mapping) {
      const base = designSparsity(w, design.arch, mapping, d, { always: true })!;
      const W = roleIndex(w, 'weight');
      const levels = base.levels.map((l, i) => (i !== DRAM ? l : {
        ...l, metadataWidth: EYERISS_V1_RUN_WORD_BITS, metadataWordBits: EYERISS_V1_RUN_BITS,
        formats: l.formats.map((f, s) => (s === W ? null : f)),
      }));
      return { ...base, levels, compute: { ...base.compute, gateOnZeroOperand: false } };
    },
  };
}
