/**
 * The compiled forms the nest kernel reads: a workload and architecture
 * flattened once into typed arrays ({@link CompiledProblem}), and a mapping
 * as a few typed arrays of loops ({@link CompiledMapping}) that the mapper
 * rewrites in place for every candidate, so that an evaluation allocates
 * nothing.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';

/** Workload and architecture in flat form. */
export interface CompiledProblem {
  /** Dimensions of the workload. */
  readonly D: number;
  /** Data spaces (tensors) of the workload. */
  readonly S: number;
  /** Storage levels of the architecture. */
  readonly L: number;
  /** Ranks per data space. */
  readonly ranks: Int32Array;
  /** Largest rank count. */
  readonly RM: number;
  /** coef[(s*RM + k)*D + d]: coefficient of dimension d in rank k of data space s. */
  readonly coef: Float64Array;
  /** 1 for a read-write data space (partial sums). */
  readonly readWrite: Uint8Array;
  /** Physical fanout of each storage level to its children, X and Y. */
  readonly meshX: Int32Array;
  readonly meshY: Int32Array;
  /** Bound of each dimension. */
  readonly bounds: Float64Array;
  /** Non-zero projection terms of data space s: [termStart[s], termStart[s+1]). */
  readonly termStart: Int32Array;
  readonly termRank: Int32Array;
  readonly termDim: Int32Array;
  readonly termCoef: Float64Array;
  /** ranksTouched[s*D + d]: how many ranks of data space s dimension d moves. */
  readonly ranksTouched: Int32Array;
}

/**
 * Flatten a workload and architecture once: projection coefficients, their
 * non-zero terms, and the fanout of every level.
 */
export function compileProblem(w: Workload, arch: Arch): CompiledProblem {
  const D = w.dims.length;
  const S = w.dataSpaces.length;
  const L = arch.storage.length;
  // Plain loops, no closures or iterators: this runs once per search (hundreds in a NetAdapt table), often enough
  // for TurboFan to compile it, and the closures and iterators inlined made it one of the table's largest compiles.
  const ranks = new Int32Array(S);
  const readWrite = new Uint8Array(S);
  let RM = -Infinity;
  for (let s = 0; s < S; s++) {
    ranks[s] = w.dataSpaces[s].ranks.length;
    readWrite[s] = w.dataSpaces[s].readWrite ? 1 : 0;
    if (ranks[s] > RM) RM = ranks[s];
  }
  const coef = new Float64Array(S * RM * D);
  let nTerms = 0;
  for (let s = 0; s < S; s++) {
    const rs = w.dataSpaces[s].ranks;
    for (let k = 0; k < rs.length; k++) for (let j = 0; j < rs[k].length; j++) coef[(s * RM + k) * D + rs[k][j].dim] += rs[k][j].coef;
  }
  for (let i = 0; i < coef.length; i++) if (coef[i] !== 0) nTerms++;
  const meshX = new Int32Array(L);
  const meshY = new Int32Array(L);
  for (let l = 0; l < L; l++) {
    const f = fanout(arch, l);
    meshX[l] = f.x;
    meshY[l] = f.y;
  }
  const termStart = new Int32Array(S + 1);
  const termRank = new Int32Array(nTerms), termDim = new Int32Array(nTerms), termCoef = new Float64Array(nTerms);
  const ranksTouched = new Int32Array(S * D);
  let n = 0;
  for (let s = 0; s < S; s++) {
    termStart[s] = n;
    for (let k = 0; k < ranks[s]; k++) {
      for (let d = 0; d < D; d++) {
        const c = coef[(s * RM + k) * D + d];
        if (c === 0) continue;
        termRank[n] = k; termDim[n] = d; termCoef[n] = c; n++;
        ranksTouched[s * D + d]++;
      }
    }
  }
  termStart[S] = n;
  return new Problem(D, S, L, ranks, RM, coef, readWrite, meshX, meshY, Float64Array.from(w.bounds), termStart, termRank, termDim, termCoef, ranksTouched);
}

/**
 * A class, not an object literal: V8 builds a literal's boilerplate on the
 * literal's second run with placeholder values, which widens the recorded
 * type of every typed-array field and discards all optimised code that read
 * one (the evaluator's, while the second layer of a run is mapped).
 */
class Problem implements CompiledProblem {
  constructor(
    readonly D: number, readonly S: number, readonly L: number, readonly ranks: Int32Array, readonly RM: number, readonly coef: Float64Array,
    readonly readWrite: Uint8Array, readonly meshX: Int32Array, readonly meshY: Int32Array, readonly bounds: Float64Array,
    readonly termStart: Int32Array, readonly termRank: Int32Array, readonly termDim: Int32Array, readonly termCoef: Float64Array, readonly ranksTouched: Int32Array,
  ) {}
}

/**
 * A mapping in flat form: `n` loops innermost first (per level: spatial,
 * then temporal), `keep[l*S + s]`. Room for `capacity` loops; written in
 * place (the mapper reuses one).
 */
export class CompiledBuffer {
  n = 0;
  readonly level: Int32Array;
  readonly spatial: Uint8Array;
  readonly dim: Int32Array;
  readonly factor: Float64Array;
  /** Iterations on the last pass (= factor for a perfect loop; see mapping.ts `Loop`). */
  readonly residual: Float64Array;
  /** Loops whose residual is below their factor: 0 keeps the kernel on its perfect-nest path. */
  imperfect = 0;
  /** 1 for a spatial loop on the Y axis. */
  readonly axisY: Uint8Array;
  readonly keep: Uint8Array;
  constructor(capacity: number, keeps: number) {
    this.level = new Int32Array(capacity);
    this.spatial = new Uint8Array(capacity);
    this.dim = new Int32Array(capacity);
    this.factor = new Float64Array(capacity);
    this.residual = new Float64Array(capacity);
    this.axisY = new Uint8Array(capacity);
    this.keep = new Uint8Array(keeps);
  }

  /** Empty the buffer for a new mapping. */
  clear(): void {
    this.n = 0;
    this.imperfect = 0;
  }

  /**
   * Append a loop (factor-1 loops are skipped: they change nothing);
   * `residual` (default: the factor) for an imperfect loop.
   */
  push(level: number, spatial: boolean, dim: number, factor: number, axisY: boolean, residual = factor): void {
    if (factor <= 1) return;
    const n = this.n++;
    this.level[n] = level;
    this.spatial[n] = spatial ? 1 : 0;
    this.dim[n] = dim;
    this.factor[n] = factor;
    this.residual[n] = residual;
    if (residual < factor) this.imperfect++;
    this.axisY[n] = axisY ? 1 : 0;
  }
}

/** The compiled form the nest kernel reads. */
export type CompiledMapping = CompiledBuffer;

/** Compile a mapping into a fresh buffer sized for it (the mapper writes its own buffer instead). */
export function compileMapping(p: CompiledProblem, m: Mapping): CompiledMapping {
  let loops = 0;
  for (const lm of m.levels) loops += lm.spatial.length + lm.temporal.length;
  const out = new CompiledBuffer(loops, p.L * p.S);
  m.levels.forEach((lm, level) => {
    for (const l of lm.spatial) out.push(level, true, l.dim, l.factor, l.axis === 'Y', l.residual ?? l.factor);
    for (const l of lm.temporal) out.push(level, false, l.dim, l.factor, false, l.residual ?? l.factor);
    lm.keep.forEach((k, s) => { out.keep[level * p.S + s] = k ? 1 : 0; });
  });
  return out;
}
