/**
 * The small named moves a local search applies to a genome, in place. Each
 * is one kind of step through the mapspace; a strategy picks among them (by
 * weights, in annealing). Moves are bound to a {@link MapSpace}, allocate
 * nothing, and leave the genome legal for the fanout (capacity is checked
 * after evaluation): a move that would break it, or that changes nothing,
 * restores the genome and reports false.
 */
import type { Rng } from '../util/rng.js';
import { smallestPrimeOf, type Genome, type MapSpace } from './space.js';

/** The names of the moves, as strategies and docs refer to them. */
export type MoveName = 'redeal-factors' | 'reorder-level' | 'move-prime' | 'swap-loops' | 'flip-bypass' | 'change-pad';

/** Every move name, in the order {@link movesOf} returns the moves. */
export const MOVE_NAMES: readonly MoveName[] = ['redeal-factors', 'reorder-level', 'move-prime', 'swap-loops', 'flip-bypass', 'change-pad'];

/** One named move of a mapspace. */
export interface Move {
  /** Its name in {@link MOVE_NAMES}. */
  readonly name: MoveName;
  /**
   * Apply the move to `g` in place, drawing from `rng`. Returns true if `g`
   * changed into a genome within the fanout limits; false if the move did
   * not apply (nothing to move, or it would break a fanout): `g` is then as
   * it was.
   */
  apply(rng: Rng, g: Genome): boolean;
}

/**
 * The moves of a mapspace, in {@link MOVE_NAMES} order:
 * - `redeal-factors`: deal all of one dimension's primes anew over its free slots (a larger jump);
 * - `reorder-level`: a whole new temporal loop order at one level;
 * - `move-prime`: move the smallest prime of one slot's factor to another free slot of the dimension;
 * - `swap-loops`: swap two unconstrained temporal loops of one level;
 * - `flip-bypass`: flip one free keep/bypass choice;
 * - `change-pad`: give one awkward dimension another padded bound (or its
 *   own) and deal that bound's primes anew (spaces with imperfect factors only).
 *
 * The random draws of each move are part of the search's reproducibility:
 * changing their order changes every annealing result for a seed.
 */
export function movesOf(space: MapSpace): readonly Move[] {
  const { L, D, S, fixed, free, torder, keepFixed, pads } = space;
  const saved = space.scratch;
  const redeal: Move = {
    name: 'redeal-factors',
    apply(rng, g) {
      const d = rng.int(D);
      const slots = free[d];
      const ps = space.primesOf(g, d);
      const n = slots.length;
      if (n < 2 || ps.length === 0) return false;
      for (let i = 0; i < n; i++) { const at = slots[i] * D + d; saved[i] = g.f[at]; g.f[at] = fixed[at] || 1; }
      for (let i = 0; i < ps.length; i++) g.f[slots[rng.int(n)] * D + d] *= ps[i];
      if (!space.fanoutOk(g)) { for (let i = 0; i < n; i++) g.f[slots[i] * D + d] = saved[i]; return false; }
      return true;
    },
  };
  const reorder: Move = {
    name: 'reorder-level',
    apply(rng, g) {
      space.shuffleOrder(rng, g.perm, rng.int(L), false);
      return true;
    },
  };
  const movePrime: Move = {
    name: 'move-prime',
    apply(rng, g) {
      const d = rng.int(D);
      const slots = free[d];
      const ps = space.primesOf(g, d);
      if (slots.length < 2 || ps.length === 0) return false;
      const from = slots[rng.int(slots.length)];
      const v = g.f[from * D + d];
      if (v === 1) return false;
      const p = smallestPrimeOf(ps, v);
      const to = slots[rng.int(slots.length)];
      if (to === from) return false;
      g.f[from * D + d] = v / p;
      g.f[to * D + d] *= p;
      if (!space.fanoutOk(g)) {
        g.f[to * D + d] /= p;
        g.f[from * D + d] = v;
        return false;
      }
      return true;
    },
  };
  const swap: Move = {
    name: 'swap-loops',
    apply(rng, g) {
      const l = rng.int(L);
      const lo = torder[l].length;
      if (D - lo < 2) return false;
      const i = lo + rng.int(D - lo), j = lo + rng.int(D - lo);
      if (i === j) return false;
      const a = g.perm[l * D + i];
      g.perm[l * D + i] = g.perm[l * D + j];
      g.perm[l * D + j] = a;
      return true;
    },
  };
  const flip: Move = {
    name: 'flip-bypass',
    apply(rng, g) {
      const i = rng.int(L * S);
      if (keepFixed[i] !== 255) return false;
      g.keep[i] ^= 1;
      return true;
    },
  };
  const changePad: Move = {
    name: 'change-pad',
    apply(rng, g) {
      const d = rng.int(D);
      const k = pads[d].length;
      if (k < 2) return false;
      const was = g.pad[d];
      const to = rng.int(k - 1);
      g.pad[d] = to >= was ? to + 1 : to;
      const slots = free[d];
      const n = slots.length;
      for (let i = 0; i < n; i++) { const at = slots[i] * D + d; saved[i] = g.f[at]; g.f[at] = fixed[at] || 1; }
      const ps = space.primesOf(g, d);
      for (let i = 0; i < ps.length; i++) g.f[slots[rng.int(n)] * D + d] *= ps[i];
      if (!space.fanoutOk(g)) { for (let i = 0; i < n; i++) g.f[slots[i] * D + d] = saved[i]; g.pad[d] = was; return false; }
      return true;
    },
  };
  return [redeal, reorder, movePrime, swap, flip, changePad];
}
