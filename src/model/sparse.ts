/**
 * Energy and cycles of a layer whose weights (and optionally input
 * activations) are sparse, from the dense result of the same mapping — the
 * estimate energy-aware pruning (Yang, Chen, Sze, CVPR 2017) uses:
 *
 * - MACs with a zero operand are skipped: compute × dW·dI, and the per-MAC
 *   accesses of the PE — reads at the innermost level that keeps each
 *   tensor, and psum updates there — × dW·dI;
 * - weights move compressed: their fills and reads at every other level
 *   scale with the compressed size. Inside the PE array that is dW (only
 *   non-zero weights are sent); in the shared levels (global buffer, DRAM)
 *   it is run-length coding as on the Eyeriss chip: a 5-bit zero run beside
 *   each 16-bit value, runs of at most 31 zeros, never more than dense;
 * - activations move compressed off-chip only, as on the Eyeriss chip:
 *   input reads from off-chip levels (DRAM: `StorageLevel.offChip`) and the
 *   final output writes to them are RLC-coded at the measured input / output density; psum
 *   spills and all on-chip activation traffic stay dense;
 * - cycles shrink with the skipped zero-weight MACs (ideal load balance);
 *   zero inputs are gated (energy saved, not time).
 *
 * Rules and limits are written down in docs/model.md ("Sparsity").
 */
import type { Arch } from '../arch/arch.js';
import type { StoragePlan } from './cost.js';
import type { Result } from './result.js';

/** Densities of a layer's tensors (fractions of non-zero values). */
export interface Densities {
  /** Fraction of non-zero weights, 0..1. */
  readonly weights: number;
  /** Fraction of non-zero input activations, 0..1 (default 1). */
  readonly inputs?: number;
  /** Fraction of non-zero outputs as written back (after the activation function), 0..1 (default 1). */
  readonly outputs?: number;
}

/** Energy and cycles of a layer under sparsity (see the module comment for the rules). */
export interface SparseResult {
  readonly energyPJ: number;
  readonly cycles: number;
  /** Energy per level (compute first), same order as the dense result's levels. */
  readonly levelEnergyPJ: readonly number[];
  /** MACs actually performed. */
  readonly effectualMacs: number;
}

const RLC_RUN_BITS = 5;
const RLC_MAX_RUN = (1 << RLC_RUN_BITS) - 1;

/** Words of RLC-coded data per dense word at density d (16-bit values), capped at 1 (sent dense). */
export function rlcWordsPerWord(d: number, wordBits = 16): number {
  if (d >= 1) return 1;
  // Each entry is (run, value); a run longer than 31 zeros takes an extra entry holding a zero.
  const entries = d + (1 - d) / (RLC_MAX_RUN + 1);
  return Math.min(1, (entries * (wordBits + RLC_RUN_BITS)) / wordBits);
}

/**
 * The sparse estimate of one layer from its dense result under the same
 * mapping: the dense counts scaled by the rules in the module comment.
 */
export function sparseEnergy(dense: Result, arch: Arch, plan: StoragePlan, dens: Densities): SparseResult {
  const dW = clamp(dens.weights), dI = clamp(dens.inputs ?? 1), dO = clamp(dens.outputs ?? 1);
  const eff = dW * dI;
  const peInstances = arch.compute.instances;
  const levelEnergy: number[] = [dense.levels[0].energyPJ * eff];
  // The innermost storage level keeping each tensor serves the MACs directly.
  const innermost = new Map<string, number>();
  dense.levels.slice(1).forEach((lv, l) => lv.dataSpaces.forEach((d) => { if (!innermost.has(d.name)) innermost.set(d.name, l); }));
  arch.storage.forEach((lv, l) => {
    const res = dense.levels[l + 1];
    let e = res.leakagePJ;
    const shared = lv.instances < peInstances;
    const offChip = lv.offChip;
    for (const d of res.dataSpaces) {
      const perMac = innermost.get(d.name) === l;
      const moved = d.role === 'weight' ? (shared ? rlcWordsPerWord(dW, lv.wordBits) : dW)
        : d.role === 'input' && offChip ? rlcWordsPerWord(dI, lv.wordBits) : 1;
      const reads = d.reads * (perMac ? eff : moved);
      const fills = d.fills * moved;
      // Each output is written once finally and once per spill; only the spills are read back.
      const updates = perMac ? d.updates * eff
        : d.role === 'output' && offChip ? Math.max(0, d.updates - d.reads) * rlcWordsPerWord(dO, lv.wordBits) + Math.min(d.updates, d.reads)
          : d.updates;
      const b = lv.blockSize;
      const perInstance = plan.combinedBlocks
        ? Math.ceil((reads + fills + updates) / b) * plan.read[l]
        : Math.ceil(reads / b) * plan.read[l] + Math.ceil(fills / b) * plan.write[l] + Math.ceil(updates / b) * plan.update[l];
      e += perInstance * Math.min(res.utilizedInstances, lv.instances / lv.clusterSize);
    }
    levelEnergy.push(e);
  });
  return {
    // Network-on-chip traffic is kept dense (an upper bound): the estimate rescales level accesses only.
    energyPJ: levelEnergy.reduce((a, b) => a + b, 0) + (dense.networks ?? []).reduce((a, n) => a + n.energyPJ, 0),
    cycles: Math.ceil(dense.cycles * dW),
    levelEnergyPJ: levelEnergy,
    effectualMacs: Math.round(dense.computes * eff),
  };
}

function clamp(d: number): number {
  if (!Number.isFinite(d) || d < 0 || d > 1) throw new RangeError(`density must lie in [0, 1], got ${d}`);
  return d;
}
