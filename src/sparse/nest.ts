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

  /** Build the nest of `m` over D dimensions; `spatialLevel[l]`: level l fans out. */
  build(D: number, m: Mapping, spatialLevel: Uint8Array): void {
    const L = m.levels.length;
    let room = 0;
    for (let l = 0; l < L; l++) room += m.levels[l].spatial.length + m.levels[l].temporal.length + 2 * D;
    if (this.dim.length < room) {
      this.dim = new Int32Array(room); this.factor = new Float64Array(room); this.spatial = new Uint8Array(room);
      this.moldAt = new Int32Array(room); this.molds = new Float64Array((room + 1) * D); this.nextBig = new Int32Array(room + 1);
    }
    if (this.start.length < L + 1) this.start = new Int32Array(L + 1);
    if (this.ext.length < D) { this.ext = new Float64Array(D); this.seen = new Int32Array(D); this.stamp = 0; }
    if (this.stamp > 1 << 30) { this.seen.fill(0); this.stamp = 0; }
    const { dim, factor, spatial, moldAt, molds, ext, seen, start, nextBig } = this;
    for (let d = 0; d < D; d++) ext[d] = 1;
    for (let d = 0; d < D; d++) molds[d] = 1;
    // A trivial loop closes the same mold as the loop before it: it points at that one.
    let n = 0, at = D, last = 0, pend = 0;
    for (let l = 0; l < L; l++) {
      start[l] = n;
      const lm = m.levels[l];
      for (let part = 0; part < 2; part++) {
        const isSpatial = part === 0;
        if (isSpatial && !(spatialLevel[l] || lm.spatial.length > 0)) continue;
        const given = isSpatial ? lm.spatial : lm.temporal;
        const mark = ++this.stamp;
        const sp = isSpatial ? 1 : 0;
        for (let g = 0; g < given.length; g++) {
          const d = given[g].dim, f = given[g].factor;
          dim[n] = d; factor[n] = f; spatial[n] = sp; seen[d] = mark;
          if (f !== 1) {
            // The loops since the last non-trivial one skip to this one.
            for (; pend <= n; pend++) nextBig[pend] = n;
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
    start[L] = n;
    for (; pend <= n; pend++) nextBig[pend] = n;
  }
}
