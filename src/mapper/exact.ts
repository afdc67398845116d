/**
 * The exact search: branch-and-bound over the canonical mapspace. A
 * mapping is built digit by digit — first every free keep/bypass choice,
 * then each dimension's distribution of its primes over its free slots —
 * and at every digit the lower bound of `bound.ts` is taken over the
 * mappings the partial assignment still allows (the same proven rules, on a
 * narrower view of the space); a subtree whose bound is worse than the best
 * mapping so far is dropped whole. At a full factor assignment the leaves
 * are the orders of each level's non-unit loops (unit loops are not
 * compiled, so their places change nothing); one evaluation tells whether
 * the tiles fit (tile sizes do not depend on the order), else every order is
 * illegal and skipped. The tree's first digits cut it into nodes that
 * parallel searches take from a shared queue, with a shared incumbent.
 *
 * The leaf order is fixed and ties go to the earliest leaf, and pruning is
 * strict (a subtree whose bound equals the best is searched), so a search
 * that completes returns the same mapping however many searches ran and
 * whatever the incumbent it started from.
 */
import type { Arch } from '../arch/arch.js';
import { totals, type EnergyPlan } from '../model/cost.js';
import { CompiledBuffer, compileProblem } from '../model/compile.js';
import { Evaluator, type AnalysisOptions } from '../model/nest.js';
import { better, score, type Objective } from '../model/objective.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { boundContext, boundOf, type LowerBound } from './bound.js';
import { distributions, swapPermutations } from './exhaustive.js';
import { T, type Genome, type MapSpace } from './space.js';

/** A starting incumbent (the annealer's answer): the tree is pruned against it from the start. */
export interface ExactIncumbent {
  readonly genome: Genome;
  readonly energyPJ: number;
  readonly cycles: number;
}

/** How an exact search runs. */
export interface ExactOptions {
  readonly objective: Objective;
  /** Wall-clock stop (`Date.now()` ms). */
  readonly deadline?: number;
  /** Leaves to evaluate at most (default: no limit). */
  readonly evaluations?: number;
  readonly analysis?: AnalysisOptions;
  readonly incumbent?: ExactIncumbent | null;
  /**
   * The queue and incumbent shared by the parallel searches of one run
   * ({@link exactShared}); without it the search takes every node itself.
   */
  readonly shared?: SharedArrayBuffer | ArrayBuffer;
  /** Called every ~2,000 evaluations with the count so far. */
  readonly onProgress?: (done: number) => void;
}

/** What an exact search did. */
export interface ExactResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  /** Where the best was found (node, leaf within it); Infinity for the starting incumbent. */
  readonly bestNode: number;
  readonly bestLeaf: number;
  /** Every node this search took was finished (the run is complete when no search stopped). */
  readonly complete: boolean;
  /** Leaves evaluated. */
  readonly evaluated: number;
  /** Leaves in subtrees dropped by the bound (counted by the mapspace's size rule: an upper bound). */
  readonly prunedByBound: number;
  /** Leaves skipped because their tiles overflow a level (one evaluation showed it for all orders). */
  readonly illegal: number;
  /** The least bound (objective score) of the nodes left open when the search stopped; Infinity if none. */
  readonly openBound: number;
}

/** The shared state of a parallel exact run: the next node to take, and the best score found by any search. */
export function exactShared(): SharedArrayBuffer | ArrayBuffer {
  // Without cross-origin isolation a browser has no SharedArrayBuffer; one thread needs none.
  const buf = typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(16) : new ArrayBuffer(16);
  new Float64Array(buf, 8, 1)[0] = Infinity;
  return buf;
}

/**
 * A bound that meets a cost exactly may come out a rounding above it (its
 * sums run in another order): a subtree is dropped only when its bound is
 * worse by more than this factor, so a tying leaf is always visited.
 */
const SLACK = 1 + 1e-9;

/** How many nodes the queue cuts the tree into, per search. */
const NODES_PER_SEARCH = 256;

/** Most bounds a stopped search takes of the subtrees it leaves open. */
const OPEN_BOUNDS = 4000;

/**
 * The exact search of `space` (see the module comment).
 * @throws UnmappableError never: an empty space returns no mapping.
 */
export function exactSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: ExactOptions): ExactResult {
  const { L, D, S, torder } = space;
  const ctx = boundContext(w, arch, plan, o.objective, true);
  const ev = new Evaluator(compileProblem(w, arch), o.analysis);
  const ops = operationCount(w);
  const cm = new CompiledBuffer(space.maxLoops, L * S);
  const deadline = o.deadline ?? Infinity;
  const cap = o.evaluations ?? Infinity;
  const objective = o.objective;

  // Digits: free keeps (keep first), then dimensions (their distributions).
  const freeKeeps: number[] = [];
  for (let i = 0; i < L * S; i++) if (space.keepFixed[i] === 255) freeKeeps.push(i);
  const dists = Array.from({ length: D }, (_, d) => distributions(space, d));
  const radix = [...freeKeeps.map(() => 2), ...dists.map((x) => x.length)];
  const depth = radix.length;
  const K = freeKeeps.length;

  // The view the bound reads, narrowed as digits are set.
  const view: { L: number; D: number; S: number; fixed: Float64Array; free: (readonly number[])[]; primes: (readonly number[])[]; keepFixed: Uint8Array; torder: MapSpace['torder'] } = {
    L, D, S, fixed: Float64Array.from(space.fixed), free: [...space.free], primes: [...space.primes], keepFixed: Uint8Array.from(space.keepFixed), torder: space.torder,
  };
  const none: readonly number[] = [];
  const g = space.newGenome();
  for (let i = 0; i < g.f.length; i++) g.f[i] = space.fixed[i] || 1;
  for (let i = 0; i < L * S; i++) g.keep[i] = space.keepFixed[i] === 255 ? 1 : space.keepFixed[i];
  for (let l = 0; l < L; l++) {
    const order = [...space.sorder[l], ...[...Array(D).keys()].filter((x) => !space.sorder[l].includes(x))];
    for (let i = 0; i < D; i++) g.sperm[l * D + i] = order[i];
  }
  const setDigit = (k: number, v: number) => {
    if (k < K) { const i = freeKeeps[k]; g.keep[i] = v === 0 ? 1 : 0; view.keepFixed[i] = g.keep[i]; return; }
    const d = k - K;
    const fr = space.free[d], dv = dists[d][v];
    for (let i = 0; i < fr.length; i++) { g.f[fr[i] * D + d] = dv[i]; view.fixed[fr[i] * D + d] = dv[i]; }
    view.free[d] = none; view.primes[d] = none;
  };
  const clearDigit = (k: number) => {
    if (k < K) { const i = freeKeeps[k]; g.keep[i] = 1; view.keepFixed[i] = 255; return; }
    const d = k - K;
    const fr = space.free[d];
    for (let i = 0; i < fr.length; i++) { g.f[fr[i] * D + d] = 1; view.fixed[fr[i] * D + d] = 0; }
    view.free[d] = space.free[d]; view.primes[d] = space.primes[d];
  };

  // Upper count of the leaves below digit k (the digits before it set): the
  // remaining digits' values × each level's orders of its loops that are or
  // may become non-unit.
  const subtreeSize = (k: number): number => {
    let n = 1;
    for (let j = k; j < depth; j++) n *= radix[j];
    for (let l = 0; l < L; l++) {
      let c = 0;
      for (let d = 0; d < D; d++) {
        if (torder[l].includes(d)) continue;
        const i = (l * 3 + T) * D + d;
        const set = k - K > d;
        if (set ? g.f[i] > 1 : g.f[i] > 1 || (space.free[d].includes(l * 3 + T) && space.primes[d].length > 0)) c++;
      }
      for (let i = 2; i <= c; i++) n *= i;
    }
    return n;
  };

  // Shared queue and incumbent.
  const buf = o.shared ?? exactShared();
  const shared = typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer;
  const queue = new Int32Array(buf, 0, 1);
  const sharedBest = new Float64Array(buf, 8, 1);
  const bits = new BigInt64Array(buf, 8, 1);
  const scratch = new Float64Array(1), scratchBits = new BigInt64Array(scratch.buffer);
  const take = () => (shared ? Atomics.add(queue, 0, 1) : queue[0]++);
  // Non-negative doubles order as their bit patterns: a compare-and-swap loop keeps the least.
  const publish = (s: number) => {
    if (!shared) { if (s < sharedBest[0]) sharedBest[0] = s; return; }
    scratch[0] = s;
    const mine = scratchBits[0];
    for (;;) {
      const cur = Atomics.load(bits, 0);
      if (mine >= cur || Atomics.compareExchange(bits, 0, cur, mine) === cur) return;
    }
  };
  const threshold = () => Math.min(bestScore, shared ? (scratchBits[0] = Atomics.load(bits, 0), scratch[0]) : sharedBest[0]);

  const best = space.newGenome();
  let found = false, bestE = Infinity, bestC = Infinity, bestScore = Infinity, bestNode = Infinity, bestLeaf = 0;
  if (o.incumbent) {
    space.copy(o.incumbent.genome, best);
    found = true; bestE = o.incumbent.energyPJ; bestC = o.incumbent.cycles; bestScore = score(objective, bestE, bestC);
    publish(bestScore);
  }
  let evaluated = 0, prunedByBound = 0, illegal = 0, stopped = false, node = 0, leaf = 0;
  const timeUp = () => {
    if (evaluated >= cap || ((evaluated & 15) === 0 && Date.now() >= deadline)) stopped = true;
    return stopped;
  };
  // A subtree is dropped when its bound is worse than the best: a higher
  // score, or (the tie-break) the same score and a higher energy.
  const pruned = (k: number, b: LowerBound): boolean => {
    // A search that prunes much evaluates little: read the clock here too
    // (a bound costs far more than reading it: up to a tile-shape enumeration).
    if (Date.now() >= deadline) stopped = true;
    if (b.score > threshold() * SLACK || (b.score === bestScore && b.energyPJ > bestE * SLACK)) { prunedByBound += subtreeSize(k); return true; }
    return false;
  };
  const fanoutOk = (k: number) => space.fanoutOk(g, k - K + 1);

  // Leaves: the orders of each level's non-unit unconstrained loops.
  const order = new Int32Array(L * D);
  const kOf = new Int32Array(L);
  const pi = new Int32Array(L);
  const perms = new Map<number, Int32Array>();
  const writeOrder = (l: number) => {
    const prefix = torder[l];
    const k = kOf[l];
    const table = perms.get(k)!;
    let j = 0;
    for (; j < prefix.length; j++) g.perm[l * D + j] = prefix[j];
    const row = pi[l] * k;
    for (let i = 0; i < k; i++) g.perm[l * D + j++] = order[l * D + table[row + i]];
    for (let i = k; j < D; i++) g.perm[l * D + j++] = order[l * D + i];
  };
  const evaluateLeaf = (): number => {
    space.compile(g, cm);
    const counts = ev.run(cm);
    evaluated++;
    if (o.onProgress && evaluated % 2000 === 0) o.onProgress(evaluated);
    if (!space.fits(counts.utilizedCapacity, counts.kept)) return -1;
    const t = totals(arch, counts, plan, S, ops);
    const e = t.energyPJ, c = t.cycles;
    const lf = leaf++;
    const tie = e === bestE && c === bestC;
    if (!found || better(objective, e, c, bestE, bestC) || (tie && (node < bestNode || (node === bestNode && lf < bestLeaf)))) {
      space.copy(g, best);
      found = true; bestE = e; bestC = c; bestScore = score(objective, e, c); bestNode = node; bestLeaf = lf;
      publish(bestScore);
    }
    return 1;
  };
  const leaves = () => {
    let count = 1;
    for (let l = 0; l < L; l++) {
      const prefix = torder[l];
      let n = 0;
      for (let d = 0; d < D; d++) if (!prefix.includes(d) && g.f[(l * 3 + T) * D + d] > 1) order[l * D + n++] = d;
      const k = (kOf[l] = n);
      for (let d = 0; d < D; d++) if (!prefix.includes(d) && g.f[(l * 3 + T) * D + d] <= 1) order[l * D + n++] = d;
      if (!perms.has(k)) perms.set(k, swapPermutations(k));
      pi[l] = 0;
      writeOrder(l);
      for (let i = 2; i <= k; i++) count *= i;
    }
    if (timeUp()) return;
    // Tile sizes do not depend on the order: one overflowing order condemns them all.
    if (evaluateLeaf() < 0) { illegal += count; return; }
    for (;;) {
      let l = L - 1;
      for (; l >= 0; l--) {
        const k = kOf[l];
        const rows = k === 0 ? 1 : perms.get(k)!.length / k;
        const more = ++pi[l] < rows;
        if (!more) pi[l] = 0;
        writeOrder(l);
        if (more) break;
      }
      if (l < 0 || timeUp()) return;
      evaluateLeaf();
    }
  };
  // Once stopped, the subtrees not finished stay open: the least of their
  // bounds (cached capacity results only, at most OPEN_BOUNDS of them per
  // search; past that, the bound of the subtree they hang from) is the
  // search's open bound — higher than its node's when the node was split
  // far enough before the time ran out.
  let openBudget = OPEN_BOUNDS;
  const openScore = (parent: number): number => {
    if (openBudget <= 0) return parent;
    openBudget--;
    ctx.scratch.cacheOnly = true;
    return boundOf(ctx, view).score;
  };
  // Returns the least bound of what this subtree leaves open (Infinity: finished); `parent` is its own bound.
  const dfs = (k: number, parent: number): number => {
    if (k === depth) {
      leaves();
      // Stopped among this leaf's orders: those left are bounded by the leaf's view.
      return stopped ? Math.max(parent, openScore(parent)) : Infinity;
    }
    let open = Infinity;
    for (let v = 0; v < radix[k]; v++) {
      setDigit(k, v);
      if (k < K || fanoutOk(k)) {
        if (stopped) open = Math.min(open, Math.max(parent, openScore(parent)));
        // A dimension with nothing left to deal (bound 1 after the fixed
        // factors: one distribution, of 1s) leaves the view's bound as it
        // was: the parent's, which was not pruned. Not bounding it again
        // can only prune less, never wrongly.
        else if (k >= K && space.primes[k - K].length === 0) open = Math.min(open, dfs(k + 1, parent));
        else {
          const b = boundOf(ctx, view);
          if (pruned(k + 1, b)) { /* dropped: not open */ } else open = Math.min(open, dfs(k + 1, Math.max(parent, b.score)));
        }
      }
      clearDigit(k);
      if (stopped && openBudget <= 0) { open = Math.min(open, parent); break; }
    }
    return open;
  };

  // Nodes: the first `top` digits, enough of them for every search to take many.
  let top = 0, nodes = 1;
  while (top < depth && nodes < NODES_PER_SEARCH * 8) nodes *= radix[top++];
  let openBound = Infinity;
  const digits = new Int32Array(top);
  // Set the node's digits (outermost digit most significant); false if the prefix breaks a fanout.
  const enter = (n: number): boolean => {
    for (let k = top - 1; k >= 0; k--) { digits[k] = n % radix[k]; n = Math.floor(n / radix[k]); }
    let ok = true;
    for (let k = 0; k < top; k++) { setDigit(k, digits[k]); if (k >= K && !fanoutOk(k)) ok = false; }
    return ok;
  };
  const leave = () => { for (let k = top - 1; k >= 0; k--) clearDigit(k); };
  const nodeBound = (n: number): number => {
    const ok = enter(n);
    const s = ok ? boundOf(ctx, view).score : Infinity;
    leave();
    return s;
  };
  // Best first: every search bounds every node (the same numbers, so the
  // same order), cheaply (capacity results already cached only), and
  // takes them in ascending bound, ties by index. Finishing the nodes of
  // least bound first is what raises the proven bound of a stopped search:
  // the untaken nodes' least bound is then the next one in the order.
  const nb = new Float64Array(nodes);
  let rootBound = -1;
  ctx.scratch.cacheOnly = true;
  // The nodes sharing a first digit are one block (it is the most
  // significant): the block's bound holds for every mapping of each of its
  // nodes, so a block already worse than the best (the incumbent) gives
  // them that bound unbounded one by one — they are dropped when taken,
  // as their own bounds would drop them (or: dropping them loses nothing
  // a tie could need, strict pruning keeps every leaf that ties).
  const block = top >= 2 ? nodes / radix[0] : nodes;
  for (let n = 0; n < nodes; n++) {
    if ((n & 15) === 0 && Date.now() >= deadline) { stopped = true; break; }
    if (block < nodes && n % block === 0) {
      setDigit(0, n / block);
      const pb = K > 0 || fanoutOk(0) ? boundOf(ctx, view).score : Infinity;
      clearDigit(0);
      if (pb > threshold() * SLACK) { nb.fill(pb, n, n + block); n += block - 1; continue; }
    }
    nb[n] = nodeBound(n);
  }
  ctx.scratch.cacheOnly = false;
  const byBound = Int32Array.from({ length: nodes }, (_, i) => i);
  if (!stopped) byBound.sort((a, b) => nb[a] - nb[b] || a - b);
  else rootBound = boundOf(ctx, space).score;
  for (;;) {
    if (stopped || evaluated >= cap || Date.now() >= deadline) { stopped = true; break; }
    const pos = take();
    if (pos >= nodes) break;
    const n = byBound[pos];
    node = n; leaf = 0;
    let open = Infinity;
    if (nb[n] !== Infinity && enter(n)) {
      // The node's bound from cached capacity results is never above its
      // full bound: when it is already worse than the best, so is the full
      // one, and the node is dropped as `pruned` would drop it, unbounded.
      // Taken in ascending bound, every node after the first such one is.
      if (nb[n] > threshold() * SLACK) prunedByBound += subtreeSize(top);
      else {
        const b = boundOf(ctx, view);
        if (!pruned(top, b)) open = dfs(top, Math.max(nb[n], b.score));
      }
    }
    leave();
    if (stopped) { openBound = Math.min(openBound, open); break; }
  }
  if (stopped) {
    // Nodes nobody took: their bounds stay open too (another search may
    // take some meanwhile; counting them open as well is still a bound).
    // Sorted, the first untaken one has the least; unsorted (stopped while
    // bounding them), the whole space's bound stands for them.
    if (rootBound >= 0) openBound = Math.min(openBound, rootBound);
    else {
      const first = Math.max(0, shared ? Atomics.load(queue, 0) : queue[0]);
      if (first < nodes) openBound = Math.min(openBound, nb[byBound[first]]);
    }
  }
  return { best: found ? best : null, energyPJ: bestE, cycles: bestC, bestNode, bestLeaf, complete: !stopped, evaluated, prunedByBound, illegal, openBound };
}
