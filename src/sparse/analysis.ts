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
import { bindExtents, completeNest, maxOccupancy, scalarDensity, type NestLoop } from './tiles.js';
import type { RankOccupancy } from './formats.js';

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

// The masks live only inside one pass: one set, grown and cleared, serves every call.
let MASKS: Masks = { gate: new Uint8Array(0), skip: new Uint8Array(0), prob: new Float64Array(0) };
function masksFor(n: number): Masks {
  if (MASKS.gate.length < n) MASKS = { gate: new Uint8Array(n), skip: new Uint8Array(n), prob: new Float64Array(n) };
  MASKS.gate.fill(0, 0, n); MASKS.skip.fill(0, 0, n); MASKS.prob.fill(0, 0, n);
  return MASKS;
}

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
 * Reusable objects for {@link sparseCounts} in a search's inner loop: with
 * one, the pass recycles its per-tile objects, and what it returns is valid
 * until the next call with the same scratch.
 */
export class SparseScratch {
  /** @internal */ tiles: TileState[][] = [];
  /** @internal */ fine: Fine[][] = [];
  /** @internal */ out: SparseTile[][] = [];
}

type MutableTile = { -readonly [K in keyof TileState]: TileState[K] };
type MutableSparseTile = { -readonly [K in keyof SparseTile]: SparseTile[K] };
const NO_LOOPS: NestLoop[][] = [];
const NO_NUMBERS: number[] = [];
const NO_OCCUPANCY: RankOccupancy[] = [];
const NO_PAIRS: [number, number][] = [];
const NO_CAPACITY: readonly (readonly [number, number])[] = [];

/**
 * Run the pass on one evaluation's dense counts. Densities 1 and no
 * optimization leave every count as the dense one. With a `scratch`, the
 * result is valid until the next call with it.
 */
export function sparseCounts(w: Workload, arch: Arch, mapping: Mapping, counts: CountBuffers, spec: SparseSpec, prices: ChoicePrices, scratch?: SparseScratch): SparseCounts {
  const S = w.dataSpaces.length;
  const L = arch.storage.length;
  const warnings: string[] = [];
  const nest = completeNest(w, mapping, spatialLevelsOf(arch));
  bindExtents(spec, w, nest);
  const { active, anyFormat } = specFlags(spec);
  const reuse = scratch !== undefined && scratch.tiles.length === L && scratch.tiles[0].length === S;
  const tiles: TileState[][] = reuse ? scratch.tiles : [];
  const allRanks = ranksOf(spec, S);
  for (let l = 0; l < L; l++) {
    const row: TileState[] = reuse ? tiles[l] : [];
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      const kept = counts.kept[i] === 1;
      let child = -1, parent = -1;
      if (kept) {
        for (let c = l - 1; c >= 0; c--) if (counts.kept[c * S + s]) { child = c; break; }
        for (let p = l + 1; p < L; p++) if (counts.kept[p * S + s]) { parent = p; break; }
      }
      const ranks = kept ? allRanks[l][s] : NO_RANKS;
      const shape = kept ? counts.utilizedCapacity[i] : 0;
      const hasMetadata = ranks.length > 0, compressed = hasMetadata && formatCompressed(ranks);
      if (reuse) {
        // Arrays are replaced, never cleared: a finished result may still hold the old ones.
        const t = row[s] as MutableTile;
        t.shape = shape; t.child = child; t.parent = parent; t.hasMetadata = hasMetadata; t.compressed = compressed; t.ranks = ranks;
        t.subnest = NO_LOOPS; t.pointSets = NO_NUMBERS; t.fiberShape = NO_NUMBERS; t.expectedOccupancy = shape; t.expectedDensity = 1;
        t.expectedMetadata = NO_OCCUPANCY; t.avgReplication = counts.utilizedInstances[l];
        t.formatReads = NO_PAIRS; t.formatFills = NO_PAIRS; t.formatUpdates = NO_PAIRS;
      } else {
        row.push({
          level: l, ds: s, shape, child, parent, hasMetadata, compressed, ranks,
          subnest: NO_LOOPS, pointSets: NO_NUMBERS, fiberShape: NO_NUMBERS, expectedOccupancy: shape, expectedDensity: 1, expectedMetadata: NO_OCCUPANCY,
          avgReplication: counts.utilizedInstances[l], formatReads: NO_PAIRS, formatFills: NO_PAIRS, formatUpdates: NO_PAIRS,
        });
      }
    }
    if (!reuse) tiles.push(row);
  }
  if (scratch && !reuse) scratch.tiles = tiles;
  // Parent/child links run between keepers only; a bypassing level's entries stay unlinked.
  const readWrite = w.dataSpaces.map((d) => d.readWrite);
  const reuseFine = reuse && scratch.fine.length === L;
  const fine: Fine[][] = reuseFine ? scratch.fine : [];
  if (active) {
    if (anyFormat) defineFormats(w, nest, tiles);
    expectedOccupancy(spec, tiles, prices.convention !== 'v3');
    metadataAccesses(tiles, counts.reads, counts.fills, counts.updates, S);
  }
  for (let l = 0; l < L; l++) {
    if (!reuseFine) fine.push([]);
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      const f = initialFine(tiles[l][s], counts.reads[i], counts.fills[i], counts.updates[i], counts.temporalReductions[i], readWrite[s], reuseFine ? fine[l][s] : undefined);
      if (!reuseFine) fine[l].push(f);
    }
  }
  if (scratch && !reuseFine) scratch.fine = fine;
  const computes = counts.utilizedCompute * counts.temporalIterations;
  let compute: ComputeCounts = { actual: computes, gated: 0, skipped: 0 };
  if (active) {
    const masks = masksFor(L * S);
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
      for (let l = 0; l < L; l++) if (tiles[l][s].shape !== 0) { operands.push({ s, density: scalarDensity(spec.densities[s]), hasMetadata: tiles[l][s].hasMetadata }); break; }
    }
    compute = computeCounts(st, operands, spec.compute.gateOnZeroOperand, spec.compute.skipOnNotAlignedOperands);
  }
  const capacityErrors: string[] = [];
  const reuseOut = reuse && scratch.out.length === L;
  const out: SparseTile[][] = reuseOut ? scratch.out : [];
  for (let l = 0; l < L; l++) {
    const lv = arch.storage[l];
    let words = 0, bits = 0;
    const row = tiles[l];
    const r: SparseTile[] = reuseOut ? out[l] : [];
    for (let s = 0; s < S; s++) {
      const t = row[s];
      let capacity = t.shape, metadataBits = 0;
      let metadataCapacity: readonly (readonly [number, number])[] = NO_CAPACITY;
      if (t.shape !== 0 && active && (t.compressed || t.hasMetadata)) {
        const occ = maxOccupancy(spec.densities[s], t.shape);
        capacity = occ;
        const md = metadataGivenTile(t, occ, spec.densities[s]);
        let b = 0;
        for (const o of md) b += o.metadataUnits * o.metadataBits + o.payloadUnits * o.payloadBits;
        metadataBits = Math.ceil(b);
        metadataCapacity = md.map((o) => [Math.ceil(o.metadataUnits), Math.ceil(o.payloadUnits)] as const);
      }
      words += capacity;
      bits += metadataBits;
      if (reuseOut) {
        const x = r[s] as MutableSparseTile;
        x.state = t; x.fine = fine[l][s]; x.capacity = capacity; x.metadataBits = metadataBits; x.metadataCapacity = metadataCapacity;
      } else r.push({ state: t, fine: fine[l][s], capacity, metadataBits, metadataCapacity });
    }
    if (lv.sizeWords !== null && active) {
      const eff = Math.floor(lv.sizeWords / lv.multipleBuffering);
      if (words > eff) capacityErrors.push(`${lv.name}: compressed tiles take ${words} words, more than its ${eff}`);
      const md = spec.levels[l];
      if (bits > Math.floor((md.metadataDepth ?? 0) * md.metadataWidth / lv.multipleBuffering)) capacityErrors.push(`${lv.name}: metadata takes ${bits} bits, more than its ${(md.metadataDepth ?? 0) * md.metadataWidth}`);
    }
    if (!reuseOut) out.push(r);
  }
  if (scratch && !reuseOut) scratch.out = out;
  return { tiles: out, compute, capacityErrors, warnings };
}
