/**
 * Nest analysis: how many times each storage level reads, fills and updates
 * each data space under a mapping. This reproduces the counts of Timeloop's
 * nest analysis (May 2024 semantics, see docs/model.md) analytically: no
 * iteration points are enumerated; a level/data-space pair costs O(K²)
 * arithmetic for K non-trivial loops above the level.
 */
import type { Arch } from '../arch/arch.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';

/** Access counts of one data space at one storage level, per instance. */
export interface DataSpaceCounts {
  /** Whether the level keeps (holds a tile of) this data space. */
  readonly kept: boolean;
  readonly reads: number;
  readonly fills: number;
  readonly updates: number;
  readonly temporalReductions: number;
  /** Words of the tile held at the level (0 if bypassed). */
  readonly utilizedCapacity: number;
  /** Words of the tensor this instance is responsible for over the whole run. */
  readonly partitionSize: number;
}

/** Counts of one storage level. */
export interface LevelCounts {
  readonly name: string;
  readonly instances: number;
  /** Instances that receive work under this mapping. */
  readonly utilizedInstances: number;
  /** Per data space, in workload order. */
  readonly dataSpaces: readonly DataSpaceCounts[];
}

/** Everything the nest analysis derives from (workload, arch, mapping). */
export interface Counts {
  /** Operations of the workload (product of its bounds). */
  readonly computes: number;
  /** Operations each utilised compute instance performs in sequence. */
  readonly temporalIterations: number;
  /** Compute instances that receive work. */
  readonly utilizedComputeInstances: number;
  /** Storage levels, innermost first. */
  readonly levels: readonly LevelCounts[];
}

interface NestLoop {
  level: number;
  spatial: boolean;
  dim: number;
  factor: number;
  /** Product of the factors of the same dimension in all loops inside this one. */
  stride: number;
}

/** Loops of the whole nest, innermost first: per level its spatial loops, then its temporal loops. */
function flattenNest(w: Workload, m: Mapping): NestLoop[] {
  const running = new Array<number>(w.dims.length).fill(1);
  const loops: NestLoop[] = [];
  m.levels.forEach((lm, level) => {
    for (const l of lm.spatial) {
      loops.push({ level, spatial: true, dim: l.dim, factor: l.factor, stride: running[l.dim] });
      running[l.dim] *= l.factor;
    }
    for (const l of lm.temporal) {
      loops.push({ level, spatial: false, dim: l.dim, factor: l.factor, stride: running[l.dim] });
      running[l.dim] *= l.factor;
    }
  });
  return loops;
}

/** Coefficient of dimension `dim` in each rank of a data space. */
function coefficients(w: Workload): number[][][] {
  return w.dataSpaces.map((ds) =>
    ds.ranks.map((rank) => {
      const c = new Array<number>(w.dims.length).fill(0);
      for (const t of rank) c[t.dim] += t.coef;
      return c;
    }),
  );
}

function boxSpans(coef: number[][], extent: number[]): number[] {
  return coef.map((c) => {
    let span = 1;
    for (let d = 0; d < c.length; d++) span += c[d] * (extent[d] - 1);
    return span;
  });
}

function product(xs: number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/**
 * Words a level must receive over the run to hold its tile of one data space
 * (as if it kept it), following Timeloop's delta rules: the first tile is
 * filled whole; every later tile brings what the previous tile did not hold,
 * unless the tile moved in a different direction than last time, in which
 * case it is refilled whole. Timeloop only simulates iterations 0 and 1 of
 * each loop and extrapolates the rest, so when an outer loop advances the
 * inner loops step back from index 1 (not from their last index); the
 * translations below follow that rule.
 */
function fillsAsIfKept(spans: number[], size: number, above: NestLoop[], coef: number[][]): number {
  const R = spans.length;
  const K = above.length;
  if (K === 0) return size;
  // Translation of each event in data space and its delta size.
  const tau: number[][] = [];
  const delta: number[] = [];
  const canon: number[] = [];
  const innerSum = new Array<number>(R).fill(0);
  for (let j = 0; j < K; j++) {
    const lp = above[j];
    const t = new Array<number>(R);
    let overlap = 1;
    for (let k = 0; k < R; k++) {
      const v = coef[k][lp.dim] * lp.stride;
      t[k] = v - innerSum[k];
      innerSum[k] += v;
      overlap *= Math.max(0, spans[k] - Math.abs(t[k]));
    }
    tau.push(t);
    delta.push(size - overlap);
    let c = j + 1;
    for (let i = 0; i < j; i++) {
      let same = true;
      for (let k = 0; k < R; k++) if (tau[i][k] !== t[k]) { same = false; break; }
      if (same) { c = canon[i]; break; }
    }
    canon.push(c);
  }
  // DP over loops (inner to outer): from each state (0 = no remembered
  // translation, c = remembered translation id c), the weighted deltas of all
  // events of loops 1..m and the state after them.
  let W = new Array<number>(K + 1).fill(0);
  let T = new Array<number>(K + 1);
  for (let s = 0; s <= K; s++) T[s] = s;
  let nW = new Array<number>(K + 1);
  let nT = new Array<number>(K + 1);
  for (let m = 0; m < K; m++) {
    const c = canon[m];
    const reps = above[m].factor - 1;
    for (let s = 0; s <= K; s++) {
      const t1 = T[s];
      let d: number;
      let t2: number;
      if (t1 === 0 || t1 === c) { d = delta[m]; t2 = c; } else { d = size; t2 = 0; }
      nW[s] = W[s] + reps * (d + W[t2]);
      nT[s] = T[t2];
    }
    [W, nW] = [nW, W];
    [T, nT] = [nT, T];
  }
  return size + W[0];
}

/**
 * Number of distinct tiles the children under a level's spatial loops need
 * (children whose tiles coincide are served by one multicast read, and their
 * partial sums are reduced spatially).
 */
function distinctChildTiles(spatial: NestLoop[], coef: number[][]): number {
  const R = coef.length;
  let repeat = 1;
  const perRank: { step: number; n: number }[][] = coef.map(() => []);
  const general: { vec: number[]; n: number }[] = [];
  for (const lp of spatial) {
    if (lp.factor <= 1) continue;
    const vec = coef.map((c) => c[lp.dim] * lp.stride);
    const nz = vec.filter((v) => v !== 0).length;
    if (nz === 0) repeat *= lp.factor;
    else if (nz === 1 && vec.every((v) => v >= 0)) perRank[vec.findIndex((v) => v !== 0)].push({ step: vec.find((v) => v !== 0)!, n: lp.factor });
    else general.push({ vec, n: lp.factor });
  }
  if (general.length > 0) {
    // Rare: a spatial loop that moves the tile along several ranks at once.
    let sums: number[][] = [new Array<number>(R).fill(0)];
    const all = [...general];
    perRank.forEach((ls, k) => ls.forEach((l) => { const v = new Array<number>(R).fill(0); v[k] = l.step; all.push({ vec: v, n: l.n }); }));
    for (const l of all) {
      const next: number[][] = [];
      for (const s of sums) for (let i = 0; i < l.n; i++) next.push(s.map((x, k) => x + i * l.vec[k]));
      sums = next;
    }
    return new Set(sums.map((s) => s.join(','))).size;
  }
  let groups = 1;
  for (const ls of perRank) {
    if (ls.length === 0) continue;
    let max = 0;
    for (const l of ls) max += (l.n - 1) * l.step;
    let reach = new Uint8Array(max + 1);
    reach[0] = 1;
    let hi = 0;
    for (const l of ls) {
      const next = new Uint8Array(max + 1);
      for (let v = 0; v <= hi; v++) if (reach[v]) for (let i = 0; i < l.n; i++) next[v + i * l.step] = 1;
      hi += (l.n - 1) * l.step;
      reach = next;
    }
    let count = 0;
    for (let v = 0; v <= hi; v++) count += reach[v];
    groups *= count;
  }
  return groups;
}

/** Analyse a mapping: per-level, per-data-space access counts (per instance). */
export function analyse(w: Workload, arch: Arch, m: Mapping): Counts {
  const L = arch.storage.length;
  const D = w.dims.length;
  const loops = flattenNest(w, m);
  const coefs = coefficients(w);

  // Extents in operation space: tile of each level, and the box under its spatial loops.
  const tileExt: number[][] = [];
  const spatialExt: number[][] = [];
  const ext = new Array<number>(D).fill(1);
  for (let l = 0; l < L; l++) {
    for (const lp of m.levels[l].spatial) ext[lp.dim] *= lp.factor;
    spatialExt.push([...ext]);
    for (const lp of m.levels[l].temporal) ext[lp.dim] *= lp.factor;
    tileExt.push([...ext]);
  }

  let temporalIterations = 1;
  let utilizedCompute = 1;
  for (const lp of loops) {
    if (lp.spatial) utilizedCompute *= lp.factor;
    else temporalIterations *= lp.factor;
  }
  let computes = 1;
  for (const b of w.bounds) computes *= b;

  const utilizedInstances: number[] = [];
  const fan: number[] = [];
  for (let l = 0; l < L; l++) {
    let above = 1;
    for (const lp of loops) if (lp.spatial && lp.level > l) above *= lp.factor;
    utilizedInstances.push(above);
    let f = 1;
    for (const lp of m.levels[l].spatial) f *= lp.factor;
    fan.push(f);
  }

  const perDs: DataSpaceCounts[][] = w.dataSpaces.map((ds, di) => {
    const coef = coefs[di];
    const size: number[] = [];
    const spatialSize: number[] = [];
    const fillsKept: number[] = [];
    for (let l = 0; l < L; l++) {
      const spans = boxSpans(coef, tileExt[l]);
      const sz = product(spans);
      size.push(sz);
      spatialSize.push(product(boxSpans(coef, spatialExt[l])));
      const above = loops.filter((lp) => !lp.spatial && lp.level > l && lp.factor > 1);
      fillsKept.push(fillsAsIfKept(spans, sz, above, coef));
    }
    // Accesses each level serves to its children (content accesses), and
    // the per-child deliveries (weighted accesses / fanout).
    const content: number[] = [];
    const weighted: number[] = [];
    for (let l = 0; l < L; l++) {
      const childFills = l === 0 ? temporalIterations : fillsKept[l - 1];
      const spatial = loops.filter((lp) => lp.spatial && lp.level === l);
      content.push(childFills * distinctChildTiles(spatial, coef));
      weighted.push(childFills * fan[l]);
    }
    const partition = new Array<number>(L).fill(0);
    partition[L - 1] = size[L - 1];
    for (let l = L - 2; l >= 0; l--) {
      const denom = m.levels[l + 1].spatial.length > 0 ? spatialSize[l + 1] : size[l];
      partition[l] = Math.floor((partition[l + 1] * size[l]) / denom);
    }
    const parentShare: number[] = [];
    for (let l = 0; l < L; l++) parentShare.push(l < L - 1 ? weighted[l + 1] / fan[l + 1] : 0);

    // Bypass: a level that does not keep the data space passes its
    // children's demand up to the next level, scaled through that level's
    // multicast (Timeloop's MaskTiles).
    const keep = m.levels.map((lm) => lm.keep[di]);
    for (let cur = 0; cur < L; cur++) {
      if (size[cur] === 0 || keep[cur]) continue;
      let outer = cur + 1;
      while (outer < L && size[outer] === 0) outer++;
      if (outer === L) { size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0; break; }
      const factor = (content[cur] * fan[outer]) / weighted[outer];
      content[outer] *= factor;
      weighted[outer] *= factor;
      size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0;
    }
    for (let cur = L - 1; cur >= 0; cur--) {
      if (!keep[cur]) { size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0; }
      else { parentShare[cur] = 0; break; }
    }

    const out: DataSpaceCounts[] = [];
    for (let l = 0; l < L; l++) {
      if (size[l] === 0) {
        out.push({ kept: false, reads: 0, fills: 0, updates: 0, temporalReductions: 0, utilizedCapacity: 0, partitionSize: 0 });
        continue;
      }
      let outermost = true;
      for (let o = l + 1; o < L; o++) if (size[o] > 0) { outermost = false; break; }
      if (ds.readWrite) {
        const reads = Math.round(content[l] - partition[l]);
        out.push({
          kept: true,
          reads,
          fills: Math.round(outermost ? parentShare[l] : parentShare[l] - partition[l]),
          updates: Math.round(content[l]),
          temporalReductions: reads,
          utilizedCapacity: size[l],
          partitionSize: partition[l],
        });
      } else {
        out.push({
          kept: true,
          reads: Math.round(content[l]),
          fills: Math.round(parentShare[l]),
          updates: 0,
          temporalReductions: 0,
          utilizedCapacity: size[l],
          partitionSize: partition[l],
        });
      }
    }
    return out;
  });

  return {
    computes,
    temporalIterations,
    utilizedComputeInstances: utilizedCompute,
    levels: arch.storage.map((s, l) => ({
      name: s.name,
      instances: s.instances,
      utilizedInstances: utilizedInstances[l],
      dataSpaces: w.dataSpaces.map((_, di) => perDs[di][l]),
    })),
  };
}
