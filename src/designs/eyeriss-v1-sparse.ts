/**
 * How the chips as built treat zeros, as sparse specs of the sparse engine
 * (src/sparse: Sparseloop's rules), by tensor role, never by name.
 *
 * `eyeriss-v1` (JSSC 2017, Sec. IV-D/E):
 * - run-length coding of activations between layers: every ifmap read
 *   from and ofmap written to DRAM is coded as (5-bit run of zeros, 16-bit
 *   value) pairs, three pairs to a 64-bit word. Sparseloop rule: the DRAM
 *   level keeps the input and output tensors in one `RLE` rank flattening
 *   every dimension (5-bit metadata words, metadata storage 15 bits wide:
 *   the three runs of a 64-bit bus word), as Sparseloop's own Eyeriss-like
 *   compression example (04.2.3) codes its DRAM tensors; the buffer keeps
 *   them uncompressed (the chip decodes on the way in: decompression
 *   counts), so no outer offset ranks are needed;
 * - zero gating in the PE: a zero ifmap turns off the filter scratchpad
 *   read and the MAC (energy, not time). Sparseloop rule: `gating` at the
 *   weight scratchpad (target: the weight tensor, condition on: the input
 *   tensor), which reaches the MACs below it (Sparseloop removes their
 *   computes); no compute-level `gateOnZeroOperand`, which would gate zero
 *   weights too — v1 only checks ifmaps. Sparseloop lowers the compute
 *   cycles by those computes; the chip spends them (clock gating), which
 *   studies/chip-eval.ts restores: gating lowers no cycle count.
 */
import type { EnergyTable } from '../energy/table.js';
import type { LevelSparsity, OptimizationGroup, SparseSpec, TensorFormat } from '../sparse/spec.js';
import { roleIndex, type TensorRole, type Workload } from '../workload/workload.js';
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
  /** The sparse spec of one layer at the given densities. */
  spec(w: Workload, d: TensorDensities): SparseSpec;
}

/** One level's sparsity, empty. */
export function emptyLevel(S: number): LevelSparsity {
  return { formats: new Array<TensorFormat | null>(S).fill(null), gating: [], skipping: [], spatialSkipping: [], metadataWidth: 0, metadataWordBits: 0, metadataDepth: null };
}

/** The densities of a workload's tensors, by role. */
export function roleDensities(w: Workload, d: TensorDensities): SparseSpec['densities'] {
  const by: Record<TensorRole, number | undefined> = { weight: d.weights, input: d.inputs, output: d.outputs };
  return w.dataSpaces.map((ds) => ({ distribution: 'fixed_structured', density: by[ds.role] ?? 1 }));
}

/** A group of one option: `target` gated or skipped when `on` is zero (role indices). */
export function when(target: number, on: readonly number[]): OptimizationGroup {
  return [{ target, conditionOn: on }];
}

/** The dimensions a tensor's coordinates depend on (its ranks' terms), one flattening group. */
export function tensorDims(w: Workload, s: number): number[][] {
  return [[...new Set(w.dataSpaces[s].ranks.flatMap((r) => r.map((t) => t.dim)))].sort((a, b) => a - b)];
}

/** Run-length coding as Sparseloop writes it: UOP outer ranks over an RLE rank, the tensor's dimensions flattened. */
function rlc(w: Workload, s: number, outerRanks: number, runBits: number, valueBits: number): TensorFormat {
  const all = tensorDims(w, s);
  return {
    ranks: [
      ...Array.from({ length: outerRanks }, () => ({ format: 'UOP' as const, flattened: all })),
      { format: 'RLE', metadataWordBits: runBits, payloadWordBits: valueBits, flattened: all },
    ],
    innerToOuter: false,
  };
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
    spec(w, d) {
      const S = w.dataSpaces.length;
      const I = roleIndex(w, 'input'), O = roleIndex(w, 'output'), W = roleIndex(w, 'weight');
      const levels = storage.map(() => emptyLevel(S));
      const formats = new Array<TensorFormat | null>(S).fill(null);
      formats[I] = rlc(w, I, 0, EYERISS_V1_RUN_BITS, 16);
      formats[O] = rlc(w, O, 0, EYERISS_V1_RUN_BITS, 16);
      levels[DRAM] = { ...levels[DRAM], formats, metadataWidth: EYERISS_V1_RUN_WORD_BITS, metadataWordBits: EYERISS_V1_RUN_BITS };
      levels[WEIGHTS] = { ...levels[WEIGHTS], gating: [when(W, [I])] };
      return { densities: roleDensities(w, d), levels, compute: { gateOnZeroOperand: false, skipOnNotAlignedOperands: false }, warnings: [] };
    },
  };
}
