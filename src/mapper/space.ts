/**
 * The mapspace: factorisations × loop orders × spatial axes × bypass,
 * narrowed by constraints. A point of it is a {@link Genome} (flat typed
 * arrays, copied and mutated in place by the search); {@link MapSpace}
 * samples and enumerates genomes and turns them into compiled mappings for
 * the evaluator without allocating; the small moves a search applies to a
 * genome are in `moves.ts`.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { LevelMapping, Mapping } from '../mapping/mapping.js';
import type { CompiledBuffer } from '../model/compile.js';
import type { Workload } from '../workload/workload.js';
import type { Rng } from '../util/rng.js';
import type { Constraints } from '../mapping/constraints.js';
import { UnmappableError } from './errors.js';

/** Slots per level: temporal, spatial X, spatial Y. */
export const T = 0, SX = 1, SY = 2;

/** One mapping: factor per (level, slot, dim), temporal order per level, keep per (level, data space). */
export interface Genome {
  /**
   * f[(l*3 + slot)*D + d]. Float64, not Int32: a bound may be any safe
   * integer the model accepts (2^31 and beyond), and its factors with it.
   */
  readonly f: Float64Array;
  /** Temporal order of level l, innermost first: perm[l*D .. l*D+D). */
  readonly perm: Int32Array;
  /** Spatial order of level l (innermost first), X dimensions before Y. */
  readonly sperm: Int32Array;
  /** keep[l*S + s]: 1 if level l keeps data space s, 0 if it bypasses it. */
  readonly keep: Uint8Array;
  /**
   * Per dimension, the index into {@link MapSpace.pads}: the bound the
   * factors multiply to (0: the dimension's own bound, a perfect split).
   */
  readonly pad: Int32Array;
}

/**
 * A genome as a class, not an object literal: V8 builds a literal's
 * boilerplate on its second run with placeholder values, which widens the
 * recorded type of the typed-array fields, so the optimised moves and
 * compile step would check every field's map on each read.
 */
class GenomeArrays implements Genome {
  readonly f: Float64Array;
  readonly perm: Int32Array;
  readonly sperm: Int32Array;
  readonly keep: Uint8Array;
  readonly pad: Int32Array;
  constructor(L: number, D: number, S: number) {
    this.f = new Float64Array(L * 3 * D);
    this.perm = new Int32Array(L * D);
    this.sperm = new Int32Array(L * D);
    this.keep = new Uint8Array(L * S);
    this.pad = new Int32Array(D);
  }
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The smallest prime factor of an integer n ≥ 2 (n itself if prime), by
 * trial division up to √n: a prime bound near 2^31 costs ~46,000 steps, not
 * 2^31.
 */
export function smallestPrime(n: number): number {
  if (n % 2 === 0) return 2;
  for (let p = 3; p * p <= n; p += 2) if (n % p === 0) return p;
  return n;
}

/**
 * The smallest of `primes` (ascending: a dimension's prime table) that
 * divides `v`, a product of some of them; a move looks it up in the table
 * instead of factoring, so its cost does not grow with the bound.
 */
export function smallestPrimeOf(primes: readonly number[], v: number): number {
  for (let i = 0; i < primes.length; i++) if (v % primes[i] === 0) return primes[i];
  return smallestPrime(v);
}

/** Most pads an awkward dimension gets besides its own bound. */
export const MAX_PADS = 6;

/** Append to `out` the 7-smooth numbers in (n, 1.15·n], nearest first, at most {@link MAX_PADS}. */
function smoothAbove(n: number, out: number[]): void {
  const top = Math.floor(n * 1.15);
  for (let v = n + 1, found = 0; v <= top && found < MAX_PADS; v++) {
    let x = v;
    while (x % 2 === 0) x /= 2;
    while (x % 3 === 0) x /= 3;
    while (x % 5 === 0) x /= 5;
    while (x % 7 === 0) x /= 7;
    if (x === 1) { out.push(v); found++; }
  }
}

/**
 * A fixed factor that does not divide what is left of the bound is cut to
 * it (Timeloop maps C=4 on a C=3 layer as C=3), else to their gcd.
 */
function fitFactor(f: number, rest: number): number {
  return rest % f === 0 ? f : f > rest ? rest : gcd(f, rest);
}

/** Copy a level's factor bounds (dimension → bound) into `arr` at `at + d`; whether there were any. */
function boundsInto(m: ReadonlyMap<number, number> | undefined, arr: Float64Array, at: number): boolean {
  if (m === undefined || m.size === 0) return false;
  m.forEach((v, d) => { arr[at + d] = v; });
  return true;
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  while (n % 2 === 0 && n > 1) { out.push(2); n /= 2; }
  for (let p = 3; p * p <= n; p += 2) while (n % p === 0) { out.push(p); n /= p; }
  if (n > 1) out.push(n);
  return out;
}

/**
 * The mapspace of one layer on one architecture under constraints. Its
 * tables (what is fixed, which slots are free, the primes to deal) are read
 * by the moves and strategies; nothing outside this file writes them.
 */
export class MapSpace {
  /** Storage levels. */
  readonly L: number;
  /** Problem dimensions. */
  readonly D: number;
  /** Data spaces (tensors). */
  readonly S: number;
  /** Fixed factor per (level, slot, dim), or 0 if free. */
  readonly fixed: Float64Array;
  /** Prime factors (ascending) of what remains of each bound after the fixed factors. */
  readonly primes: readonly (readonly number[])[];
  /** Free slots (index l*3+slot) per dimension. */
  readonly free: readonly (readonly number[])[];
  /** The temporal ones among {@link MapSpace.free} (they never break a fanout). */
  private readonly freeTemporal: readonly (readonly number[])[];
  private readonly fanX: Int32Array;
  private readonly fanY: Int32Array;
  private readonly capacity: Float64Array;
  /** Keep fixed by constraints per (level, data space): 1 keep, 0 bypass, 255 free. */
  readonly keepFixed: Uint8Array;
  /** Temporal order prefix per level fixed by the constraints (innermost first). */
  readonly torder: readonly (readonly number[])[];
  /** Spatial order prefix per level fixed by the constraints. */
  readonly sorder: readonly (readonly number[])[];
  /** Per (level, dim): 1 if the dim is in the level's temporal-order prefix. */
  private readonly inTorder: Uint8Array;
  private readonly inSorder: Uint8Array;
  /**
   * Factor bounds from the constraints (Timeloop's `N<=128`, `M>=2`), per
   * (level, dim): the temporal factor, and the spatial one (X × Y).
   */
  private readonly tMin: Float64Array;
  private readonly tMax: Float64Array;
  private readonly sMin: Float64Array;
  private readonly sMax: Float64Array;
  /** Whether any factor bound is set (most spaces have none: the check is skipped). */
  private readonly hasFactorBounds: boolean;
  /** Spatial factors may exceed the fanout (constraints' `overFanout`: spatial skipping checks what it leaves). */
  private readonly overFanout: boolean;
  /** Scratch for {@link MapSpace.shuffleOrder} and the moves (one search runs per space at a time); Float64 to hold factors. */
  readonly scratch: Float64Array;
  /**
   * Per dimension, the bounds its factors may multiply to: [0] is its own
   * bound; with `constraints.imperfect`, a bound of 8 or more with no fixed
   * factor also gets the 7-smooth numbers up to 15% above it, nearest first
   * (at most {@link MAX_PADS}): 197 → 200, 210, 216, 224, 225; 64 → 70, 72. The residuals that
   * make such a split cover the bound exactly are the mixed-radix digits of
   * bound − 1 over the dimension's loops (innermost first): a ceil split,
   * whose last pass is partial.
   */
  readonly pads: readonly (readonly number[])[];
  /** Prime factors (ascending) of each pad: padPrimes[d][k]; padPrimes[d][0] is primes[d]. */
  readonly padPrimes: readonly (readonly (readonly number[])[])[];
  /** Whether any dimension has a pad besides its bound (imperfect factors proposed). */
  readonly imperfect: boolean;
  /** Residual of each slot of the genome being compiled, (l*3 + slot)*D + d. */
  private readonly residual: Float64Array;

  /**
   * Build the space's tables from the layer, the architecture and the constraints.
   * @throws UnmappableError if the constraints fix factors that do not divide
   * a bound or leave a remaining factor no slot to go to.
   */
  constructor(readonly w: Workload, readonly arch: Arch, readonly c: Constraints) {
    const L = (this.L = arch.storage.length);
    const D = (this.D = w.dims.length);
    this.overFanout = c.overFanout === true;
    const S = (this.S = w.dataSpaces.length);
    this.fanX = new Int32Array(L);
    this.fanY = new Int32Array(L);
    this.capacity = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      const f = fanout(arch, l);
      this.fanX[l] = f.x;
      this.fanY[l] = f.y;
      const lv = arch.storage[l];
      this.capacity[l] = lv.sizeWords === null ? Infinity : Math.floor(lv.sizeWords / lv.multipleBuffering);
    }
    this.fixed = new Float64Array(L * 3 * D);
    const freeAll: number[][] = (this.free = []);
    const primes: number[][] = (this.primes = []);
    this.scratch = new Float64Array(Math.max(D, L * 3));
    // Arrays built by push, not Array.prototype.map: the optimised map makes
    // arrays of another elements kind than the interpreter's, so every
    // optimised reader of these tables (the moves, shuffleOrder) would meet a
    // new map once this constructor is optimised, and be discarded.
    const torder: (readonly number[])[] = [], sorder: (readonly number[])[] = [];
    for (let l = 0; l < L; l++) { torder.push(c.levels[l].temporalOrder); sorder.push(c.levels[l].spatialOrder); }
    this.torder = torder;
    this.sorder = sorder;
    for (let d = 0; d < D; d++) {
      let rest = w.bounds[d];
      const free: number[] = [];
      for (let l = 0; l < L; l++) {
        const lc = c.levels[l];
        // Temporal slot.
        const tf = lc.temporalFactors.get(d);
        if (tf !== undefined && tf > 0) { const f = fitFactor(tf, rest); this.fixed[(l * 3 + T) * D + d] = f; rest /= f; } else free.push(l * 3 + T);
        // Spatial slots: the axis comes from the spatial order and split, if given.
        const sf = lc.spatialFactors.get(d);
        const pos = lc.spatialOrder.indexOf(d);
        const axisKnown = pos >= 0 && lc.split !== undefined;
        const onlyX = axisKnown && pos < lc.split!;
        const onlyY = axisKnown && pos >= lc.split!;
        for (let slot = SX; slot <= SY; slot++) {
          const fo = slot === SX ? this.fanX[l] : this.fanY[l];
          const excluded = fo <= 1 || (slot === SX && onlyY) || (slot === SY && onlyX);
          const i = (l * 3 + slot) * D + d;
          if (sf !== undefined && sf > 0) {
            // A fixed spatial factor goes to the dimension's axis (X if open).
            const target = onlyY ? SY : onlyX ? SX : this.fanX[l] >= sf ? SX : SY;
            if (slot === target) { const f = fitFactor(sf, rest); this.fixed[i] = f; rest /= f; } else this.fixed[i] = 1;
          } else if (excluded) this.fixed[i] = 1;
          else free.push(l * 3 + slot);
        }
      }
      if (!Number.isInteger(rest)) throw new UnmappableError(`constraints fix factors of ${w.dims[d]} that do not divide ${w.bounds[d]}`);
      primes.push(primeFactors(rest));
      freeAll.push(free);
      if (rest > 1 && free.length === 0) throw new UnmappableError(`constraints leave no place for the remaining factor ${rest} of ${w.dims[d]}`);
    }
    const freeTemporal: number[][] = [];
    for (let d = 0; d < D; d++) {
      const t: number[] = [], all = freeAll[d];
      for (let i = 0; i < all.length; i++) if (all[i] % 3 === T) t.push(all[i]);
      freeTemporal.push(t);
    }
    this.freeTemporal = freeTemporal;
    this.inTorder = new Uint8Array(L * D);
    this.inSorder = new Uint8Array(L * D);
    for (let l = 0; l < L; l++) {
      const to = this.torder[l], so = this.sorder[l];
      for (let k = 0; k < to.length; k++) this.inTorder[l * D + to[k]] = 1;
      for (let k = 0; k < so.length; k++) this.inSorder[l * D + so[k]] = 1;
    }
    this.tMin = new Float64Array(L * D).fill(1);
    this.tMax = new Float64Array(L * D).fill(Infinity);
    this.sMin = new Float64Array(L * D).fill(1);
    this.sMax = new Float64Array(L * D).fill(Infinity);
    let any = false;
    for (let l = 0; l < L; l++) {
      const lc = c.levels[l];
      any = boundsInto(lc.temporalMin, this.tMin, l * D) || any;
      any = boundsInto(lc.temporalMax, this.tMax, l * D) || any;
      any = boundsInto(lc.spatialMin, this.sMin, l * D) || any;
      any = boundsInto(lc.spatialMax, this.sMax, l * D) || any;
    }
    this.hasFactorBounds = any;
    const pads: number[][] = [];
    let imperfect = false;
    for (let d = 0; d < D; d++) {
      const n = w.bounds[d];
      let own = 1;
      for (let i = 0; i < primes[d].length; i++) own *= primes[d][i];
      const ps = [n];
      if (c.imperfect === true && own === n && n >= 8) smoothAbove(n, ps);
      if (ps.length > 1) imperfect = true;
      pads.push(ps);
    }
    this.pads = pads;
    const padPrimes: (readonly number[])[][] = [];
    for (let d = 0; d < D; d++) {
      const pp: (readonly number[])[] = [primes[d]];
      for (let k = 1; k < pads[d].length; k++) pp.push(primeFactors(pads[d][k]));
      padPrimes.push(pp);
    }
    this.padPrimes = padPrimes;
    this.imperfect = imperfect;
    this.residual = new Float64Array(L * 3 * D);
    this.keepFixed = new Uint8Array(L * S).fill(255);
    for (let l = 0; l < L; l++) {
      for (let s = 0; s < S; s++) {
        const lc = c.levels[l];
        let v = 255;
        if (lc.keep.has(s)) v = 1;
        else if (lc.bypass.has(s)) v = 0;
        else if (l === L - 1) v = 1; // the backing store keeps everything
        else if (arch.storage[l].isDummy) v = 0;
        this.keepFixed[l * S + s] = v;
      }
    }
  }

  /** A zeroed genome shaped for this space (fill it with {@link MapSpace.random}). */
  newGenome(): Genome {
    const { L, D, S } = this;
    return new GenomeArrays(L, D, S);
  }

  /** Copy one genome of this space into another, in place. */
  copy(from: Genome, to: Genome): void {
    to.f.set(from.f);
    to.perm.set(from.perm);
    to.sperm.set(from.sperm);
    to.keep.set(from.keep);
    to.pad.set(from.pad);
  }

  /** The primes of dimension d that genome g deals (those of its pad). */
  primesOf(g: Genome, d: number): readonly number[] {
    const k = g.pad[d];
    return k === 0 ? this.primes[d] : this.padPrimes[d][k];
  }

  /**
   * Residuals of genome g, per slot, into this.residual: the mixed-radix
   * digits (+1) of bound − 1 over the non-unit loops of each padded
   * dimension, innermost first (per level: spatial X, Y, then temporal).
   */
  private residuals(g: Genome): void {
    const { L, D } = this;
    for (let d = 0; d < D; d++) {
      if (g.pad[d] === 0) continue;
      let rest = this.w.bounds[d] - 1;
      for (let l = 0; l < L; l++) {
        for (const slot of [SX, SY, T]) {
          const i = (l * 3 + slot) * D + d;
          const f = g.f[i];
          if (f <= 1) { this.residual[i] = f; continue; }
          this.residual[i] = (rest % f) + 1;
          rest = Math.floor(rest / f);
        }
      }
    }
  }

  /**
   * Fill `g` with a random point of the mapspace (fanout respected; capacity
   * is checked after evaluation): each prime of each bound goes to one of its
   * dimension's free slots, orders are shuffled, free keeps are coin flips.
   * @throws UnmappableError if no mapping within the fanout limits turns up.
   */
  random(rng: Rng, g: Genome): void {
    const { L, D, S } = this;
    for (let attempt = 0; ; attempt++) {
      for (let i = 0; i < g.f.length; i++) g.f[i] = this.fixed[i] || 1;
      for (let d = 0; d < D; d++) {
        const free = this.free[d];
        // Only a space with imperfect factors draws a pad (a perfect space's draws are unchanged).
        if (this.pads[d].length > 1) g.pad[d] = rng.int(this.pads[d].length);
        const ps = this.primesOf(g, d);
        for (let k = 0; k < ps.length; k++) {
          const p = ps[k];
          // Late attempts favour temporal slots, which never break a fanout.
          let slot = free[rng.int(free.length)];
          if (attempt > 20 && slot % 3 !== T) {
            const temporal = this.freeTemporal[d];
            if (temporal.length) slot = temporal[rng.int(temporal.length)];
          }
          // Later still, half the primes go to the outermost free temporal
          // slot: inner upper bounds and outer lower bounds then hold.
          if (attempt > 100 && rng.next() < 0.5) {
            const temporal = this.freeTemporal[d];
            if (temporal.length) slot = temporal[temporal.length - 1];
          }
          g.f[slot * D + d] *= p;
        }
      }
      if (this.fanoutOk(g)) break;
      if (attempt > 200) throw new UnmappableError('no mapping within the fanout limits and factor bounds was found under the constraints');
    }
    for (let l = 0; l < L; l++) {
      this.shuffleOrder(rng, g.perm, l, false);
      this.shuffleOrder(rng, g.sperm, l, true);
    }
    for (let i = 0; i < L * S; i++) g.keep[i] = this.keepFixed[i] === 255 ? (rng.next() < 0.5 ? 1 : 0) : this.keepFixed[i];
  }

  /**
   * A new random order for level l: the constrained prefix, then the other
   * dimensions shuffled (Fisher–Yates, ascending dimension order first).
   * `spatial` picks the spatial order (`sperm`) rather than the temporal one.
   */
  shuffleOrder(rng: Rng, arr: Int32Array, l: number, spatial: boolean): void {
    const D = this.D;
    const prefix = spatial ? this.sorder[l] : this.torder[l];
    const inPrefix = spatial ? this.inSorder : this.inTorder;
    const rest = this.scratch;
    let n = 0;
    for (let d = 0; d < D; d++) if (!inPrefix[l * D + d]) rest[n++] = d;
    for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); const a = rest[i]; rest[i] = rest[j]; rest[j] = a; }
    const k = Math.min(prefix.length, D);
    for (let i = 0; i < k; i++) arr[l * D + i] = prefix[i];
    for (let i = 0; k + i < D && i < n; i++) arr[l * D + k + i] = rest[i];
  }

  /**
   * Whether every level's spatial factors fit its X and Y fanout, and every
   * factor its bounds from the constraints. `assigned` (default: all): the
   * dimensions 0..assigned-1 have their final factors; the others' free
   * slots still hold 1, so only their upper bounds are checked (a partial
   * mapping of the exact search).
   */
  fanoutOk(g: Genome, assigned = this.D): boolean {
    const { L, D } = this;
    for (let l = 0; l < L; l++) {
      let x = 1, y = 1;
      for (let d = 0; d < D; d++) { x *= g.f[(l * 3 + SX) * D + d]; y *= g.f[(l * 3 + SY) * D + d]; }
      if ((x > this.fanX[l] || y > this.fanY[l]) && !this.overFanout) return false;
    }
    if (!this.hasFactorBounds) return true;
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        const t = g.f[(l * 3 + T) * D + d], sp = g.f[(l * 3 + SX) * D + d] * g.f[(l * 3 + SY) * D + d];
        if (t > this.tMax[i] || sp > this.sMax[i]) return false;
        if (d < assigned && (t < this.tMin[i] || sp < this.sMin[i])) return false;
      }
    }
    return true;
  }

  /** Write the genome as a compiled mapping. */
  compile(g: Genome, out: CompiledBuffer): void {
    const { L, D, S } = this;
    out.clear();
    if (this.imperfect) { this.compileImperfect(g, out); return; }
    // CompiledBuffer.push inlined (the same loops, factor-1 ones skipped, residual = factor): this runs for every candidate.
    const { f, perm, sperm } = g;
    const { level, spatial, dim, factor, residual, axisY } = out;
    let n = 0;
    for (let l = 0; l < L; l++) {
      for (let slot = SX; slot <= SY; slot++) {
        const base = (l * 3 + slot) * D, y = slot === SY ? 1 : 0;
        for (let i = 0; i < D; i++) {
          const d = sperm[l * D + i], v = f[base + d];
          if (v <= 1) continue;
          level[n] = l; spatial[n] = 1; dim[n] = d; factor[n] = v; residual[n] = v; axisY[n] = y; n++;
        }
      }
      const base = (l * 3 + T) * D;
      for (let i = 0; i < D; i++) {
        const d = perm[l * D + i], v = f[base + d];
        if (v <= 1) continue;
        level[n] = l; spatial[n] = 0; dim[n] = d; factor[n] = v; residual[n] = v; axisY[n] = 0; n++;
      }
    }
    out.n = n;
    const keep = out.keep, gk = g.keep;
    for (let i = 0; i < L * S; i++) keep[i] = gk[i];
  }

  /** {@link MapSpace.compile} for a space with pads: the same loops, with their residuals. */
  private compileImperfect(g: Genome, out: CompiledBuffer): void {
    const { L, D, S } = this;
    this.residuals(g);
    for (let l = 0; l < L; l++) {
      for (const slot of [SX, SY]) {
        for (let i = 0; i < D; i++) {
          const d = g.sperm[l * D + i];
          const at = (l * 3 + slot) * D + d;
          out.push(l, true, d, g.f[at], slot === SY, g.pad[d] === 0 ? g.f[at] : this.residual[at]);
        }
      }
      for (let i = 0; i < D; i++) {
        const d = g.perm[l * D + i];
        const at = (l * 3 + T) * D + d;
        out.push(l, false, d, g.f[at], false, g.pad[d] === 0 ? g.f[at] : this.residual[at]);
      }
    }
    for (let i = 0; i < L * S; i++) out.keep[i] = g.keep[i];
  }

  /** Room a compiled buffer needs for any genome of this space. */
  get maxLoops(): number {
    return this.L * 3 * this.D;
  }

  /** Whether the kept tiles fit every level (from the evaluator's utilised capacities). */
  fits(utilizedCapacity: Float64Array, kept: Uint8Array): boolean {
    const { L, S } = this;
    for (let l = 0; l < L; l++) {
      let used = 0;
      for (let s = 0; s < S; s++) if (kept[l * S + s]) used += utilizedCapacity[l * S + s];
      if (used > this.capacity[l]) return false;
    }
    return true;
  }

  /** Factor distributions over the free slots: the first term of both sizes. */
  private factorChoices(): number {
    let n = 1;
    for (let d = 0; d < this.D; d++) {
      const free = this.free[d].length;
      const counts = new Map<number, number>();
      for (const p of this.primes[d]) counts.set(p, (counts.get(p) ?? 0) + 1);
      for (const e of counts.values()) n *= binomial(e + free - 1, free - 1);
    }
    return n;
  }

  /** `n` × 2 for every free keep/bypass choice: the last term of both sizes (same multiplication order as before). */
  private timesBypassChoices(n: number): number {
    for (let i = 0; i < this.L * this.S; i++) if (this.keepFixed[i] === 255) n *= 2;
    return n;
  }

  /**
   * An upper bound on the number of distinct mappings: factor
   * distributions × orders of the loops that can be non-trivial at each
   * level × free bypass choices (spatial orders are not varied).
   */
  size(): number {
    const { L, D } = this;
    let n = this.factorChoices();
    for (let l = 0; l < L; l++) {
      let k = 0;
      for (let d = 0; d < D; d++) {
        const canBeNonUnit = (this.free[d].includes(l * 3 + T) && this.primes[d].length > 0) || this.fixed[(l * 3 + T) * D + d] > 1;
        if (!this.torder[l].includes(d) && canBeNonUnit) k++;
      }
      for (let i = 2; i <= k; i++) n *= i;
    }
    return this.timesBypassChoices(n);
  }

  /**
   * An upper bound on the raw mapspace before canonicalisation: factor
   * distributions × every order of each level's unconstrained temporal
   * loops, unit ones included × free bypass choices.
   */
  rawSize(): number {
    const { L, D } = this;
    let n = this.factorChoices();
    for (let l = 0; l < L; l++) for (let i = 2; i <= D - this.torder[l].length; i++) n *= i;
    return this.timesBypassChoices(n);
  }

  /** The genome as a plain mapping (for output and validation). */
  toMapping(g: Genome): Mapping {
    const { L, D, S } = this;
    const levels: LevelMapping[] = [];
    if (this.imperfect) this.residuals(g);
    // A padded dimension's loops carry their residual when it is below the factor.
    const loop = (d: number, at: number) => {
      const f = g.f[at];
      const r = g.pad[d] === 0 ? f : this.residual[at];
      return r < f ? { dim: d, factor: f, residual: r } : { dim: d, factor: f };
    };
    for (let l = 0; l < L; l++) {
      const temporal = [];
      for (let i = 0; i < D; i++) {
        const d = g.perm[l * D + i];
        const f = g.f[(l * 3 + T) * D + d];
        if (f > 1) temporal.push(loop(d, (l * 3 + T) * D + d));
      }
      const spatial = [];
      for (const slot of [SX, SY]) {
        for (let i = 0; i < D; i++) {
          const d = g.sperm[l * D + i];
          const f = g.f[(l * 3 + slot) * D + d];
          // Written out, not `{ ...loop(), axis }`: every object a spread made here got a map of its own,
          // which made each read of a spatial loop's fields a megamorphic lookup.
          if (f > 1) {
            const lp = loop(d, (l * 3 + slot) * D + d), axis: 'X' | 'Y' = slot === SX ? 'X' : 'Y';
            spatial.push(lp.residual !== undefined ? { dim: lp.dim, factor: lp.factor, residual: lp.residual, axis } : { dim: lp.dim, factor: lp.factor, axis });
          }
        }
      }
      const keep = [];
      for (let s = 0; s < S; s++) keep.push(g.keep[l * S + s] === 1);
      levels.push({ temporal, spatial, keep });
    }
    return { levels };
  }
}
