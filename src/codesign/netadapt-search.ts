/**
 * The mapper's one-thread search loop for NetAdapt's look-up table, with a
 * memo of the mappings already evaluated. A search proposes the same
 * mapping many times: the annealer's moves revisit mappings, and genomes
 * that differ only in the order of factor-1 loops compile to the same loop
 * nest. Of an anchor's 1,000 candidates only 33–53% are distinct loop
 * nests, of a variant's 32 only 8–13 (MobileNet on Eyeriss). The cost of a
 * compiled nest is a pure function of it, so a repeated one is answered from
 * the memo and the strategy sees exactly what the evaluator would have told
 * it: the search takes the same path and returns the same mapping and cost
 * as `searchWith` (tested), with fewer evaluations. One {@link SearchMemo}
 * serves every search of a table (its arrays are kept and grown, not
 * reallocated per entry).
 */
import type { Arch } from '../arch/arch.js';
import { totals, type EnergyPlan, type Totals } from '../model/cost.js';
import { CompiledBuffer, compileProblem } from '../model/compile.js';
import { Evaluator } from '../model/nest.js';
import { better, type Objective } from '../model/objective.js';
import { annealStrategy } from '../mapper/anneal.js';
import { exhaustiveStrategy } from '../mapper/exhaustive.js';
import { threadSeed } from '../mapper/run.js';
import type { Genome, MapSpace } from '../mapper/space.js';
import type { Incumbent, Strategy, StrategyContext } from '../mapper/strategy.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { Rng } from '../util/rng.js';

/** The best mapping a search found (null if none was legal), its cost, and how many candidates the evaluator really ran. */
export interface MemoSearchResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  /** Candidates the strategy proposed (the budget spent). */
  readonly candidates: number;
  /** Of them, distinct loop nests: the evaluations actually run. */
  readonly evaluated: number;
}

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

/** A search's objective, seed and budget. */
export interface MemoSearchOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Candidates the strategy may propose (repeats included, as in `searchWith`). */
  readonly evaluations: number;
}

/**
 * `searchWith` (mapper/search.ts) without a deadline, sparsity or progress,
 * answering repeated loop nests from `memo`: the same candidates, reports
 * and result, fewer evaluator runs.
 */
export function memoSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: MemoSearchOptions, make: (ctx: StrategyContext) => Strategy, memo: SearchMemo): MemoSearchResult {
  const ev = new Evaluator(compileProblem(w, arch));
  const ops = operationCount(w);
  const S = w.dataSpaces.length;
  const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
  const t: Totals = { energyPJ: 0, cycles: 0 };
  const inc: { -readonly [K in keyof Incumbent]: Incumbent[K] } = { evaluated: 0, found: false, best: space.newGenome(), energyPJ: Infinity, cycles: Infinity };
  const strategy = make({ space, rng: new Rng(o.seed), objective: o.objective, budget: o.evaluations, incumbent: inc });
  memo.reset(o.evaluations);
  let evaluated = 0;
  for (let g: Genome | null; (g = strategy.next()) !== null; ) {
    space.compile(g, cm);
    inc.evaluated++;
    memo.find(cm);
    let legal: boolean, e = 0, c = 0;
    if (memo.hit >= 0) {
      legal = memo.isLegal(memo.hit);
      e = memo.energyOf(memo.hit); c = memo.cyclesOf(memo.hit);
    } else {
      const counts = ev.run(cm);
      evaluated++;
      legal = space.fits(counts.utilizedCapacity, counts.kept);
      if (legal) { totals(arch, counts, plan, S, ops, t); e = t.energyPJ; c = t.cycles; }
      memo.add(cm, legal, e, c);
    }
    if (!legal) { strategy.report('illegal', 0, 0); continue; }
    if (!inc.found || better(o.objective, e, c, inc.energyPJ, inc.cycles)) {
      space.copy(g, inc.best);
      inc.energyPJ = e; inc.cycles = c; inc.found = true;
    }
    strategy.report('evaluated', e, c);
  }
  return { best: inc.found ? inc.best : null, energyPJ: inc.energyPJ, cycles: inc.cycles, candidates: inc.evaluated, evaluated };
}

/**
 * The mapper's full one-thread search (`runMapper` with `threads: 1`: the
 * run's first thread seed, exhaustive when the space fits the budget, else
 * annealing) through {@link memoSearch}: the same mapping and cost.
 */
export function fullMemoSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: MemoSearchOptions, memo: SearchMemo): MemoSearchResult {
  const make = space.size() <= o.evaluations && !space.imperfect ? exhaustiveStrategy : annealStrategy;
  return memoSearch(w, arch, space, plan, { ...o, seed: threadSeed(o.seed, 0) }, (ctx) => make(ctx), memo);
}
