/**
 * The project's one seeded random source. The mapper, pruning and training
 * all draw from it so that a seed reproduces a whole run.
 */

/** A deterministic PRNG (mulberry32): same seed, same sequence. */
export class Rng {
  private a: number;
  /** Start a sequence; only the low 32 bits of `seed` count. */
  constructor(seed: number) { this.a = seed >>> 0; }
  /** A uniform draw in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A uniform integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
}
