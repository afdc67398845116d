/**
 * Fast look-up-table entries for NetAdapt on the model: a layer variant with
 * fewer channels is mapped by a short search that starts from the mapping
 * found for the full-width layer, not by a search of its own. NetAdapt asks
 * for hundreds of variants of each layer (every filter count below the
 * current one, for every input width its producers leave), and a variant
 * differs from the full-width layer only in the bounds of its channel
 * dimensions, so the full-width layer's best mapping, with its channel
 * factors re-fitted to the new bounds, is a good mapping of the variant;
 * a few dozen hill-climbing steps from there adjust what the new bounds
 * change (which loop a leftover prime should go to, the loop order).
 *
 * Every candidate is compiled and evaluated by the model: an entry is the
 * cost of a real, legal mapping of the variant, never an interpolation.
 */
import { fanout, type Arch } from '../arch/arch.js';
import { ANNEAL_DEFAULTS } from '../mapper/anneal.js';
import { MOVE_NAMES, movesOf, type Move } from '../mapper/moves.js';
import { smallestPrimeOf, SX, SY, T, type Genome, type MapSpace } from '../mapper/space.js';
import type { Strategy, StrategyContext } from '../mapper/strategy.js';
import type { ConvLayer, FcLayer } from '../network/network.js';

/**
 * A layer's family: its shape without the channel counts NetAdapt changes
 * (input and output channels, and a depthwise layer's groups). Members of a
 * family have the same problem dimensions, so a mapping of one re-fits to
 * another.
 */
export function familyKey(l: ConvLayer | FcLayer): string {
  if (l.kind === 'fc') return 'fc';
  const dw = l.groups > 1 && l.groups === l.inC && l.groups === l.outC;
  const g = dw ? 'dw' : `g${l.groups}`;
  return `${l.transposed ? `convT ${l.inH}x${l.inW} ` : ''}conv ${l.outH}x${l.outW} k${l.kH}x${l.kW} s${l.strideH}x${l.strideW} d${l.dilH}x${l.dilW} ${g}`;
}

/** Channel counts of a layer variant: what distinguishes members of a family. */
export function channelCounts(l: ConvLayer | FcLayer): readonly [number, number] {
  return l.kind === 'fc' ? [l.inFeatures, l.outFeatures] : [l.inC, l.outC];
}

/**
 * How far apart two members of a family are: the summed log-ratio of their
 * channel counts (a variant is re-fitted from the nearest full-width layer).
 */
export function channelDistance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.abs(Math.log(a[0] / b[0])) + Math.abs(Math.log(a[1] / b[1]));
}

/** The largest divisor of `n` that is at most `at` (at least 1). */
function divisorAtMost(n: number, at: number): number {
  for (let k = Math.min(n, Math.floor(at)); k > 1; k--) if (n % k === 0) return k;
  return 1;
}

/** Which free slots of a dimension take their factor first when re-fitting. */
export type RefitOrder = 'inner-first' | 'spatial-first';

/**
 * Write into `out` the genome `from` (a mapping of another member of the
 * family, same levels, dimensions and data spaces) re-fitted to `space`:
 * orders and keep choices are copied (keeps the constraints fix are
 * enforced), fixed factors are the space's, and each dimension's free slots
 * take, in `order`, the largest divisor of what is left of the bound that is
 * at most the factor they had; one temporal slot takes the rest — the one at
 * level `restLevel` if the dimension has a free one there, else the
 * outermost free temporal slot. A dimension whose bound did not change
 * keeps its factors exactly. With fewer channels and the rest at the
 * outermost level no tile grows (the mapping still fits when `from` did);
 * the rest at an inner level (where a leftover prime such as 23 of 92
 * channels may be cheaper) may overflow it, which the evaluation tells.
 * Returns false if the result breaks a fanout or factor bound.
 */
export function refit(space: MapSpace, from: Genome, order: RefitOrder, out: Genome, restLevel = Infinity): boolean {
  const { L, D, S, fixed, free, primes, keepFixed } = space;
  if (from.f.length !== L * 3 * D || from.keep.length !== L * S) return false;
  out.perm.set(from.perm);
  out.sperm.set(from.sperm);
  out.pad.fill(0);
  for (let i = 0; i < L * S; i++) out.keep[i] = keepFixed[i] === 255 ? from.keep[i] : keepFixed[i];
  for (let i = 0; i < out.f.length; i++) out.f[i] = fixed[i] || 1;
  const restSlot = restLevel * 3 + T;
  for (let d = 0; d < D; d++) {
    const slots = free[d], ps = primes[d];
    if (slots.length === 0) continue;
    let rest = 1;
    for (let i = 0; i < ps.length; i++) rest *= ps[i];
    let last = -1, hasRest = false;
    for (let i = 0; i < slots.length; i++) { const s = slots[i]; if (s % 3 === T) last = s; if (s === restSlot) hasRest = true; }
    if (hasRest) last = restSlot;
    if (last < 0) last = slots[slots.length - 1];
    // inner-first: the slots as listed; spatial-first: the spatial ones, then the temporal ones (one pass each).
    const passes = order === 'inner-first' ? 1 : 2;
    for (let pass = 0; pass < passes; pass++) {
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i];
        if (s === last || (passes === 2 && (s % 3 === T) !== (pass === 1))) continue;
        const k = divisorAtMost(rest, from.f[s * D + d]);
        out.f[s * D + d] *= k;
        rest /= k;
      }
    }
    out.f[last * D + d] *= rest;
  }
  return space.fanoutOk(out);
}

/**
 * Fill the spatial slots a re-fit left idle: fewer channels leave part of
 * the PE array unused (92 channels keep 4 of the 16 columns 128 had), and
 * in cycles that costs up to the whole idle share. Each spatial slot, level
 * by level, takes primes from its dimensions' temporal slots (the outermost
 * first, the largest prime that still fits the fanout) until none fits.
 * Returns true if `g` changed and is still within the fanouts and factor
 * bounds (tile capacities are checked when it is evaluated).
 */
export function fillSpatial(space: MapSpace, arch: Arch, g: Genome): boolean {
  const { L, D, free, primes } = space;
  let moved = false;
  for (let l = 0; l < L; l++) {
    const f = fanout(arch, l);
    for (let slot = SX; slot <= SY; slot++) {
      const at = l * 3 + slot;
      const cap = slot === SX ? f.x : f.y;
      for (;;) {
        let used = 1;
        for (let d = 0; d < D; d++) used *= g.f[at * D + d];
        let dim = -1, from = -1, prime = 1;
        for (let d = 0; d < D; d++) {
          const fd = free[d];
          let has = false;
          for (let i = 0; i < fd.length; i++) if (fd[i] === at) { has = true; break; }
          if (!has) continue;
          for (let i = fd.length - 1; i >= 0; i--) {
            const s = fd[i];
            const v = g.f[s * D + d];
            if (s % 3 !== T || v === 1) continue;
            const p = smallestPrimeOf(primes[d], v);
            if (used * p <= cap && p > prime) { dim = d; from = s; prime = p; }
          }
        }
        if (dim < 0) break;
        g.f[from * D + dim] /= prime;
        g.f[at * D + dim] *= prime;
        moved = true;
      }
    }
  }
  return moved && space.fanoutOk(g);
}

/**
 * The starting genomes for a variant from an anchor's best mapping: both
 * orders of {@link refit}, with the rest at each level in turn (outermost
 * first), and each of them with its idle spatial slots filled
 * ({@link fillSpatial}). Each costs one evaluation.
 */
export function refitStarts(space: MapSpace, from: Genome, arch: Arch, scratch: Genome[] = []): Genome[] {
  const out: Genome[] = [];
  // Distinct re-fits so far: a re-fit equal to an earlier one adds nothing, and nor does its filled copy (the same as the earlier one's).
  const raws: Genome[] = [];
  // Plain loops, no closures: this runs once per variant, often enough for TurboFan to compile it, and closures and iterators it inlines make a large compile.
  let used = 0;
  for (let l = space.L - 1; l >= 0; l--) {
    for (let o = 0; o < 2; o++) {
      if (used === scratch.length) scratch.push(space.newGenome());
      const g = scratch[used++];
      if (!refit(space, from, o === 0 ? 'inner-first' : 'spatial-first', g, l) || sameFactorsAsAny(raws, g)) { used--; continue; }
      raws.push(g);
      if (!sameFactorsAsAny(out, g)) out.push(g);
      if (used === scratch.length) scratch.push(space.newGenome());
      const filled = scratch[used++];
      space.copy(g, filled);
      if (fillSpatial(space, arch, filled) && !sameFactorsAsAny(out, filled)) out.push(filled);
      else used--;
    }
  }
  return out;
}

/** Whether a genome of `list` has the factors of `g`. */
function sameFactorsAsAny(list: readonly Genome[], g: Genome): boolean {
  const n = g.f.length;
  for (let k = 0; k < list.length; k++) {
    const h = list[k].f;
    let i = 0;
    while (i < n && h[i] === g.f[i]) i++;
    if (i === n) return true;
  }
  return false;
}

/**
 * A search strategy for a variant: first the given starting genomes (the
 * re-fitted mappings), then hill climbing — one or two of the mapper's named
 * moves (weighted as the annealer weights them) applied to the best mapping
 * so far — until the budget is spent. With no legal start it samples the
 * space at random until one turns up.
 */
export function warmStartStrategy(starts: readonly Genome[]): (ctx: StrategyContext) => Strategy {
  return ({ space, rng, budget, incumbent: inc }) => {
    const moves = movesOf(space);
    const weights = MOVE_NAMES.map((n) => ANNEAL_DEFAULTS.moves[n]);
    const total = weights.reduce((a, b) => a + b, 0);
    const pick = (): Move => {
      let x = rng.next() * total;
      for (let i = 0; i < moves.length - 1; i++) if ((x -= weights[i]) < 0) return moves[i];
      return moves[moves.length - 1];
    };
    const cand = space.newGenome();
    let i = 0;
    return {
      name: 'anneal',
      next() {
        if (i < starts.length) return starts[i++];
        if (inc.evaluated >= budget) return null;
        if (!inc.found) { space.random(rng, cand); return cand; }
        // A narrow space may offer few moves: give up after many that change nothing.
        for (let tries = 0; tries < 64; tries++) {
          space.copy(inc.best, cand);
          let moved = false;
          for (let k = 1 + rng.int(2); k > 0; k--) moved = pick().apply(rng, cand) || moved;
          if (moved) return cand;
        }
        return null;
      },
      report() { /* the loop keeps the best; climbing always restarts from it */ },
    };
  };
}
