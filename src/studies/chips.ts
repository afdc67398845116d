/**
 * Chips side by side: one network on several built-in chips (Eyeriss v1
 * as built, Eyeriss v2), layer by layer, with what limits each layer's
 * time. With densities per layer and tensor (`LayerDensities`) each layer's
 * mapping is evaluated by the sparse engine under the chip's sparse spec
 * (designs/eyeriss-v1-sparse.ts: RLC between layers and zero gating;
 * designs/eyeriss-v2-sparse.ts: CSC and zero skipping), through
 * chip-eval.ts; the mapping is searched twice, ranked dense and ranked by
 * the sparse cost, and the better as the chip runs it is kept.
 */
import type { BuiltinArch } from '../designs/build.js';
import type { Fold } from '../designs/rs-fold.js';
import type { Constraints } from '../mapping/constraints.js';
import type { ChipSparsity, TensorDensities } from '../designs/eyeriss-v1-sparse.js';
import type { Mapping } from '../mapping/mapping.js';
import { mapLayer } from '../mapper/map.js';
import type { NocMode } from '../arch/network.js';
import type { Result } from '../model/result.js';
import type { NetworkSearchOptions } from '../network/analyze.js';
import { layerMacs, layerWorkload, shapeKey, type Layer, type Network } from '../network/network.js';
import { better } from '../model/objective.js';
import type { SparseSpec } from '../sparse/spec.js';
import { SpecError } from '../spec/errors.js';
import type { Workload } from '../workload/workload.js';
import { denseCost, evaluateChip, withEnoughRanks, type ZeroHandling } from './chip-eval.js';

export type { ZeroHandling } from './chip-eval.js';

/**
 * Picojoules per normalised MAC-equivalent at 65 nm, calibrated on one
 * published figure: Eyeriss v1 at 278 mW and 34.7 frames/s on AlexNet's
 * CONV layers (batch 4) spends 8.01 mJ per frame on chip; `eyeriss-v1`'s
 * sparse-engine run, placed by the chip compiler's fold, spends 3.0528e9
 * MAC-equivalents per frame on chip there (all but DRAM) with the paper's
 * ifmap zeros gated and RLC-coded (`dnnergy chips --network alexnet
 * --conv-only --batch 4 --sparse examples/alexnet-jssc17-densities.json`),
 * so one MAC-equivalent is 2.62 pJ. A fitted scale, not a measured energy
 * per action: it turns both chips' normalised energies into joules alike.
 */
export const PJ_PER_MAC_EQ = ((0.278 / 34.7) * 1e12) / 3.052803347e9;

/** Densities of a layer's tensors, or undefined for dense. The seam the sparsity engine plugs into. */
export type LayerDensities = (layer: Layer) => TensorDensities | undefined;

/** A chip of the comparison: a built-in design, how it treats zeros (JSSC'17: v1 gates them — energy, not time; JETCAS'19: v2 skips them — both) and its sparse spec. */
export interface Chip {
  readonly design: BuiltinArch;
  readonly zeros: ZeroHandling;
  readonly sparsity: ChipSparsity;
  /**
   * The chip compiler's placement rule (Eyeriss v1: designs/rs-fold.ts):
   * the fold of a layer and the constraints fixing its spatial loops, or
   * undefined where it does not apply. Absent (v2: the paper states no
   * rule) or with `placement: 'search'` the mapper searches the spatial loops.
   */
  readonly compiler?: (w: Workload) => { fold: Fold; constraints: Constraints } | undefined;
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
  readonly densities?: TensorDensities;
  /** Which search found the mapping kept (with densities: the better, as the chip runs it, of the dense-ranked and the sparse-ranked search's winners). */
  readonly rankedBy: 'dense' | 'sparse';
  /** The compiler's fold, when the chip's rule placed the layer (Q padded to the fold: `paddedQ`). */
  readonly fold?: { readonly width: number; readonly segments: number; readonly passes: number; readonly q: number; readonly paddedQ: number };
  /**
   * With densities, from the sparse engine's counts: off-chip words per
   * dense word of the layer's input activations as stored (data + metadata:
   * v1's RLC, v2's CSC), and all off-chip words moved, metadata included.
   */
  readonly rlcRatio?: number;
  readonly dramAccessesCompressed?: number;
}

/** Off-chip words of a result, metadata words included (at each level's word width), all instances. */
export function offChipWords(r: Result, arch: BuiltinArch['arch'], spec?: { levels: readonly { metadataWordBits: number }[] }, only?: 'input'): number {
  let n = 0;
  r.levels.slice(1).forEach((l, k) => {
    if (!l.offChip) return;
    for (const t of l.dataSpaces) {
      if (only && t.role !== only) continue;
      let md = 0;
      if (t.sparse && spec) for (const kind of ['actual', 'gated'] as const) for (const op of ['reads', 'fills', 'updates'] as const) for (const u of t.sparse.metadata[kind][op]) md += ((u[0] ?? 0) + (u[1] ?? 0)) * spec.levels[k].metadataWordBits;
      n += (t.reads + t.fills + t.updates + md / arch.storage[k].wordBits) * l.utilizedInstances;
    }
  });
  return n;
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
export interface ChipsOptions extends NetworkSearchOptions {
  readonly densities?: LayerDensities;
  /** With densities, also search ranked by the sparse cost and keep the better (default true); false: the dense-ranked mapping only. */
  readonly sparseRanked?: boolean;
  /** How a chip with a compiler rule places a layer: by the rule (default) or by the mapper's search of the spatial loops. */
  readonly placement?: 'compiler' | 'search';
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

/** A layer's mapping on a chip: the chip's evaluation of it, the dense model's, and which search found it. */
export interface ChipMapping {
  readonly mapping: Mapping;
  /** The chip's sparse spec for this mapping (absent: dense). */
  readonly spec?: SparseSpec;
  readonly chip: Result;
  /** The same mapping's dense result (data without zeros: the RLC ratio's denominator). */
  readonly dense: Result;
  readonly rankedBy: 'dense' | 'sparse';
  /** The compiler's fold the mapping was found under (the mapping is of `fold.workload`). */
  readonly fold?: Fold;
}

/**
 * Map a layer onto a chip. Dense, the mapper's mapping. With a sparse spec,
 * two searches of the same budget and seed: one ranking candidates by the
 * dense model (which sees the networks' limits), one by the sparse cost
 * (the mapper's `sparse` option: SparseRanker, compressed tiles checked
 * against the capacities, but no network limits and gating's removed
 * cycles); each winner is evaluated as the chip runs it (evaluateChip) and
 * the better under the objective is kept.
 */
export async function chipMapping(layerW: Workload, chip: Chip, dens: TensorDensities | undefined, o: Pick<ChipsOptions, 'objective' | 'seed' | 'threads' | 'evaluations' | 'pool' | 'sparseRanked' | 'placement'>): Promise<ChipMapping> {
  const d = chip.design;
  const placed = o.placement === 'search' ? undefined : chip.compiler?.(layerW);
  const w = placed?.fold.workload ?? layerW;
  const constraints = placed?.constraints ?? d.constraints(w);
  const fold = placed ? { fold: placed.fold } : {};
  const base = { objective: o.objective, seed: o.seed, threads: o.threads, evaluations: o.evaluations, pool: o.pool, source: d.name };
  const m = await mapLayer(w, d.arch, d.energy, constraints, base);
  if (!dens) return { mapping: m.mapping, chip: m.result, dense: m.result, rankedBy: 'dense', ...fold };
  const spec = chip.sparsity.spec(w, dens, m.mapping);
  const denseFound: ChipMapping = { mapping: m.mapping, spec, chip: evaluateChip(w, d.arch, m.mapping, chip.sparsity.energy, spec, chip.zeros), dense: m.result, rankedBy: 'dense', ...fold };
  if (o.sparseRanked === false) return denseFound;
  // The engine refuses a format with fewer ranks than a candidate's loops need: rank by the spec
  // the dense winner needed, with outer ranks to spare (an empty outer rank holds nothing).
  const [ranked] = withEnoughRanks(w, d.arch, m.mapping, chip.sparsity.energy, spec);
  let s;
  try {
    s = await mapLayer(w, d.arch, chip.sparsity.energy, constraints, { ...base, sparse: ranked });
  } catch (e) {
    if (e instanceof SpecError) return denseFound;
    throw e;
  }
  const spec2 = chip.sparsity.spec(w, dens, s.mapping);
  const sparseFound: ChipMapping = { mapping: s.mapping, spec: spec2, chip: evaluateChip(w, d.arch, s.mapping, chip.sparsity.energy, spec2, chip.zeros), dense: denseCost(w, d.arch, s.mapping, d.energy), rankedBy: 'sparse', ...fold };
  const sc = (x: ChipMapping) => [x.chip.energyPJ, x.chip.cycles] as const;
  return better(o.objective, ...sc(sparseFound), ...sc(denseFound)) ? sparseFound : denseFound;
}

/** The network on each chip, every layer with MACs mapped by the mapper under the chip's constraints and limits (each distinct shape once). */
export async function compareChips(net: Network, chips: readonly Chip[], o: ChipsOptions): Promise<ChipRun[]> {
  const runs: ChipRun[] = [];
  for (const chip of chips) {
    const d = chip.design;
    const stalling = new Set((d.arch.networks ?? []).filter((n) => n.stalls).map((n) => n.name));
    const buffers = new Set(d.arch.storage.filter((l) => !l.offChip && !l.isDummy && l.instances === 1).map((l) => l.name));
    // A PE's MACs share its innermost scratchpad (v2: two, SIMD); v1 has one per PE.
    const macsPerPE = Math.max(1, d.arch.compute.instances / d.arch.storage[0].instances);
    const mapped = new Map<string, ChipMapping>();
    const layers: ChipLayer[] = [];
    for (const [k, layer] of net.layers.entries()) {
      if (layer.kind === 'other') { o.onLayer?.(d.name, k + 1, net.layers.length); continue; }
      const w = layerWorkload(layer, o.batch);
      const dens = o.densities?.(layer) ?? (layer.weightDensity !== undefined && layer.weightDensity < 1 ? { weights: layer.weightDensity } : undefined);
      const key = `${shapeKey(layer)} ${dens ? JSON.stringify(dens) : ''}`;
      let m = mapped.get(key);
      if (!m) {
        m = await chipMapping(w, chip, dens, o);
        mapped.set(key, m);
      }
      const r = m.chip;
      const macs = layerMacs(layer) * o.batch;
      // A folded layer ran padded (rs-fold.ts): its cycles are the chip's, its work is scaled back to the real MACs.
      const f = m.fold, work = f?.workScale ?? 1;
      const effectual = (r.levels[0].computeCounts?.actual ?? macs / work) * work;
      const offChip = r.levels.reduce((t, l) => t + (l.offChip ? l.energyPJ : 0), 0) * work;
      const energy = r.energyPJ * work, cycles = r.cycles;
      const inputsDense = dens ? offChipWords(m.dense, d.arch, undefined, 'input') : 0;
      layers.push({
        name: layer.name, macs, cycles, energy, onChipEnergy: energy - offChip, powerMW: ((energy - offChip) * PJ_PER_MAC_EQ * 1e-9) / (cycles / d.clockHz),
        busy: effectual / (cycles * d.arch.compute.instances), utilization: r.utilization,
        activePEs: Math.ceil((r.levels[0].utilizedInstances * (f?.spatialShare ?? 1)) / macsPerPE), limit: limitingResource(r, stalling),
        dramAccesses: accesses(m.dense, (off) => off, () => false) * work, bufferAccesses: accesses(r, (_off, buf) => buf, (n) => buffers.has(n)) * work,
        rankedBy: m.rankedBy,
        ...(f ? { fold: { width: f.width, segments: f.segments, passes: f.passes, q: f.q, paddedQ: f.paddedQ } } : {}),
        modes: Object.fromEntries((r.networks ?? []).flatMap((n) => (n.mode !== undefined && (d.arch.networks ?? []).find((x) => x.name === n.name)?.modes ? [[n.name, n.mode]] : []))),
        ...(dens && m.spec ? { densities: dens, rlcRatio: inputsDense > 0 ? offChipWords(r, d.arch, m.spec, 'input') / inputsDense : 1, dramAccessesCompressed: Math.round(offChipWords(r, d.arch, m.spec) * work) } : {}),
      });
      o.onLayer?.(d.name, k + 1, net.layers.length);
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
