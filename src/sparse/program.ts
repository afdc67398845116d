/**
 * What the sparse pass needs that depends on the workload, the architecture
 * and the sparse spec but not on the mapping, resolved once per spec: the
 * tensors' densities, each level's ranks with their word bits, which
 * tensors each dimension moves, the gating and skipping options in the
 * order Timeloop applies them. The search's inner loop then reads flat
 * arrays and never walks the spec.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { Workload } from '../workload/workload.js';
import { formatCompressed, levelRanks, type Rank } from './representation.js';
import { hasOptimizations, hasSpatialSkipping, sizeOnly, type ConditionedOn, type DensitySpec, type SparseSpec } from './spec.js';

/** One optimization group as the pass applies it: gate or skip, at a level, among options. */
export interface ProgramGroup {
  readonly skip: boolean;
  readonly level: number;
  readonly options: readonly ConditionedOn[];
}

/** The mapping-independent part of a sparse evaluation. */
export interface SparseProgram {
  readonly w: Workload;
  readonly arch: Arch;
  readonly spec: SparseSpec;
  readonly L: number;
  readonly S: number;
  readonly D: number;
  /** Most ranks of any format (at least 1: a tile without metadata counts as one rank). */
  readonly maxRanks: number;
  /** Whether anything sparse applies (Timeloop's `!no_optimization_applied`), and whether any level has a format. */
  readonly active: boolean;
  readonly anyFormat: boolean;
  readonly spatialSkipping: boolean;
  /** Per tensor: its density model, which the pass asks through the dispatch of tiles.ts (fixed-structured answered first there). */
  readonly densitySpec: readonly DensitySpec[];
  /** Whether some tensor's model reads a tile's extents (banded, actual data): the pass then binds them per nest. */
  readonly needsExtents: boolean;
  /** `[l * S + s]`: the format's ranks, innermost first; whether one compresses. */
  readonly ranks: readonly (readonly Rank[])[];
  readonly formatCompressed: Uint8Array;
  /** `[l * S + s]`: how many ranks the format has. */
  readonly formatRanks: Int32Array;
  /** `[l * S + s]`: the format applies its ranks inner to outer (`rank_application_order: inner_to_outer`). */
  readonly innerToOuter: Uint8Array;
  /** Per tensor: its density is fixed-structured (the pass answers those inline, without the dispatch). */
  readonly fixedDensity: Uint8Array;
  /** Per tensor: its density model answers by a tile's size alone (fixed-structured, hypergeometric): its tiles' occupancies can be memoised by shape. */
  readonly sizeOnlyDensity: Uint8Array;
  readonly readWrite: Uint8Array;
  /** `[s * D + d]`: whether tensor s's coordinates depend on dimension d. */
  readonly relevant: Uint8Array;
  /** The tensors' projections, flat: tensor s's ranks are `rankStart[s]`…`rankStart[s + 1] - 1`, rank r's terms `termStart[r]`…. */
  readonly rankStart: Int32Array;
  readonly termStart: Int32Array;
  readonly termDim: Int32Array;
  readonly termCoef: Float64Array;
  /** Whether level l fans out (Timeloop then has a spatial tiling level there). */
  readonly spatialLevel: Uint8Array;
  /** Block size (words) of each level. */
  readonly block: Float64Array;
  /** Metadata words per data word at each level (Timeloop's truncated ratio). */
  readonly metadataRatio: Float64Array;
  /** Metadata width (bits) of each level's spec (0: no metadata storage). */
  readonly metadataWidth: Float64Array;
  /** Gating groups level by level, then skipping groups level by level. */
  readonly groups: readonly ProgramGroup[];
}

const PROGRAMS = new WeakMap<SparseSpec, SparseProgram>();

/** The program of (workload, arch, spec), made on first use and kept with the spec. */
export function programOf(w: Workload, arch: Arch, spec: SparseSpec): SparseProgram {
  const p = PROGRAMS.get(spec);
  if (p && p.w === w && p.arch === arch) return p;
  const made = makeProgram(w, arch, spec);
  PROGRAMS.set(spec, made);
  return made;
}

function makeProgram(w: Workload, arch: Arch, spec: SparseSpec): SparseProgram {
  const L = arch.storage.length, S = w.dataSpaces.length, D = w.dims.length;
  const ranks: Rank[][] = [];
  const formatCompressedA = new Uint8Array(L * S);
  let maxRanks = 1;
  for (let l = 0; l < L; l++) for (let s = 0; s < S; s++) {
    const r = levelRanks(spec.levels[l], s);
    ranks.push(r);
    formatCompressedA[l * S + s] = r.length > 0 && formatCompressed(r) ? 1 : 0;
    if (r.length > maxRanks) maxRanks = r.length;
  }
  const relevant = new Uint8Array(S * D);
  w.dataSpaces.forEach((ds, s) => { for (const r of ds.ranks) for (const t of r) if (t.coef !== 0) relevant[s * D + t.dim] = 1; });
  const rankStart = new Int32Array(S + 1), termStart: number[] = [0], termDim: number[] = [], termCoef: number[] = [];
  w.dataSpaces.forEach((ds, s) => {
    for (const r of ds.ranks) { for (const t of r) { termDim.push(t.dim); termCoef.push(t.coef); } termStart.push(termDim.length); }
    rankStart[s + 1] = termStart.length - 1;
  });
  const groups: ProgramGroup[] = [];
  for (const skip of [false, true]) for (let l = 0; l < L; l++) {
    for (const g of skip ? spec.levels[l].skipping : spec.levels[l].gating) groups.push({ skip, level: l, options: g });
  }
  return {
    w, arch, spec, L, S, D, maxRanks,
    active: hasOptimizations(spec),
    anyFormat: spec.levels.some((lv) => lv.formats.some((f) => f !== null)),
    spatialSkipping: hasSpatialSkipping(spec),
    densitySpec: spec.densities,
    needsExtents: spec.densities.some((d) => !sizeOnly(d)),
    ranks,
    formatCompressed: formatCompressedA,
    formatRanks: Int32Array.from(ranks, (r) => r.length),
    innerToOuter: Uint8Array.from(ranks, (_, i) => (spec.levels[Math.floor(i / S)].formats[i % S]?.innerToOuter ? 1 : 0)),
    fixedDensity: Uint8Array.from(spec.densities, (d) => (d.distribution === 'fixed_structured' ? 1 : 0)),
    sizeOnlyDensity: Uint8Array.from(spec.densities, (d) => (sizeOnly(d) ? 1 : 0)),
    readWrite: Uint8Array.from(w.dataSpaces, (d) => (d.readWrite ? 1 : 0)),
    relevant,
    rankStart, termStart: Int32Array.from(termStart), termDim: Int32Array.from(termDim), termCoef: Float64Array.from(termCoef),
    spatialLevel: Uint8Array.from(arch.storage, (_, l) => { const f = fanout(arch, l); return f.x * f.y > 1 ? 1 : 0; }),
    block: Float64Array.from(arch.storage, (lv) => lv.blockSize),
    metadataRatio: Float64Array.from(arch.storage, (lv, l) => Math.trunc(spec.levels[l].metadataWordBits / lv.wordBits)),
    metadataWidth: Float64Array.from(spec.levels, (lv) => lv.metadataWidth),
    groups,
  };
}

/** Size of tensor s's tile over the operation box of extents `ext[at…at + D)` (`tileOf` of tiles.ts on the flat projection). */
export function tileSize(pg: SparseProgram, s: number, ext: ArrayLike<number>, at: number): number {
  const { termStart, termDim, termCoef } = pg;
  let size = 1;
  for (let r = pg.rankStart[s], end = pg.rankStart[s + 1]; r < end; r++) {
    let span = 1;
    for (let t = termStart[r], te = termStart[r + 1]; t < te; t++) span += termCoef[t] * (ext[at + termDim[t]] - 1);
    size *= span;
  }
  return size;
}
