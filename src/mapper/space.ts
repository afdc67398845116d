/**
 * The mapspace: factorisations × loop orders × spatial axes × bypass,
 * narrowed by constraints. A point of it is a {@link Genome} (flat typed
 * arrays, copied and mutated in place by the search); {@link MapSpace}
 * samples genomes, applies small moves to them, and turns them into
 * compiled mappings for the evaluator without allocating.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { LevelMapping, Mapping } from '../mapping/mapping.js';
import type { CompiledBuffer } from '../model/compile.js';
import type { Workload } from '../workload/workload.js';
import type { Constraints } from '../mapping/constraints.js';

/** A deterministic PRNG (mulberry32): same seed, same sequence. */
export class Rng {
  private a: number;
  constructor(seed: number) { this.a = seed >>> 0; }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
}

/** Slots per level: temporal, spatial X, spatial Y. */
export const T = 0, SX = 1, SY = 2;

/** One mapping: factor per (level, slot, dim), temporal order per level, keep per (level, data space). */
export interface Genome {
  /** f[(l*3 + slot)*D + d] */
  readonly f: Int32Array;
  /** Temporal order of level l, innermost first: perm[l*D .. l*D+D). */
  readonly perm: Int32Array;
  /** Spatial order of level l (innermost first), X dimensions before Y. */
  readonly sperm: Int32Array;
  readonly keep: Uint8Array;
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

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; p * p <= n; p++) while (n % p === 0) { out.push(p); n /= p; }
  if (n > 1) out.push(n);
  return out;
}

export class MapSpace {
  readonly L: number;
  readonly D: number;
  readonly S: number;
  /** Fixed factor per (level, slot, dim), or 0 if free. */
  private readonly fixed: Int32Array;
  /** Prime factors of what remains of each bound after the fixed factors. */
  private readonly primes: number[][];
  /** Free slots (index (l*3+slot)) per dimension. */
  private readonly free: number[][];
  private readonly fanX: Int32Array;
  private readonly fanY: Int32Array;
  private readonly capacity: Float64Array;
  /** Keep fixed by constraints: 1 keep, 0 bypass, 255 free. */
  private readonly keepFixed: Uint8Array;
  private readonly torder: number[][];
  private readonly sorder: number[][];

  constructor(readonly w: Workload, readonly arch: Arch, readonly c: Constraints) {
    const L = (this.L = arch.storage.length);
    const D = (this.D = w.dims.length);
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
    this.fixed = new Int32Array(L * 3 * D);
    this.free = [];
    this.primes = [];
    this.torder = c.levels.map((lc) => lc.temporalOrder);
    this.sorder = c.levels.map((lc) => lc.spatialOrder);
    // A fixed factor that does not divide what is left of the bound is cut to
    // it (Timeloop maps C=4 on a C=3 layer as C=3), else to their gcd.
    const fit = (f: number, rest: number) => (rest % f === 0 ? f : f > rest ? rest : gcd(f, rest));
    for (let d = 0; d < D; d++) {
      let rest = w.bounds[d];
      const free: number[] = [];
      for (let l = 0; l < L; l++) {
        const lc = c.levels[l];
        // Temporal slot.
        const tf = lc.temporalFactors.get(d);
        if (tf !== undefined && tf > 0) { const f = fit(tf, rest); this.fixed[(l * 3 + T) * D + d] = f; rest /= f; } else free.push(l * 3 + T);
        // Spatial slots: the axis comes from the spatial order and split, if given.
        const sf = lc.spatialFactors.get(d);
        const pos = lc.spatialOrder.indexOf(d);
        const axisKnown = pos >= 0 && lc.split !== undefined;
        const onlyX = axisKnown && pos < lc.split!;
        const onlyY = axisKnown && pos >= lc.split!;
        for (const slot of [SX, SY]) {
          const fo = slot === SX ? this.fanX[l] : this.fanY[l];
          const excluded = fo <= 1 || (slot === SX && onlyY) || (slot === SY && onlyX);
          const i = (l * 3 + slot) * D + d;
          if (sf !== undefined && sf > 0) {
            // A fixed spatial factor goes to the dimension's axis (X if open).
            const target = onlyY ? SY : onlyX ? SX : this.fanX[l] >= sf ? SX : SY;
            if (slot === target) { const f = fit(sf, rest); this.fixed[i] = f; rest /= f; } else this.fixed[i] = 1;
          } else if (excluded) this.fixed[i] = 1;
          else free.push(l * 3 + slot);
        }
      }
      if (!Number.isInteger(rest)) throw new Error(`constraints fix factors of ${w.dims[d]} that do not divide ${w.bounds[d]}`);
      this.primes.push(primeFactors(rest));
      this.free.push(free);
      if (rest > 1 && free.length === 0) throw new Error(`constraints leave no place for the remaining factor ${rest} of ${w.dims[d]}`);
    }
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

  newGenome(): Genome {
    const { L, D, S } = this;
    return { f: new Int32Array(L * 3 * D), perm: new Int32Array(L * D), sperm: new Int32Array(L * D), keep: new Uint8Array(L * S) };
  }

  copy(from: Genome, to: Genome): void {
    to.f.set(from.f);
    to.perm.set(from.perm);
    to.sperm.set(from.sperm);
    to.keep.set(from.keep);
  }

  /** Fill `g` with a random point of the mapspace (fanout respected; capacity is checked after evaluation). */
  random(rng: Rng, g: Genome): void {
    const { L, D, S } = this;
    for (let attempt = 0; ; attempt++) {
      for (let i = 0; i < g.f.length; i++) g.f[i] = this.fixed[i] || 1;
      for (let d = 0; d < D; d++) {
        const free = this.free[d];
        for (const p of this.primes[d]) {
          // Late attempts favour temporal slots, which never break a fanout.
          let slot = free[rng.int(free.length)];
          if (attempt > 20 && slot % 3 !== T) {
            const temporal = free.filter((x) => x % 3 === T);
            if (temporal.length) slot = temporal[rng.int(temporal.length)];
          }
          g.f[slot * D + d] *= p;
        }
      }
      if (this.fanoutOk(g)) break;
      if (attempt > 200) throw new Error('no mapping within the fanout limits was found under the constraints');
    }
    for (let l = 0; l < L; l++) {
      this.shuffleOrder(rng, g.perm, l, this.torder[l]);
      this.shuffleOrder(rng, g.sperm, l, this.sorder[l]);
    }
    for (let i = 0; i < L * S; i++) g.keep[i] = this.keepFixed[i] === 255 ? (rng.next() < 0.5 ? 1 : 0) : this.keepFixed[i];
  }

  private shuffleOrder(rng: Rng, arr: Int32Array, l: number, prefix: number[]): void {
    const D = this.D;
    const rest: number[] = [];
    for (let d = 0; d < D; d++) if (!prefix.includes(d)) rest.push(d);
    for (let i = rest.length - 1; i > 0; i--) { const j = rng.int(i + 1); [rest[i], rest[j]] = [rest[j], rest[i]]; }
    const order = [...prefix, ...rest];
    for (let i = 0; i < D; i++) arr[l * D + i] = order[i];
  }

  fanoutOk(g: Genome): boolean {
    const { L, D } = this;
    for (let l = 0; l < L; l++) {
      let x = 1, y = 1;
      for (let d = 0; d < D; d++) { x *= g.f[(l * 3 + SX) * D + d]; y *= g.f[(l * 3 + SY) * D + d]; }
      if (x > this.fanX[l] || y > this.fanY[l]) return false;
    }
    return true;
  }

  /**
   * Apply one small random move in place: move a prime factor of a
   * dimension between two of its free slots, swap two loops in a level's
   * order, or flip a free keep/bypass choice. Returns false if no move applied.
   */
  mutate(rng: Rng, g: Genome): boolean {
    const { L, D, S } = this;
    const r = rng.next();
    if (r < 0.08) {
      // A larger jump: deal all of one dimension's prime factors anew.
      const d = rng.int(D);
      const free = this.free[d];
      if (free.length < 2 || this.primes[d].length === 0) return false;
      const saved = new Int32Array(free.length);
      free.forEach((slot, i) => { saved[i] = g.f[slot * D + d]; g.f[slot * D + d] = this.fixed[slot * D + d] || 1; });
      for (const p of this.primes[d]) g.f[free[rng.int(free.length)] * D + d] *= p;
      if (!this.fanoutOk(g)) { free.forEach((slot, i) => { g.f[slot * D + d] = saved[i]; }); return false; }
      return true;
    }
    if (r < 0.1) {
      // Or a whole new loop order at one level.
      const l = rng.int(L);
      this.shuffleOrder(rng, g.perm, l, this.torder[l]);
      return true;
    }
    if (r < 0.6) {
      const d = rng.int(D);
      const free = this.free[d];
      if (free.length < 2 || this.primes[d].length === 0) return false;
      const from = free[rng.int(free.length)];
      const v = g.f[from * D + d];
      if (v === 1) return false;
      // A prime of the factor at `from`.
      let p = 2;
      while (v % p !== 0) p++;
      let to = free[rng.int(free.length)];
      if (to === from) return false;
      g.f[from * D + d] = v / p;
      g.f[to * D + d] *= p;
      if (!this.fanoutOk(g)) {
        g.f[to * D + d] /= p;
        g.f[from * D + d] = v;
        return false;
      }
      return true;
    }
    if (r < 0.85) {
      const l = rng.int(L);
      const lo = this.torder[l].length;
      if (D - lo < 2) return false;
      const i = lo + rng.int(D - lo), j = lo + rng.int(D - lo);
      if (i === j) return false;
      const a = g.perm[l * D + i];
      g.perm[l * D + i] = g.perm[l * D + j];
      g.perm[l * D + j] = a;
      return true;
    }
    const i = rng.int(L * S);
    if (this.keepFixed[i] !== 255) return false;
    g.keep[i] ^= 1;
    return true;
  }

  /** Write the genome as a compiled mapping. */
  compile(g: Genome, out: CompiledBuffer): void {
    const { L, D, S } = this;
    out.n = 0;
    for (let l = 0; l < L; l++) {
      for (const slot of [SX, SY]) {
        for (let i = 0; i < D; i++) {
          const d = g.sperm[l * D + i];
          out.push(l, true, d, g.f[(l * 3 + slot) * D + d], slot === SY);
        }
      }
      for (let i = 0; i < D; i++) {
        const d = g.perm[l * D + i];
        out.push(l, false, d, g.f[(l * 3 + T) * D + d], false);
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

  /** Ways to deal each dimension's prime factors over its free slots. */
  private distributions(d: number): Int32Array[] {
    const free = this.free[d];
    let out: number[][] = [free.map(() => 1)];
    const counts = new Map<number, number>();
    for (const p of this.primes[d]) counts.set(p, (counts.get(p) ?? 0) + 1);
    for (const [p, e] of counts) {
      // Every way to split e copies of p over the free slots.
      const splits: number[][] = [];
      const rec = (i: number, left: number, acc: number[]) => {
        if (i === free.length - 1) { splits.push([...acc, left]); return; }
        for (let k = 0; k <= left; k++) rec(i + 1, left - k, [...acc, k]);
      };
      if (free.length > 0) rec(0, e, []);
      const next: number[][] = [];
      for (const base of out) for (const sp of splits) next.push(base.map((v, i) => v * p ** sp[i]));
      out = next;
    }
    return out.map((v) => Int32Array.from(v));
  }

  /**
   * An upper bound on the number of distinct mappings: factor
   * distributions × orders of the loops that can be non-trivial at each
   * level × free bypass choices (spatial orders are not varied).
   */
  size(): number {
    const { L, D, S } = this;
    let n = 1;
    for (let d = 0; d < D; d++) {
      const free = this.free[d].length;
      const counts = new Map<number, number>();
      for (const p of this.primes[d]) counts.set(p, (counts.get(p) ?? 0) + 1);
      for (const e of counts.values()) n *= binomial(e + free - 1, free - 1);
    }
    for (let l = 0; l < L; l++) {
      let k = 0;
      for (let d = 0; d < D; d++) {
        const canBeNonUnit = (this.free[d].includes(l * 3 + T) && this.primes[d].length > 0) || this.fixed[(l * 3 + T) * D + d] > 1;
        if (!this.torder[l].includes(d) && canBeNonUnit) k++;
      }
      for (let i = 2; i <= k; i++) n *= i;
    }
    for (let i = 0; i < L * S; i++) if (this.keepFixed[i] === 255) n *= 2;
    return n;
  }

  /**
   * Visit every mapping of the space (factor distributions × loop orders of
   * the non-trivial loops × bypass), for spaces small enough to search
   * exhaustively. The visitor returns false to stop.
   */
  enumerate(visit: (g: Genome) => boolean): void {
    const { L, D, S } = this;
    const g = this.newGenome();
    const dists = Array.from({ length: D }, (_, d) => this.distributions(d));
    for (let l = 0; l < L; l++) {
      const order = [...this.sorder[l], ...[...Array(D).keys()].filter((x) => !this.sorder[l].includes(x))];
      for (let i = 0; i < D; i++) g.sperm[l * D + i] = order[i];
    }
    const freeKeeps: number[] = [];
    for (let i = 0; i < L * S; i++) { if (this.keepFixed[i] === 255) freeKeeps.push(i); else g.keep[i] = this.keepFixed[i]; }
    let go = true;
    const orders = (l: number, k: () => void) => {
      if (l === L) { k(); return; }
      const prefix = this.torder[l];
      const rest = [...Array(D).keys()].filter((d) => !prefix.includes(d));
      const nonUnit = rest.filter((d) => g.f[(l * 3 + T) * D + d] > 1);
      const unit = rest.filter((d) => g.f[(l * 3 + T) * D + d] <= 1);
      const perm = (arr: number[], i: number) => {
        if (!go) return;
        if (i === arr.length) {
          const order = [...prefix, ...arr, ...unit];
          for (let j = 0; j < D; j++) g.perm[l * D + j] = order[j];
          orders(l + 1, k);
          return;
        }
        for (let j = i; j < arr.length; j++) {
          [arr[i], arr[j]] = [arr[j], arr[i]];
          perm(arr, i + 1);
          [arr[i], arr[j]] = [arr[j], arr[i]];
        }
      };
      perm(nonUnit, 0);
    };
    const keeps = (i: number) => {
      if (!go) return;
      if (i === freeKeeps.length) { go = visit(g); return; }
      for (const v of [1, 0]) { g.keep[freeKeeps[i]] = v; keeps(i + 1); }
    };
    const factors = (d: number) => {
      if (!go) return;
      if (d === D) {
        if (this.fanoutOk(g)) orders(0, () => keeps(0));
        return;
      }
      for (const v of dists[d]) {
        for (let i = 0; i < this.fixed.length / D; i++) g.f[i * D + d] = this.fixed[i * D + d] || 1;
        this.free[d].forEach((slot, i) => { g.f[slot * D + d] = v[i]; });
        factors(d + 1);
      }
    };
    factors(0);
  }

  /** The genome as a plain mapping (for output and validation). */
  toMapping(g: Genome): Mapping {
    const { L, D, S } = this;
    const levels: LevelMapping[] = [];
    for (let l = 0; l < L; l++) {
      const temporal = [];
      for (let i = 0; i < D; i++) {
        const d = g.perm[l * D + i];
        const f = g.f[(l * 3 + T) * D + d];
        if (f > 1) temporal.push({ dim: d, factor: f });
      }
      const spatial = [];
      for (const slot of [SX, SY]) {
        for (let i = 0; i < D; i++) {
          const d = g.sperm[l * D + i];
          const f = g.f[(l * 3 + slot) * D + d];
          if (f > 1) spatial.push({ dim: d, factor: f, axis: (slot === SX ? 'X' : 'Y') as 'X' | 'Y' });
        }
      }
      const keep = [];
      for (let s = 0; s < S; s++) keep.push(g.keep[l * S + s] === 1);
      levels.push({ temporal, spatial, keep });
    }
    return { levels };
  }
}
