/**
 * Representation analysis (Timeloop's `representation-analyzer`): which
 * loops each rank of a tensor's representation covers at a level (ranks
 * taken outer to inner over the level's non-trivial loops; flattening
 * rules let a rank take several), each rank's fiber shape, the expected
 * data and metadata occupancy of the level's tile, and the metadata
 * accesses that follow from the dense reads, fills and updates. Works on
 * the pass's flat state ({@link SparseScratch}).
 */
import { adjustWordBits, rankCompressed, rankUnits } from './formats.js';
import type { FlatNest } from './nest.js';
import { tileSize, type SparseProgram } from './program.js';
import type { LevelSparsity, RankFormat } from './spec.js';
import type { SparseScratch } from './state.js';
import { emptyProbability, firstPossibleOccupancy, fixedProbability, lastPossibleOccupancy, maxOccupancy, minOccupancy, tileProbability } from './tiles.js';

/** A rank of a level's format with Timeloop's word bits resolved. */
export type Rank = RankFormat & { readonly mdBits: number; readonly plBits: number };

/** Why a mapping cannot hold a representation (a failed evaluation, as in Timeloop). */
export class RepresentationError extends Error {}

/** The mapping's loops at a level need more ranks than the tensor's format there has (which tensor and level, as data). */
export class MissingRanksError extends RepresentationError {
  constructor(readonly dataSpace: number, readonly level: number, message: string) {
    super(message);
  }
}

/** Ranks of a level's format, innermost first, with Timeloop's word-bit rules applied. */
export function levelRanks(lv: LevelSparsity, s: number): Rank[] {
  const f = lv.formats[s];
  if (!f) return [];
  return [...f.ranks].reverse().map((r) => ({
    ...r,
    mdBits: adjustWordBits(r.metadataWordBits ?? (r.format === 'B' ? 1 : undefined), lv.metadataWordBits, lv.metadataWidth),
    plBits: adjustWordBits(r.payloadWordBits, lv.metadataWordBits, lv.metadataWidth),
  }));
}

/** Whether any rank of a format compresses. */
export function formatCompressed(ranks: readonly RankFormat[]): boolean {
  return ranks.some((r) => rankCompressed(r.format));
}

// Buffers of one tile's definition at a time: the sub-nest (dims, factors,
// mold offsets), one rank's extents, and two deques (Timeloop prepends).
let SUB_DIM = new Int32Array(0), SUB_FACTOR = new Float64Array(0), SUB_MOLD = new Int32Array(0);
let EXT = new Float64Array(0);
let FS = new Float64Array(0), PS = new Float64Array(0);
let fsHead = 0, fsTail = 0, psHead = 0, psTail = 0;
const COND = { shape: 0, occupancy: 0 };

function groupWith(rules: readonly (readonly number[])[], dim: number): readonly number[] | null {
  for (const g of rules) if (g.includes(dim)) return g;
  return null;
}

/**
 * Assign the non-trivial loops of the sub-nest (innermost first, `n` of
 * them) to the tile's ranks, outer to inner (Timeloop's
 * ApplyRanksOuterToInner): each rank's fiber shape and point set go to the
 * deques. `innermostMold`: the mold the sub-nest's innermost loop closes
 * (trivial or not; -1 when the sub-nest is empty). Returns whether
 * non-trivial loops are left over (more ranks needed).
 */
function applyRanksOuterToInner(pg: SparseProgram, s: number, D: number, hasMd: boolean, ranks: readonly Rank[], numRanks: number, innerRank: number, n: number, innermostMold: number, molds: Float64Array): boolean {
  const dimA = SUB_DIM, factorA = SUB_FACTOR, ext = EXT;
  let loopId = n - 1;
  let r = numRanks;
  while (r > innerRank && loopId >= 0) {
    while (loopId >= 0 && factorA[loopId] <= 1) loopId--;
    if (loopId < 0) break;
    r--;
    let rule: readonly number[] | null = null;
    if (hasMd && ranks[r].flattened.length > 0) {
      rule = groupWith(ranks[r].flattened, dimA[loopId]);
      if (rule === null) {
        // Timeloop appends an empty rank here and tries the same loop again.
        FS[fsTail++] = 1;
        PS[psTail++] = innermostMold < 0 ? 1 : tileSize(pg, s, molds, innermostMold);
        continue;
      }
    }
    for (let d = 0; d < D; d++) ext[d] = 1;
    ext[dimA[loopId]] *= factorA[loopId];
    const tileSet = tileSize(pg, s, molds, SUB_MOLD[loopId]);
    loopId--;
    if (loopId >= 0 && (!hasMd || rule !== null)) {
      let tr = factorA[loopId] <= 1;
      while (!hasMd || rule!.includes(dimA[loopId]) || tr) {
        if (!tr) ext[dimA[loopId]] *= factorA[loopId];
        loopId--;
        if (loopId < 0) break;
        tr = factorA[loopId] <= 1;
      }
    }
    FS[--fsHead] = tileSize(pg, s, ext, 0);
    PS[--psHead] = tileSet;
  }
  while (r > innerRank) {
    r--;
    FS[--fsHead] = 1;
    PS[--psHead] = innermostMold < 0 ? 1 : tileSize(pg, s, molds, innermostMold);
  }
  for (; loopId >= 0; loopId--) if (factorA[loopId] > 1) return true;
  return false;
}

/**
 * The same assignment inner to outer (Timeloop's ApplyRanksInnerToOuter,
 * representation-analyzer.cpp:425, for `rank_application_order:
 * inner_to_outer`): ranks from `innerRank` up take the loops from the
 * innermost; a rank whose flattening rule lacks the loop's dimension is a
 * one-point rank over the scalar and the loop tries the next rank; a rank's
 * point set is the tile its innermost loop closes; ranks left over are
 * outermost, over the innermost loop's tile. Appends the ranks to the
 * deques, innermost first. Returns whether non-trivial loops are left over.
 */
function applyRanksInnerToOuter(pg: SparseProgram, s: number, D: number, hasMd: boolean, ranks: readonly Rank[], numRanks: number, innerRank: number, n: number, innermostMold: number, molds: Float64Array): boolean {
  const dimA = SUB_DIM, factorA = SUB_FACTOR, ext = EXT;
  let loopId = 0;
  let r = innerRank - 1;
  while (r < numRanks - 1 && loopId < n) {
    while (loopId < n && factorA[loopId] <= 1) loopId++;
    if (loopId >= n) break;
    r++;
    let rule: readonly number[] | null = null;
    if (hasMd && ranks[r].flattened.length > 0) {
      rule = groupWith(ranks[r].flattened, dimA[loopId]);
      if (rule === null) { FS[fsTail++] = 1; PS[psTail++] = 1; continue; }
    }
    for (let d = 0; d < D; d++) ext[d] = 1;
    ext[dimA[loopId]] *= factorA[loopId];
    const tileSet = tileSize(pg, s, molds, SUB_MOLD[loopId]);
    loopId++;
    if (loopId < n && (!hasMd || rule !== null)) {
      let tr = factorA[loopId] <= 1;
      while (!hasMd || rule!.includes(dimA[loopId]) || tr) {
        if (!tr) ext[dimA[loopId]] *= factorA[loopId];
        loopId++;
        if (loopId >= n) break;
        tr = factorA[loopId] <= 1;
      }
    }
    FS[fsTail++] = tileSize(pg, s, ext, 0);
    PS[psTail++] = tileSet;
  }
  while (r < numRanks - 1) {
    r++;
    FS[fsTail++] = 1;
    PS[psTail++] = innermostMold < 0 ? 1 : tileSize(pg, s, molds, innermostMold);
  }
  for (; loopId < n; loopId++) if (factorA[loopId] > 1) return true;
  return false;
}

/**
 * Define the representation of every kept tensor at every level, inner
 * levels first (a compressed parent whose child holds more than a point
 * pre-tiles by the child's ranks): the fiber shapes and point sets of each
 * tile that has metadata or a compressed parent.
 */
export function defineFormats(pg: SparseProgram, st: SparseScratch, nest: FlatNest, kept: Uint8Array): void {
  const { L, S, D } = pg;
  const RM = st.RM;
  // A tile's representation reads the nest's levels up to its own and the tiles below it (which
  // keep the tensor, their shapes and representations): where none of these changed since the
  // last run that defined every representation, the tile keeps its own. Levels below `sameNest`
  // hold the same loops as in that run.
  // Stamps start at 1 (a tile's 0: never defined) and wrap long before the Int32Array would.
  if (st.formatsStamp > 1 << 30) { st.formatStamp.fill(0); st.formatsStamp = 1; st.formatsVersion = -1; }
  const sameNest = st.formatsVersion === nest.version ? L : st.formatsVersion === nest.version - 1 ? nest.changedFrom : 0;
  const last = st.formatsStamp, stamp = last + 1;
  const room = nest.start[L];
  if (SUB_DIM.length < room) { SUB_DIM = new Int32Array(room); SUB_FACTOR = new Float64Array(room); SUB_MOLD = new Int32Array(room); }
  if (EXT.length < D) EXT = new Float64Array(D);
  const cap = 2 * (RM + 2);
  if (FS.length < 2 * cap) { FS = new Float64Array(2 * cap); PS = new Float64Array(2 * cap); }
  const { shape, parent, child: childA, hasMetadata, compressed, ranks: nRanks } = st;
  const { start, dim, factor, moldAt, molds, nextBig } = nest;
  for (let s = 0; s < S; s++) {
    const ds = pg.w.dataSpaces[s];
    const rel = s * D;
    // The levels up to which this tensor's tiles are as in the last run.
    let same = sameNest;
    for (let l = 0; l < same; l++) { const i = l * S + s; if (kept[i] !== st.formatKept[i] || shape[i] !== st.formatShape[i]) same = l; }
    let level = 0;
    while (level < L && level >= 0) {
      const i = level * S + s;
      if (shape[i] === 0) { level++; continue; }
      const par = parent[i];
      // Only tiles with metadata, and children a compressed parent pre-tiles by, need their ranks' loops.
      if (!hasMetadata[i] && !(par >= 0 && compressed[par * S + s])) { level = par < 0 ? L : par; continue; }
      const defined = st.formatStamp[i] === last;
      st.formatStamp[i] = stamp;
      if (defined && level < same) { st.fibers[i] = st.formatFibers[i]; level = par < 0 ? L : par; continue; }
      const child = childA[i];
      const innerMost = child < 0 ? 0 : child + 1;
      const hasMd = hasMetadata[i] === 1;
      const numRanks = hasMd ? nRanks[i] : 1;
      const c = child >= 0 ? child * S + s : -1;
      const childRanks = c >= 0 ? (hasMetadata[c] ? nRanks[c] : 1) : 0;
      const preTiling = compressed[i] === 1 && c >= 0 && shape[c] > 1;
      const ranks = pg.ranks[i];
      if (preTiling) {
        if (childRanks > numRanks) throw new RepresentationError(`pre-tiling of ${ds.name} needs the format of level ${level} to cover level ${child}'s`);
        const cr = pg.ranks[c];
        if (compressed[c]) for (let r = 0; r < childRanks; r++) if (ranks[r].format !== cr[r].format) throw new RepresentationError(`pre-tiling of ${ds.name}: formats of levels ${level} and ${child} do not align`);
      }
      // Innermost first, as Timeloop's singleton nest. Without a pre-tiling
      // child, the first loop of each dimension takes the extents of the levels
      // below. A trivial loop is kept only when it takes them: the ranks skip
      // the others, which matter only through the first loop's mold and count.
      const merge = !preTiling && innerMost > 0;
      const sizes = EXT;
      if (merge) { const below = moldAt[start[innerMost] - 1]; for (let d = 0; d < D; d++) sizes[d] = molds[below + d]; }
      let n = 0, all = 0, mold0 = 0;
      // The innermost level lists every dimension (its first part at least): there the first
      // relevant loop (trivial or not) gives the mold and takes the extents below. Above it
      // only non-trivial loops add anything, and the nest's skip list walks just those.
      for (let k = start[innerMost], end = start[innerMost + 1]; k < end; k++) {
        const d = dim[k];
        if (!pg.relevant[rel + d]) continue;
        if (all++ === 0) mold0 = moldAt[k];
        let f = factor[k];
        if (merge && sizes[d] !== 1) { f *= sizes[d]; sizes[d] = 1; } else if (f <= 1) continue;
        SUB_DIM[n] = d; SUB_FACTOR[n] = f; SUB_MOLD[n] = moldAt[k]; n++;
      }
      for (let k = nextBig[start[innerMost + 1]], end = start[level + 1]; k < end; k = nextBig[k + 1]) {
        const d = dim[k];
        if (!pg.relevant[rel + d]) continue;
        all++;
        SUB_DIM[n] = d; SUB_FACTOR[n] = factor[k]; SUB_MOLD[n] = moldAt[k]; n++;
      }
      fsHead = fsTail = psHead = psTail = cap;
      const apply = hasMd && pg.innerToOuter[i] === 1 ? applyRanksInnerToOuter : applyRanksOuterToInner;
      const more = apply(pg, s, D, hasMd, ranks, numRanks, preTiling ? childRanks : 0, n, all > 0 ? mold0 : -1, molds);
      if (more && hasMd) throw new MissingRanksError(s, level, `${ds.name} at level ${level} needs more ranks than its format has`);
      if (preTiling) {
        for (let k = st.fibers[c] - 1; k >= 0; k--) { FS[--fsHead] = st.fiberShape[c * RM + k]; PS[--psHead] = st.pointSets[c * (RM + 1) + k + 1]; }
        PS[--psHead] = st.pointSets[c * (RM + 1)];
      } else PS[--psHead] = 1;
      const fibers = fsTail - fsHead;
      if (hasMd && fibers !== numRanks) throw new RepresentationError(`${ds.name} at level ${level}: ${fibers} ranks of loops for a ${numRanks}-rank format`);
      if (fibers > RM) throw new RepresentationError(`${ds.name} at level ${level}: ${fibers} ranks of loops for a ${numRanks}-rank format`);
      st.fibers[i] = fibers; st.formatFibers[i] = fibers;
      for (let k = 0; k < fibers; k++) st.fiberShape[i * RM + k] = FS[fsHead + k];
      for (let k = 0; k < fibers + 1; k++) st.pointSets[i * (RM + 1) + k] = PS[psHead + k];
      level = par < 0 ? L : par;
    }
  }
  // Every representation is defined: this run is the next one's reference.
  st.formatsStamp = stamp;
  st.formatsVersion = nest.version;
  for (let i = 0; i < L * S; i++) { st.formatKept[i] = kept[i]; st.formatShape[i] = shape[i]; }
}

/**
 * Metadata occupancy of tile i holding `occupancy` non-zeros, per rank
 * innermost first, into `st.md` as [metadata units, payload units,
 * metadata bits, payload bits] (Timeloop's GetMetaDataTileOccupancyGivenDataTile).
 */
export function metadataGivenTile(pg: SparseProgram, st: SparseScratch, i: number, occupancy: number): void {
  const ranks = pg.ranks[i];
  const R = ranks.length;
  const RM = st.RM;
  const out = st.md;
  const shape = st.shape[i];
  const cond = COND;
  const s = i % pg.S;
  const dm = pg.densitySpec[s];
  const fixed = pg.fixedDensity[s] === 1;
  // The parent's density for the fixed-structured answers below (the same quotient at every rank).
  const density = occupancy / shape;
  let maxFibers = 1;
  let cur = shape;
  const top = pg.innerToOuter[i] === 1 ? 0 : R - 1;
  for (let r = R - 1; r >= 0; r--) {
    const fs = st.fiberShape[i * RM + r];
    const next = st.pointSets[i * (RM + 1) + r];
    const rk = ranks[r];
    const o = r * 4;
    // A one-point rank is empty but the top one (the innermost one inner to outer, tiling-tile-info.cpp:157).
    if (fs === 1 && r !== top) { out[o] = 0; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0; } else {
      cond.shape = shape; cond.occupancy = occupancy;
      // Fixed-structured answers here (emptyProbability's first branch): a call with doubles would box them.
      const pf = fixed ? fixedProbability(cur, density, 0) : emptyProbability(dm, cur, cond);
      const pe = fixed ? fixedProbability(next, density, 0) : emptyProbability(dm, next, cond);
      rankUnits(out, o, rk.format, maxFibers, fs, pf, pe);
      out[o + 2] = rk.mdBits; out[o + 3] = rk.plBits;
    }
    maxFibers *= fs;
    cur = next;
  }
  for (let r = 0; r < R; r++) if (out[r * 4] !== 0 || out[r * 4 + 1] !== 0) { out[r * 4 + 1] = 0; break; }
}

// Occupancy probabilities of one tile at a time: one buffer serves every tile.
let PROBS = new Float64Array(0);
let EXISTS = new Uint8Array(0);

/**
 * Expected occupancy (data and metadata) of the kept tiles (Timeloop's
 * CalculateExpectedOccupancy). `emptyTilesIdle`: empty tiles under a
 * parent with metadata are not sent, so fewer instances work on average
 * (Timeloop 2024; the v0.3 artifact kept them all). A tile without
 * metadata under a parent without metadata changes nothing that is read
 * unless an optimization targets it: {@link tileOccupancy} computes it then.
 */
export function expectedOccupancy(pg: SparseProgram, st: SparseScratch, emptyTilesIdle = true): void {
  const S = pg.S;
  st.emptyTilesIdle = emptyTilesIdle;
  for (let q = 0; q < st.nKept; q++) {
    const i = st.kept[q];
    const par = st.parent[i];
    if (st.hasMetadata[i] || (par >= 0 && st.hasMetadata[par * S + i % S])) tileOccupancy(pg, st, i);
  }
}

/** Expected occupancy of kept tile i, once per evaluation (`st.occupancyDone`); replayed from the memo when its inputs repeat. */
export function tileOccupancy(pg: SparseProgram, st: SparseScratch, i: number): void {
  if (st.occupancyDone[i]) return;
  st.occupancyDone[i] = 1;
  const S = pg.S, s = i % S;
  const shape = st.shape[i];
  if (shape === 0 || pg.sizeOnlyDensity[s] !== 1) { occupancyOf(pg, st, i); return; }
  // Sizes-only densities: the same shapes (and flags) give the same occupancy (memo.ts).
  const par = st.parent[i];
  const hasMd = st.hasMetadata[i] === 1;
  const flags = 1 | (par >= 0 && st.hasMetadata[par * S + s] ? 2 : 0) | (hasMd ? 4 : 0) | (st.emptyTilesIdle ? 8 : 0);
  const R = hasMd ? pg.ranks[i].length : 0;
  const memo = st.occupancyMemo;
  if (memo.matches(st, i, flags, R)) {
    const total = st.memoOccupancy[i];
    // The same product as occupancyOf's (× 1 when it leaves the instances as they are).
    st.avgReplication[i] *= st.memoReplication[i];
    st.expectedDensity[i] = total / shape;
    st.metadataRanks[i] = st.memoMetadataRanks[i];
    st.expectedOccupancy[i] = total;
    return;
  }
  memo.forget(i);
  REPLICATION[0] = 1;
  occupancyOf(pg, st, i);
  memo.store(st, i, flags, R);
  st.memoOccupancy[i] = st.expectedOccupancy[i];
  st.memoMetadataRanks[i] = st.metadataRanks[i];
  st.memoReplication[i] = REPLICATION[0];
}

// The factor occupancyOf applied to the tile's average instances (1: none), through a buffer (a double is boxed otherwise).
const REPLICATION = new Float64Array(1);

/** Expected occupancy of kept tile i (Timeloop's per-tile part of CalculateExpectedOccupancy). */
function occupancyOf(pg: SparseProgram, st: SparseScratch, i: number): void {
  const S = pg.S;
  const RM = st.RM;
  const em = st.expectedMetadata, md = st.md;
  const s = i % S;
  const dm = pg.densitySpec[s];
  const shape = st.shape[i];
  let total = 0;
  let mdRanks = 0;
  if (shape !== 0) {
    const maxOcc = maxOccupancy(dm, shape);
    const minOcc = minOccupancy(dm, shape);
    // Occupancies a model gives probability 0 are masked out: the loops visit only the others' range.
    const from = Math.max(minOcc, firstPossibleOccupancy(dm, shape));
    const to = Math.min(maxOcc, lastPossibleOccupancy(dm, shape));
    const n = to - from + 1;
    if (PROBS.length < n) { PROBS = new Float64Array(n); EXISTS = new Uint8Array(n); }
    const probs = PROBS, exists = EXISTS;
    let np = 0;
    for (let k = from; k <= to; k++) {
      const p = tileProbability(dm, shape, k);
      exists[k - from] = p !== 0 ? 1 : 0;
      if (p !== 0) probs[np++] = p;
    }
    const par = st.parent[i];
    if (par >= 0 && st.hasMetadata[par * S + s] && minOcc === 0) {
      if (st.emptyTilesIdle) { REPLICATION[0] = 1 - probs[0]; st.avgReplication[i] *= REPLICATION[0]; }
      const scale = (1 - probs[0]) / 1;
      for (let k = 0; k < np; k++) probs[k] /= scale;
      probs[0] = 0;
    }
    const hasMd = st.hasMetadata[i] === 1;
    const R = hasMd ? pg.ranks[i].length : 0;
    let j = 0;
    for (let k = 0; k < n; k++) {
      if (!exists[k]) continue;
      const p = probs[j++];
      const occ = from + k;
      total += p * occ;
      if (hasMd) {
        metadataGivenTile(pg, st, i, occ);
        for (let r = 0; r < R; r++) {
          const o = (i * RM + r) * 4, m = r * 4;
          const mu = md[m] * p, pu = md[m + 1] * p;
          if (mdRanks === r) { em[o] = mu; em[o + 1] = pu; em[o + 2] = md[m + 2]; em[o + 3] = md[m + 3]; mdRanks++; } else {
            em[o] += mu; em[o + 1] += pu;
            if (md[m + 2]) em[o + 2] = md[m + 2];
            if (md[m + 3]) em[o + 3] = md[m + 3];
          }
        }
      }
    }
  }
  st.expectedDensity[i] = total / shape;
  st.metadataRanks[i] = mdRanks;
  st.expectedOccupancy[i] = total;
}

/** Metadata accesses implied by the dense counts (Timeloop's CalculateExpectedMetaDataAccesses), per tile, op and rank. */
export function metadataAccesses(st: SparseScratch, reads: Float64Array, fills: Float64Array, updates: Float64Array): void {
  const RM = st.RM;
  const em = st.expectedMetadata, fa = st.formatAccesses;
  for (let q = 0; q < st.nKept; q++) {
    const i = st.kept[q];
    const shape = st.shape[i];
    if (shape === 0 || !st.hasMetadata[i]) { st.metadataRanks[i] = 0; continue; }
    const rr = reads[i] / shape, fr = fills[i] / shape, ur = updates[i] / shape;
    const R = st.metadataRanks[i];
    for (let r = 0; r < R; r++) {
      const o = (i * RM + r) * 4;
      const mu = em[o], pu = em[o + 1];
      const rd = ((i * 3 + 0) * RM + r) * 2, fl = ((i * 3 + 1) * RM + r) * 2, up = ((i * 3 + 2) * RM + r) * 2;
      fa[fl] = Math.ceil(mu * fr); fa[fl + 1] = Math.ceil(pu * fr);
      fa[rd] = Math.ceil(mu * rr); fa[rd + 1] = Math.ceil(pu * rr);
      fa[up] = Math.ceil(mu * ur); fa[up + 1] = Math.ceil(pu * ur);
    }
  }
}
