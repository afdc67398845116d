/**
 * The sparse pass: from the dense counts of one evaluation to actual,
 * gated and skipped counts, metadata accesses and compressed capacities
 * per level and tensor, and actual/gated/skipped computes — Sparseloop's
 * analysis (Timeloop's `PerformSparseProcessing`) in the same order:
 * formats → expected occupancy → metadata accesses → storage
 * optimizations → combination → compute. The rules and where they differ
 * from a plain reading are in docs/model.md ("Sparsity").
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { CountBuffers } from '../model/counts.js';
import type { Workload } from '../workload/workload.js';
import { applyGroup, readImpact, type Masks, type ReadImpact } from './actions.js';
import { computeCounts, decompression, initialFine, propagate, type ComputeCounts, type Fine } from './combine.js';
import { defineFormats, expectedOccupancy, formatCompressed, levelRanks, metadataAccesses, metadataGivenTile, type TileState } from './representation.js';
import { hasOptimizations, type SparseSpec } from './spec.js';
import { completeNest, fixedMaxOccupancy } from './tiles.js';

/** Sparse counts of one tensor at one level (per instance). */
export interface SparseTile {
  readonly state: TileState;
  readonly fine: Fine;
  /** Words the compressed tile takes at confidence 1, and its metadata (bits; per rank [metadata, payload] units). */
  readonly capacity: number;
  readonly metadataBits: number;
  readonly metadataCapacity: readonly (readonly [number, number])[];
}

/** The pass's output. */
export interface SparseCounts {
  /** `[l][s]`, storage levels innermost first. */
  readonly tiles: readonly (readonly SparseTile[])[];
  readonly compute: ComputeCounts;
  /** Words (data) and bits (metadata) per level the kept tiles need; a failed check names the level. */
  readonly capacityErrors: readonly string[];
  readonly warnings: readonly string[];
}

/** Energy of a random read per level, and block size: what Timeloop uses to choose among options. */
export interface ChoicePrices {
  readonly read: ArrayLike<number>;
  /** 'v3': Sparseloop's v0.3 artifact, which kept every instance utilised when tiles can be empty. */
  readonly convention?: 'v4' | 'v3';
}

const NO_RANKS: TileState['ranks'] = [];

// What depends on the architecture or the spec alone is found once per object.
const SPATIAL = new WeakMap<Arch, boolean[]>();
function spatialLevelsOf(arch: Arch): boolean[] {
  let r = SPATIAL.get(arch);
  if (!r) { r = arch.storage.map((_, l) => { const f = fanout(arch, l); return f.x * f.y > 1; }); SPATIAL.set(arch, r); }
  return r;
}
const FLAGS = new WeakMap<SparseSpec, { active: boolean; anyFormat: boolean }>();
function specFlags(spec: SparseSpec): { active: boolean; anyFormat: boolean } {
  let r = FLAGS.get(spec);
  if (!r) { r = { active: hasOptimizations(spec), anyFormat: spec.levels.some((lv) => lv.formats.some((f) => f !== null)) }; FLAGS.set(spec, r); }
  return r;
}

// Ranks with their word bits depend on the spec alone: resolved once per spec.
const RANKS = new WeakMap<SparseSpec, TileState['ranks'][][]>();
function ranksOf(spec: SparseSpec, S: number): TileState['ranks'][][] {
  let r = RANKS.get(spec);
  if (!r) { r = spec.levels.map((lv) => Array.from({ length: S }, (_, s) => levelRanks(lv, s))); RANKS.set(spec, r); }
  return r;
}

/**
 * Run the pass on one evaluation's dense counts. Densities 1 and no
 * optimization leave every count as the dense one.
 */
export function sparseCounts(w: Workload, arch: Arch, mapping: Mapping, counts: CountBuffers, spec: SparseSpec, prices: ChoicePrices): SparseCounts {
  const S = w.dataSpaces.length;
  const L = arch.storage.length;
  const warnings: string[] = [];
  const nest = completeNest(w, mapping, spatialLevelsOf(arch));
  const { active, anyFormat } = specFlags(spec);
  const tiles: TileState[][] = [];
  const allRanks = ranksOf(spec, S);
  for (let l = 0; l < L; l++) {
    const row: TileState[] = [];
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      const kept = counts.kept[i] === 1;
      let child = -1, parent = -1;
      for (let c = l - 1; c >= 0; c--) if (counts.kept[c * S + s]) { child = c; break; }
      for (let p = l + 1; p < L; p++) if (counts.kept[p * S + s]) { parent = p; break; }
      const ranks = kept ? allRanks[l][s] : NO_RANKS;
      row.push({
        level: l, ds: s, shape: kept ? counts.utilizedCapacity[i] : 0, child: kept ? child : -1, parent: kept ? parent : -1,
        hasMetadata: ranks.length > 0, compressed: ranks.length > 0 && formatCompressed(ranks), ranks,
        subnest: [], pointSets: [], fiberShape: [], expectedOccupancy: kept ? counts.utilizedCapacity[i] : 0, expectedDensity: 1, expectedMetadata: [],
        avgReplication: counts.utilizedInstances[l], formatReads: [], formatFills: [], formatUpdates: [],
      });
    }
    tiles.push(row);
  }
  // Parent/child links run between keepers only; a bypassing level's entries stay unlinked.
  const readWrite = w.dataSpaces.map((d) => d.readWrite);
  const fine: Fine[][] = [];
  if (active) {
    if (anyFormat) defineFormats(w, nest, tiles);
    expectedOccupancy(spec, tiles, prices.convention !== 'v3');
    metadataAccesses(tiles, counts.reads, counts.fills, counts.updates, S);
  }
  for (let l = 0; l < L; l++) {
    fine.push([]);
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      fine[l].push(initialFine(tiles[l][s], counts.reads[i], counts.fills[i], counts.updates[i], counts.temporalReductions[i], readWrite[s]));
    }
  }
  const computes = counts.utilizedCompute * counts.temporalIterations;
  let compute: ComputeCounts = { actual: computes, gated: 0, skipped: 0 };
  if (active) {
    const masks: Masks = { gate: new Uint8Array(L * S), skip: new Uint8Array(L * S), prob: new Float64Array(L * S) };
    const block = (l: number) => arch.storage[l].blockSize;
    const mdRatio = (l: number) => Math.trunc(spec.levels[l].metadataWordBits / arch.storage[l].wordBits);
    for (const kind of ['gate', 'skip'] as const) {
      for (let l = 0; l < L; l++) {
        const groups = kind === 'gate' ? spec.levels[l].gating : spec.levels[l].skipping;
        for (const g of groups) {
          const impacts: ReadImpact[] = g.map((o) => readImpact(w, spec, nest, tiles, l, o, block, mdRatio));
          applyGroup(masks, S, impacts, (x) => prices.read[x], block, kind);
        }
      }
    }
    if (spec.levels.some((lv) => lv.spatialSkipping.length > 0)) warnings.push('spatial skipping (skipping_spatial) is read but not modelled: its accesses count as not skipped');
    const inp = { tiles, fine, readWrite, dense: { updates: (l: number, s: number) => counts.updates[l * S + s] } };
    const st = propagate(inp, masks, S, computes);
    decompression(inp, S);
    const operands: { s: number; density: number; hasMetadata: boolean }[] = [];
    for (let s = 0; s < S; s++) {
      if (readWrite[s]) continue;
      for (let l = 0; l < L; l++) if (tiles[l][s].shape !== 0) { operands.push({ s, density: spec.densities[s].density, hasMetadata: tiles[l][s].hasMetadata }); break; }
    }
    compute = computeCounts(st, operands, spec.compute.gateOnZeroOperand, spec.compute.skipOnNotAlignedOperands);
  }
  const capacityErrors: string[] = [];
  const out: SparseTile[][] = tiles.map((row, l) => {
    const lv = arch.storage[l];
    let words = 0, bits = 0;
    const r = row.map((t, s): SparseTile => {
      let capacity = t.shape, metadataBits = 0;
      let metadataCapacity: [number, number][] = [];
      if (t.shape !== 0 && active && (t.compressed || t.hasMetadata)) {
        const occ = fixedMaxOccupancy(t.shape, spec.densities[s].density);
        capacity = occ;
        const md = metadataGivenTile(t, occ);
        let b = 0;
        for (const o of md) b += o.metadataUnits * o.metadataBits + o.payloadUnits * o.payloadBits;
        metadataBits = Math.ceil(b);
        metadataCapacity = md.map((o) => [Math.ceil(o.metadataUnits), Math.ceil(o.payloadUnits)]);
      }
      words += capacity;
      bits += metadataBits;
      return { state: t, fine: fine[l][s], capacity, metadataBits, metadataCapacity };
    });
    if (lv.sizeWords !== null && active) {
      const eff = Math.floor(lv.sizeWords / lv.multipleBuffering);
      if (words > eff) capacityErrors.push(`${lv.name}: compressed tiles take ${words} words, more than its ${eff}`);
      const md = spec.levels[l];
      if (bits > Math.floor((md.metadataDepth ?? 0) * md.metadataWidth / lv.multipleBuffering)) capacityErrors.push(`${lv.name}: metadata takes ${bits} bits, more than its ${(md.metadataDepth ?? 0) * md.metadataWidth}`);
    }
    return r;
  });
  return { tiles: out, compute, capacityErrors, warnings };
}
