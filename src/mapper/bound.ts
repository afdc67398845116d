/**
 * A lower bound on the cost of any mapping of a layer on an architecture
 * under its constraints, each part a rule proven in docs/mapper.md ("Lower
 * bounds"): every operation's compute energy; per tensor, the traffic every
 * level that keeps it must carry (each used word read out of it, filled into
 * it when a keeper sits above, updated into it for outputs) and, at the
 * innermost keeper when nothing below it fans out, one access per
 * operation; leakage over the fewest cycles; cycles from the most compute
 * units the fanouts and constraints allow and from the compulsory traffic
 * over each level's bandwidth; and the backing-store traffic that what the
 * chip can hold forces on any chain of loop segments (an enumeration of
 * tile shapes, cached per capacity). No enumeration of the mapspace.
 */
import { fanout, type Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import { operationCount, projectedSize, type DataSpace, type Workload } from '../workload/workload.js';
import { score, type Objective } from '../model/objective.js';
import { emptyConstraints, type Constraints } from '../mapping/constraints.js';
import { MapSpace, SX, SY, T } from './space.js';

/** A lower bound on the cost of any mapping: energy, cycles and the objective's score. */
export interface LowerBound {
  readonly energyPJ: number;
  readonly cycles: number;
  /** The bound on the objective. */
  readonly score: number;
  /**
   * Parts of the energy bound, pJ: compute; the compulsory traffic of the
   * backing store (outermost level); the traffic every other level must
   * carry (on-chip, per-operation accesses included); leakage over the
   * cycle bound; `coupled`, of `onChip`, what the pair rule (R5) or the
   * one-keeper rule (R6) added, the larger of the two; `oneOrder`, R6's raise alone.
   */
  readonly parts: { compute: number; backingStore: number; onChip: number; leakage: number; coupled?: number; oneOrder?: number };
}

/**
 * Distinct points of a tensor that some operation touches: per rank, the
 * distinct values of Σ coef·index over the whole iteration space (the
 * product over ranks when no dimension moves two ranks; otherwise the
 * largest rank's count, still a lower bound).
 */
export function usedWords(ds: DataSpace, bounds: readonly number[]): number {
  const perRank: number[] = [];
  let shared = false;
  const seen = new Set<number>();
  for (const rank of ds.ranks) {
    // Terms of one dimension add up (2P + P is 3P, not two loops).
    const coef = new Map<number, number>();
    for (const t of rank) coef.set(t.dim, (coef.get(t.dim) ?? 0) + t.coef);
    const terms: { step: number; n: number }[] = [];
    for (const [d, c] of coef) {
      if (c === 0 || bounds[d] <= 1) continue;
      if (seen.has(d)) shared = true;
      seen.add(d);
      terms.push({ step: Math.abs(c), n: bounds[d] });
    }
    perRank.push(distinctSums(terms));
  }
  if (shared) return Math.max(1, ...perRank);
  return perRank.reduce((a, b) => a * b, 1);
}

/** Distinct values of Σ_i step_i·j_i, 0 ≤ j_i < n_i (exactly; span-sized bitset, else the largest n). */
function distinctSums(terms: { step: number; n: number }[]): number {
  if (terms.length === 0) return 1;
  if (terms.length === 1) return terms[0].n;
  let hi = 0;
  for (const t of terms) hi += (t.n - 1) * t.step;
  // A span too wide to mark: the largest single term's count is still a lower bound.
  if (hi > 1 << 24) return Math.max(...terms.map((t) => t.n));
  const bits = new Uint8Array(hi + 1);
  bits[0] = 1;
  let top = 0;
  for (const t of terms) {
    for (let v = top; v >= 0; v--) if (bits[v]) for (let j = 1; j < t.n; j++) bits[v + j * t.step] = 1;
    top += (t.n - 1) * t.step;
  }
  let c = 0;
  for (let v = 0; v <= top; v++) c += bits[v];
  return c;
}

/**
 * The parts of a mapspace the bound reads: a {@link MapSpace}, or a
 * narrower view of one (a partial mapping of the exact search, with some
 * dimensions' factors and the keeps fixed). The bound holds for every
 * mapping the view allows.
 */
export type SpaceView = Pick<MapSpace, 'L' | 'D' | 'S' | 'fixed' | 'free' | 'primes' | 'keepFixed'> & {
  /** The constraints' temporal order prefix per level (innermost first); without it, no prefix is assumed (a weaker bound). */
  readonly torder?: MapSpace['torder'];
  /**
   * Padded (imperfect) factors proposed: the rules that count what is left
   * of a bound over its free slots (R1's free dimensions, R5) are proven for
   * exact factors only and are left out.
   */
  readonly imperfect?: boolean;
};

/** What the bound of one layer on one design precomputes once (used words, network prices). */
export interface BoundContext {
  readonly w: Workload;
  readonly arch: Arch;
  readonly plan: EnergyPlan;
  readonly objective: Objective;
  readonly ops: number;
  readonly words: Float64Array;
  readonly netRead: Float64Array;
  readonly netUpdate: Float64Array;
  readonly fanX: Int32Array;
  readonly fanY: Int32Array;
  /** Per set of levels that may hold each tensor and most compute units: the fewest backing-store pJ (see {@link backingStoreLeast}). */
  readonly backingStoreLeast: Map<string, number>;
  /** Whether the capacity rule applies (the exact search; it costs an enumeration of tile shapes per capacity). */
  readonly useCapacity: boolean;
  /**
   * Per (tensor s, dimension d) at `s * D + d`: 1 when some rank of s is
   * moved by d and by no other dimension of bound > 1 (a *pure* rank: a step
   * of d moves the tile off itself), 2 when no rank of s depends on d
   * (irrelevant), 0 otherwise; for the refetch rule ({@link refetchFills}).
   */
  readonly role: Uint8Array;
  /** Per tensor: every coefficient is ≥ 1, so a tile's span only grows with extents (else no refetch rule). */
  readonly positive: Uint8Array;
  /** Per tensor: every dimension of bound > 1 it depends on alone moves one of its ranks (role 1). */
  readonly allPure: Uint8Array;
  /** Per tensor: the words of its bounding box over the whole layer (the backing store's tile). */
  readonly box: Float64Array;
  /** Per level: 1 when it holds fewer than two words (a one-word register: every tile it keeps is one word). */
  readonly oneWord: Uint8Array;
  /** Reused buffers of {@link boundOf} (the exact search calls it at every node: no allocation). */
  readonly scratch: BoundScratch;
  /** False: R5's case B without its joint cap (for tests that measure what the cap adds); absent: with it. */
  readonly pairCap?: boolean;
}

/** The working buffers of one {@link BoundContext}'s bounds. */
export interface BoundScratch {
  readonly maxF: Float64Array;
  readonly leastF: Float64Array;
  readonly levelFan: Float64Array;
  readonly npMax: Float64Array;
  readonly partUp: Float64Array;
  readonly r: Float64Array;
  readonly u: Float64Array;
  readonly rd: Float64Array;
  readonly wr: Float64Array;
  readonly minRead: Float64Array;
  readonly minWrite: Float64Array;
  /** Per (tensor s, level l) at `s * L + l`: the traffic energy the bound charged there (its cheapest keeper choice), pJ. */
  readonly terms: Float64Array;
  readonly cur: Float64Array;
  /** Per tensor: its least traffic energy in the normal pass (0: no keeper charged). */
  readonly tensorBest: Float64Array;
  readonly rowF: Float64Array;
  readonly rowU: Float64Array;
  readonly held: Float64Array;
  /** Per tensor: R6's raise at the level it considers. */
  readonly raise: Float64Array;
  readonly ext: Float64Array;
  readonly refetch: Refetch;
  /** Per tensor: the backing store's price of one word (reads of inputs, updates of outputs), per block and cluster. */
  readonly priceTop: Float64Array;
  /**
   * Use only capacity results already cached (a capacity not met yet gets
   * no capacity term: a weaker bound, still valid). The exact search sets
   * it once stopped, so that bounding the open nodes takes no enumeration.
   */
  cacheOnly: boolean;
}

/** Precompute what {@link boundOf} needs for layer `w` on `arch`, priced by `plan`. */
export function boundContext(w: Workload, arch: Arch, plan: EnergyPlan, objective: Objective, capacity = false): BoundContext {
  const L = arch.storage.length, S = w.dataSpaces.length;
  const netRead = new Float64Array(L * S), netUpdate = new Float64Array(L * S);
  for (const n of plan.networks) {
    for (let s = 0; s < S; s++) {
      if (n.link.ports.includes('read')) netRead[n.link.parent * S + s] += n.transfer[s];
      if (n.link.ports.includes('update')) netUpdate[n.link.parent * S + s] += n.transfer[s];
    }
  }
  const fanX = new Int32Array(L), fanY = new Int32Array(L);
  for (let l = 0; l < L; l++) { const f = fanout(arch, l); fanX[l] = f.x; fanY[l] = f.y; }
  const words = Float64Array.from(w.dataSpaces, (ds) => usedWords(ds, w.bounds));
  const D = w.bounds.length;
  const role = new Uint8Array(S * D), positive = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    const ds = w.dataSpaces[s];
    positive[s] = 1;
    for (let d = 0; d < D; d++) role[s * D + d] = 2;
    for (const rank of ds.ranks) {
      const coef = new Map<number, number>();
      for (const t of rank) { coef.set(t.dim, (coef.get(t.dim) ?? 0) + t.coef); if (!(t.coef >= 1 && Number.isInteger(t.coef))) positive[s] = 0; }
      const live = [...coef].filter(([d, c]) => c !== 0 && w.bounds[d] > 1);
      for (const [d, c] of coef) if (c !== 0 && role[s * D + d] === 2) role[s * D + d] = 0;
      if (live.length === 1) role[s * D + live[0][0]] = 1;
    }
  }
  const allPure = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    allPure[s] = positive[s];
    for (let d = 0; d < D; d++) if (w.bounds[d] > 1 && role[s * D + d] === 0) allPure[s] = 0;
  }
  const box = Float64Array.from(w.dataSpaces, (ds) => projectedSize(ds, w.bounds));
  const lt = arch.storage[L - 1];
  const scratch: BoundScratch = {
    maxF: new Float64Array(L * 3 * D), leastF: new Float64Array(L * 3 * D), levelFan: new Float64Array(L), npMax: new Float64Array(S * L), partUp: new Float64Array(S * L),
    r: new Float64Array(L), u: new Float64Array(L), rd: new Float64Array(L), wr: new Float64Array(L), minRead: new Float64Array(L), minWrite: new Float64Array(L),
    terms: new Float64Array(L * S), cur: new Float64Array(L), tensorBest: new Float64Array(S), rowF: new Float64Array(L), rowU: new Float64Array(L),
    held: new Float64Array(S), raise: new Float64Array(S), ext: new Float64Array(L * D), refetch: newRefetch(L, S, D), cacheOnly: false,
    priceTop: Float64Array.from(w.dataSpaces, (ds) => (ds.readWrite ? plan.update[L - 1] : plan.read[L - 1]) / lt.blockSize / Math.max(1, lt.clusterSize)),
  };
  const oneWord = Uint8Array.from(arch.storage, (lv) => (lv.sizeWords !== null && !lv.isDummy && Math.floor(lv.sizeWords / lv.multipleBuffering) < 2 ? 1 : 0));
  return { w, arch, plan, objective, ops: operationCount(w), words, netRead, netUpdate, fanX, fanY, backingStoreLeast: new Map(), useCapacity: capacity, role, positive, allPure, box, oneWord, scratch };
}

/**
 * The lower bound for layer `w` on `arch` with energies `plan`, under
 * `objective`; `constraints` (default: none) fix keeps, bypasses and
 * factors, which tighten it;
 * `capacity` adds the capacity rule (docs/mapper.md, "Capacity bounds"):
 * tighter once keeps are fixed, at the cost of enumerating tile shapes.
 */
export function lowerBound(w: Workload, arch: Arch, plan: EnergyPlan, objective: Objective, constraints?: Constraints, capacity = false): LowerBound {
  return boundOf(boundContext(w, arch, plan, objective, capacity), new MapSpace(w, arch, constraints ?? emptyConstraints(arch)));
}

/** The lower bound over every mapping `space` allows (a whole mapspace or a partial mapping's view of it). */
export function boundOf(ctx: BoundContext, space: SpaceView): LowerBound {
  const { arch, plan, objective, ops, words: usedW, netRead, netUpdate, w } = ctx;
  const { L, D, S } = space;
  const top = L - 1;

  // Largest spatial product each level can take: each axis is at most its
  // fanout and at most the product of the largest factor each dimension can
  // put on it (a fixed factor, or what is left of the bound on a free slot).
  const sc = ctx.scratch;
  const maxF = sc.maxF, leastF = sc.leastF;
  // A free slot is also capped by what the least tiles leave of the capacities at and above it.
  // Least tiles that overflow a level already: no mapping of the view fits, none costs less than any bound.
  if (!slotLimits(ctx, space, leastF, maxF, sc.ext, sc.refetch.capBelow)) {
    return { energyPJ: Infinity, cycles: Infinity, score: Infinity, parts: { compute: 0, backingStore: 0, onChip: 0, leakage: 0 } };
  }
  const maxFactor = (l: number, slot: number, d: number): number => maxF[(l * 3 + slot) * D + d];
  const levelFan = sc.levelFan;
  let maxPE = 1;
  for (let l = 0; l < L; l++) {
    let x = 1, y = 1;
    for (let d = 0; d < D; d++) { x *= maxFactor(l, SX, d); y *= maxFactor(l, SY, d); }
    levelFan[l] = Math.min(ctx.fanX[l], x) * Math.min(ctx.fanY[l], y);
    maxPE *= levelFan[l];
  }

  // The refetch rule (docs/mapper.md, "Refetch bounds"): per tensor, the
  // fewest fills each level can take given the factors already fixed.
  const refill = refetchFills(ctx, space, sc);
  // Per (tensor, level): the most children of one instance that can share
  // a tile of s, the largest spatial product over dimensions that do not
  // alone move a rank of s.
  const npMax = sc.npMax;
  for (let s = 0; s < S; s++) {
    for (let l = 0; l < L; l++) {
      let x = 1, y = 1;
      for (let d = 0; d < D; d++) if (ctx.role[s * D + d] !== 1) { x *= maxFactor(l, SX, d); y *= maxFactor(l, SY, d); }
      npMax[s * L + l] = Math.min(ctx.fanX[l], x) * Math.min(ctx.fanY[l], y);
    }
  }
  // partUp[s * L + l]: the most children sharing a tile at every level above l.
  const partUp = sc.partUp;
  for (let s = 0; s < S; s++) for (let l = L - 1, a = 1; l >= 0; l--) { partUp[s * L + l] = a; a *= npMax[s * L + l]; }
  const box = ctx.box;

  // Energy of n words of one action at level l: whole blocks when a single
  // instance does them all (else the block share), at the cheapest cluster
  // split; v3 prices reads, fills and updates of a tensor as one stream.
  const blocks = (l: number, n: number) => {
    const lv = arch.storage[l];
    const b = n / lv.blockSize;
    return (lv.instances === 1 ? Math.ceil(b) : b) / Math.max(1, lv.clusterSize);
  };
  // Per tensor: the cheapest choice of innermost and outermost keepers
  // consistent with the fixed keeps; per level, the fewest words read and
  // written over all such choices (for the bandwidth bound).
  let onChip = 0, backing = 0, restMin = 0;
  sc.terms.fill(0);
  const minRead = sc.minRead.fill(0), minWrite = sc.minWrite.fill(0);
  // One tensor's least traffic energy, given its walks at each keeper
  // (`fillRow`: fills over instances / least instances; `upRow`: what its
  // next keeper serves, per instance); `collect` records the terms and
  // the fewest reads and writes per level (the normal pass only).
  const inst = refill.above;
  let tBacking = 0, tRest = 0, tAny = false;
  const tensorCost = (s: number, fillRow: Float64Array, upRow: Float64Array, collect: boolean): number => {
    const ds = w.dataSpaces[s];
    const words = usedW[s];
    const kf = (l: number) => space.keepFixed[l * S + s];
    let firstMust = L, lastMust = -1;
    for (let l = 0; l < L; l++) if (kf(l) === 1) { firstMust = Math.min(firstMust, l); lastMust = l; }
    const so = s * L;
    let best = Infinity, bestBacking = 0, bestRest = Infinity;
    const rd = sc.rd, wr = sc.wr;
    if (collect) { rd.fill(Infinity); wr.fill(Infinity); }
    let any = false;
    for (let k = 0; k < L; k++) {
      if (kf(k) === 0 || k > firstMust) continue;
      // One access per operation at the innermost keeper when no level at
      // or below it can fan out (links and multicast need a fanout).
      // Fanouts between: when the innermost level cannot pass operands
      // between neighbours (no fanout, or only over dimensions that alone
      // move a rank of s, s depending on no other), each level up to k
      // divides the operation stream only by its children that share a
      // tile (docs/mapper.md, "Refetch bounds").
      let share = 1;
      for (let j = 0; j <= k; j++) share *= npMax[s * L + j];
      const innermost = levelFan[0] <= 1 || refill.pureFan[so] ? Math.max(words, ops / share) : words;
      for (let o = Math.max(k, lastMust); o < L; o++) {
        if (kf(o) === 0) continue;
        any = true;
        let e = 0, eTop = 0;
        const r = sc.r, u = sc.u, cur = sc.cur;
        if (collect) { r.fill(0); u.fill(0); cur.fill(0); }
        // below: the charged keeper under l, when every level between them
        // surely bypasses s: each instance of l reads (an input) or is
        // updated with (an output) at least one walk of below's fills.
        // Each bypassed level passes up at least its demand times the
        // distinct child tiles of the level above it (mult).
        let below = -1, mult = 1;
        for (let l = k; l <= o; l++) {
          if (l !== k && l !== o && kf(l) !== 1) {
            if (kf(l) !== 0) below = -1;
            else if (l > below + 1) mult *= refill.distinct[so + l];
            continue;
          }
          let n = l === k ? innermost : words;
          if (below >= 0) { if (l > below + 1) mult *= refill.distinct[so + l]; const m = upRow[below] * mult * inst[l]; if (m > n) n = m; }
          below = l; mult = 1;
          let el: number;
          if (ds.readWrite) {
            // Every update but the first of each word of the level's
            // partitions reads the partial sum back (docs/mapper.md,
            // "Refetch bounds"): the partitions over all instances hold at
            // most the tensor's box times the children sharing one tile.
            const back = ctx.allPure[s] ? Math.max(0, n - box[s] * partUp[s * L + l]) : 0;
            el = plan.combinedBlocks
              ? blocks(l, n + back) * plan.update[l]
              : blocks(l, n) * plan.update[l] + blocks(l, back) * plan.read[l];
            el += n * netUpdate[l * S + s] + back * netRead[l * S + s];
            if (collect) u[l] = n;
          } else {
            // Fills over links are not walked: only when l + 1 cannot pass tiles between neighbours.
            const fills = l < o ? Math.max(words, refill.sameTiles[so + l + 1] ? fillRow[l] * inst[l] : 0) : 0;
            el = plan.combinedBlocks
              ? blocks(l, n + fills) * plan.read[l]
              : blocks(l, n) * plan.read[l] + blocks(l, fills) * plan.write[l];
            el += n * netRead[l * S + s];
            if (collect) { r[l] = n; u[l] = fills; }
          }
          e += el;
          if (collect) cur[l] = el;
          if (l === top) eTop += el;
        }
        if (e < best) { best = e; bestBacking = eTop; if (collect) sc.terms.set(cur, s * L); }
        bestRest = Math.min(bestRest, e - eTop);
        if (collect) for (let l = 0; l < L; l++) { rd[l] = Math.min(rd[l], r[l]); wr[l] = Math.min(wr[l], u[l]); }
      }
    }
    tBacking = bestBacking; tRest = bestRest; tAny = any;
    return best;
  };
  const tensorBest = sc.tensorBest;
  for (let s = 0; s < S; s++) {
    const best = tensorCost(s, refill.fills.subarray(s * L, (s + 1) * L), refill.up.subarray(s * L, (s + 1) * L), true);
    tensorBest[s] = tAny ? best : 0;
    if (!tAny) continue;
    backing += tBacking;
    onChip += best - tBacking;
    restMin += tRest;
    for (let l = 0; l < L; l++) { minRead[l] += sc.rd[l]; minWrite[l] += sc.wr[l]; }
  }
  // R5, two tensors through one loop order (docs/mapper.md, "Refetch
  // bounds"): when every dimension moves A or B (both all-pure), kept at
  // cB < cA, then in every mapping either A's walk at cA counts every
  // temporal loop above cA with no loop moving B at levels (cB, cA], or
  // B's walk at cB counts every temporal loop above cA: the pair costs at
  // least the cheaper of the two raises over their separate bounds.
  let pairExtra = 0;
  const rowF = sc.rowF, rowU = sc.rowU;
  for (let a = 0; a < S && !space.imperfect; a++) {
    if (!ctx.allPure[a] || !ctx.positive[a] || tensorBest[a] === 0) continue;
    for (let b = 0; b < S; b++) {
      if (b === a || !ctx.allPure[b] || !ctx.positive[b] || tensorBest[b] === 0) continue;
      let covers = true;
      for (let d = 0; d < D && covers; d++) if (w.bounds[d] > 1 && ctx.role[a * D + d] === 2 && ctx.role[b * D + d] === 2) covers = false;
      if (!covers) continue;
      for (let cA = 1; cA < top; cA++) {
        if (space.keepFixed[cA * S + a] !== 1) continue;
        for (let cB = 0; cB < cA; cB++) {
          if (space.keepFixed[cB * S + b] !== 1) continue;
          rowF.set(refill.fills.subarray(a * L, (a + 1) * L)); rowU.set(refill.up.subarray(a * L, (a + 1) * L));
          rowU[cA] = walkAt(ctx, space, a, cA, cA, cB, leastF, maxF, sc.ext, refill.capBelow, b);
          rowF[cA] = walkFills;
          const ea = rowU[cA] === Infinity ? Infinity : tensorCost(a, rowF, rowU, false) - tensorBest[a];
          if (!(ea > pairExtra)) continue;
          rowF.set(refill.fills.subarray(b * L, (b + 1) * L)); rowU.set(refill.up.subarray(b * L, (b + 1) * L));
          rowU[cB] = walkAt(ctx, space, b, cB, cA, -1, leastF, maxF, sc.ext, refill.capBelow, -1, ctx.pairCap === false ? -1 : a);
          rowF[cB] = walkFills;
          const eb = tensorCost(b, rowF, rowU, false) - tensorBest[b];
          pairExtra = Math.max(pairExtra, Math.min(ea, eb));
        }
      }
    }
  }
  // R6, the tensors of one keeper through the loops above it (docs/mapper.md,
  // "Refetch bounds"): the innermost temporal loop > 1 above level c is on
  // some dimension d0; every all-pure tensor kept at c that d0 moves then
  // counts every temporal loop above c. The least over d0 of the sum of
  // their raises (no loop above c at all: every tensor's) is added, or R5's
  // raise if larger (the two may raise the same tensor).
  let sameExtra = 0;
  const raise = sc.raise;
  for (let c = 0; c < top && !space.imperfect; c++) {
    let n = 0;
    for (let s = 0; s < S; s++) {
      raise[s] = 0;
      if (space.keepFixed[c * S + s] !== 1 || !ctx.positive[s] || tensorBest[s] === 0) continue;
      rowF.set(refill.fills.subarray(s * L, (s + 1) * L)); rowU.set(refill.up.subarray(s * L, (s + 1) * L));
      rowU[c] = walkAt(ctx, space, s, c, c, -1, leastF, maxF, sc.ext, refill.capBelow);
      rowF[c] = walkFills;
      raise[s] = Math.max(0, tensorCost(s, rowF, rowU, false) - tensorBest[s]);
      if (raise[s] > 0) n++;
    }
    if (n === 0) continue;
    let least = 0;
    for (let s = 0; s < S; s++) least += raise[s];
    for (let d0 = 0; d0 < D; d0++) {
      if (w.bounds[d0] <= 1 || !loopAbove(space, maxF, c, d0)) continue;
      let sum = 0;
      for (let s = 0; s < S; s++) if (ctx.role[s * D + d0] === 1) sum += raise[s];
      if (sum < least) least = sum;
    }
    if (least > sameExtra) sameExtra = least;
  }
  onChip += Math.max(pairExtra, sameExtra);

  // The backing store: each period of its loops must bring in what the
  // chip cannot hold from the last (docs/mapper.md, "Capacity bounds");
  // a bound on storage energy that replaces its own traffic term.
  let storage = backing + onChip;
  // Each compute unit holds one word of each operand between operations
  // (the model reuses an operand across consecutive operations that share it).
  const units = Math.max(1, arch.compute.instances);
  const held = sc.held.fill(units);
  // joint: the words of all tensors together — a level's tiles share its capacity.
  let joint = S * units;
  for (let l = 0; l < top; l++) {
    if (arch.storage[l].isDummy) continue;
    const c = arch.storage[l].sizeWords;
    const room = c === null ? Infinity : Math.floor(c / arch.storage[l].multipleBuffering) * Math.max(1, arch.storage[l].instances);
    let any = false;
    for (let s = 0; s < S; s++) if (space.keepFixed[l * S + s] !== 0) { held[s] += room; any = true; }
    if (any) joint += room;
  }
  if (ctx.useCapacity && held.some((h) => h < Infinity)) {
    // Rounded up to powers of two (more room, more parallel units: a weaker
    // bound, still valid) so that the search's many keep choices share a few.
    const up = (x: number) => (x === Infinity ? x : 2 ** Math.ceil(Math.log2(x)));
    for (let s = 0; s < S; s++) held[s] = up(held[s]);
    const pe = up(maxPE);
    // The joint room is not rounded: it takes few values (a sum over the levels that keep anything).
    const key = `${held.join(',')}/${pe}/${joint}`;
    let least = ctx.backingStoreLeast.get(key);
    const lv = arch.storage[top];
    const price = sc.priceTop;
    if (least === undefined && !sc.cacheOnly) { least = backingStoreLeast(w, Float64Array.from(held), price, pe, joint); ctx.backingStoreLeast.set(key, least); }
    let slack = 0;
    if (lv.instances === 1) for (let s = 0; s < S; s++) slack += price[s] * lv.blockSize;
    if (least !== undefined && restMin + least - slack > storage) storage = restMin + least - slack;
  }

  // Cycles: at least the operations over the most compute units any
  // mapping can use, and at least each level's compulsory traffic per
  // instance over its bandwidth.
  let cycles = Math.ceil(ops / maxPE);
  for (let l = 0; l < L; l++) {
    const lv = arch.storage[l];
    const inst = Math.max(1, lv.instances);
    const r = minRead[l] / inst, wv = minWrite[l] / inst;
    if (lv.readBandwidth !== null && lv.readBandwidth > 0) cycles = Math.max(cycles, Math.ceil(r / lv.readBandwidth));
    if (lv.writeBandwidth !== null && lv.writeBandwidth > 0) cycles = Math.max(cycles, Math.ceil(wv / lv.writeBandwidth));
    if (lv.sharedBandwidth !== null && lv.sharedBandwidth > 0) cycles = Math.max(cycles, Math.ceil((r + wv) / lv.sharedBandwidth));
  }

  // Leakage: every non-dummy level leaks on at least one utilised
  // instance for the cycles; and the run takes at least T = ops / U cycles
  // (U the utilised compute units) on U / Π_{f≤l} fanout_f utilised
  // instances of level l: ≥ ops / Π_{f≤l} (largest fanout of f).
  let leakage = 0;
  for (let l = 0, below = 1; l < L; l++) {
    below *= levelFan[l];
    if (!arch.storage[l].isDummy) leakage += plan.leak[l] * Math.max(cycles, ops / below);
  }

  const compute = ops * plan.compute;
  const energyPJ = compute + storage + leakage;
  return { energyPJ, cycles, score: score(objective, energyPJ, cycles), parts: { compute, backingStore: storage - onChip, onChip, leakage, coupled: Math.max(pairExtra, sameExtra), oneOrder: sameExtra } };
}

/** Whether some completion of `space` can have a temporal loop > 1 on dimension d above level c. */
function loopAbove(space: SpaceView, maxF: Float64Array, c: number, d: number): boolean {
  const { L, D } = space;
  for (let l = c + 1; l < L; l++) if (maxF[(l * 3 + T) * D + d] > 1) return true;
  return false;
}

function newRefetch(L: number, S: number, D: number): Refetch {
  return {
    tiles: new Float64Array(L * S), fills: new Float64Array(L * S), up: new Float64Array(L * S), fanLeast: new Float64Array(L), above: new Float64Array(L),
    sameTiles: new Uint8Array(L * S), distinct: new Float64Array(L * S), pureFan: new Uint8Array(L * S), capBelow: new Float64Array(L * D),
  };
}

/** What {@link refetchFills} finds. */
export interface Refetch {
  /**
   * Per (tensor s, level l) at `s * L + l`: the fewest words one instance
   * of l is filled with, walked as the model walks it (0: no rule).
   */
  readonly tiles: Float64Array;
  /**
   * Per (s, l): a bound on l's fills over all its instances, divided by
   * {@link Refetch.above}: a free dimension's spatial factors above l move
   * from the walk into the instances (docs/mapper.md, "Refetch bounds", R1).
   */
  readonly fills: Float64Array;
  /**
   * Per (s, l): the fewest words the next keeper p above l, per instance of p,
   * reads (an input) or is updated with (an output) for l, before the
   * distinct child tiles of bypassed levels and p's least instances.
   */
  readonly up: Float64Array;
  /** Per level: the least fanout of every completion (its fixed spatial factors). */
  readonly fanLeast: Float64Array;
  /** Per level: the least utilised instances (the product of the least fanouts above it). */
  readonly above: Float64Array;
  /** Per (s, l): level l can fan out only over dimensions s does not depend on (or not at all). */
  readonly sameTiles: Uint8Array;
  /** Per (s, l): the fewest distinct tiles of s among level l's children (the product of its fixed spatial factors on dimensions that alone move a rank of s). */
  readonly distinct: Float64Array;
  /** Per (s, l): every dimension s depends on moves a rank of s alone, and level l fans out, if at all, only over such dimensions. */
  readonly pureFan: Uint8Array;
  /**
   * Per (level c, dimension d) at `c * D + d`: the largest product of d's
   * free factors at levels ≤ c that keeps the least tiles of the tensors
   * surely kept at c and above within their capacities (Infinity: no cap).
   */
  readonly capBelow: Float64Array;
}

/**
 * The least and largest factor of every slot of `space` into `leastF` and
 * `maxF` (a free slot: what is left of the bound), then the capacity caps:
 * per level c of finite capacity, the largest multiple of a dimension's
 * least extent at c that keeps the sum of the least tiles of the tensors
 * surely kept at c within the capacity (tiles only grow with extents when
 * every coefficient is ≥ 1; other tensors count 0 words); every free slot
 * at or below c is capped by it (docs/mapper.md, "Refetch bounds", caps).
 * False when the least tiles already overflow a level: no completion fits.
 */
function slotLimits(ctx: BoundContext, space: SpaceView, leastF: Float64Array, maxF: Float64Array, ext: Float64Array, capBelow: Float64Array): boolean {
  let fits = true;
  const { L, D, S } = space;
  const { arch, w, positive } = ctx;
  for (let i = 0; i < L * 3 * D; i++) { const f = space.fixed[i]; maxF[i] = leastF[i] = f > 0 ? f : 1; }
  for (let d = 0; d < D; d++) { let rest = 1; for (const p of space.primes[d]) rest *= p; for (const slot of space.free[d]) if (!(space.fixed[slot * D + d] > 0)) maxF[slot * D + d] = rest; }
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const i = (l * 3) * D + d;
      ext[l * D + d] = (l > 0 ? ext[(l - 1) * D + d] : 1) * leastF[i] * leastF[i + D] * leastF[i + 2 * D];
    }
  }
  capBelow.fill(Infinity);
  const tile = (s: number, c: number, d: number, f: number): number => leastTile(w, s, c, D, ext, d, f);
  for (let c = L - 2; c >= 0; c--) {
    const lv = arch.storage[c];
    const cap = lv.sizeWords === null ? Infinity : Math.floor(lv.sizeWords / lv.multipleBuffering);
    if (cap === Infinity || lv.isDummy) continue;
    let base = 0, kept = 0;
    for (let s = 0; s < S; s++) if (space.keepFixed[c * S + s] === 1 && positive[s]) { base += tile(s, c, 0, 1); kept |= 1 << s; }
    if (kept === 0) continue;
    if (base > cap) { fits = false; continue; }
    for (let d = 0; d < D; d++) {
      let rest = 1;
      for (const p of space.primes[d]) rest *= p;
      if (rest <= 1) continue;
      // Only the kept tensors whose tiles grow with d.
      let dep = 0;
      for (let s = 0; s < S; s++) if (kept & (1 << s) && ctx.role[s * D + d] !== 2) dep |= 1 << s;
      if (dep === 0) continue;
      const used = (f: number) => {
        let u = base;
        for (let s = 0; s < S; s++) if (dep & (1 << s)) u += tile(s, c, d, f) - tile(s, c, d, 1);
        return u;
      };
      if (used(rest) <= cap) continue;
      let lo = 1, hi = rest;
      while (hi - lo > 1) { const m = Math.floor((lo + hi) / 2); if (used(m) <= cap) lo = m; else hi = m; }
      capBelow[c * D + d] = lo;
    }
  }
  for (let c = L - 2; c >= 0; c--) for (let d = 0; d < D; d++) capBelow[c * D + d] = Math.min(capBelow[c * D + d], c < L - 2 ? capBelow[(c + 1) * D + d] : Infinity);
  for (let d = 0; d < D; d++) {
    for (const slot of space.free[d]) {
      const i = slot * D + d;
      if (space.fixed[i] > 0) continue;
      const l = Math.floor(slot / 3);
      if (l < L - 1) maxF[i] = Math.min(maxF[i], capBelow[l * D + d]);
    }
  }
  return fits;
}

/**
 * For every mapping of `space` where level l keeps s and some level above
 * keeps it too: `tiles`, `fills` and `up` (see {@link Refetch}). The model
 * keeps one tile per level: each step of a loop above l on a dimension
 * that alone moves a rank of s shifts the tile off itself, and so does
 * each step of a loop that does not move s at all once such a loop runs
 * inside it; either brings a whole tile. Over every order of each level's
 * loops the constraints allow (orders are not fixed here): tile × the
 * factors of those loops, with each fixed factor as it is, and for a
 * dimension not yet fixed the part of what is left of its bound that no
 * slot can keep out of the count. Proof: docs/mapper.md, "Refetch bounds".
 */
export function refetchFills(ctx: BoundContext, space: SpaceView, scratch?: BoundScratch): Refetch {
  const { role, positive, allPure } = ctx;
  const { L, D, S } = space;
  const out = scratch ? scratch.refetch : newRefetch(L, S, D);
  out.tiles.fill(0); out.fills.fill(0); out.up.fill(0);
  let leastF: Float64Array, maxF: Float64Array;
  const ext = scratch ? scratch.ext : new Float64Array(L * D);
  if (scratch) ({ leastF, maxF } = scratch);
  else {
    // Standalone: the least and largest factor of every slot (boundOf fills these itself).
    leastF = new Float64Array(L * 3 * D); maxF = new Float64Array(L * 3 * D);
    slotLimits(ctx, space, leastF, maxF, ext, out.capBelow);
  }
  // The smallest factor every completion has at (level, slot, dim): fixed, or 1.
  const least = (l: number, slot: number, d: number) => leastF[(l * 3 + slot) * D + d];
  // A spatial slot still free (or fixed > 1) may fan out.
  const fansOn = (l: number, d: number) => maxF[(l * 3 + SX) * D + d] > 1 || maxF[(l * 3 + SY) * D + d] > 1;
  const fan = out.fanLeast;
  for (let l = 0; l < L; l++) {
    let f = 1;
    for (let d = 0; d < D; d++) f *= least(l, SX, d) * least(l, SY, d);
    fan[l] = f;
  }
  for (let l = L - 1, a = 1; l >= 0; l--) { out.above[l] = a; a *= fan[l]; }
  for (let s = 0; s < S; s++) {
    if (!positive[s]) continue;
    // A level that can fan out only over dimensions s does not depend on
    // gives every child the same tile of s: no neighbour can pass one on.
    for (let l = 0; l < L; l++) {
      let rel = 0, impure = 0, g = 1;
      for (let d = 0; d < D; d++) {
        const on = fansOn(l, d);
        if (on && role[s * D + d] !== 2) rel = 1;
        if (on && role[s * D + d] !== 1) impure = 1;
        if (role[s * D + d] === 1) g *= least(l, SX, d) * least(l, SY, d);
      }
      out.sameTiles[s * L + l] = rel ? 0 : 1;
      out.pureFan[s * L + l] = impure || !allPure[s] ? 0 : 1;
      out.distinct[s * L + l] = g;
    }
    for (let c = 0; c < L - 1; c++) {
      if (space.keepFixed[c * S + s] === 0) continue;
      const k = walkAt(ctx, space, s, c, -1, -1, leastF, maxF, ext, out.capBelow);
      out.tiles[s * L + c] = walkTiles;
      out.fills[s * L + c] = walkFills;
      out.up[s * L + c] = k;
    }
  }
  return out;
}

// Results of walkAt besides its return value (module scratch: no allocation).
let walkTiles = 0, walkFills = 0;

/**
 * The walk of tensor s's tiles at its keeper c (R1), and the two cases of
 * the pair rule (R5): with `h` ≥ 0 every temporal loop above level h
 * counts; with `other` ≥ 0 also no temporal loop of a dimension `other`
 * depends on is > 1 at levels (zFrom, c]. Returns the count its next
 * keeper serves per instance (`up` of {@link Refetch}) and sets walkTiles
 * (per instance) and walkFills (`fills`); Infinity when the fixed factors
 * rule the case out.
 */
function walkAt(ctx: BoundContext, space: SpaceView, s: number, c: number, h: number, zFrom: number, leastF: Float64Array, maxF: Float64Array, ext: Float64Array, capBelow: Float64Array, other = -1, joint = -1): number {
  const { w, role, fanX, fanY } = ctx;
  const { L, D } = space;
  const least = (l: number, slot: number, d: number) => leastF[(l * 3 + slot) * D + d];
  const torder = space.torder;
  // A one-word tile (level c holds < 2 words: every fitting completion's
  // extents at c are 1 on every dimension s depends on) moves off itself at
  // every step of an irrelevant loop with any loop on a dimension of s
  // inside it, sliding windows included (docs/mapper.md, R1 for one-word tiles).
  const one = ctx.oneWord[c] === 1;
  const size = leastTile(w, s, c, D, ext);
  // Whether, at level j, the constraints' order prefix puts a definite
  // loop moving s's pure rank inside the temporal loop of dimension d.
  const forcedInside = (j: number, d: number): boolean => {
    const pre = torder ? torder[j] : undefined;
    if (!pre || pre.length === 0) return false;
    const pd = pre.indexOf(d);
    for (let i = 0; i < pre.length && (pd < 0 || i < pd); i++) {
      const e = pre[i];
      if (e !== d && (role[s * D + e] === 1 || (one && role[s * D + e] === 0)) && least(j, T, e) > 1) return true;
    }
    return false;
  };
  // Fixed factors: loops on pure dimensions count; a loop on an irrelevant
  // dimension counts once a definite pure loop runs inside it (a level
  // strictly between, or its own level's order prefix); above h, all count.
  let mult = 1, moved = false, J = L, imp = 1;
  for (let j = c + 1; j < L; j++) {
    let movesHere = false;
    for (let d = 0; d < D; d++) {
      const f = least(j, T, d);
      if (f <= 1) continue;
      const r = role[s * D + d];
      if (r === 0) imp *= f;
      // Above h every loop counts but a sliding window's (role 0: a step may overlap the last tile).
      if (h >= 0 && j > h) { if (r !== 0) mult *= f; if (r === 1 || (one && r === 0)) movesHere = true; continue; }
      if (r === 1) { mult *= f; movesHere = true; }
      else if (r === 0 && one) movesHere = true;
      else if (r === 2 && (moved || forcedInside(j, d))) mult *= f;
    }
    if (movesHere && !moved) { moved = true; J = j; }
  }
  // Variant A of the pair rule: `other`-relevant temporal loops at levels (zFrom, c] must be 1.
  if (other >= 0) {
    for (let j = zFrom + 1; j <= c; j++) for (let d = 0; d < D; d++) if (role[other * D + d] !== 2 && least(j, T, d) > 1) return Infinity;
  }
  // Case B of the pair rule with its joint cap (docs/mapper.md, R5, "joint
  // cap"): the dimensions s does not depend on all move A's pure ranks, so
  // the part of them kept out of the count (at levels ≤ h) is at most what
  // A's tile at h leaves room for, jointly: jointCap.
  const jointCap = joint >= 0 && h >= 0 && !one ? pairRoom(ctx, space, joint, h, ext) : Infinity;
  let jRest = 1, jKeep = 1, jKeepSp = 1, jSp = 1, jPer = 1, jTot = 1, jUp = 1;
  // Free dimensions: what is left of the bound, rest, goes to free slots.
  let per = 1, tot = 1, up = 1, per0 = 1, tot0 = 1, up0 = 1;
  for (let d = 0; d < D && !space.imperfect; d++) {
    const free = space.free[d];
    if (free.length === 0) continue;
    let rest = 1;
    for (const p of space.primes[d]) rest *= p;
    if (rest <= 1) continue;
    const r = role[s * D + d];
    if (r === 0 && !one) continue;
    // Spatial free slots above c (max product, at most the fanouts), and at c + 1 alone.
    let spAbove = 1, spNext = 1, below = 1, runT = 1, zT = 1, spIn = 1;
    for (const slot of free) {
      const i = slot * D + d;
      if (space.fixed[i] > 0) continue;
      const l = Math.floor(slot / 3), k = slot % 3;
      const m = k === SX ? Math.min(maxF[i], fanX[l]) : k === SY ? Math.min(maxF[i], fanY[l]) : maxF[i];
      if (l <= c) {
        // Variant A: `other`-relevant temporal slots in (zFrom, c] hold 1.
        if (other >= 0 && l > zFrom && k === T && role[other * D + d] !== 2) continue;
        below *= m;
        continue;
      }
      if (k !== T) { spAbove *= m; if (l === c + 1) spNext *= m; if (l <= h) spIn *= m; continue; }
      // Temporal above c: may escape the count only inside the innermost run.
      if (h >= 0 && l > h) continue;
      if (l < J || (l === J && !forcedInside(l, d))) runT *= m;
      if (h >= 0) zT *= m;
    }
    if (r === 0) {
      // One-word tiles only: a sliding window's free factors all sit above c (see `slide` below).
      per0 *= rest / spAbove;
      tot0 *= rest;
      up0 *= rest / spNext;
    } else if (r === 1) {
      per *= rest / spAbove;
      tot *= rest;
      up *= rest / spNext;
    } else {
      const keepOut = Math.min(below, capBelow[c * D + d]) * (h >= 0 ? zT : runT);
      per *= Math.max(1, rest / (keepOut * spAbove));
      tot *= Math.max(1, rest / keepOut);
      up *= Math.max(1, rest / (keepOut * spAbove));
      if (jointCap < Infinity) {
        jPer *= Math.max(1, rest / (keepOut * spAbove)); jTot *= Math.max(1, rest / keepOut); jUp *= Math.max(1, rest / (keepOut * spAbove));
        // The kept-out part (and with the spatial factors at levels ≤ h) is a divisor of rest: at most rest.
        jRest *= rest; jKeep *= Math.min(keepOut, rest); jKeepSp *= Math.min(keepOut * spIn, rest); jSp *= spAbove / spIn;
      }
    }
  }
  if (jointCap < Infinity) {
    const jp = Math.max(1, jRest / (Math.min(jKeepSp, jointCap) * jSp)), jt = Math.max(1, jRest / Math.min(jKeep, jointCap));
    if (jp > jPer) per = (per / jPer) * jp;
    if (jt > jTot) tot = (tot / jTot) * jt;
    if (jp > jUp) up = (up / jUp) * jp;
  }
  // A one-word tile also changes at every step of the innermost loop on a
  // dimension s depends on (nothing inside it moves s), and those steps are
  // at least half the iterations of it and every loop outside it — all of
  // its sliding-window loops among them (docs/mapper.md, R1 for one-word
  // tiles): the walk counts them too, halved, when that is more.
  const half = one && !space.imperfect ? imp / 2 : 0;
  walkTiles = size * mult * per * Math.max(1, half * per0);
  walkFills = size * mult * tot * Math.max(1, half * tot0);
  return size * mult * up * Math.max(1, half * up0);
}

/**
 * The joint cap of R5's case B: a bound on the product, over every
 * dimension d, of ext_h(d) / (d's least extent at h), for every completion
 * of `space` whose tiles fit, where tensor `a` (all-pure, integer
 * coefficients ≥ 1, surely kept at h) has a tile of at least
 * Π_{d pure for a} ext_h(d) words at h and the other tensors surely kept
 * there at least their least tiles (docs/mapper.md, R5, "joint cap").
 * Infinity when h has no finite capacity or `a` is not surely kept there.
 */
function pairRoom(ctx: BoundContext, space: SpaceView, a: number, h: number, ext: Float64Array): number {
  const { arch, w, role, positive, allPure } = ctx;
  const { D, S } = space;
  const lv = arch.storage[h];
  if (lv.sizeWords === null || lv.isDummy || !allPure[a] || !positive[a] || space.keepFixed[h * S + a] !== 1) return Infinity;
  let room = Math.floor(lv.sizeWords / lv.multipleBuffering);
  for (let t = 0; t < S; t++) {
    if (t === a || space.keepFixed[h * S + t] !== 1 || !positive[t]) continue;
    room -= leastTile(w, t, h, D, ext);
  }
  let least = 1;
  for (let d = 0; d < D; d++) if (w.bounds[d] > 1 && role[a * D + d] === 1) least *= ext[h * D + d];
  return Math.max(1, Math.floor(room / least));
}

/**
 * The tile of tensor s at level c at its least extents `ext` (d's
 * multiplied by f, if given): Π over its ranks of 1 + Σ coef·(extent − 1).
 */
function leastTile(w: Workload, s: number, c: number, D: number, ext: Float64Array, d = -1, f = 1): number {
  let size = 1;
  for (const rank of w.dataSpaces[s].ranks) {
    let span = 1;
    for (const t of rank) span += t.coef * (ext[c * D + t.dim] * (t.dim === d ? f : 1) - 1);
    size *= span;
  }
  return size;
}

/** Divisors of n, ascending. */
function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

/** Most segment shapes {@link backingStoreLeast} enumerates; a larger space gives no capacity bound (0). */
const MAX_TILES = 100_000;

/**
 * The least backing-store energy any mapping can spend, in pJ, when at most `held[s]` words of tensor s fit on chip: the minimum over
 * every tile the backing store's loops can step (a box of factors dividing
 * the bounds) of the least one period of those loops must move, over the
 * period's operations. In each period every word of a tensor's tile not
 * already on chip is read (inputs) or every word of the output's tile that
 * cannot stay is written back; when the period began by stepping a
 * dimension d that indexes a rank of an input alone, that input's tile is
 * disjoint from the last one and is read whole (proof in docs/mapper.md,
 * "Capacity bounds").
 */
export function backingStoreLeast(w: Workload, held: Float64Array, price: Float64Array, maxPE: number, joint = Infinity): number {
  const D = w.bounds.length, S = w.dataSpaces.length;
  // Tensors by price, dearest first: the chip's shared room goes to the dearest words (a fractional knapsack, its exact least).
  const byPrice = Array.from({ length: S }, (_, s) => s).sort((a, b) => price[b] - price[a] || a - b);
  const divs = w.bounds.map(divisors);
  let count = 1;
  for (const d of divs) count *= d.length;
  if (count > MAX_TILES) return 0;
  const pure = pureRanks(w);
  // Boxes indexed in mixed radix over each dimension's divisor index.
  const stride = new Array<number>(D);
  for (let d = 0, m = 1; d < D; d++) { stride[d] = m; m *= divs[d].length; }
  const box = new Array<number>(D).fill(1);
  const tile = new Float64Array(S);
  const ops = w.bounds.reduce((a, b) => a * b, 1);
  // The least the backing store moves over the whole run when one of its
  // segments spans `box`: the first segment starts with nothing on chip,
  // the last must write back its whole output tile, every other one moves
  // what the chip cannot hold plus, after a step of a dimension that
  // alone indexes a rank of an input, that input's whole new tile.
  const total = (): number => {
    let vol = 1, whole = 0;
    for (let d = 0; d < D; d++) vol *= box[d];
    for (let s = 0; s < S; s++) {
      tile[s] = spreadWords(w.dataSpaces[s], box);
      whole += tile[s] * price[s];
    }
    if (vol >= ops) return whole;
    // At a boundary between segments the chip holds what the next one
    // reuses of each input and what the last one has not written back of
    // each output: at most held_s of each, at most `joint` in all; an input
    // whose tile the step made disjoint reuses nothing.
    let m = Infinity;
    for (let e = 0; e < D; e++) {
      if (box[e] === w.bounds[e]) continue;
      let me = 0, room = joint;
      for (const s of byPrice) {
        if (!w.dataSpaces[s].readWrite && pure[s * D + e]) { me += tile[s] * price[s]; continue; }
        const h = Math.min(tile[s], held[s], room);
        room -= h;
        me += (tile[s] - h) * price[s];
      }
      m = Math.min(m, me);
    }
    // The first segment reads its inputs' tiles whole, the last writes its outputs' tiles whole.
    return (ops / vol - 1) * m + whole;
  };
  // value(B): the most any chain of the backing store's loops from B out
  // to the whole layer must pay per operation at its worst step, at best.
  const value = new Float64Array(count).fill(-1);
  const idx = new Array<number>(D).fill(0);
  const solve = (at: number): number => {
    if (value[at] >= 0) return value[at];
    for (let d = 0; d < D; d++) box[d] = divs[d][idx[d]];
    const here = total();
    let next = Infinity;
    for (let d = 0; d < D; d++) {
      const was = idx[d];
      for (let i = was + 1; i < divs[d].length; i++) {
        idx[d] = i;
        next = Math.min(next, solve(at + (i - was) * stride[d]));
      }
      idx[d] = was;
    }
    const v = next === Infinity ? here : Math.max(here, next);
    value[at] = v;
    return v;
  };
  let best = Infinity;
  const visit = (d: number, at: number, vol: number): void => {
    if (d === D) { best = Math.min(best, solve(at)); return; }
    for (let i = 0; i < divs[d].length && vol * divs[d][i] <= maxPE; i++) { idx[d] = i; visit(d + 1, at + i * stride[d], vol * divs[d][i]); }
    idx[d] = 0;
  };
  visit(0, 0, 1);
  return best === Infinity ? 0 : best;
}

/**
 * The fewest distinct points of a tensor a set of iterations can touch
 * when it takes n[d] distinct values of each dimension d, in any pattern
 * (not only a box): per rank, one term gives its count, several give at
 * least Σ n − (terms − 1) (a sum of integer sets is at least that large);
 * the product over ranks, or the largest rank when a dimension moves two.
 */
export function spreadWords(ds: DataSpace, n: readonly number[]): number {
  let prod = 1, most = 1, shared = false;
  const seen = new Set<number>();
  for (const rank of ds.ranks) {
    const coef = new Map<number, number>();
    for (const t of rank) coef.set(t.dim, (coef.get(t.dim) ?? 0) + t.coef);
    let sum = 0, k = 0;
    for (const [d, c] of coef) {
      if (c === 0 || n[d] <= 1) continue;
      if (seen.has(d)) shared = true;
      seen.add(d);
      sum += n[d]; k++;
    }
    const r = k === 0 ? 1 : sum - (k - 1);
    prod *= r; most = Math.max(most, r);
  }
  return shared ? most : prod;
}

/** pure[s * D + d]: a rank of tensor s is indexed by dimension d alone. */
function pureRanks(w: Workload): Uint8Array {
  const D = w.bounds.length, S = w.dataSpaces.length;
  const pure = new Uint8Array(S * D);
  for (let s = 0; s < S; s++) {
    for (const rank of w.dataSpaces[s].ranks) {
      const coef = new Map<number, number>();
      for (const t of rank) coef.set(t.dim, (coef.get(t.dim) ?? 0) + t.coef);
      const live = [...coef].filter(([, c]) => c !== 0);
      if (live.length === 1) pure[s * D + live[0][0]] = 1;
    }
  }
  return pure;
}
