/**
 * Nest analysis: how many times each storage level reads, fills and updates
 * each data space under a mapping. This reproduces the counts of Timeloop's
 * nest analysis (May 2024 semantics, see docs/model.md) analytically: no
 * iteration points are enumerated; a level/data-space pair costs O(K²)
 * arithmetic for K non-trivial loops above the level.
 */
import { fanout, type Arch } from '../arch/arch.js';
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
  axis: 'X' | 'Y';
}

/** Loops of the whole nest, innermost first: per level its spatial loops, then its temporal loops. */
function flattenNest(w: Workload, m: Mapping): NestLoop[] {
  const running = new Array<number>(w.dims.length).fill(1);
  const loops: NestLoop[] = [];
  m.levels.forEach((lm, level) => {
    for (const l of lm.spatial) {
      loops.push({ level, spatial: true, dim: l.dim, factor: l.factor, stride: running[l.dim], axis: l.axis });
      running[l.dim] *= l.factor;
    }
    for (const l of lm.temporal) {
      loops.push({ level, spatial: false, dim: l.dim, factor: l.factor, stride: running[l.dim], axis: 'X' });
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

/** What the children under a level's spatial loops look like for one data space. */
interface ChildGrid {
  /** Children (the level's logical fanout). */
  readonly fanout: number;
  /** Distinct tiles among the children: one multicast read (or one spatial reduction) each. */
  readonly groups: number;
  /** For an event translation: children that can take their delta from a mesh neighbour, and the distinct tiles left. */
  links(tau: readonly number[]): { linked: number; remaining: number };
}

/** Weighted totals over the fill events of one tile (see {@link walkEvents}). */
interface EventTotals {
  /** Words filled into the tile (as if the level kept it). */
  fills: number;
  /** Reads the parent level serves for these fills: distinct child tiles only. */
  content: number;
  /** Words delivered to children, multicast counted once per child. */
  weighted: number;
  /** Words children took from a neighbour instead of the parent. */
  links: number;
}

/**
 * Walk the fill events of one tile. Timeloop simulates iterations 0 and 1 of
 * every loop above the tile and extrapolates the rest, so the events form a
 * binary counter over the non-trivial loops (outer loops most significant);
 * when an outer loop advances, the inner loops step back from index 1 (not
 * from their last index). Each event moves the tile by a translation. The
 * first tile is filled whole; a later tile brings what the previous tile did
 * not hold, unless its translation differs from the one remembered, in which
 * case it is refilled whole and the memory cleared (Timeloop's reset on
 * stride change). Runs in O(K²) for K loops, by dynamic programming over the
 * remembered translation.
 *
 * With `grid`, the events are also served from the parent through the
 * spatial loops of the level above: children whose deltas coincide share one
 * read, and a child whose new delta equals a mesh neighbour's previous delta
 * takes it over the link instead (used when that lowers the parent's reads).
 * With `point`, the tile is one operation (the compute level): every event
 * brings one word.
 */
function walkEvents(spans: number[], size: number, above: NestLoop[], coef: number[][], grid: ChildGrid | null, point: boolean): EventTotals {
  const R = spans.length;
  const K = above.length;
  const G = grid ? grid.groups : 1;
  const F = grid ? grid.fanout : 1;
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
    delta.push(point ? 1 : size - overlap);
    let c = j + 1;
    for (let i = 0; i < j; i++) {
      let same = true;
      for (let k = 0; k < R; k++) if (tau[i][k] !== t[k]) { same = false; break; }
      if (same) { c = canon[i]; break; }
    }
    canon.push(c);
  }
  // Per event translation: how many distinct tiles are read, how many words
  // go to children, and how many children use links, when links are allowed.
  const linkGroups = new Array<number>(K).fill(G);
  const linkCount = new Array<number>(K).fill(0);
  if (grid && F > 1) {
    for (let j = 0; j < K; j++) {
      const { linked, remaining } = grid.links(tau[j]);
      if (remaining < G) { linkGroups[j] = remaining; linkCount[j] = linked; }
    }
  }
  const first = point ? 1 : size;
  let linksPossible = false;
  for (let j = 0; j < K; j++) if (linkGroups[j] !== G) linksPossible = true;
  if (!linksPossible) {
    // Fast path. The events form a ruler sequence (1,2,1,3,1,2,1,...): each
    // event of loop m follows a full pass over loops 1..m-1, which ends with
    // an event of loop 1, so it ends with τ₁ or nothing remembered. A pass
    // then depends only on whether its start state is compatible with τ₁
    // (nothing or τ₁ remembered: class A) or not (class B). Two running
    // totals per loop give the fills in O(K); every fill is served as G
    // distinct child tiles and F deliveries.
    if (point) {
      let iters = 1;
      for (let m = 0; m < K; m++) iters *= above[m].factor;
      return { fills: iters, content: iters * G, weighted: iters * F, links: 0 };
    }
    let wA = 0, eA = 0, wB = 0, eB = 0;
    for (let m = 0; m < K; m++) {
      const reps = above[m].factor - 1;
      if (m === 0) {
        wA = reps * delta[0]; eA = 1;
        wB = reps * size; eB = 0;
        continue;
      }
      const same1 = canon[m] === canon[0];
      // From the end state of the previous pass: the event's delta and the class of the next pass.
      let dA: number, nA: boolean, dB: number, nB: boolean;
      if (eA === 0 || same1) { dA = delta[m]; nA = same1; } else { dA = size; nA = true; }
      if (eB === 0 || same1) { dB = delta[m]; nB = same1; } else { dB = size; nB = true; }
      const nwA = wA + reps * (dA + (nA ? wA : wB)), neA = nA ? eA : eB;
      const nwB = wB + reps * (dB + (nB ? wA : wB)), neB = nB ? eA : eB;
      wA = nwA; eA = neA; wB = nwB; eB = neB;
    }
    const fills = size + wA;
    return { fills, content: fills * G, weighted: fills * F, links: 0 };
  }
  // Exact path when links can matter: whether a neighbour holds this delta
  // depends on the shape of the previous delta too, so follow every
  // remembered translation: O(K²).
  const S = K + 1;
  let W = new Array<number>(S).fill(0), A = new Array<number>(S).fill(0);
  let Wt = new Array<number>(S).fill(0), X = new Array<number>(S).fill(0);
  let T = new Array<number>(S);
  for (let s = 0; s < S; s++) T[s] = s;
  let nW = new Array<number>(S), nA = new Array<number>(S), nWt = new Array<number>(S), nX = new Array<number>(S), nT = new Array<number>(S);
  for (let m = 0; m < K; m++) {
    const c = canon[m];
    const reps = above[m].factor - 1;
    for (let s = 0; s < S; s++) {
      const t1 = T[s];
      let d: number;
      let t2: number;
      // Whether this event's delta is the previous event's delta moved by
      // this event's translation (then a neighbour may hold it already).
      let translate: boolean;
      if (point) { d = 1; t2 = 0; translate = true; }
      else if (t1 === c) { d = delta[m]; t2 = c; translate = d > 0; }
      else if (t1 === 0) { d = delta[m]; t2 = c; translate = d === size; }
      else { d = size; t2 = 0; translate = delta[t1 - 1] === size; }
      const g = translate ? linkGroups[m] : G;
      const lk = translate ? linkCount[m] : 0;
      nW[s] = W[s] + reps * (d + W[t2]);
      nA[s] = A[s] + reps * (d * g + A[t2]);
      nWt[s] = Wt[s] + reps * (d * (F - lk) + Wt[t2]);
      nX[s] = X[s] + reps * (d * lk + X[t2]);
      nT[s] = T[t2];
    }
    [W, nW] = [nW, W]; [A, nA] = [nA, A]; [Wt, nWt] = [nWt, Wt]; [X, nX] = [nX, X]; [T, nT] = [nT, T];
  }
  return { fills: first + W[0], content: first * G + A[0], weighted: first * F + Wt[0], links: X[0] };
}

/**
 * The children under one level's spatial loops, for one data space: each
 * child's tile is the first child's tile moved by Σ index·step over the
 * spatial loops. Children are numbered like Timeloop numbers them (innermost
 * loop fastest) and placed row-major on a mesh `meshX` wide, which decides
 * who is whose neighbour for link transfers.
 */
function makeGrid(spatial: readonly NestLoop[], coef: number[][], meshX: number, meshY: number): ChildGrid {
  const R = coef.length;
  let fanout = 1;
  let logicalX = 1;
  let logicalY = 1;
  for (const lp of spatial) {
    fanout *= lp.factor;
    if (lp.axis === 'Y') logicalY *= lp.factor;
    else logicalX *= lp.factor;
  }
  const hs = Math.max(meshX, logicalX);
  const vs = Math.max(meshY, logicalY);
  // Offsets of every child's tile, flattened (fanout × R).
  const off = new Float64Array(fanout * R);
  const keys: string[] = new Array<string>(fanout);
  const idx = new Array<number>(spatial.length).fill(0);
  for (let k = 0; k < fanout; k++) {
    const parts: number[] = [];
    for (let r = 0; r < R; r++) {
      let v = 0;
      for (let s = 0; s < spatial.length; s++) v += idx[s] * coef[r][spatial[s].dim] * spatial[s].stride;
      off[k * R + r] = v;
      parts.push(v);
    }
    keys[k] = parts.join(',');
    for (let s = 0; s < spatial.length; s++) {
      if (++idx[s] < spatial[s].factor) break;
      idx[s] = 0;
    }
  }
  const groups = new Set(keys).size;
  const cache = new Map<string, { linked: number; remaining: number }>();
  return {
    fanout,
    groups,
    links(tau) {
      const tk = tau.join(',');
      const hit = cache.get(tk);
      if (hit) return hit;
      const neighbour = (k: number, n: number) => {
        if (n < 0 || n >= fanout) return false;
        for (let r = 0; r < R; r++) if (off[n * R + r] - off[k * R + r] !== tau[r]) return false;
        return true;
      };
      let linked = 0;
      const left = new Set<string>();
      for (let k = 0; k < fanout; k++) {
        const h = k % hs;
        const v = Math.floor(k / hs);
        const ok =
          (vs > 1 && v >= 1 && neighbour(k, k - hs)) ||
          (vs > 1 && v < vs - 1 && neighbour(k, k + hs)) ||
          (hs > 1 && h >= 1 && neighbour(k, k - 1)) ||
          (hs > 1 && h < hs - 1 && neighbour(k, k + 1));
        if (ok) linked++;
        else left.add(keys[k]);
      }
      const res = { linked, remaining: left.size };
      cache.set(tk, res);
      return res;
    },
  };
}

/** Analyse a mapping: per-level, per-data-space access counts (per instance). */
/** Options of the nest analysis. */
export interface AnalysisOptions {
  /**
   * Outputs start at zero, so their first write needs no read (always) and
   * no fill from the parent (Timeloop ≥ 2021, convention 'v4', the default).
   * Convention 'v3' (Timeloop of 2020) counts that first fill.
   */
  readonly convention?: 'v4' | 'v3';
}

export function analyse(w: Workload, arch: Arch, m: Mapping, options: AnalysisOptions = {}): Counts {
  const elideFill = (options.convention ?? 'v4') === 'v4';
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

  const meshes = arch.storage.map((_, l) => fanout(arch, l));
  const perDs: DataSpaceCounts[][] = w.dataSpaces.map((ds, di) => {
    const coef = coefs[di];
    const size: number[] = [];
    const spatialSize: number[] = [];
    const fillsKept: number[] = [];
    const content: number[] = [];
    const weighted: number[] = [];
    const links: number[] = [];
    for (let l = 0; l < L; l++) {
      const spans = boxSpans(coef, tileExt[l]);
      size.push(product(spans));
      spatialSize.push(product(boxSpans(coef, spatialExt[l])));
    }
    // Child c (-1 = the compute units) is served by level c+1 through that
    // level's spatial loops; both see the same events: the temporal loops
    // above the child.
    for (let c = -1; c < L; c++) {
      const above = loops.filter((lp) => !lp.spatial && lp.level > c && lp.factor > 1);
      const parent = c + 1;
      const grid = parent < L ? makeGrid(loops.filter((lp) => lp.spatial && lp.level === parent), coef, meshes[parent].x, meshes[parent].y) : null;
      const spans = c < 0 ? coef.map(() => 1) : boxSpans(coef, tileExt[c]);
      const t = walkEvents(spans, c < 0 ? 1 : size[c], above, coef, grid, c < 0);
      if (c >= 0) fillsKept.push(t.fills);
      if (parent < L) { content.push(t.content); weighted.push(t.weighted); links.push(t.links); }
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
      links[outer] = 0;
      size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0;
    }
    for (let cur = L - 1; cur >= 0; cur--) {
      if (!keep[cur]) { size[cur] = 0; partition[cur] = 0; content[cur] = 0; parentShare[cur] = 0; }
      else { parentShare[cur] = 0; break; }
    }

    // Words taken over links are read from the neighbour's copy (Timeloop's peer accesses).
    const peer = new Array<number>(L).fill(0);
    for (let cur = L - 1; cur > 0; cur--) if (links[cur] !== 0 && size[cur - 1] > 0) peer[cur - 1] += links[cur] / utilizedInstances[cur - 1];
    const out: DataSpaceCounts[] = [];
    for (let l = 0; l < L; l++) {
      if (size[l] === 0) {
        out.push({ kept: false, reads: 0, fills: 0, updates: 0, temporalReductions: 0, utilizedCapacity: 0, partitionSize: 0 });
        continue;
      }
      let outermost = true;
      for (let o = l + 1; o < L; o++) if (size[o] > 0) { outermost = false; break; }
      if (ds.readWrite) {
        const reads = Math.round(content[l] + peer[l] - partition[l]);
        const first = elideFill ? partition[l] : 0;
        out.push({
          kept: true,
          reads,
          fills: Math.round(outermost ? parentShare[l] + peer[l] : parentShare[l] + peer[l] - first),
          updates: Math.round(content[l]),
          temporalReductions: reads,
          utilizedCapacity: size[l],
          partitionSize: partition[l],
        });
      } else {
        out.push({
          kept: true,
          reads: Math.round(content[l] + peer[l]),
          fills: Math.round(parentShare[l] + peer[l]),
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
