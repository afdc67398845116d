/**
 * `eyeriss-v2`'s compressed data and zero skipping (JETCAS 2019, Sec. IV),
 * as a sparse spec of the sparse engine (Sparseloop's rules), by role:
 * - CSC for weights and input activations: each tensor is kept as
 *   (offset, then coordinate + value) pairs — Sparseloop's `UOP` (the
 *   address/offset vector: one entry per column, uncompressed) over `CP`
 *   (the count/coordinate of every non-zero), 4-bit metadata words as the
 *   chip's counts — in the PE scratchpads (iact spad 16 × 12 b data+count,
 *   weight spad 96 × 24 b: two 8-bit weights with their counts) and off
 *   chip; the iact GLB is modelled uncompressed (a compressed GLB under
 *   compressed spads makes Sparseloop pre-tile the spads' ranks into the
 *   GLB's, which with these tiny spad tiles costs ten metadata units per
 *   word — not the chip's CSC), so the iacts are decoded into the GLB and
 *   re-coded into the spads (decompression/compression counts, priced 0);
 *   the mesh still carries them compressed (chip-eval.ts scales a network's
 *   words by what its child receives);
 * - zero skipping in the PE: the PE walks the non-zero iacts and, for
 *   each, only the non-zero weights of its column, so a zero on either side
 *   costs no read, no MAC and no cycle. Sparseloop rules: `skipping` at the
 *   weight scratchpad (target: weights, condition on: inputs), at the psum
 *   scratchpad (target: outputs, condition on: weights and inputs) and
 *   `skipOnNotAlignedOperands` at the compute units; with both operands
 *   compressed at their innermost keepers the engine removes the MACs with
 *   an absent operand, and compute cycles count only the rest.
 * Partial sums stay uncompressed (20 bits), as in the chip.
 */
import type { SparseSpec, TensorFormat } from '../sparse/spec.js';
import { roleIndex, type Workload } from '../workload/workload.js';
import type { BuiltinArch } from './build.js';
import { emptyLevel, roleDensities, when, type ChipSparsity } from './eyeriss-v1-sparse.js';

/** Bits of one CSC count/coordinate and address entry (the chip's 4-bit counts). */
export const EYERISS_V2_CSC_BITS = 4;

/**
 * CSC as Sparseloop writes it: uncompressed offset ranks (one per tiling
 * level the tensor crosses below, since a compressed parent pre-tiles its
 * child's ranks) over a coordinate rank, every rank flattening all dimensions.
 */
function csc(w: Workload, offsets: number): TensorFormat {
  const all = [w.dims.map((_, i) => i)];
  return { ranks: [...Array.from({ length: offsets - 1 }, () => ({ format: 'UOP' as const, flattened: all })), { format: 'UOP', flattened: [] }, { format: 'CP', flattened: all }], innerToOuter: false };
}

/** `eyeriss-v2`'s CSC and zero skipping (see the module comment). */
export function eyerissV2Sparsity(design: BuiltinArch): ChipSparsity {
  const storage = design.arch.storage;
  const lvl = (name: string) => storage.findIndex((l) => l.name === name);
  const PSUM = lvl('psum_spad'), WEIGHTS = lvl('weights_spad'), IACT = lvl('iact_spad'), GLB = lvl('glb'), DRAM = lvl('DRAM');
  const widths = new Map<number, number>([[WEIGHTS, 8], [IACT, 8], [GLB, 32], [DRAM, 64]]);
  // Metadata storage (bits): the iact spad's 16 counts and 9 addresses of 4 bits, the weight
  // spad's 192 counts of 4 bits and 16 addresses of 7 (Table II); the GLB a 4-bit count per word.
  const depthBits = new Map<number, number | null>([[IACT, 16 * 4 + 9 * 4], [WEIGHTS, 192 * 4 + 16 * 7], [GLB, (storage[GLB].sizeWords ?? 0) * EYERISS_V2_CSC_BITS], [DRAM, null]]);
  const components = new Map(design.energy.components);
  // A metadata word costs its bits' share of a data word's access (energy per bit); skipped actions cost nothing.
  for (const [l, width] of widths) {
    const c = components.get(storage[l].name)!;
    const k = width / storage[l].wordBits;
    components.set(storage[l].name, { ...c, metadata_read: c.read * k, metadata_write: c.write * k, metadata_update: c.update * k, gated_read: 0, gated_write: 0, gated_update: 0, decompression_count: 0, compression_count: 0 });
  }
  components.set(storage[PSUM].name, { ...components.get(storage[PSUM].name)!, gated_read: 0, gated_write: 0, gated_update: 0 });
  components.set(design.arch.compute.name, { ...components.get(design.arch.compute.name)!, mac_gated: 0, mac_skipped: 0 });
  return {
    energy: { ...design.energy, components },
    spec(w, d, mapping): SparseSpec {
      const S = w.dataSpaces.length;
      const I = roleIndex(w, 'input'), O = roleIndex(w, 'output'), W = roleIndex(w, 'weight');
      const levels = storage.map(() => emptyLevel(S));
      const depth = (l: number) => { const b = depthBits.get(l)!; return b === null ? null : Math.ceil(b / widths.get(l)!); };
      const compress = (l: number, tensors: readonly number[], offsets: number) => {
        const formats = [...levels[l].formats];
        for (const s of tensors) formats[s] = csc(w, offsets);
        levels[l] = { ...levels[l], formats, metadataWidth: widths.get(l)!, metadataWordBits: EYERISS_V2_CSC_BITS, metadataDepth: depth(l) };
      };
      compress(WEIGHTS, [W], 1);
      compress(IACT, [I], 1);
      compress(DRAM, [W], 2);
      compress(DRAM, [I], 1);
      levels[WEIGHTS] = { ...levels[WEIGHTS], skipping: [when(W, [I])] };
      levels[PSUM] = { ...levels[PSUM], skipping: [when(O, [W, I])] };
      return { densities: roleDensities(w, design.arch, mapping, d), levels, compute: { gateOnZeroOperand: false, skipOnNotAlignedOperands: true }, warnings: [] };
    },
  };
}
