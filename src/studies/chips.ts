/**
 * Chips side by side: one network on several built-in chips (Eyeriss v1
 * as built, Eyeriss v2), layer by layer, with what limits each layer's
 * time. Densities plug in per layer and tensor (`LayerDensities`): today
 * they go through the sparse estimate of model/sparse.ts (energy; cycles
 * only where the chip skips zeros); the sparsity engine will replace it
 * behind the same seam.
 */
import type { NocMode } from '../arch/network.js';
import type { BuiltinArch } from '../designs/build.js';
import { planStorageEnergy } from '../model/cost.js';
import type { Result } from '../model/result.js';
import { rlcWordsPerWord, sparseEnergy, type Densities } from '../model/sparse.js';
import { analyzeNetwork } from '../network/analyze.js';
import type { Layer, Network } from '../network/network.js';
import type { Objective } from '../model/objective.js';
import type { Pool } from '../util/pool.js';

/**
 * Picojoules per normalised MAC-equivalent at 65 nm, calibrated on one
 * published figure: Eyeriss v1 at 278 mW and 34.7 frames/s on AlexNet's
 * CONV layers (batch 4) spends 8.01 mJ per frame on chip; `eyeriss-v1`'s
 * model spends 2.025e9 MAC-equivalents per frame on chip there (all but
 * DRAM) with the paper's ifmap zeros gated (`dnnergy chips --network
 * alexnet --conv-only --batch 4 --sparse
 * examples/alexnet-jssc17-densities.json`), so one MAC-equivalent is
 * 3.96 pJ. A fitted scale, not a measured energy per action: it
 * turns both chips' normalised energies into joules alike.
 */
export const PJ_PER_MAC_EQ = ((0.278 / 34.7) * 1e12) / 2.0249983385e9;

/** Densities of a layer's tensors, or undefined for dense. The seam the sparsity engine plugs into. */
export type LayerDensities = (layer: Layer) => Densities | undefined;

/** How a chip treats zeros (JSSC'17: v1 gates them — energy, not time; JETCAS'19: v2 skips them — both). */
export type ZeroHandling = 'gate' | 'skip';

/** A chip of the comparison: a built-in design and how it treats zeros. */
export interface Chip {
  readonly design: BuiltinArch;
  readonly zeros: ZeroHandling;
}

/** One layer on one chip. */
export interface ChipLayer {
  readonly name: string;
  readonly macs: number;
  readonly cycles: number;
  /** Normalised energy (MAC-equivalents of the design's table). */
  readonly energy: number;
  /** The part of `energy` spent on chip (all but the off-chip levels): what a chip's measured power covers. */
  readonly onChipEnergy: number;
  /** Fraction of the run the MACs are busy: effectual MACs (all of them when dense) / (cycles × MAC units). */
  readonly busy: number;
  /** On-chip power at the chip's clock, mW, at {@link PJ_PER_MAC_EQ}. */
  readonly powerMW: number;
  readonly utilization: number;
  readonly activePEs: number;
  /** The resource the layer waits on: `compute`, a level's name, or a network's (`… (stall)` when it stalls the PEs). */
  readonly limit: string;
  /** Words moved to and from off-chip memory and the global buffer, all instances. */
  readonly dramAccesses: number;
  readonly bufferAccesses: number;
  /** The mode each network with modes ran in. */
  readonly modes: Readonly<Record<string, NocMode>>;
  /** The densities used (absent: dense). */
  readonly densities?: Densities;
  /**
   * With densities: run-length-coded words per dense word of the layer's
   * input activations (model/sparse.ts: Eyeriss v1's RLC, 5-bit runs beside
   * 16-bit values), and the DRAM accesses once inputs, final outputs and
   * weights travel compressed (psum spills stay dense), as the sparse
   * estimate counts them.
   */
  readonly rlcRatio?: number;
  readonly dramAccessesCompressed?: number;
}

/** Off-chip words of a result once activations and weights are run-length coded (the sparse estimate's rules). */
export function compressedDramAccesses(r: Result, d: Densities): number {
  const rlc = (x: number | undefined, bits: number) => rlcWordsPerWord(x ?? 1, bits);
  let n = 0;
  for (const l of r.levels.slice(1)) {
    if (!l.offChip) continue;
    for (const t of l.dataSpaces) {
      const bits = 16;
      const words = t.role === 'weight' ? (t.reads + t.fills) * rlc(d.weights, bits)
        : t.role === 'input' ? t.reads * rlc(d.inputs, bits) + t.fills
          : Math.max(0, t.updates - t.reads) * rlc(d.outputs, bits) + Math.min(t.updates, t.reads) + t.reads + t.fills;
      n += words * l.utilizedInstances;
    }
  }
  return Math.round(n);
}

/** A network on one chip. */
export interface ChipRun {
  readonly chip: string;
  readonly clockHz: number;
  readonly layers: readonly ChipLayer[];
  readonly totals: {
    readonly macs: number; readonly cycles: number; readonly energy: number; readonly onChipEnergy: number;
    readonly inferencesPerSecond: number;
    /** On-chip inferences per joule at {@link PJ_PER_MAC_EQ}. */
    readonly inferencesPerJoule: number;
    /** The layers' busy fractions weighted by their cycles. */
    readonly busy: number;
  };
}

/** Options of {@link compareChips}. */
export interface ChipsOptions {
  readonly batch: number;
  readonly objective: Objective;
  readonly evaluations: number;
  readonly seed: number;
  readonly threads?: number;
  readonly pool?: Pool;
  readonly densities?: LayerDensities;
  readonly onLayer?: (chip: string, done: number, total: number) => void;
}

/** The resource a result waits on (see {@link ChipLayer.limit}). */
export function limitingResource(r: Result, stalling: ReadonlySet<string>): string {
  const compute = r.levels[0].cycles;
  let name = 'compute', most = compute, stall = 0;
  const stallers: string[] = [];
  for (const l of r.levels.slice(1)) if (l.cycles > most) { most = l.cycles; name = l.name; }
  for (const n of r.networks ?? []) {
    if (n.cycles === undefined) continue;
    if (stalling.has(n.name)) { if (n.cycles > compute) { stall += n.cycles - compute; stallers.push(n.name); } } else if (n.cycles > most) { most = n.cycles; name = n.name; }
  }
  return stall > most - compute ? `${stallers.join('+')} (stall)` : name;
}

function accesses(r: Result, pick: (offChip: boolean, isBuffer: boolean) => boolean, bufferName: (n: string) => boolean): number {
  let n = 0;
  for (const l of r.levels.slice(1)) if (pick(l.offChip, bufferName(l.name))) for (const d of l.dataSpaces) n += (d.reads + d.fills + d.updates) * l.utilizedInstances;
  return n;
}

/** The network on each chip, every layer with MACs mapped by the mapper under the chip's constraints and limits. */
export async function compareChips(net: Network, chips: readonly Chip[], o: ChipsOptions): Promise<ChipRun[]> {
  const runs: ChipRun[] = [];
  for (const chip of chips) {
    const d = chip.design;
    const report = await analyzeNetwork(net, d.arch, d.energy, {
      batch: o.batch, objective: o.objective, evaluations: o.evaluations, seed: o.seed, threads: o.threads, pool: o.pool,
      constraints: (w) => d.constraints(w), source: d.name, onLayer: o.onLayer ? (k, n) => o.onLayer!(d.name, k, n) : undefined,
    });
    const plan = planStorageEnergy(d.arch, d.energy);
    const stalling = new Set((d.arch.networks ?? []).filter((n) => n.stalls).map((n) => n.name));
    const buffers = new Set(d.arch.storage.filter((l) => !l.offChip && !l.isDummy && l.instances === 1).map((l) => l.name));
    // A PE's MACs share its innermost scratchpad (v2: two, SIMD); v1 has one per PE.
    const macsPerPE = Math.max(1, d.arch.compute.instances / d.arch.storage[0].instances);
    const layers: ChipLayer[] = [];
    for (const lr of report.layers) {
      const r = lr.result;
      if (!r) continue;
      const dens = o.densities?.(lr.layer) ?? (lr.layer.kind !== 'other' && lr.layer.weightDensity !== undefined && lr.layer.weightDensity < 1 ? { weights: lr.layer.weightDensity } : undefined);
      const sparse = dens ? sparseEnergy(r, d.arch, plan, dens) : undefined;
      // Skipping saves the time of the skipped MACs (ideal balance); gating only their energy.
      const cycles = sparse && chip.zeros === 'skip' ? Math.max(1, Math.ceil(r.cycles * dens!.weights * (dens!.inputs ?? 1))) : r.cycles;
      const levelEnergy = sparse ? sparse.levelEnergyPJ : r.levels.map((l) => l.energyPJ);
      const offChip = r.levels.reduce((t, l, i) => t + (l.offChip ? levelEnergy[i] : 0), 0);
      const energy = sparse?.energyPJ ?? r.energyPJ;
      layers.push({
        name: lr.layer.name, macs: lr.macs, cycles, energy, onChipEnergy: energy - offChip, powerMW: ((energy - offChip) * PJ_PER_MAC_EQ * 1e-9) / (cycles / d.clockHz), busy: (lr.macs * (dens ? dens.weights * (dens.inputs ?? 1) : 1)) / (cycles * d.arch.compute.instances), utilization: r.utilization,
        activePEs: Math.ceil(r.levels[0].utilizedInstances / macsPerPE), limit: limitingResource(r, stalling),
        dramAccesses: accesses(r, (off) => off, () => false), bufferAccesses: accesses(r, (_off, buf) => buf, (n) => buffers.has(n)),
        modes: Object.fromEntries((r.networks ?? []).flatMap((n) => (n.mode !== undefined && (d.arch.networks ?? []).find((x) => x.name === n.name)?.modes ? [[n.name, n.mode]] : []))),
        ...(dens ? { densities: dens, rlcRatio: rlcWordsPerWord(dens.inputs ?? 1), dramAccessesCompressed: compressedDramAccesses(r, dens) } : {}),
      });
    }
    const sum = (f: (l: ChipLayer) => number) => layers.reduce((t, l) => t + f(l), 0);
    const macs = sum((l) => l.macs), cycles = sum((l) => l.cycles), energy = sum((l) => l.energy), onChipEnergy = sum((l) => l.onChipEnergy);
    runs.push({
      chip: d.name, clockHz: d.clockHz, layers,
      totals: {
        macs, cycles, energy, onChipEnergy, inferencesPerSecond: (o.batch * d.clockHz) / cycles,
        inferencesPerJoule: o.batch / (onChipEnergy * PJ_PER_MAC_EQ * 1e-12), busy: sum((l) => l.busy * l.cycles) / cycles,
      },
    });
  }
  return runs;
}
