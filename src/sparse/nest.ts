/**
 * The complete loop nest of a mapping (Timeloop's `complete_loop_nest`, as
 * `completeNest` in tiles.ts builds it) in flat arrays that one object
 * recycles across evaluations: per storage level, innermost first, a
 * spatial part (when the level fans out) inside a temporal part, one loop
 * per dimension each, the mapping's own loops first and trivial ones after;
 * and the operation-space box ("mold") each loop closes.
 */
import type { Mapping } from '../mapping/mapping.js';

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

  // The last build, level by level, so that the next one rebuilds only from the first level that
  // changed (a search's next candidate often keeps the inner levels): per level the loops it was
  // given (`sig` from `sigAt[l]`: spatial part or not, then each part's count and (dim, factor)
  // pairs) and the builder's state on entry (`start[l]`, and `entryAt`, `entryLast`, `entryPend`).
  private sig = new Float64Array(0);
  private sigAt = new Int32Array(1);
  private entryAt = new Int32Array(1);
  private entryLast = new Int32Array(1);
  private entryPend = new Int32Array(1);
  private builtL = -1;
  private builtD = -1;

  /** Build the nest of `m` over D dimensions; `spatialLevel[l]`: level l fans out. */
  build(D: number, m: Mapping, spatialLevel: Uint8Array): void {
    const L = m.levels.length;
    let room = 0;
    for (let l = 0; l < L; l++) room += m.levels[l].spatial.length + m.levels[l].temporal.length + 2 * D;
    if (this.dim.length < room) {
      this.dim = new Int32Array(room); this.factor = new Float64Array(room); this.spatial = new Uint8Array(room);
      this.moldAt = new Int32Array(room); this.molds = new Float64Array((room + 1) * D); this.nextBig = new Int32Array(room + 1);
      this.sig = new Float64Array(3 * L + 2 * room); this.builtL = -1;
    }
    if (this.start.length < L + 1) {
      this.start = new Int32Array(L + 1); this.sigAt = new Int32Array(L + 1);
      this.entryAt = new Int32Array(L + 1); this.entryLast = new Int32Array(L + 1); this.entryPend = new Int32Array(L + 1);
      this.builtL = -1;
    }
    if (this.ext.length < D) { this.ext = new Float64Array(D); this.seen = new Int32Array(D); this.stamp = 0; }
    if (this.stamp > 1 << 30) { this.seen.fill(0); this.stamp = 0; }
    const { dim, factor, spatial, moldAt, molds, ext, seen, start, nextBig, sig, sigAt } = this;
    // The levels the last build made from the same loops are kept as they are.
    let from = 0;
    if (this.builtL === L && this.builtD === D) while (from < L && this.sameLevel(m, from, spatialLevel)) from++;
    else sigAt[0] = 0;
    if (from === L && this.builtL === L) return;
    this.builtL = L; this.builtD = D;
    if (from === 0) for (let d = 0; d < D; d++) molds[d] = 1;
    // The extents entering level `from` are its entry mold (the all-ones box at index 0 when no loop below counts).
    let n = from === 0 ? 0 : start[from], at = from === 0 ? D : this.entryAt[from], last = from === 0 ? 0 : this.entryLast[from], pend = from === 0 ? 0 : this.entryPend[from], mark = this.stamp;
    for (let d = 0; d < D; d++) ext[d] = molds[last + d];
    let sa = sigAt[from];
    // A trivial loop closes the same mold as the loop before it: it points at that one.
    for (let l = from; l < L; l++) {
      start[l] = n;
      this.entryAt[l] = at; this.entryLast[l] = last; this.entryPend[l] = pend; sigAt[l] = sa;
      const lm = m.levels[l];
      const hasSpatial = spatialLevel[l] === 1 || lm.spatial.length > 0;
      sig[sa++] = hasSpatial ? 1 : 0;
      for (let part = 0; part < 2; part++) {
        const sp = part === 0 ? 1 : 0;
        if (sp === 1 && !hasSpatial) continue;
        const given = sp === 1 ? lm.spatial : lm.temporal;
        mark++;
        const ng = given.length;
        sig[sa++] = ng;
        for (let g = 0; g < ng; g++) {
          const loop = given[g];
          const d = loop.dim, f = loop.factor;
          sig[sa++] = d; sig[sa++] = f;
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
    sigAt[L] = sa;
    this.stamp = mark;
    start[L] = n;
    while (pend <= n) nextBig[pend++] = n;
  }

  /** Whether level l of `m` gives the loops the last build's level l was given (its nest entries, molds included, are then the same). */
  private sameLevel(m: Mapping, l: number, spatialLevel: Uint8Array): boolean {
    const sig = this.sig;
    let sa = this.sigAt[l];
    const lm = m.levels[l];
    const hasSpatial = spatialLevel[l] === 1 || lm.spatial.length > 0;
    if (sig[sa++] !== (hasSpatial ? 1 : 0)) return false;
    for (let part = 0; part < 2; part++) {
      if (part === 0 && !hasSpatial) continue;
      const given = part === 0 ? lm.spatial : lm.temporal;
      const ng = given.length;
      if (sig[sa++] !== ng) return false;
      for (let g = 0; g < ng; g++) {
        if (sig[sa] !== given[g].dim || sig[sa + 1] !== given[g].factor) return false;
        sa += 2;
      }
    }
    return true;
  }
}
