/**
 * Exhaustive search for mapspaces small enough to visit whole: every factor
 * distribution within the fanouts × every order of each level's non-trivial
 * temporal loops × every free bypass choice. The visit order is fixed (first
 * dimension's distributions outermost, last free keep innermost), so ties go
 * to the same mapping on every run.
 */
import type { Genome, MapSpace } from './space.js';
import type { Strategy, StrategyContext } from './strategy.js';

/** Ways to deal dimension d's primes over its free slots (one factor per free slot, in slot order). */
export function distributions(space: MapSpace, d: number): Float64Array[] {
  const free = space.free[d];
  let out: number[][] = [free.map(() => 1)];
  const counts = new Map<number, number>();
  for (const p of space.primes[d]) counts.set(p, (counts.get(p) ?? 0) + 1);
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
  return out.map((v) => Float64Array.from(v));
}

/** The permutations of 0..k-1 in the order the in-place swap recursion produces them, row after row. */
export function swapPermutations(k: number): Int32Array {
  const rows: number[] = [];
  const arr = [...Array(k).keys()];
  const rec = (i: number) => {
    if (i === k) { rows.push(...arr); return; }
    for (let j = i; j < k; j++) {
      [arr[i], arr[j]] = [arr[j], arr[i]];
      rec(i + 1);
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
  };
  rec(0);
  return Int32Array.from(rows);
}

/**
 * The mapspace as a sequence: {@link Enumeration.next} writes the next
 * mapping into the genome given at construction. Tables are built up front;
 * stepping allocates nothing.
 */
export class Enumeration {
  private readonly dists: Float64Array[][];
  /** Current distribution per dimension. */
  private readonly di: Int32Array;
  /** Current permutation row per level, and the level's count of non-unit loops. */
  private readonly pi: Int32Array;
  private readonly k: Int32Array;
  /** Non-unit then unit unconstrained dims per level: order[l*D ..]. */
  private readonly order: Int32Array;
  private readonly perms = new Map<number, Int32Array>();
  private readonly freeKeeps: Int32Array;
  /** Per free keep: 0 → keep (tried first), 1 → bypass. */
  private readonly bits: Uint8Array;
  private started = false;
  private done = false;

  constructor(private readonly space: MapSpace, private readonly g: Genome) {
    const { L, D, S } = space;
    this.dists = Array.from({ length: D }, (_, d) => distributions(space, d));
    this.di = new Int32Array(D);
    this.pi = new Int32Array(L);
    this.k = new Int32Array(L);
    this.order = new Int32Array(L * D);
    const sorder = space.sorder;
    for (let l = 0; l < L; l++) {
      const order = [...sorder[l], ...[...Array(D).keys()].filter((x) => !sorder[l].includes(x))];
      for (let i = 0; i < D; i++) g.sperm[l * D + i] = order[i];
    }
    const freeKeeps: number[] = [];
    for (let i = 0; i < L * S; i++) { if (space.keepFixed[i] === 255) freeKeeps.push(i); else g.keep[i] = space.keepFixed[i]; }
    this.freeKeeps = Int32Array.from(freeKeeps);
    this.bits = new Uint8Array(freeKeeps.length);
  }

  /** Write the next mapping into the genome; false once every mapping has been visited. */
  next(): boolean {
    if (this.done) return false;
    if (!this.started) {
      this.started = true;
      if (!this.firstFactors()) { this.done = true; return false; }
      this.startOrders();
      for (let i = 0; i < this.bits.length; i++) this.writeKeep(i);
      return true;
    }
    if (this.stepKeeps() || this.stepOrders()) return true;
    if (!this.nextFactors()) { this.done = true; return false; }
    this.startOrders();
    return true;
  }

  private setFactors(): void {
    const { space, g } = this;
    const { D, fixed, free } = space;
    const slots = fixed.length / D;
    for (let d = 0; d < D; d++) {
      for (let i = 0; i < slots; i++) g.f[i * D + d] = fixed[i * D + d] || 1;
      const v = this.dists[d][this.di[d]];
      const fr = free[d];
      for (let i = 0; i < fr.length; i++) g.f[fr[i] * D + d] = v[i];
    }
  }

  /** Odometer over the distributions, last dimension fastest; false on wrapping round. */
  private stepFactors(): boolean {
    for (let d = this.space.D - 1; d >= 0; d--) {
      if (++this.di[d] < this.dists[d].length) return true;
      this.di[d] = 0;
    }
    return false;
  }

  private firstFactors(): boolean {
    for (;;) {
      this.setFactors();
      if (this.space.fanoutOk(this.g)) return true;
      if (!this.stepFactors()) return false;
    }
  }

  private nextFactors(): boolean {
    for (;;) {
      if (!this.stepFactors()) return false;
      this.setFactors();
      if (this.space.fanoutOk(this.g)) return true;
    }
  }

  /** New factors: each level's non-unit loops, their first order. */
  private startOrders(): void {
    const { space, g } = this;
    const { L, D, torder } = space;
    for (let l = 0; l < L; l++) {
      const prefix = torder[l];
      let n = 0;
      for (let d = 0; d < D; d++) if (!prefix.includes(d) && g.f[l * 3 * D + d] > 1) this.order[l * D + n++] = d;
      this.k[l] = n;
      for (let d = 0; d < D; d++) if (!prefix.includes(d) && g.f[l * 3 * D + d] <= 1) this.order[l * D + n++] = d;
      if (!this.perms.has(this.k[l])) this.perms.set(this.k[l], swapPermutations(this.k[l]));
      this.pi[l] = 0;
      this.writeOrder(l);
    }
  }

  private writeOrder(l: number): void {
    const { space, g } = this;
    const D = space.D;
    const prefix = space.torder[l];
    const k = this.k[l];
    const table = this.perms.get(k)!;
    let j = 0;
    for (; j < prefix.length; j++) g.perm[l * D + j] = prefix[j];
    const row = this.pi[l] * k;
    for (let i = 0; i < k; i++) g.perm[l * D + j++] = this.order[l * D + table[row + i]];
    for (let i = k; j < D; i++) g.perm[l * D + j++] = this.order[l * D + i];
  }

  /** Odometer over the levels' orders, last level fastest. */
  private stepOrders(): boolean {
    for (let l = this.space.L - 1; l >= 0; l--) {
      const k = this.k[l];
      const rows = k === 0 ? 1 : this.perms.get(k)!.length / k;
      const more = ++this.pi[l] < rows;
      if (!more) this.pi[l] = 0;
      this.writeOrder(l);
      if (more) return true;
    }
    return false;
  }

  private writeKeep(i: number): void {
    this.g.keep[this.freeKeeps[i]] = this.bits[i] ? 0 : 1;
  }

  /** Odometer over the free keeps, keep before bypass, last one fastest. */
  private stepKeeps(): boolean {
    for (let i = this.bits.length - 1; i >= 0; i--) {
      const more = this.bits[i] === 0;
      this.bits[i] = more ? 1 : 0;
      this.writeKeep(i);
      if (more) return true;
    }
    return false;
  }
}

/** Exhaustive search: the whole mapspace in {@link Enumeration} order (the budget is not consulted: `search` picks it only when the space fits). */
export function exhaustiveStrategy(ctx: StrategyContext): Strategy {
  const cand = ctx.space.newGenome();
  const it = new Enumeration(ctx.space, cand);
  return {
    name: 'exhaustive',
    next: () => (it.next() ? cand : null),
    report() {},
  };
}
