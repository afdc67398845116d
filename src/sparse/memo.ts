/**
 * A one-entry memo per tile for the pass's occupancy work: a tile's
 * expected occupancy and metadata (and its worst-case metadata) depend only
 * on numbers the pass holds for it — its shape, its ranks' fiber shapes and
 * point sets, whether its parent has metadata — when its tensor's density
 * model answers by size alone (fixed-structured, hypergeometric). A search's
 * next candidate often keeps a tile's shapes (the backing store's tile is
 * the whole tensor in every mapping): the memo then replays the stored
 * result instead of summing over the occupancies again. The key is the
 * exact inputs, so a hit gives the same numbers to the bit.
 */
import type { SparseScratch } from './state.js';

/** Keys of one kind of result, per tile: [flags, shape, fiber shapes…, point sets…]. */
export class TileMemo {
  private key = new Float64Array(0);
  private width = 0;

  /** Forget every entry (a new program, or buffers sized anew). */
  reset(N: number, RM: number): void {
    this.width = 2 + 2 * RM;
    if (this.key.length < N * this.width) this.key = new Float64Array(N * this.width);
    else this.key.fill(0);
  }

  /**
   * Whether tile i's inputs are those stored with its entry: `flags` (never
   * 0: 0 marks an empty entry), the shape, and the first `R` ranks' fiber
   * shapes and point sets.
   */
  matches(st: SparseScratch, i: number, flags: number, R: number): boolean {
    const k = this.key, o = i * this.width, RM = st.RM;
    if (k[o] !== flags || k[o + 1] !== st.shape[i]) return false;
    for (let r = 0; r < R; r++) {
      if (k[o + 2 + r] !== st.fiberShape[i * RM + r] || k[o + 2 + RM + r] !== st.pointSets[i * (RM + 1) + r]) return false;
    }
    return true;
  }

  /** Empty tile i's entry before its result is recomputed (a computation that fails halfway leaves no stale key). */
  forget(i: number): void {
    this.key[i * this.width] = 0;
  }

  /** Store tile i's inputs as its entry's key (the caller stores the result). */
  store(st: SparseScratch, i: number, flags: number, R: number): void {
    const k = this.key, o = i * this.width, RM = st.RM;
    k[o] = flags; k[o + 1] = st.shape[i];
    for (let r = 0; r < R; r++) { k[o + 2 + r] = st.fiberShape[i * RM + r]; k[o + 2 + RM + r] = st.pointSets[i * (RM + 1) + r]; }
  }
}
