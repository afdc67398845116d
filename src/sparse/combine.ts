/**
 * Combining the optimizations into fine-grained counts (Timeloop's
 * `storage-optimization-combiner` and `compute-gs-analyzer`): compressed
 * tiles move only their non-zeros; a gated or skipped read at a level
 * removes the same share of everything below it (fills, reads, updates,
 * metadata), down to the next level that optimizes the tensor itself; an
 * optimization at the innermost level of a read-only operand removes that
 * share of the computes; compute gating and skipping then split the rest
 * by the operands' states. Timeloop's roundings are kept: reads of
 * read-write tensors round the optimized share up, everything else down.
 * Works on the pass's flat state ({@link SparseScratch}).
 */
import type { SparseProgram } from './program.js';
import { ACTUAL, FILL, GATED, READ, SKIPPED, UPDATE, type SparseScratch } from './state.js';

/** Initial fine-grained counts of tile i: the dense ones, compressed tiles scaled by their density, no metadata access gated or skipped yet. */
export function initialFine(st: SparseScratch, i: number, reads: number, fills: number, updates: number, tr: number, readWrite: boolean): void {
  const c = st.counts, o = i * 9;
  c[o] = reads; c[o + 1] = fills; c[o + 2] = updates;
  for (let k = 3; k < 9; k++) c[o + k] = 0;
  st.temporalReductions[i] = tr;
  st.decompression[i] = 0; st.compression[i] = 0;
  if (st.hasMetadata[i]) {
    const n = 2 * st.metadataRanks[i], f = st.fmt;
    // The gated and skipped (kind, op) rows follow each other in fmt: six rows of 2 × RM entries from (GATED, READ).
    for (let row = 0, at = st.fmtAt(i, GATED, READ, 0), stride = 2 * st.RM; row < 6; row++, at += stride) for (let k = 0; k < n; k++) f[at + k] = 0;
    const sparsity = 1 - st.expectedDensity[i];
    c[o + READ] = reads - Math.floor(reads * sparsity);
    c[o + FILL] = fills - Math.floor(fills * sparsity);
    if (readWrite) c[o + UPDATE] = updates - Math.floor(updates * sparsity);
  }
}

// The share applyLocal splits off: passed through this buffer, as a double argument is boxed on every call.
const SHARE = new Float64Array(1);

/** Timeloop's ApplyLocalStorageSAFImpact: split tile i's own counts into actual and gated/skipped (`kind`), by the share in SHARE[0]. */
function applyLocal(pg: SparseProgram, st: SparseScratch, s: number, i: number, kind: number, denseUpdates: Float64Array): void {
  const p = SHARE[0];
  const c = st.counts, o = i * 9, into = o + kind * 3;
  const rw = pg.readWrite[s] === 1;
  let reads = c[o + READ];
  const dr = rw ? Math.ceil(reads * p) : Math.floor(reads * p);
  c[into + READ] += dr; reads -= dr;
  let upd = c[o + UPDATE];
  const du = Math.floor(upd * p);
  c[into + UPDATE] += du; upd -= du;
  const ch = st.child[i] * pg.S + s;
  const childRanks = st.child[i] >= 0 ? (st.hasMetadata[ch] ? st.ranks[ch] : 0) : (st.hasMetadata[i] ? st.ranks[i] : 0);
  const n = Math.min(childRanks, st.metadataRanks[i]);
  const f = st.fmt;
  for (let r = 0; r < n; r++) {
    const ar = st.fmtAt(i, ACTUAL, READ, r), au = st.fmtAt(i, ACTUAL, UPDATE, r);
    const kr = st.fmtAt(i, kind, READ, r), ku = st.fmtAt(i, kind, UPDATE, r);
    for (let k = 0; k < 2; k++) {
      let d = Math.floor(f[ar + k] * p); f[ar + k] -= d; f[kr + k] += d;
      d = Math.floor(f[au + k] * p); f[au + k] -= d; f[ku + k] += d;
    }
  }
  c[o + READ] = reads;
  c[o + UPDATE] = upd;
  if (st.shape[i] !== 0 && rw) st.temporalReductions[i] = Math.ceil(st.temporalReductions[i] * c[o + UPDATE] / denseUpdates[i]);
}

/** The propagated counts of tile i become its actual ones; `readsFromUpdates`: Timeloop stores its metadata updates as the metadata reads. */
function setFrom(st: SparseScratch, i: number, readsFromUpdates: boolean): void {
  const c = st.counts, o = i * 9;
  c[o + FILL] = st.maxF[i]; c[o + READ] = st.maxR[i]; c[o + UPDATE] = st.maxU[i];
  if (readsFromUpdates) {
    const n = 2 * st.metadataRanks[i];
    const from = st.fmtAt(i, ACTUAL, UPDATE, 0), to = st.fmtAt(i, ACTUAL, READ, 0);
    for (let k = 0; k < n; k++) st.fmt[to + k] = st.fmt[from + k];
  }
}

/**
 * Timeloop's PropagateImpactOfExplicitlyOptimizedRead over the masks in
 * `st` (gate, skip, prob); `denseUpdates`: the dense update counts. Returns
 * the computes left; `st.storageSaf` / `st.innermostEmpty` say which
 * operands' innermost optimizations removed them. With spatial skipping
 * (`spatialMask`, `spatialProb`: spatial-skip.ts), a spatially skipped tile
 * takes its share off the levels below and (innermost, read-only) off the
 * computes but keeps its own accesses; the caller has refused a tile both
 * gated or skipped and spatially skipped.
 */
export function propagate(pg: SparseProgram, st: SparseScratch, computes: number, denseUpdates: Float64Array, spatialMask: Uint8Array | null = null, spatialProb: Float64Array | null = null): number {
  const { L, S } = pg;
  const { maxR, maxF, maxU, done, counts: c, gate, skip, prob } = st;
  const f = st.fmt;
  const spatial = spatialMask !== null;
  // The metadata accesses to propagate start as the dense ones; they are the tile's actual ones at the end.
  for (let q = 0; q < st.nKept; q++) {
    const i = st.kept[q];
    maxR[i] = c[i * 9 + READ]; maxF[i] = c[i * 9 + FILL]; maxU[i] = c[i * 9 + UPDATE];
    done[i] = 0;
    const n = 2 * st.metadataRanks[i];
    if (n === 0) continue;
    for (let op = 0; op < 3; op++) {
      const from = ((i * 3 + op) * st.RM) * 2, to = st.fmtAt(i, ACTUAL, op, 0);
      for (let k = 0; k < n; k++) f[to + k] = st.formatAccesses[from + k];
    }
  }
  // Under spatial skipping a bypassed tile holds nothing to propagate: Timeloop's entries for it are zeros.
  if (spatial) for (let i = 0; i < L * S; i++) if (st.shape[i] === 0) { maxR[i] = 0; maxF[i] = 0; maxU[i] = 0; done[i] = 0; }
  let maxComputes = computes;
  for (let s = 0; s < S; s++) { st.storageSaf[s] = 0; st.innermostEmpty[s] = 0; }
  for (let s = 0; s < S; s++) {
    for (let l = L - 1; l >= 0; l--) {
      const i = l * S + s;
      const si = spatial && spatialMask[i] === 1;
      if (!gate[i] && !skip[i] && !si) continue;
      const p = si ? spatialProb![i] : prob[i];
      let im = l - 1;
      while (im >= 0) {
        const j = im * S + s;
        maxF[j] -= Math.floor(maxF[j] * p);
        maxR[j] -= Math.floor(maxR[j] * p);
        maxU[j] -= Math.floor(maxU[j] * p);
        // Timeloop scales only the innermost rank of fills and reads, and only under a level of at most one rank; never updates.
        if (st.hasMetadata[j] && st.metadataRanks[i] <= 1 && st.metadataRanks[j] > 0) {
          for (let op = FILL; op >= READ; op--) {
            const a = st.fmtAt(j, ACTUAL, op, 0);
            f[a] -= Math.floor(f[a] * p);
            f[a + 1] -= Math.floor(f[a + 1] * p);
          }
        }
        const sj = spatial && spatialMask[j] === 1;
        if (gate[j] || skip[j] || sj) {
          // Timeloop's final pass restores a spatially skipped tile's metadata reads, which this reads from its updates otherwise.
          if (!spatial || st.shape[j] !== 0) setFrom(st, j, !sj);
          if (!sj) {
            const eff = 1 - (1 - prob[j]) / (1 - p);
            SHARE[0] = eff;
            applyLocal(pg, st, s, j, gate[j] ? GATED : SKIPPED, denseUpdates);
          }
          done[j] = 1;
          break;
        }
        im--;
      }
      if (!done[i]) {
        done[i] = 1;
        if (!spatial || st.shape[i] !== 0) setFrom(st, i, false);
        if (!si) { SHARE[0] = p; applyLocal(pg, st, s, i, gate[i] ? GATED : SKIPPED, denseUpdates); }
      }
      if (im < 0 && !pg.readWrite[s]) {
        maxComputes -= Math.floor(maxComputes * p);
        st.storageSaf[s] = 1;
        st.innermostEmpty[s] = Math.round(p * 1000000) / 1000000;
      }
    }
  }
  // The tiles without gating or skipping, spatially skipped ones included (combiner.cpp:333).
  for (let q = 0; q < st.nKept; q++) {
    const i = st.kept[q];
    if (gate[i] || skip[i]) continue;
    setFrom(st, i, false);
    const du = denseUpdates[i];
    st.temporalReductions[i] = du === 0 ? 0 : Math.ceil(st.temporalReductions[i] * c[i * 9 + UPDATE] / du);
  }
  return maxComputes;
}

/** Decompression (and, for read-write tensors, compression) where an uncompressed level is filled from a compressed parent. */
export function decompression(pg: SparseProgram, st: SparseScratch): void {
  const S = pg.S;
  // Only kept tiles have a parent; each adds to its own entries, so the order does not matter.
  for (let q = 0; q < st.nKept; q++) {
    const i = st.kept[q], s = i % S;
    const par = st.parent[i];
    if (st.compressed[i] || par < 0 || !st.compressed[par * S + s]) continue;
    if (pg.readWrite[s]) st.compression[i] += st.counts[(par * S + s) * 9 + UPDATE];
    st.decompression[i] += st.counts[i * 9 + FILL];
  }
}

/** Computes split into actual, gated and skipped (Timeloop's two-operand analysis). */
export interface ComputeCounts { actual: number; gated: number; skipped: number }

const STATES = [new Float64Array(3), new Float64Array(3)];

/** An operand's states [ENZ, EZ, NE] at density `dens`: with metadata its zeros do not exist, else they are explicit. */
function initState(x: Float64Array, dens: number, md: boolean): void {
  const d = Math.round(dens * 1000000) / 1000000;
  x[0] = d; x[1] = md ? 0 : 1 - d; x[2] = md ? 1 - d : 0;
}

/** The states conditioned on the other operand's innermost optimization, which left `ratio` of the computes. */
function conditionState(x: Float64Array, dens: number, md: boolean, ratio: number): void {
  x[0] = dens / ratio; x[1] = md ? 0 : 1 - dens / ratio; x[2] = !md ? 0 : 1 - dens / ratio;
}

/**
 * The two-operand compute analysis into `out`. `operands`: how many
 * read-only tensors are kept somewhere; when two, tensors `a` and `b`
 * (their densities in `st.operandDensity`) and whether their innermost
 * keeper has metadata.
 */
export function computeCounts(
  st: SparseScratch, total: number, operands: number, a: number, mda: boolean, b: number, mdb: boolean,
  gate: boolean, skip: boolean, out: ComputeCounts,
): ComputeCounts {
  out.gated = 0; out.skipped = 0; out.actual = total;
  if (operands !== 2) return out;
  const da = st.operandDensity[0], db = st.operandDensity[1];
  const dens0 = Math.round(1000000 * da) / 1000000, dens1 = Math.round(1000000 * db) / 1000000;
  // No closures or destructuring here: this runs once per evaluation of a search.
  const A = STATES[0], B = STATES[1];
  // states: [ENZ, EZ, NE]
  initState(A, dens0, mda); initState(B, dens1, mdb);
  const sa = st.storageSaf[a] === 1, sb = st.storageSaf[b] === 1;
  if (sa && sb) { conditionState(A, dens0, mda, 1 - st.innermostEmpty[b]); conditionState(B, dens1, mdb, 1 - st.innermostEmpty[a]); } else if (sa) conditionState(B, dens1, mdb, 1 - st.innermostEmpty[a]); else if (sb) conditionState(A, dens0, mda, 1 - st.innermostEmpty[b]);
  for (let j = 0; j < 2; j++) { const x = STATES[j]; for (let k = 0; k < 3; k++) { if (x[k] < 0) x[k] = 0; if (x[k] > 1) x[k] = 1; } }
  let gated = 0, skipped = 0;
  let t = total * (A[0] * B[1] + A[1] * B[0]);
  if (gate) gated += t;
  t = total * (A[0] * B[2] + A[2] * B[0]);
  if (skip) skipped += t; else if (gate) gated += t;
  t = total * (A[1] * B[1]);
  if (gate) gated += t;
  t = total * (A[1] * B[2] + A[2] * B[1]);
  if (skip) skipped += t; else if (gate) gated += t;
  const nonexistent = total * (A[2] * B[2]);
  out.actual = total - Math.floor(skipped) - Math.floor(gated) - Math.floor(nonexistent);
  out.gated = Math.floor(gated);
  out.skipped = Math.floor(skipped);
  return out;
}
