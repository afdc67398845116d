/**
 * The nest analysis kernel: {@link Evaluator.run} turns a compiled mapping
 * (see compile.ts) into per-level, per-data-space counts (counts.ts)
 * without allocating (except for the rare mappings whose children can pass
 * data to mesh neighbours, which take an exact but slower path). This is
 * the mapper's inner loop.
 *
 * The counting rules are Timeloop's (May 2024) and are written down in
 * docs/model.md; every rule below names the behaviour it reproduces.
 */
import type { Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { compileMapping, compileProblem, type CompiledMapping, type CompiledProblem } from './compile.js';
import { CountBuffers, readCounts, type Counts } from './counts.js';
import { LinkCache, distinctChildTiles } from './links.js';
import { countImperfect, type PartialTiles } from './imperfect.js';

/** Options of the nest analysis. */
export interface AnalysisOptions {
  /**
   * Outputs start at zero, so their first write needs no read (always) and
   * no fill from the parent (Timeloop ≥ 2021, convention 'v4', the default).
   * Convention 'v3' (Timeloop of 2020) counts that first fill.
   */
  readonly convention?: 'v4' | 'v3';
  /**
   * Take the exact O(K²) walk everywhere instead of the O(K) fast path and
   * the shortcut for bypassed levels (for testing that they agree).
   */
  readonly exactWalks?: boolean;
  /**
   * How an imperfect nest's partial tiles are counted (imperfect.ts):
   * Timeloop's numbers (the default, the parity contract) or the true
   * iteration space. Perfect nests count the same either way.
   */
  readonly partialTiles?: PartialTiles;
}

const MAXK = 64;
/** Weights of a quick hash of small integer vectors (exact checks follow a hash match). */
const HASH_W = [1, 7919, 104729, 1299709, 15485863, 179424673, 2038074743, 1];

/**
 * Runs the nest analysis for one compiled problem, reusing scratch memory:
 * build one per (workload, architecture) and call {@link Evaluator.run} for
 * every mapping.
 */
export class Evaluator {
  /** The counts of the last {@link Evaluator.run}, overwritten by the next. */
  readonly out: CountBuffers;
  private readonly elideFill: boolean;
  private readonly exact: boolean;
  private readonly partialTiles: PartialTiles;
  private readonly operations: number;
  // Scratch.
  private readonly running: Float64Array;
  private stride: Float64Array;
  private readonly tileExt: Float64Array;
  private readonly spatialExt: Float64Array;
  private readonly fan: Float64Array;
  private readonly size: Float64Array;
  private readonly spatialSize: Float64Array;
  private readonly spans: Float64Array;
  private readonly fillsKept: Float64Array;
  private readonly content: Float64Array;
  private readonly weighted: Float64Array;
  private readonly links: Float64Array;
  private readonly partition: Float64Array;
  private readonly parentShare: Float64Array;
  private readonly peer: Float64Array;
  private tl: Int32Array;
  private readonly levelStart: Int32Array;
  private tau: Float64Array;
  /** Per temporal loop (tl order), for the current data space: its step in data space, and running sums. */
  private vt: Float64Array;
  /** The `from` whose event translations are in tau (-1: none), and the `from` whose hashes are in tauHash. */
  private tauFrom = -1;
  private hashFrom = -1;
  private pre: Float64Array;
  private delta: Float64Array;
  private same1: Uint8Array;
  private tauHash: Float64Array;
  private candHash: Float64Array = new Float64Array(64);
  private readonly vec: Float64Array;
  private bits: Uint8Array = new Uint8Array(256);
  /** Per level, for the current data space: distinct child tiles, and neighbour-offset candidates. */
  private readonly G: Float64Array;
  private readonly exactLinks: Uint8Array;
  private cand: Float64Array;
  private readonly candStart: Int32Array;
  /** Loop index range [spStart[l], spEnd[l]) of level l's spatial loops. */
  private readonly spStart: Int32Array;
  private readonly spEnd: Int32Array;
  private readonly linkCache = new LinkCache();

  constructor(readonly p: CompiledProblem, options: AnalysisOptions = {}) {
    const { D, S, L, RM } = p;
    this.elideFill = (options.convention ?? 'v4') === 'v4';
    this.exact = options.exactWalks ?? false;
    this.partialTiles = options.partialTiles ?? 'timeloop';
    let ops = 1;
    for (let d = 0; d < D; d++) ops *= p.bounds[d];
    this.operations = ops;
    const LS = L * S;
    this.out = new CountBuffers(L, LS);
    this.running = new Float64Array(D);
    this.stride = new Float64Array(MAXK);
    this.tileExt = new Float64Array(L * D);
    this.spatialExt = new Float64Array(L * D);
    this.fan = new Float64Array(L);
    this.size = new Float64Array(L);
    this.spatialSize = new Float64Array(L);
    this.spans = new Float64Array(L * RM);
    this.fillsKept = new Float64Array(L);
    this.content = new Float64Array(L);
    this.weighted = new Float64Array(L);
    this.links = new Float64Array(L);
    this.partition = new Float64Array(L);
    this.parentShare = new Float64Array(L);
    this.peer = new Float64Array(L);
    this.tl = new Int32Array(MAXK);
    this.levelStart = new Int32Array(L + 1);
    this.tau = new Float64Array(MAXK * RM);
    this.vt = new Float64Array(MAXK * RM);
    this.pre = new Float64Array((MAXK + 1) * RM);
    this.delta = new Float64Array(MAXK);
    this.same1 = new Uint8Array(MAXK);
    this.tauHash = new Float64Array(MAXK);
    this.vec = new Float64Array(RM);
    this.G = new Float64Array(L);
    this.exactLinks = new Uint8Array(L);
    this.cand = new Float64Array(64 * RM);
    this.candStart = new Int32Array(L + 1);
    this.spStart = new Int32Array(L);
    this.spEnd = new Int32Array(L);
  }

  /** Analyse one mapping; results are in {@link Evaluator.out}. */
  run(m: CompiledMapping): CountBuffers {
    const p = this.p;
    const { D, S, L, RM, coef } = p;
    const out = this.out;
    out.imperfect = null;
    // Imperfect nests take their own (slower) counting; perfect ones never pay for it.
    if (m.imperfect !== 0) {
      out.imperfect = countImperfect(p, m, out, this.partialTiles, this.elideFill, this.operations);
      return out;
    }
    if (m.n > this.stride.length) this.grow(m.n);
    const { running, stride, tileExt, spatialExt, fan, size, spatialSize, fillsKept, content, weighted, links, partition, parentShare, peer, tl, levelStart } = this;

    // Strides, extents, fanouts.
    // Plain loops, not TypedArray.fill: a builtin call costs more than these few entries.
    for (let d = 0; d < D; d++) running[d] = 1;
    let temporalIterations = 1;
    let utilizedCompute = 1;
    for (let l = 0; l < L; l++) fan[l] = 1;
    let li = 0;
    let nt = 0;
    for (let l = 0; l < L; l++) {
      levelStart[l] = nt;
      this.spStart[l] = li;
      while (li < m.n && m.level[li] === l && m.spatial[li] === 1) {
        const d = m.dim[li];
        stride[li] = running[d];
        running[d] *= m.factor[li];
        fan[l] *= m.factor[li];
        utilizedCompute *= m.factor[li];
        li++;
      }
      this.spEnd[l] = li;
      for (let d = 0; d < D; d++) spatialExt[l * D + d] = running[d];
      while (li < m.n && m.level[li] === l) {
        const d = m.dim[li];
        stride[li] = running[d];
        running[d] *= m.factor[li];
        temporalIterations *= m.factor[li];
        tl[nt++] = li;
        li++;
      }
      for (let d = 0; d < D; d++) tileExt[l * D + d] = running[d];
    }
    levelStart[L] = nt;
    out.temporalIterations = temporalIterations;
    out.utilizedCompute = utilizedCompute;
    let above = 1;
    for (let l = L - 1; l >= 0; l--) {
      out.utilizedInstances[l] = above;
      above *= fan[l];
    }

    for (let s = 0; s < S; s++) {
      const R = p.ranks[s];
      const t0 = p.termStart[s], t1 = p.termStart[s + 1];
      // Read-only data need the tiles of the levels that keep them; partial
      // sums also need every tile, for the partitions (first-update elision).
      const rw = p.readWrite[s] === 1;
      for (let l = 0; l < L; l++) {
        // Bypassed levels' tiles are measured on demand (only a walk with links needs them).
        if (!rw && !m.keep[l * S + s]) { size[l] = -1; continue; }
        this.measureTile(R, l, t0, t1);
      }
      this.prepareGrids(m, s, R);
      this.tauFrom = -1;
      this.hashFrom = -1;
      {
        const { vt, pre } = this;
        const cb = s * RM * D;
        for (let k = 0; k < R; k++) pre[k] = 0;
        for (let g = 0; g < nt; g++) {
          const li = tl[g];
          const d = m.dim[li];
          const st = stride[li];
          for (let k = 0; k < R; k++) {
            const v = coef[cb + k * D + d] * st;
            vt[g * RM + k] = v;
            pre[(g + 1) * RM + k] = pre[g * RM + k] + v;
          }
        }
      }
      // Partition: the share of the tensor an instance is responsible for.
      if (rw) {
        partition[L - 1] = size[L - 1];
        for (let l = L - 2; l >= 0; l--) {
          const denom = fan[l + 1] > 1 ? spatialSize[l + 1] : size[l];
          partition[l] = Math.floor((partition[l + 1] * size[l]) / denom);
        }
      } else for (let l = 0; l < L; l++) partition[l] = 0;
      // Child c (-1: the compute units) is served by level c+1 through its
      // spatial loops; both see the same events, from the temporal loops
      // above c. Bypass follows Timeloop's MaskTiles: a level that does not
      // keep the data space passes its children's demand up, scaled through
      // the next level's multicast, and that level's link transfers are
      // dropped. When no link can form, the scaling cancels the bypassed
      // level's own fills (content = demand × distinct child tiles), so
      // only kept levels need their fill events walked.
      this.walk(m, s, R, -1, 0, nt, true);
      content[0] = this.wContent; weighted[0] = this.wWeighted; links[0] = this.wLinks;
      for (let cur = 0; cur < L; cur++) {
        const parent = cur + 1;
        const from = levelStart[parent];
        if (m.keep[cur * S + s]) {
          this.walk(m, s, R, cur, from, nt - from, true);
          fillsKept[cur] = this.wFills;
          if (parent < L) {
            content[parent] = this.wContent; weighted[parent] = this.wWeighted; links[parent] = this.wLinks;
            parentShare[cur] = this.wWeighted / fan[parent];
          } else parentShare[cur] = 0;
          continue;
        }
        if (parent === L) { size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0; break; }
        if ((fan[parent] > 1 || this.exact) && this.walk(m, s, R, cur, from, nt - from, false)) {
          const factor = (content[cur] * fan[parent]) / this.wWeighted;
          content[parent] = this.wContent * factor;
          weighted[parent] = this.wWeighted * factor;
        } else {
          content[parent] = content[cur] * this.G[parent];
          weighted[parent] = content[cur] * fan[parent];
        }
        links[parent] = 0;
        size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0;
      }
      // Bypassed outermost levels hold nothing; the outermost keeper is filled by nobody —
      // except, in Timeloop 2020 (v3), a read-only tensor whose outermost keeper is not the
      // backing store: it is loaded once, its tile (v3-bd-simple_pim's weights, in
      // processing-in-memory cells).
      for (let cur = L - 1; cur >= 0; cur--) {
        if (!m.keep[cur * S + s]) { size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0; }
        else { parentShare[cur] = !this.elideFill && cur < L - 1 && !p.readWrite[s] ? size[cur] : 0; break; }
      }
      // Words taken over links are read from the neighbour's copy (peer accesses).
      for (let l = 0; l < L; l++) peer[l] = 0;
      for (let cur = L - 1; cur > 0; cur--) if (links[cur] !== 0 && size[cur - 1] > 0) peer[cur - 1] += links[cur] / out.utilizedInstances[cur - 1];

      let outermost = true;
      for (let l = L - 1; l >= 0; l--) {
        const i = l * S + s;
        if (size[l] === 0) {
          out.kept[i] = 0; out.reads[i] = 0; out.fills[i] = 0; out.updates[i] = 0;
          out.temporalReductions[i] = 0; out.utilizedCapacity[i] = 0; out.partitionSize[i] = 0;
          continue;
        }
        out.kept[i] = 1;
        out.utilizedCapacity[i] = size[l];
        out.partitionSize[i] = partition[l];
        if (p.readWrite[s]) {
          // Partial sums: the first update of each output needs no read.
          const reads = Math.round(content[l] + peer[l] - partition[l]);
          const first = this.elideFill ? partition[l] : 0;
          out.reads[i] = reads;
          out.temporalReductions[i] = reads;
          out.updates[i] = Math.round(content[l]);
          out.fills[i] = Math.round(outermost ? parentShare[l] + peer[l] : parentShare[l] + peer[l] - first);
        } else {
          out.reads[i] = Math.round(content[l] + peer[l]);
          out.fills[i] = Math.round(parentShare[l] + peer[l]);
          out.updates[i] = 0;
          out.temporalReductions[i] = 0;
        }
        outermost = false;
      }
    }
    return out;
  }

  /** Tile of level l for data space s: spans per rank, size, and the box under its spatial loops. */
  private measureTile(R: number, l: number, t0: number, t1: number): void {
    const p = this.p;
    const { D, RM } = p;
    const { spans, tileExt, spatialExt, vec } = this;
    const sp = l * RM;
    for (let k = 0; k < R; k++) { spans[sp + k] = 1; vec[k] = 1; }
    for (let t = t0; t < t1; t++) {
      const k = p.termRank[t], d = p.termDim[t], c = p.termCoef[t];
      spans[sp + k] += c * (tileExt[l * D + d] - 1);
      vec[k] += c * (spatialExt[l * D + d] - 1);
    }
    let sz = 1, ssz = 1;
    for (let k = 0; k < R; k++) { sz *= spans[sp + k]; ssz *= vec[k]; }
    this.size[l] = sz;
    this.spatialSize[l] = ssz;
  }

  // Results of walk().
  private wFills = 0;
  private wContent = 0;
  private wWeighted = 0;
  private wLinks = 0;

  /**
   * Walk the fill events of child c's tile (c = -1: one operation) for data
   * space s, over the K non-trivial temporal loops above it (tl[from..]).
   *
   * Timeloop simulates iterations 0 and 1 of each loop and scales iteration
   * 1's delta by (n-1), so the events form a binary counter over the loops
   * (outer loops most significant); when an outer loop advances, the inner
   * loops step back from index 1. Each event moves the tile by a
   * translation τ. The first tile is filled whole; later tiles bring what
   * the previous one did not hold, unless τ differs from the remembered
   * translation: then the tile is refilled whole and the memory cleared
   * (reset on stride change). The parent serves each event once per
   * distinct child tile (multicast; spatial reduction for outputs) unless
   * children take it from a mesh neighbour (link transfers).
   */
  private walk(m: CompiledMapping, s: number, R: number, c: number, from: number, K: number, always: boolean): boolean {
    const p = this.p;
    const { RM, L } = p;
    const point = c < 0;
    let size = point ? 1 : this.size[c];
    const { tau, delta, same1, tl, spans } = this;
    const parent0 = c + 1;
    if (point && this.fan[parent0] <= 1 && !this.exact) {
      // Every operation reads its operand anew; nothing to share.
      const iters = this.out.temporalIterations;
      this.wFills = iters; this.wContent = iters; this.wWeighted = iters; this.wLinks = 0;
      return true;
    }
    // Event translations from the data-space steps of the loops (vt) and
    // their running sums (pre): τ_j = v_j − Σ_{from ≤ i < j} v_i.
    if (this.tauFrom !== from) {
      // Levels without temporal loops share their children's events: reuse τ.
      const { vt, pre } = this;
      for (let j = 0; j < K; j++) {
        const g = from + j;
        let eq = 1;
        for (let k = 0; k < R; k++) {
          const t = vt[g * RM + k] - (pre[g * RM + k] - pre[from * RM + k]);
          tau[j * RM + k] = t;
          if (t !== tau[k]) eq = 0;
        }
        same1[j] = eq;
      }
      this.tauFrom = from;
      // Their hashes only when a walk asks whether links can form (linksPossible).
      this.hashFrom = -1;
    }
    // The parent's spatial loops: children, distinct child tiles.
    const parent = c + 1;
    let F = 1;
    let G = 1;
    let linksPossible = false;
    if (parent < L && this.fan[parent] > 1) {
      F = this.fan[parent];
      G = this.G[parent];
      linksPossible = this.exact || this.linksPossible(parent, R, K, point, G < F);
    }
    if (!always && !linksPossible) return false;
    if (!point && size < 0) { this.measureTile(R, c, p.termStart[s], p.termStart[s + 1]); size = this.size[c]; }
    if (!point) {
      for (let j = 0; j < K; j++) {
        let overlap = 1;
        for (let k = 0; k < R; k++) {
          const t = Math.abs(tau[j * RM + k]);
          const span = spans[c * RM + k];
          overlap *= span > t ? span - t : 0;
        }
        delta[j] = size - overlap;
      }
    } else for (let j = 0; j < K; j++) delta[j] = 1;
    if (!linksPossible) {
      if (point) {
        let iters = 1;
        for (let j = 0; j < K; j++) iters *= m.factor[tl[from + j]];
        this.wFills = iters; this.wContent = iters * G; this.wWeighted = iters * F; this.wLinks = 0;
        return true;
      }
      // Each event of loop j follows a full pass over loops 1..j-1, which
      // ends with an event of loop 1: then τ₁ or nothing is remembered. A
      // pass depends only on whether its start state is compatible with τ₁
      // (class A) or not (B): two running totals per loop, O(K).
      let wA = 0, eA = 0, wB = 0, eB = 0;
      for (let j = 0; j < K; j++) {
        const reps = m.factor[tl[from + j]] - 1;
        if (j === 0) { wA = reps * delta[0]; eA = 1; wB = reps * size; eB = 0; continue; }
        const sm = same1[j] === 1;
        let dA: number, nA: boolean, dB: number, nB: boolean;
        if (eA === 0 || sm) { dA = delta[j]; nA = sm; } else { dA = size; nA = true; }
        if (eB === 0 || sm) { dB = delta[j]; nB = sm; } else { dB = size; nB = true; }
        const nwA = wA + reps * (dA + (nA ? wA : wB)), neA = nA ? eA : eB;
        const nwB = wB + reps * (dB + (nB ? wA : wB)), neB = nB ? eA : eB;
        wA = nwA; eA = neA; wB = nwB; eB = neB;
      }
      const fills = size + wA;
      this.wFills = fills; this.wContent = fills * G; this.wWeighted = fills * F; this.wLinks = 0;
      return true;
    }
    this.walkWithLinks(m, s, R, c, from, K, size, point, F, G);
    return true;
  }

  /** The exact O(K²) walk that tracks every remembered translation, for link transfers. */
  private walkWithLinks(m: CompiledMapping, s: number, R: number, c: number, from: number, K: number, size: number, point: boolean, F: number, G: number): void {
    const { tau, delta, tl } = this;
    const RM = this.p.RM;
    const canon = new Int32Array(K);
    for (let j = 0; j < K; j++) {
      canon[j] = j + 1;
      for (let i = 0; i < j; i++) {
        let same = true;
        for (let k = 0; k < R; k++) if (tau[i * RM + k] !== tau[j * RM + k]) { same = false; break; }
        if (same) { canon[j] = canon[i]; break; }
      }
    }
    const linkGroups = new Float64Array(K).fill(G);
    const linkCount = new Float64Array(K);
    if (F > 1) {
      for (let j = 0; j < K; j++) {
        const t = Array.from(tau.subarray(j * RM, j * RM + R));
        const { linked, remaining } = this.linkCache.info(this.p, m, s, c + 1, t, this.stride, this.fan[c + 1]);
        if (remaining < G) { linkGroups[j] = remaining; linkCount[j] = linked; }
      }
    }
    const S = K + 1;
    let W = new Float64Array(S), A = new Float64Array(S), Wt = new Float64Array(S), X = new Float64Array(S);
    let T = new Int32Array(S);
    for (let q = 0; q < S; q++) T[q] = q;
    let nW = new Float64Array(S), nA = new Float64Array(S), nWt = new Float64Array(S), nX = new Float64Array(S), nT = new Int32Array(S);
    for (let j = 0; j < K; j++) {
      const cj = canon[j];
      const reps = m.factor[tl[from + j]] - 1;
      for (let q = 0; q < S; q++) {
        const t1 = T[q];
        let d: number, t2: number, translate: boolean;
        // translate: this delta is the previous delta moved by τ (a neighbour may hold it).
        if (point) { d = 1; t2 = 0; translate = true; }
        else if (t1 === cj) { d = delta[j]; t2 = cj; translate = d > 0; }
        else if (t1 === 0) { d = delta[j]; t2 = cj; translate = d === size; }
        else { d = size; t2 = 0; translate = delta[t1 - 1] === size; }
        const g = translate ? linkGroups[j] : G;
        const lk = translate ? linkCount[j] : 0;
        nW[q] = W[q] + reps * (d + W[t2]);
        nA[q] = A[q] + reps * (d * g + A[t2]);
        nWt[q] = Wt[q] + reps * (d * (F - lk) + Wt[t2]);
        nX[q] = X[q] + reps * (d * lk + X[t2]);
        nT[q] = T[t2];
      }
      [W, nW] = [nW, W]; [A, nA] = [nA, A]; [Wt, nWt] = [nWt, Wt]; [X, nX] = [nX, X]; [T, nT] = [nT, T];
    }
    const first = point ? 1 : size;
    this.wFills = first + W[0];
    this.wContent = first * G + A[0];
    this.wWeighted = first * F + Wt[0];
    this.wLinks = X[0];
  }

  /** Distinct child tiles under level l's spatial loops for data space s. */
  private groups(m: CompiledMapping, s: number, l: number): number {
    const { D, RM, coef } = this.p;
    const R = this.p.ranks[s];
    const base = s * RM * D;
    let groups = 1;
    const stride = this.stride;
    const i0 = this.spStart[l], i1 = this.spEnd[l];
    // Per rank, the distinct values of Σ index·step over the loops moving the tile along it.
    for (let k = 0; k < R; k++) {
      let loopsOnRank = 0;
      let single = 0;
      let max = 0;
      for (let i = i0; i < i1; i++) {
        const step = coef[base + k * D + m.dim[i]] * stride[i];
        if (step === 0) continue;
        // A loop moving the tile along two ranks at once: count exactly.
        if (this.p.ranksTouched[s * D + m.dim[i]] > 1) return distinctChildTiles(this.p, m, s, l, this.stride, this.fan[l]);
        loopsOnRank++;
        single = m.factor[i];
        max += (m.factor[i] - 1) * step;
      }
      if (loopsOnRank === 0) continue;
      if (loopsOnRank === 1) { groups *= single; continue; }
      if (this.bits.length < max + 1) this.bits = new Uint8Array(2 * (max + 1));
      const bits = this.bits;
      bits.fill(0, 0, max + 1);
      bits[0] = 1;
      let hi = 0;
      for (let i = i0; i < i1; i++) {
        const step = coef[base + k * D + m.dim[i]] * stride[i];
        if (step === 0) continue;
        // In place, high to low: positions reached by adding j·step.
        for (let v = hi; v >= 0; v--) if (bits[v]) for (let j = 1; j < m.factor[i]; j++) bits[v + j * step] = 1;
        hi += (m.factor[i] - 1) * step;
      }
      let count = 0;
      for (let v = 0; v <= hi; v++) count += bits[v];
      groups *= count;
    }
    return groups;
  }

  /**
   * Per level with a spatial fanout, for data space s: the distinct child
   * tiles, and the offsets between mesh neighbours that an event translation
   * must equal for a child to take its delta over a link. Children are
   * numbered with the innermost spatial loop fastest and laid row-major on
   * the mesh; when the X loops are all inside the Y loops and rows are
   * exactly as wide as the X loops, neighbours differ by stepping one digit
   * of that counter, with carries over the digits between (a few
   * candidates). Any other layout is checked exactly.
   */
  private prepareGrids(m: CompiledMapping, s: number, R: number): void {
    const { D, RM, coef, L } = this.p;
    const base = s * RM * D;
    const stride = this.stride;
    let nc = 0;
    for (let l = 0; l < L; l++) {
      this.candStart[l] = nc;
      this.exactLinks[l] = 0;
      if (this.fan[l] <= 1) { this.G[l] = 1; continue; }
      this.G[l] = this.groups(m, s, l);
      const i0 = this.spStart[l], i1 = this.spEnd[l];
      let lx = 1, seenY = false, interleaved = false;
      for (let i = i0; i < i1; i++) {
        if (m.axisY[i]) seenY = true;
        else { lx *= m.factor[i]; if (seenY) interleaved = true; }
      }
      if (interleaved || (this.p.meshX[l] > lx && this.fan[l] > lx)) { this.exactLinks[l] = 1; continue; }
      for (let q = i0; q < i1; q++) {
        for (let a = q; a < i1; a++) {
          if ((nc + 1) * RM > this.cand.length) { const c2 = new Float64Array(this.cand.length * 2); c2.set(this.cand); this.cand = c2; }
          if (nc + 1 > this.candHash.length) { const h2 = new Float64Array(this.candHash.length * 2); h2.set(this.candHash); this.candHash = h2; }
          let h = 0;
          const cand = this.cand;
          const da = m.dim[a], sa = stride[a];
          for (let k = 0; k < R; k++) {
            let v = coef[base + k * D + da] * sa;
            for (let b = q; b < a; b++) v -= (m.factor[b] - 1) * coef[base + k * D + m.dim[b]] * stride[b];
            cand[nc * RM + k] = v;
            h += v * HASH_W[k & 7];
          }
          this.candHash[nc] = Math.abs(h);
          nc++;
        }
      }
    }
    this.candStart[L] = nc;
  }

  /**
   * Whether any of the K event translations could equal the offset between
   * two mesh neighbours (then the exact walk is needed): checked against the
   * few candidate offsets of prepareGrids, by hash first.
   */
  private linksPossible(l: number, R: number, K: number, point: boolean, shared: boolean): boolean {
    if (this.exactLinks[l]) return true;
    const RM = this.p.RM;
    const { tau, cand } = this;
    if (this.hashFrom !== this.tauFrom) {
      // Hashed once per `from`, as the translations are (walks from the same `from` share them).
      const tauHash = this.tauHash;
      for (let j = 0; j < K; j++) {
        let h = 0;
        for (let k = 0; k < R; k++) h += tau[j * RM + k] * HASH_W[k & 7];
        tauHash[j] = h;
      }
      this.hashFrom = this.tauFrom;
    }
    const c0 = this.candStart[l], c1 = this.candStart[l + 1];
    const { tauHash, candHash } = this;
    for (let j = 0; j < K; j++) {
      const h = tauHash[j];
      if (h === 0) {
        let zero = true;
        for (let k = 0; k < R; k++) if (tau[j * RM + k] !== 0) { zero = false; break; }
        if (zero) {
          // One operation staying put: neighbours with the same tile hold it.
          if (point && shared) return true;
          continue;
        }
      }
      const ah = Math.abs(h);
      for (let c = c0; c < c1; c++) {
        if (candHash[c] !== ah) continue;
        let match = true, matchNeg = true;
        for (let k = 0; k < R; k++) {
          const t = tau[j * RM + k];
          const v = cand[c * RM + k];
          if (t !== v) match = false;
          if (t !== -v) matchNeg = false;
        }
        if (match || matchNeg) return true;
      }
    }
    return false;
  }

  private grow(n: number): void {
    const RM = this.p.RM;
    this.stride = new Float64Array(n);
    this.tl = new Int32Array(n);
    this.tau = new Float64Array(n * RM);
    this.vt = new Float64Array(n * RM);
    this.pre = new Float64Array((n + 1) * RM);
    this.delta = new Float64Array(n);
    this.same1 = new Uint8Array(n);
    this.tauHash = new Float64Array(n);
  }
}

/**
 * Analyse one mapping without keeping a kernel: per-level, per-data-space
 * access counts (per instance) in readable form. For repeated evaluations
 * keep an {@link Evaluator} and a compiled mapping instead.
 */
export function analyse(w: Workload, arch: Arch, m: Mapping, options: AnalysisOptions = {}): Counts {
  const p = compileProblem(w, arch);
  const o = new Evaluator(p, options).run(compileMapping(p, m));
  return readCounts(arch.storage, w.dataSpaces.length, operationCount(w), o);
}
