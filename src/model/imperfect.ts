/**
 * Counting for imperfectly factorised nests (a loop whose last pass runs
 * `residual < factor` times; Timeloop's `P=9,2`). The perfect kernel in
 * nest.ts never comes here: {@link Evaluator.run} branches on the compiled
 * mapping's `imperfect` count.
 *
 * One walk per (data space, child level c): the temporal loops above c are
 * visited outermost first, sampled as Timeloop samples them (iterations 0,
 * 1 standing for the middle ones, and the last ones when they differ), and
 * at each sampled time step every instance of c (the spatial loops above c)
 * is placed: its tile is a box whose extent along a dimension is the full
 * one, or the residual one when every loop of that dimension above c is on
 * its last pass (Timeloop's molds). Two rules (docs/model.md, "Imperfect
 * factorisation"):
 * - `timeloop` (default): Timeloop's own numbers — the first spatial
 *   instance is simulated and stands for every other (a partial tile is
 *   billed as a full one), sampled iterations are scaled without moving the
 *   remembered tile (inner loops restart from index 1), utilised instances
 *   are Timeloop's averages, Computes its truncated product, and compute
 *   cycles the product of the temporal factors.
 * - `exact`: every instance walks its own tiles in the true loop order; a
 *   sampled pass stands for the middle ones only once the state it leaves
 *   repeats (moved by the loop's step), so the counts equal a walk over
 *   every iteration (test/model/imperfect.test.ts enumerates it).
 * Link transfers between neighbours are not modelled on imperfect nests.
 */
import type { CompiledMapping, CompiledProblem } from './compile.js';
import type { CountBuffers } from './counts.js';

/** How partial tiles are counted: Timeloop's approximations, or the true iteration space. */
export type PartialTiles = 'timeloop' | 'exact';

/** What an imperfect evaluation adds to its counts. */
export interface ImperfectInfo {
  readonly mode: PartialTiles;
  /** Computes billed: Timeloop's ⌊accesses × average instances⌋, or the true operation count. */
  readonly computes: number;
  /** The true operation count. */
  readonly exactComputes: number;
  /** Time steps of the true iteration space (the exact compute cycles). */
  readonly exactCycles: number;
}

/** Counts of an imperfect nest into `out` (the kernel's buffers); returns what the rule adds. */
export function countImperfect(p: CompiledProblem, m: CompiledMapping, out: CountBuffers, mode: PartialTiles, elideFill: boolean, opCount: number): ImperfectInfo {
  return new ImperfectWalker(p, m, mode, elideFill).run(out, opCount);
}

class ImperfectWalker {
  private readonly n: number;
  /** Per loop: stride (product of the factors of inner loops of its dimension). */
  private readonly stride: Float64Array;
  /** Per level and dimension: the tile's full extent and its extent on the last pass. */
  private readonly fullExt: Float64Array;
  private readonly residExt: Float64Array;
  private readonly maxExt: Float64Array;
  /** First loop index above level l (loops are innermost first, grouped by level); index L+1 entries, [0] for c = -1. */
  private readonly firstAbove: Int32Array;
  private readonly idx: Int32Array;

  constructor(readonly p: CompiledProblem, readonly m: CompiledMapping, readonly mode: PartialTiles, readonly elideFill: boolean) {
    const { D, L } = p;
    const n = (this.n = m.n);
    this.stride = new Float64Array(n);
    const running = new Float64Array(D).fill(1);
    const last = new Float64Array(D);
    this.fullExt = new Float64Array(L * D);
    this.residExt = new Float64Array(L * D);
    this.firstAbove = new Int32Array(L + 1);
    let i = 0;
    for (let l = 0; l < L; l++) {
      while (i < n && m.level[i] === l) {
        const d = m.dim[i];
        this.stride[i] = running[d];
        last[d] += (m.residual[i] - 1) * running[d];
        running[d] *= m.factor[i];
        i++;
      }
      this.firstAbove[l + 1] = i;
      for (let d = 0; d < D; d++) { this.fullExt[l * D + d] = running[d]; this.residExt[l * D + d] = last[d] + 1; }
    }
    this.firstAbove[0] = 0;
    this.idx = new Int32Array(n);
    this.base = new Float64Array(D);
    this.lastFlag = new Uint8Array(D);
    // The largest tile: full along d if some loop of d above can be off its
    // last pass (a residual of 2 or more), else the last-pass extent.
    this.maxExt = new Float64Array(L * D);
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        let offLast = false;
        for (let j = this.firstAbove[l + 1]; j < n; j++) if (m.dim[j] === d && m.residual[j] >= 2) offLast = true;
        this.maxExt[l * D + d] = offLast ? this.fullExt[l * D + d] : this.residExt[l * D + d];
      }
    }
  }

  /** firstAbove for child level c (-1: the compute units). */
  private above(c: number): number {
    return this.firstAbove[c + 1];
  }

  /** Whether every loop of dimension d from index `from` up is on its last iteration (Timeloop's IsLastGlobalIteration_). */
  private lastFrom(from: number, d: number): boolean {
    const m = this.m;
    for (let j = from; j < this.n; j++) if (m.dim[j] === d && this.idx[j] + 1 < m.residual[j]) return false;
    return true;
  }

  /** Iterations loop j runs at the current indices of the loops above it. */
  private range(j: number): number {
    return this.lastFrom(j + 1, this.m.dim[j]) ? this.m.residual[j] : this.m.factor[j];
  }

  run(out: CountBuffers, opCount: number): ImperfectInfo {
    const p = this.p, m = this.m;
    const { D, S, L } = p;
    const timeloop = this.mode === 'timeloop';
    // Spatial instances per level: all spatial loops above l; utilised ones.
    let temporalEnds = 1;
    for (let j = 0; j < m.n; j++) if (!m.spatial[j]) temporalEnds *= m.factor[j];
    const avgAbove = this.averageInstances();
    const everAbove = this.everActive();
    const time = this.timeSteps();
    // Timeloop's Computes (nest-analysis.cpp CollectWorkingSets, sparse-analysis.cpp):
    // the operations per compute unit, averaged over the units under level 0
    // that were simulated (the first instance of every level above), times
    // the average instances above level 0 times level 0's full fanout,
    // truncated to an integer.
    const pe = this.level0Operations();
    const replication = avgAbove[1] * pe.fanout;
    const computes = timeloop ? Math.floor((pe.sum / pe.count) * replication) : opCount;
    out.temporalIterations = timeloop ? temporalEnds : time;
    out.utilizedCompute = timeloop ? Math.floor(replication) : opCount / time;
    for (let l = 0; l < L; l++) out.utilizedInstances[l] = timeloop ? avgAbove[l + 1] : everAbove[l + 1];

    for (let s = 0; s < S; s++) {
      const rw = p.readWrite[s] === 1;
      const keepers: number[] = [];
      for (let l = 0; l < L; l++) if (m.keep[l * S + s]) keepers.push(l);
      for (let l = 0; l < L; l++) {
        const i = l * S + s;
        out.kept[i] = 0; out.reads[i] = 0; out.fills[i] = 0; out.updates[i] = 0;
        out.temporalReductions[i] = 0; out.utilizedCapacity[i] = 0; out.partitionSize[i] = 0;
      }
      if (keepers.length === 0) continue;
      // Content (reads at the parent) from each child walk, fills of each keeper.
      const content = new Float64Array(L);
      const fills = new Float64Array(L);
      let child = -1;
      for (const parent of keepers) {
        if (timeloop && parent > child + 1) {
          // Timeloop's bypass (MaskTiles; the kernel's rule): the demand a
          // bypassed level would see, times its distinct tiles under each
          // next level's spatial loops.
          const r = this.walk(s, child, child + 1);
          let c = r.content;
          for (let b = child + 1; b < parent; b++) c *= this.distinctTiles(s, b);
          content[parent] = c;
          if (child >= 0) fills[child] = r.fills;
        } else {
          const r = this.walk(s, child, parent);
          content[parent] = r.content;
          if (child >= 0) fills[child] = r.fills;
        }
        child = parent;
      }
      // Partitions (read-write tensors): the words an instance is responsible for.
      const partition = new Float64Array(L);
      if (rw) {
        if (timeloop) {
          // The kernel's rule on the full (largest) tiles.
          const outer = keepers[keepers.length - 1];
          partition[outer] = this.boxSize(s, outer, false);
          for (let l = outer - 1; l >= 0; l--) {
            const fanAbove = this.fanoutOf(l + 1);
            const denom = fanAbove > 1 ? this.spatialBoxSize(s, l + 1) : this.boxSize(s, l, false);
            partition[l] = Math.floor((partition[l + 1] * this.boxSize(s, l, false)) / denom);
          }
        } else for (const l of keepers) partition[l] = this.partitionExact(s, l, everAbove[l + 1]);
      }
      const outermost = keepers[keepers.length - 1];
      for (const l of keepers) {
        const i = l * S + s;
        const u = out.utilizedInstances[l];
        const perInst = (x: number) => (timeloop ? x : x / u);
        out.kept[i] = 1;
        out.utilizedCapacity[i] = this.boxSize(s, l, false);
        out.partitionSize[i] = partition[l];
        const c = perInst(content[l]);
        const f = l === outermost ? (!this.elideFill && l < L - 1 && !rw ? out.utilizedCapacity[i] : 0) : perInst(fills[l]);
        if (rw) {
          const reads = c - partition[l];
          out.reads[i] = reads;
          out.temporalReductions[i] = reads;
          out.updates[i] = c;
          out.fills[i] = l === outermost ? f : f - (this.elideFill ? partition[l] : 0);
        } else {
          out.reads[i] = c;
          out.fills[i] = f;
        }
      }
      void D;
    }
    return { mode: this.mode, computes, exactComputes: opCount, exactCycles: time };
  }

  /** Distinct tiles of level b under level b+1's spatial loops, all other indices at 0 (full shapes). */
  private distinctTiles(s: number, b: number): number {
    const p = this.p, m = this.m;
    const R = p.ranks[s];
    const ls: number[] = [];
    for (let j = this.n - 1; j >= 0; j--) if (m.spatial[j] && m.level[j] === b + 1) ls.push(j);
    this.idx.fill(0);
    const lo = new Float64Array(R), hi = new Float64Array(R), base = new Float64Array(p.D);
    const seen = new Set<string>();
    this.forEach(ls, () => { this.box(s, b, this.above(b), lo, hi, base); seen.add(lo.join(',')); });
    return seen.size;
  }

  /** Product of the factors of level l's spatial loops. */
  private fanoutOf(l: number): number {
    let f = 1;
    for (let j = 0; j < this.n; j++) if (this.m.level[j] === l && this.m.spatial[j]) f *= this.m.factor[j];
    return f;
  }

  /**
   * Timeloop's utilised spatial elements (nest-analysis.cpp,
   * InitNumSpatialElems): per spatial loop its factor, or for an imperfect
   * one (r + e·(O − 1)) / O with O the passes of the loops of its dimension
   * above it; [l+1] for the instances of level l ([0]: compute units).
   */
  private averageInstances(): Float64Array {
    const m = this.m, L = this.p.L;
    const outp = new Float64Array(L + 1);
    for (let c = -1; c < L; c++) {
      let u = 1;
      for (let j = this.above(c); j < this.n; j++) {
        if (!m.spatial[j]) continue;
        if (m.residual[j] === m.factor[j]) { u *= m.factor[j]; continue; }
        let o = 1;
        for (let k = this.n - 1; k > j; k--) if (m.dim[k] === m.dim[j]) o = m.residual[k] + m.factor[k] * (o - 1);
        u = (u * (m.residual[j] + m.factor[j] * (o - 1))) / o;
      }
      outp[c + 1] = u;
    }
    return outp;
  }

  /** Loops of dimension d from index `from` up, outermost first, split into temporal and spatial. */
  private loopsOf(d: number, from: number): { t: number[]; sp: number[] } {
    const key = from * this.p.D + d;
    const hit = this.loopsCache.get(key);
    if (hit) return hit;
    const t: number[] = [], sp: number[] = [];
    for (let j = this.n - 1; j >= from; j--) if (this.m.dim[j] === d) (this.m.spatial[j] ? sp : t).push(j);
    this.loopsCache.set(key, { t, sp });
    return { t, sp };
  }

  private readonly loopsCache = new Map<number, { t: number[]; sp: number[] }>();

  /**
   * Whether the spatial indices set make dimension d's loops from `from`
   * up valid for some temporal indices: exactly when they are at temporal
   * indices 0 (a temporal loop at 0 is off its last pass unless its
   * residual is 1, and then it can be nothing else).
   */
  private activeDim(d: number, from: number): boolean {
    const { t } = this.loopsOf(d, from);
    for (const j of t) this.idx[j] = 0;
    return this.validDim(d, from);
  }

  /** Whether the loops of dimension d from `from` up are within their ranges. */
  private validDim(d: number, from: number): boolean {
    for (let j = from; j < this.n; j++) if (this.m.dim[j] === d && this.idx[j] >= this.range(j)) return false;
    return true;
  }

  /**
   * Instances of each level that ever hold a tile ([c+1] for level c).
   * Ranges couple only loops of one dimension, so an instance is active
   * when, along every dimension, its spatial indices admit some temporal
   * ones: a product over dimensions.
   */
  private everActive(): Float64Array {
    const L = this.p.L;
    const outp = new Float64Array(L + 1);
    for (let c = -1; c < L; c++) {
      const a = this.above(c);
      let count = 1;
      for (let d = 0; d < this.p.D; d++) {
        const { t, sp } = this.loopsOf(d, a);
        let nd = 0;
        void t;
        this.forEach(sp, () => { if (this.activeDim(d, a)) nd++; });
        count *= nd;
      }
      outp[c + 1] = count;
    }
    return outp;
  }

  /**
   * Time steps of the true iteration space (temporal index tuples some
   * instance runs): a product over dimensions, as in
   * {@link ImperfectWalker.everActive}.
   */
  private timeSteps(): number {
    let steps = 1;
    for (let d = 0; d < this.p.D; d++) {
      const { t, sp } = this.loopsOf(d, 0);
      let nd = 0;
      this.forEach(t, () => {
        let any = false;
        this.forEach(sp, () => { if (!any && this.validDim(d, 0)) any = true; }, () => !any);
        if (any) nd++;
      });
      steps *= nd;
    }
    return steps;
  }

  /**
   * Operations of the compute units under level 0 of the first instance of
   * every level above (summed over the positions that run any, and their
   * count), and level 0's full fanout.
   */
  private level0Operations(): { sum: number; count: number; fanout: number } {
    const m = this.m;
    const ls: number[] = [];
    let fanout = 1;
    for (let j = this.n - 1; j >= 0; j--) if (m.spatial[j] && m.level[j] === 0) { ls.push(j); fanout *= m.factor[j]; }
    this.idx.fill(0);
    let sum = 0, count = 0;
    this.forEach(ls, () => {
      let ops = 1;
      for (let d = 0; d < this.p.D; d++) {
        const { t } = this.loopsOf(d, 0);
        let nd = 0;
        this.forEach(t, () => { if (this.validDim(d, 0)) nd++; });
        ops *= nd;
      }
      if (ops > 0) { sum += ops; count++; }
    });
    return { sum, count, fanout };
  }

  /** Visit every combination of the loops `ls` (outermost first) over their full factors. */
  private forEach(ls: number[], f: () => void, go: () => boolean = () => true): void {
    const m = this.m;
    const rec = (k: number) => {
      if (!go()) return;
      if (k === ls.length) { f(); return; }
      const j = ls[k];
      for (let q = 0; q < m.factor[j]; q++) { this.idx[j] = q; rec(k + 1); if (!go()) break; }
      this.idx[j] = 0;
    };
    rec(0);
  }

  /** Words of data space s in level l's largest tile (or its last-pass tile with `resid`). */
  private boxSize(s: number, l: number, resid: boolean): number {
    const p = this.p;
    const { D, RM } = p;
    let size = 1;
    for (let k = 0; k < p.ranks[s]; k++) {
      let span = 1;
      for (let d = 0; d < D; d++) {
        const c = p.coef[(s * RM + k) * D + d];
        if (c !== 0) span += Math.abs(c) * ((resid ? this.residExt[l * D + d] : this.maxExt[l * D + d]) - 1);
      }
      size *= span;
    }
    return size;
  }

  /** Words under level l's spatial loops only (the kernel's spatialSize). */
  private spatialBoxSize(s: number, l: number): number {
    const p = this.p, m = this.m;
    const { D, RM } = p;
    const ext = new Float64Array(D).fill(1);
    for (let j = 0; j < this.n; j++) if (m.level[j] < l || (m.level[j] === l && m.spatial[j])) ext[m.dim[j]] *= m.factor[j];
    let size = 1;
    for (let k = 0; k < p.ranks[s]; k++) {
      let span = 1;
      for (let d = 0; d < D; d++) { const c = p.coef[(s * RM + k) * D + d]; if (c !== 0) span += Math.abs(c) * (ext[d] - 1); }
      size *= span;
    }
    return size;
  }

  /** Current tile box of data space s at child level c into lo/hi (per rank). */
  private box(s: number, c: number, a: number, lo: Float64Array, hi: Float64Array, base: Float64Array): void {
    const p = this.p, m = this.m;
    const { D, RM } = p;
    base.fill(0);
    for (let j = a; j < this.n; j++) base[m.dim[j]] += this.idx[j] * this.stride[j];
    for (let k = 0; k < p.ranks[s]; k++) {
      let l0 = 0, h0 = 0;
      for (let d = 0; d < D; d++) {
        const co = p.coef[(s * RM + k) * D + d];
        if (co === 0) continue;
        const ext = c < 0 ? 1 : this.lastFrom(a, d) ? this.residExt[c * D + d] : this.fullExt[c * D + d];
        l0 += co * base[d] + (co < 0 ? co * (ext - 1) : 0);
        h0 += co * base[d] + (co > 0 ? co * (ext - 1) : 0);
      }
      lo[k] = l0; hi[k] = h0;
    }
  }

  /**
   * Walk child level c's tiles (c = -1: single operations) for data space s
   * under its parent keeper: total fills of c's instances and the parent's
   * reads (distinct deltas per parent instance and time step).
   */
  private walk(s: number, c: number, parent: number): { fills: number; content: number } {
    const p = this.p, m = this.m;
    const R = p.ranks[s];
    const a = this.above(c);
    const pa = this.above(parent);
    const tl: number[] = [];
    const sl: number[] = [];
    // A perfect spatial loop over a dimension the tensor does not depend on,
    // with no imperfect loop of that dimension inside, makes exact copies:
    // simulate index 0 and weigh (fills by its factor, the parent's reads
    // too when the copies have different parents).
    let fillCopies = 1, contentCopies = 1;
    for (let j = this.n - 1; j >= a; j--) {
      if (!m.spatial[j]) { tl.push(j); continue; }
      const d = m.dim[j];
      let copies = m.residual[j] === m.factor[j] && p.ranksTouched[s * p.D + d] === 0;
      for (let i = 0; i < j && copies; i++) if (m.dim[i] === d && m.residual[i] < m.factor[i]) copies = false;
      if (copies && this.mode === 'exact') { fillCopies *= m.factor[j]; if (j >= pa) contentCopies *= m.factor[j]; continue; }
      sl.push(j);
    }
    // Instances: mixed radix over sl (outermost first); a parent instance over the loops of sl above the parent.
    let nInst = 1;
    for (const j of sl) nInst *= m.factor[j];
    const timeloop = this.mode === 'timeloop';
    const point = c < 0;
    const st = new State(nInst, R);
    const lo = new Float64Array(R), hi = new Float64Array(R);
    const acc = (this.acc = { fills: 0, content: 0 });
    const nsl = sl.length;
    const digit = new Int32Array(nsl);
    const table = new GroupTable(R);
    const t0 = p.termStart[s], t1 = p.termStart[s + 1];
    const ext = c < 0 ? null : this.fullExt.subarray(c * p.D, (c + 1) * p.D);
    const rext = c < 0 ? null : this.residExt.subarray(c * p.D, (c + 1) * p.D);
    const base = this.base, last = this.lastFlag;
    // One time step: place every instance, apply the reuse rule, group deltas per parent instance.
    const leaf = (w: number) => {
      table.clear();
      let d0 = -1;
      digit.fill(0);
      for (let j = 0; j < nsl; j++) this.idx[sl[j]] = 0;
      for (let inst = 0; inst < nInst; inst++) {
        if (inst > 0) {
          // Next instance: increment the mixed-radix counter (innermost loop fastest).
          for (let k = nsl - 1; k >= 0; k--) {
            const j = sl[k];
            if (++digit[k] < m.factor[j]) { this.idx[j] = digit[k]; break; }
            digit[k] = 0; this.idx[j] = 0;
          }
        }
        let pid = 0;
        for (let k = 0; k < nsl; k++) if (sl[k] >= pa) pid = pid * m.factor[sl[k]] + digit[k];
        // Timeloop: instance 0 stands for the others (only parent instance 0 is counted).
        if (timeloop && pid !== 0) continue;
        if (!this.place(a)) continue;
        // The tile: per rank, from each dimension's base and its full or last-pass extent.
        for (let k = 0; k < R; k++) { lo[k] = 0; hi[k] = 0; }
        for (let t = t0; t < t1; t++) {
          const k = p.termRank[t], d = p.termDim[t], co = p.termCoef[t];
          const e = ext === null ? 1 : last[d] ? rext![d] : ext[d];
          lo[k] += co * base[d] + (co < 0 ? co * (e - 1) : 0);
          hi[k] += co * base[d] + (co > 0 ? co * (e - 1) : 0);
        }
        let d: number;
        if (point) d = 1;
        else if (timeloop) {
          if (d0 < 0) d0 = st.step(0, lo, hi, R);
          d = d0;
        } else d = st.step(inst, lo, hi, R);
        if (!timeloop || inst === 0) acc.fills += w * d;
        if (d === 0) continue;
        // A parent serves each distinct delta once: for Timeloop the moved full tile (its corner); exactly, the delta box.
        const added = timeloop || point ? table.add(pid, lo, lo) : table.add(pid, st.dlo.subarray(inst * R, inst * R + R), st.dhi.subarray(inst * R, inst * R + R));
        if (added) acc.content += w * d;
      }
      for (let j = 0; j < nsl; j++) this.idx[sl[j]] = 0;
    };
    this.time(tl, 0, 1, leaf, st, s, a, timeloop);
    return { fills: acc.fills * fillCopies, content: acc.content * contentCopies };
  }

  /**
   * One pass over the loops from `a` up (outermost first) at the current
   * indices: whether each is within its range, and per dimension its base
   * index and whether every loop of it is on its last iteration (O(loops)).
   */
  private place(a: number): boolean {
    const m = this.m;
    const base = this.base, last = this.lastFlag;
    base.fill(0);
    last.fill(1);
    for (let j = this.n - 1; j >= a; j--) {
      const d = m.dim[j];
      const x = this.idx[j];
      if (x >= (last[d] ? m.residual[j] : m.factor[j])) return false;
      if (x + 1 < m.residual[j]) last[d] = 0;
      base[d] += x * this.stride[j];
    }
    return true;
  }

  private readonly base: Float64Array;
  private readonly lastFlag: Uint8Array;

  /**
   * Visit the time steps of the temporal loops `tl` (outermost first).
   * Timeloop's sampling: iteration 0; iteration 1 weighted for the middle
   * ones; the second-last and last run on their own only when an imperfect
   * loop of the same dimension lies inside (nest-analysis.cpp,
   * ComputeTemporalWorkingSet). Exact: iteration 0, then 1, 2, … until the
   * state a pass leaves repeats moved by the loop's step; the remaining
   * middle passes are that pass again (the state is moved), then the last.
   */
  private time(tl: number[], k: number, w: number, leaf: (w: number) => void, st: State, s: number, a: number, timeloop: boolean): void {
    if (k === tl.length) { leaf(w); return; }
    const m = this.m;
    const j = tl[k];
    const d = m.dim[j];
    const n = this.range(j);
    if (timeloop) {
      let imperfectInside = false;
      for (let i = 0; i < j; i++) if (m.dim[i] === d && m.residual[i] < m.factor[i]) imperfectInside = true;
      const runLast = imperfectInside && this.lastFrom(j + 1, d);
      const thisImperfect = m.residual[j] < m.factor[j];
      const runSecondLast = thisImperfect && runLast;
      let at = 0;
      this.idx[j] = 0;
      this.time(tl, k + 1, w, leaf, st, s, a, true);
      at = 1;
      if ((runSecondLast && n >= 4) || (runLast && !runSecondLast && n >= 3) || (!runLast && n >= 2)) {
        let virt = runLast ? n - 2 : n - 1;
        if (runSecondLast) virt -= 1;
        this.idx[j] = at;
        this.time(tl, k + 1, w * virt, leaf, st, s, a, true);
        at += virt;
      }
      if (runSecondLast && n >= 3) { this.idx[j] = at; this.time(tl, k + 1, w, leaf, st, s, a, true); at++; }
      if (runLast && n >= 2) { this.idx[j] = at; this.time(tl, k + 1, w, leaf, st, s, a, true); }
      this.idx[j] = 0;
      return;
    }
    // Exact: the loop's range can differ between instances (a spatial loop
    // of its dimension above it on its last pass or not): passes every
    // instance runs as a middle one (1 ≤ q ≤ nMin − 2) repeat once one
    // leaves the state as it found it, moved by one step of the loop; the
    // others are walked.
    let temporalLast = true, spatialOff = false;
    for (let i = j + 1; i < this.n; i++) {
      if (m.dim[i] !== d) continue;
      if (m.spatial[i]) { if (m.residual[i] >= 2) spatialOff = true; } else if (this.idx[i] + 1 < m.residual[i]) temporalLast = false;
    }
    const nMin = temporalLast ? m.residual[j] : m.factor[j];
    const nMax = !temporalLast || spatialOff ? m.factor[j] : m.residual[j];
    // With no imperfect loop of the dimension inside and one range for all
    // instances, the last pass is a middle one too.
    let lastLikeMiddle = nMin === nMax;
    for (let i = 0; i < j && lastLikeMiddle; i++) if (m.dim[i] === d && m.residual[i] < m.factor[i]) lastLikeMiddle = false;
    const middleEnd = lastLikeMiddle ? nMin - 1 : nMin - 2;
    const shift = this.shiftOf(s, j);
    for (let q = 0; q < nMax; q++) {
      this.idx[j] = q;
      if (q === 0 || q > middleEnd) { this.time(tl, k + 1, w, leaf, st, s, a, false); continue; }
      // One saved state per loop depth, reused.
      const before = (this.saved[k] && this.saved[k].n === st.n && this.saved[k].R === st.R) ? st.copyInto(this.saved[k]) : (this.saved[k] = st.snapshot());
      const f0 = this.acc.fills, c0 = this.acc.content;
      this.time(tl, k + 1, w, leaf, st, s, a, false);
      const rest = middleEnd - q;
      if (rest > 0 && st.sameMoved(before, shift)) {
        this.acc.fills += (this.acc.fills - f0) * rest;
        this.acc.content += (this.acc.content - c0) * rest;
        st.move(shift, rest);
        q = middleEnd;
      }
    }
    this.idx[j] = 0;
  }

  private readonly saved: State[] = [];

  /** Running totals of the current walk. */
  private acc = { fills: 0, content: 0 };

  /** Per rank, data-space step of one iteration of loop j. */
  private shiftOf(s: number, j: number): Float64Array {
    const p = this.p;
    const R = p.ranks[s];
    const out = new Float64Array(R);
    for (let k = 0; k < R; k++) out[k] = p.coef[(s * p.RM + k) * p.D + this.m.dim[j]] * this.stride[j];
    return out;
  }

  /**
   * Exact partition of data space s at level l: the distinct words one
   * instance ever holds, averaged over the instances that hold any. Per
   * rank, the coordinates covered by the tiles over the loops of that rank's
   * dimensions (a read-write tensor's ranks share no dimension, so the words
   * are the product of the ranks' coordinates).
   */
  private partitionExact(s: number, l: number, instances: number): number {
    const p = this.p, m = this.m;
    const { D, RM } = p;
    const R = p.ranks[s];
    const a = this.above(l);
    const sl: number[] = [];
    for (let j = this.n - 1; j >= a; j--) if (m.spatial[j]) sl.push(j);
    const lo = new Float64Array(R), hi = new Float64Array(R), base = new Float64Array(D);
    let total = 0;
    this.forEach(sl, () => {
      let active = true;
      for (let d = 0; d < D && active; d++) active = this.activeDim(d, a);
      if (!active) return;
      let words = 1;
      for (let k = 0; k < R; k++) {
        // One dimension with coefficient ±1 (an output rank): tiles along it never
        // overlap, so the coordinates are the sum of the tiles' extents.
        let single = -1, terms = 0;
        for (let t = p.termStart[s]; t < p.termStart[s + 1]; t++) if (p.termRank[t] === k) { terms++; if (Math.abs(p.termCoef[t]) === 1) single = p.termDim[t]; }
        if (terms === 1 && single >= 0) {
          const d = single;
          const { t } = this.loopsOf(d, a);
          let covered = 0;
          this.forEach(t, () => {
            if (!this.validDim(d, a)) return;
            covered += this.lastFrom(a, d) ? this.residExt[l * D + d] : this.fullExt[l * D + d];
          });
          words *= covered;
          continue;
        }
        const tl: number[] = [];
        for (let j = this.n - 1; j >= a; j--) if (!m.spatial[j] && p.coef[(s * RM + k) * D + m.dim[j]] !== 0) tl.push(j);
        const covered = new Set<number>();
        this.forEach(tl, () => {
          for (const j of tl) if (!this.validDim(m.dim[j], a)) return;
          this.box(s, l, a, lo, hi, base);
          for (let v = lo[k]; v <= hi[k]; v++) covered.add(v);
        });
        words *= covered.size;
      }
      total += words;
    });
    return instances > 0 ? total / instances : 0;
  }
}

/**
 * The distinct (parent instance, box) pairs of one time step: open
 * addressing on a hash of the numbers, checked exactly.
 */
class GroupTable {
  private size = 64;
  private used = new Int32Array(64);
  private keys: Float64Array;
  private n = 0;
  private readonly slots: number[] = [];
  constructor(readonly R: number) {
    this.keys = new Float64Array(64 * (2 * R + 1));
  }

  clear(): void {
    for (const i of this.slots) this.used[i] = 0;
    this.slots.length = 0;
    this.n = 0;
  }

  /** Add (pid, lo, hi); true if it was not there. */
  add(pid: number, lo: ArrayLike<number>, hi: ArrayLike<number>): boolean {
    if (2 * (this.n + 1) > this.size) this.grow();
    const R = this.R, W = 2 * R + 1;
    let h = pid * 2654435761;
    for (let k = 0; k < R; k++) h = (h ^ (lo[k] * 40503 + hi[k] * 97)) * 16777619 % 4294967291;
    let i = Math.abs(h | 0) % this.size;
    for (;;) {
      if (!this.used[i]) break;
      const o = i * W;
      let same = this.keys[o] === pid;
      for (let k = 0; same && k < R; k++) same = this.keys[o + 1 + k] === lo[k] && this.keys[o + 1 + R + k] === hi[k];
      if (same) return false;
      i = (i + 1) % this.size;
    }
    const o = i * W;
    this.used[i] = 1;
    this.keys[o] = pid;
    for (let k = 0; k < R; k++) { this.keys[o + 1 + k] = lo[k]; this.keys[o + 1 + R + k] = hi[k]; }
    this.slots.push(i);
    this.n++;
    return true;
  }

  private grow(): void {
    const R = this.R, W = 2 * R + 1;
    const old = this.slots.map((i) => Array.from(this.keys.subarray(i * W, i * W + W)));
    this.size *= 2;
    this.used = new Int32Array(this.size);
    this.keys = new Float64Array(this.size * W);
    this.slots.length = 0;
    this.n = 0;
    for (const k of old) this.add(k[0], k.slice(1, 1 + R), k.slice(1 + R));
  }
}

/**
 * Per instance: the tile it holds and the remembered translation
 * (Timeloop's SaveAndSubtractIfSameStride over axis-aligned boxes).
 */
class State {
  frozen = false;
  readonly has: Uint8Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly hasT: Uint8Array;
  readonly t: Float64Array;
  /** The last delta box per instance (for grouping). */
  readonly dlo: Float64Array;
  readonly dhi: Float64Array;
  readonly dwhole: Uint8Array;

  constructor(readonly n: number, readonly R: number) {
    this.has = new Uint8Array(n);
    this.lo = new Float64Array(n * R);
    this.hi = new Float64Array(n * R);
    this.hasT = new Uint8Array(n);
    this.t = new Float64Array(n * R);
    this.dlo = new Float64Array(n * R);
    this.dhi = new Float64Array(n * R);
    this.dwhole = new Uint8Array(n);
  }

  /** Place instance i's new tile [lo, hi]; returns the words it must bring. */
  step(i: number, lo: Float64Array, hi: Float64Array, R: number): number {
    const o = i * R;
    let size = 1;
    for (let k = 0; k < R; k++) size *= hi[k] - lo[k] + 1;
    let delta: number;
    if (!this.has[i]) {
      delta = size;
      this.setDelta(i, lo, hi, R);
      this.hasT[i] = 0;
    } else {
      let sameT = true;
      for (let k = 0; k < R; k++) if (this.t[o + k] !== lo[k] - this.lo[o + k]) sameT = false;
      if (!this.hasT[i] || sameT) {
        delta = this.subtract(i, lo, hi, R, size);
        if (!this.hasT[i]) { for (let k = 0; k < R; k++) this.t[o + k] = lo[k] - this.lo[o + k]; this.hasT[i] = 1; }
      } else {
        // Stride changed: the whole tile again, the translation forgotten.
        delta = size;
        this.setDelta(i, lo, hi, R);
        this.hasT[i] = 0;
      }
    }
    this.has[i] = 1;
    for (let k = 0; k < R; k++) { this.lo[o + k] = lo[k]; this.hi[o + k] = hi[k]; }
    return delta;
  }

  private setDelta(i: number, lo: Float64Array, hi: Float64Array, R: number): void {
    const o = i * R;
    for (let k = 0; k < R; k++) { this.dlo[o + k] = lo[k]; this.dhi[o + k] = hi[k]; }
  }

  /**
   * |new − old| as Timeloop's AxisAlignedHyperRectangle::Subtract: equal →
   * 0; disjoint along a rank, or differing along more than one → the whole
   * new box; else the new box cut along the one rank that differs.
   */
  private subtract(i: number, lo: Float64Array, hi: Float64Array, R: number, size: number): number {
    const o = i * R;
    let diff = -1, count = 0;
    for (let k = 0; k < R; k++) {
      const alo = this.lo[o + k], ahi = this.hi[o + k];
      if (ahi < lo[k] || alo > hi[k]) { this.setDelta(i, lo, hi, R); return size; }
      if (alo !== lo[k] || ahi !== hi[k]) { diff = k; count++; }
    }
    if (count === 0) { for (let k = 0; k < R; k++) { this.dlo[o + k] = 0; this.dhi[o + k] = -1; } return 0; }
    if (count > 1) { this.setDelta(i, lo, hi, R); return size; }
    const k = diff;
    const alo = this.lo[o + k], ahi = this.hi[o + k];
    let nlo = lo[k], nhi = hi[k];
    if (alo <= lo[k]) {
      if (ahi <= hi[k]) nlo = ahi + 1;
      else { for (let q = 0; q < R; q++) { this.dlo[o + q] = 0; this.dhi[o + q] = -1; } return 0; }
    } else if (ahi < hi[k]) { this.setDelta(i, lo, hi, R); return size; } // a fracture: Timeloop keeps the whole box
    else nhi = alo - 1;
    this.setDelta(i, lo, hi, R);
    this.dlo[o + k] = nlo; this.dhi[o + k] = nhi;
    return (size / (hi[k] - lo[k] + 1)) * (nhi - nlo + 1);
  }

  /** Copy this state into `c` (same shape); returns `c`. */
  copyInto(c: State): State {
    c.has.set(this.has); c.lo.set(this.lo); c.hi.set(this.hi); c.hasT.set(this.hasT); c.t.set(this.t);
    return c;
  }

  snapshot(): State {
    const c = new State(this.n, this.R);
    c.has.set(this.has); c.lo.set(this.lo); c.hi.set(this.hi); c.hasT.set(this.hasT); c.t.set(this.t);
    return c;
  }

  /** Whether this state is `prev` with every held tile moved by `shift` (same memory). */
  sameMoved(prev: State, shift: Float64Array): boolean {
    const R = this.R;
    for (let i = 0; i < this.n; i++) {
      if (this.has[i] !== prev.has[i] || this.hasT[i] !== prev.hasT[i]) return false;
      if (!this.has[i]) continue;
      for (let k = 0; k < R; k++) {
        const o = i * R + k;
        if (this.lo[o] !== prev.lo[o] + shift[k] || this.hi[o] !== prev.hi[o] + shift[k]) return false;
        if (this.hasT[i] && this.t[o] !== prev.t[o]) return false;
      }
    }
    return true;
  }

  /** Move every held tile by `times` × `shift`. */
  move(shift: Float64Array, times: number): void {
    if (times <= 0) return;
    const R = this.R;
    for (let i = 0; i < this.n; i++) {
      if (!this.has[i]) continue;
      for (let k = 0; k < R; k++) { this.lo[i * R + k] += shift[k] * times; this.hi[i * R + k] += shift[k] * times; }
    }
  }
}
