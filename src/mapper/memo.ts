/**
 * A memo of the loop nests one search has evaluated. A search proposes the
 * same mapping many times: the annealer's moves revisit mappings, and
 * genomes that differ only in the order of factor-1 loops compile to the
 * same loop nest. The dense cost of a compiled nest is a pure function of
 * it, so a repeated one is answered from the memo and the strategy sees
 * exactly what the evaluator would have told it (`searchWith`'s `memo`).
 */
import type { CompiledBuffer } from '../model/compile.js';

/**
 * Costs of the loop nests one search has evaluated, keyed by the whole
 * compiled nest (a hash finds the entry, the stored copy confirms it: no
 * collision can return another nest's cost).
 */
export class SearchMemo {
  private slots = new Int32Array(0);
  private mask = 0;
  private size = 0;
  private hash = new Int32Array(0);
  private at = new Int32Array(0);
  private len = new Int32Array(0);
  private legal = new Uint8Array(0);
  private energy = new Float64Array(0);
  private cycles = new Float64Array(0);
  private pool = new Float64Array(0);
  private used = 0;
  private h = 0;
  /** After {@link SearchMemo.find}: the entry found, or -1. */
  hit = -1;

  /** Empty the memo for a search of about `candidates` candidates. */
  reset(candidates: number): void {
    let cap = 16;
    while (cap < 2 * candidates) cap *= 2;
    if (this.slots.length < cap) this.slots = new Int32Array(cap);
    else this.slots.fill(0, 0, cap);
    this.mask = cap - 1;
    this.size = 0;
    this.used = 0;
    if (this.hash.length < candidates) this.grow(candidates);
  }

  /** Look `cm` up: sets {@link SearchMemo.hit} to its entry or -1 (and remembers the hash for {@link SearchMemo.add}). */
  find(cm: CompiledBuffer): void {
    const keeps = cm.keep.length;
    let h = Math.imul(cm.n ^ 0x2545f491, 0x9e3779b1) ^ cm.imperfect;
    for (let i = 0; i < cm.n; i++) {
      h = Math.imul(h ^ (cm.level[i] | (cm.spatial[i] << 8) | (cm.axisY[i] << 9) | (cm.dim[i] << 10)), 0x01000193);
      h = Math.imul(h ^ (cm.factor[i] | 0), 0x85ebca6b);
      h = Math.imul(h ^ (cm.residual[i] | 0), 0xc2b2ae35);
    }
    for (let i = 0; i < keeps; i++) h = Math.imul(h ^ cm.keep[i], 0x01000193);
    h ^= h >>> 15;
    this.h = h;
    this.hit = -1;
    for (let s = h & this.mask; this.slots[s] !== 0; s = (s + 1) & this.mask) {
      const e = this.slots[s] - 1;
      if (this.hash[e] === h && this.same(e, cm)) { this.hit = e; return; }
    }
  }

  /** Entries stored since the last {@link SearchMemo.reset}: the evaluator runs of that search. */
  get entries(): number { return this.size; }

  /** Whether entry `e` stored a legal nest, and its cost. */
  isLegal(e: number): boolean { return this.legal[e] === 1; }
  energyOf(e: number): number { return this.energy[e]; }
  cyclesOf(e: number): number { return this.cycles[e]; }

  /** Store the cost of `cm` (just missed by {@link SearchMemo.find}); `legal` false: it overflowed a buffer. */
  add(cm: CompiledBuffer, legal: boolean, energyPJ: number, cycles: number): void {
    if (this.size >= this.hash.length) this.grow(2 * this.size);
    if (2 * (this.size + 1) > this.slots.length) this.rehash();
    const e = this.size++;
    const n = cm.n, keeps = cm.keep.length, need = 2 + 6 * n + keeps;
    if (this.used + need > this.pool.length) {
      const p = new Float64Array(Math.max(2 * this.pool.length, this.used + need, 1024));
      p.set(this.pool.subarray(0, this.used));
      this.pool = p;
    }
    const p = this.pool;
    let k = this.used;
    p[k++] = n; p[k++] = cm.imperfect;
    for (let i = 0; i < n; i++) {
      p[k++] = cm.level[i]; p[k++] = cm.spatial[i]; p[k++] = cm.axisY[i]; p[k++] = cm.dim[i]; p[k++] = cm.factor[i]; p[k++] = cm.residual[i];
    }
    for (let i = 0; i < keeps; i++) p[k++] = cm.keep[i];
    this.at[e] = this.used; this.len[e] = need; this.used = k;
    this.hash[e] = this.h; this.legal[e] = legal ? 1 : 0; this.energy[e] = energyPJ; this.cycles[e] = cycles;
    let s = this.h & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = e + 1;
  }

  private same(e: number, cm: CompiledBuffer): boolean {
    const p = this.pool, n = cm.n, keeps = cm.keep.length;
    let k = this.at[e];
    if (this.len[e] !== 2 + 6 * n + keeps || p[k++] !== n || p[k++] !== cm.imperfect) return false;
    for (let i = 0; i < n; i++) {
      if (p[k++] !== cm.level[i] || p[k++] !== cm.spatial[i] || p[k++] !== cm.axisY[i] || p[k++] !== cm.dim[i] || p[k++] !== cm.factor[i] || p[k++] !== cm.residual[i]) return false;
    }
    for (let i = 0; i < keeps; i++) if (p[k++] !== cm.keep[i]) return false;
    return true;
  }

  private grow(entries: number): void {
    const keep = <T extends Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => { b.set(a.subarray(0, this.size)); return b; };
    this.hash = keep(this.hash, new Int32Array(entries));
    this.at = keep(this.at, new Int32Array(entries));
    this.len = keep(this.len, new Int32Array(entries));
    this.legal = keep(this.legal, new Uint8Array(entries));
    this.energy = keep(this.energy, new Float64Array(entries));
    this.cycles = keep(this.cycles, new Float64Array(entries));
  }

  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let s = this.hash[e] & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = e + 1;
    }
  }
}

