/**
 * The complete loop nest of a mapping (Timeloop's `complete_loop_nest`, as
 * `completeNest` in tiles.ts builds it) in flat arrays that one object
 * recycles across evaluations: per storage level, innermost first, a
 * spatial part (when the level fans out) inside a temporal part, one loop
 * per dimension each, the mapping's own loops first and trivial ones after;
 * and the operation-space box ("mold") each loop closes.
 */
import type { Mapping } from '../mapping/mapping.js';
import type { CompiledMapping } from '../model/compile.js';

/** A recycled complete nest; valid until the next {@link FlatNest.build}. */
export class FlatNest {
  /** Loops of level l: indices `start[l]` to `start[l + 1] - 1`, innermost first. */
  start = new Int32Array(1);
  dim = new Int32Array(0);
  factor = new Float64Array(0);
  spatial = new Uint8Array(0);
  /** Where loop k's mold (D extents) starts in `molds`; index 0 holds the all-ones box. */
  moldAt = new Int32Array(0);
  molds = new Float64Array(0);
  /** The first loop at or after k with a factor above 1 (`start[L]` when none): a walk over the non-trivial loops skips the padding. */
  nextBig = new Int32Array(1);
  private ext = new Float64Array(0);
  // Which dimensions a part lists, stamped with the part's number: no clearing between parts.
  private seen = new Int32Array(0);
  private stamp = 0;

  // The loops the mapping gives, flat (the builder reads these, whatever the mapping came as):
  // level l's spatial loops are `gDim/gFactor[gStart[l]…gStart[l] + gSpatial[l])`, its temporal
  // ones follow up to `gStart[l + 1]`. `pDim`… hold the last build's, so that the next build
  // redoes only the levels from the first one whose loops changed (a search's next candidate often
  // keeps the inner levels), with the builder's state on entry to each level (`start[l]`,
  // `entryAt`, `entryLast`, `entryPend`).
  private gDim = new Int32Array(0);
  private gFactor = new Float64Array(0);
  private gStart = new Int32Array(1);
  private gSpatial = new Int32Array(0);
  private pDim = new Int32Array(0);
  private pFactor = new Float64Array(0);
  private pStart = new Int32Array(1);
  private pSpatial = new Int32Array(0);
  private entryAt = new Int32Array(1);
  private entryLast = new Int32Array(1);
  private entryPend = new Int32Array(1);
  private builtL = -1;
  private builtD = -1;
  private builtSpatial: Uint8Array | null = null;
  /** Counts the builds that changed the nest; `changedFrom`: the first level the latest of them rebuilt. */
  version = 0;
  changedFrom = 0;

  /** Build the nest of `m` over D dimensions; `spatialLevel[l]`: level l fans out. */
  build(D: number, m: Mapping, spatialLevel: Uint8Array): void {
    const L = m.levels.length;
    let given = 0;
    for (let l = 0; l < L; l++) given += m.levels[l].spatial.length + m.levels[l].temporal.length;
    this.room(L, given);
    const { gDim, gFactor, gStart, gSpatial } = this;
    let g = 0;
    for (let l = 0; l < L; l++) {
      gStart[l] = g;
      const lm = m.levels[l];
      for (let k = 0; k < lm.spatial.length; k++) { gDim[g] = lm.spatial[k].dim; gFactor[g++] = lm.spatial[k].factor; }
      gSpatial[l] = lm.spatial.length;
      for (let k = 0; k < lm.temporal.length; k++) { gDim[g] = lm.temporal[k].dim; gFactor[g++] = lm.temporal[k].factor; }
    }
    gStart[L] = g;
    this.assemble(D, L, spatialLevel);
  }

  /**
   * Build the nest of a compiled mapping's loops (the buffer the dense counts
   * came from: by level, spatial loops X then Y before temporal ones, trivial
   * loops left out) over L levels: the same nest as {@link build} of the
   * mapping it was compiled from when that lists only non-trivial loops, as
   * the mapper's candidates do, without making the mapping's objects.
   */
  buildCompiled(D: number, L: number, cm: CompiledMapping, spatialLevel: Uint8Array): void {
    this.room(L, cm.n);
    const { gDim, gFactor, gStart, gSpatial } = this;
    let k = 0;
    for (let l = 0; l < L; l++) {
      gStart[l] = k;
      while (k < cm.n && cm.level[k] === l && cm.spatial[k] === 1) { gDim[k] = cm.dim[k]; gFactor[k] = cm.factor[k]; k++; }
      gSpatial[l] = k - gStart[l];
      while (k < cm.n && cm.level[k] === l) { gDim[k] = cm.dim[k]; gFactor[k] = cm.factor[k]; k++; }
    }
    if (k !== cm.n) throw new RangeError('a compiled mapping lists its loops by level, spatial ones first');
    gStart[L] = k;
    this.assemble(D, L, spatialLevel);
  }

  /** Size the buffers for L levels and `given` loops (new buffers forget the last build). */
  private room(L: number, given: number): void {
    if (this.gDim.length < given) {
      this.gDim = new Int32Array(given); this.gFactor = new Float64Array(given);
      this.pDim = new Int32Array(given); this.pFactor = new Float64Array(given);
      this.builtL = -1;
    }
    if (this.gStart.length < L + 1) {
      this.gStart = new Int32Array(L + 1); this.gSpatial = new Int32Array(L);
      this.pStart = new Int32Array(L + 1); this.pSpatial = new Int32Array(L);
      this.start = new Int32Array(L + 1);
      this.entryAt = new Int32Array(L + 1); this.entryLast = new Int32Array(L + 1); this.entryPend = new Int32Array(L + 1);
      this.builtL = -1;
    }
  }

  /** The nest of the given loops (`gDim`…), from the first level whose loops differ from the last build's. */
  private assemble(D: number, L: number, spatialLevel: Uint8Array): void {
    const { gDim, gFactor, gStart, gSpatial } = this;
    const room = gStart[L] + 2 * D * L;
    if (this.dim.length < room) {
      this.dim = new Int32Array(room); this.factor = new Float64Array(room); this.spatial = new Uint8Array(room);
      this.moldAt = new Int32Array(room); this.molds = new Float64Array((room + 1) * D); this.nextBig = new Int32Array(room + 1);
      this.builtL = -1;
    }
    if (this.ext.length < D) { this.ext = new Float64Array(D); this.seen = new Int32Array(D); this.stamp = 0; }
    if (this.stamp > 1 << 30) { this.seen.fill(0); this.stamp = 0; }
    const { dim, factor, spatial, moldAt, molds, ext, seen, start, nextBig } = this;
    // The levels the last build made from the same loops are kept as they are.
    let from = 0;
    if (this.builtL === L && this.builtD === D && this.builtSpatial === spatialLevel) while (from < L && this.sameLevel(from)) from++;
    if (from === L) return;
    this.version++;
    this.changedFrom = from;
    this.builtL = L; this.builtD = D; this.builtSpatial = spatialLevel;
    if (from === 0) for (let d = 0; d < D; d++) molds[d] = 1;
    // The extents entering level `from` are its entry mold (the all-ones box at index 0 when no loop below counts).
    let n = from === 0 ? 0 : start[from], at = from === 0 ? D : this.entryAt[from], last = from === 0 ? 0 : this.entryLast[from], pend = from === 0 ? 0 : this.entryPend[from], mark = this.stamp;
    for (let d = 0; d < D; d++) ext[d] = molds[last + d];
    // A trivial loop closes the same mold as the loop before it: it points at that one.
    for (let l = from; l < L; l++) {
      start[l] = n;
      this.entryAt[l] = at; this.entryLast[l] = last; this.entryPend[l] = pend;
      const g0 = gStart[l], g1 = g0 + gSpatial[l], g2 = gStart[l + 1];
      for (let part = 0; part < 2; part++) {
        const sp = part === 0 ? 1 : 0;
        if (sp === 1 && spatialLevel[l] !== 1 && g1 === g0) continue;
        mark++;
        for (let g = sp === 1 ? g0 : g1, end = sp === 1 ? g1 : g2; g < end; g++) {
          const d = gDim[g], f = gFactor[g];
          dim[n] = d; factor[n] = f; spatial[n] = sp; seen[d] = mark;
          if (f !== 1) {
            // The loops since the last non-trivial one skip to this one.
            while (pend <= n) nextBig[pend++] = n;
            ext[d] *= f;
            for (let e = 0; e < D; e++) molds[at + e] = ext[e];
            last = at;
            at += D;
          }
          moldAt[n++] = last;
        }
        for (let d = 0; d < D; d++) if (seen[d] !== mark) { dim[n] = d; factor[n] = 1; spatial[n] = sp; moldAt[n++] = last; }
      }
    }
    this.stamp = mark;
    start[L] = n;
    while (pend <= n) nextBig[pend++] = n;
    // These loops are the next build's reference (swapped one by one: a destructuring swap builds arrays).
    const dims = this.gDim, factors = this.gFactor, starts = this.gStart, spatials = this.gSpatial;
    this.gDim = this.pDim; this.gFactor = this.pFactor; this.gStart = this.pStart; this.gSpatial = this.pSpatial;
    this.pDim = dims; this.pFactor = factors; this.pStart = starts; this.pSpatial = spatials;
  }

  /** Whether level l is given the loops the last build's level l was (its nest entries, molds included, are then the same: they depend on the levels up to l only). */
  private sameLevel(l: number): boolean {
    const { gDim, gFactor, gStart, gSpatial, pDim, pFactor, pStart, pSpatial } = this;
    if (gSpatial[l] !== pSpatial[l] || gStart[l + 1] - gStart[l] !== pStart[l + 1] - pStart[l]) return false;
    for (let g = gStart[l], q = pStart[l], end = gStart[l + 1]; g < end; g++, q++) if (gDim[g] !== pDim[q] || gFactor[g] !== pFactor[q]) return false;
    return true;
  }
}
