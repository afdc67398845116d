/**
 * A mapper run over several searches ("threads"): search i uses its own
 * seed (derived from the run's) and the whole evaluation budget; the best
 * result wins, ties going to the lower index. Search 0 is the one-thread
 * run, and it runs in this thread while the others start on the `Pool`, so
 * more threads never give a worse answer than one in the same time. The
 * answer depends on the seed and the number of searches, never on where
 * they ran. The exact strategy anneals for a first incumbent in every
 * search, then the searches share one branch-and-bound queue
 * (`exact.ts`).
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import type { AnalysisOptions } from '../model/nest.js';
import { inThreadPool, type Pool, type PoolTask } from '../util/pool.js';
import type { Workload } from '../workload/workload.js';
import type { Constraints } from '../mapping/constraints.js';
import { MapSpace, type Genome } from './space.js';
import { better, search, type Objective, type SearchResult, type SearchStats } from './search.js';
import { exactSearch, exactShared } from './exact.js';
import type { SparseObjective } from '../sparse/objective.js';

/** How a mapper run searches. */
export interface RunOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Searches (default 1), each with the whole budget. */
  readonly threads: number;
  /** Mappings each search may evaluate (Infinity: only the time limit stops the exact search). */
  readonly evaluations: number;
  readonly timeLimitMs?: number;
  /** Wall-clock stop (`Date.now()` ms) for every search of the run; the earlier of this and the time limit wins. */
  readonly deadline?: number;
  readonly analysis?: AnalysisOptions;
  /** Where the searches run (default: this thread). */
  readonly pool?: Pool;
  /**
   * The search algorithm (default anneal; exhaustive is chosen when the
   * mapspace fits the budget); `exact`: annealing for a first incumbent,
   * then branch-and-bound until done, the budget or the deadline.
   */
  readonly strategy?: 'anneal' | 'random' | 'exact';
  /** Total evaluations done so far across searches. */
  readonly onProgress?: (done: number) => void;
  /** Rank by the sparse cost (not with the exact strategy, whose bounds and pruning are dense). */
  readonly sparse?: SparseObjective | null;
  /**
   * The exact strategy's annealing budget per search before the
   * branch-and-bound (default: 2,000 on a space of ≤ 10⁶ canonical
   * mappings, else 200,000; never past half the time limit either way).
   */
  readonly exactAnneal?: number;
}

/** What the exact strategy adds to a run's statistics. */
export interface ExactStats {
  /** Every node of the tree was searched or pruned: the best is optimal. */
  readonly complete: boolean;
  /** The least bound of the subtrees left open (objective score; Infinity when complete). */
  readonly openBound: number;
  /** Leaves in subtrees the bound dropped (an upper count). */
  readonly prunedByBound: number;
  /** Leaves skipped as a whole because their tiles overflow a level. */
  readonly illegal: number;
  /** Evaluations of the annealing that gave the first incumbents (in `evaluated`). */
  readonly annealEvaluated: number;
}

/** The statistics of a run: the searches' added up. */
export type RunStats = SearchStats & { threads: number; exact?: ExactStats };

/** The best genome of a run and what it costs. */
export interface RunResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: RunStats;
}

/** The job one search does (structured-cloneable: it crosses to worker threads). */
export interface ThreadJob {
  readonly w: Workload;
  readonly arch: Arch;
  readonly constraints: Constraints;
  readonly plan: EnergyPlan;
  readonly objective: Objective;
  readonly seed: number;
  readonly evaluations: number;
  /** Wall-clock stop (`Date.now()` ms): one deadline for all searches, however late a worker starts. */
  readonly deadline?: number;
  readonly analysis?: AnalysisOptions;
  readonly strategy?: 'anneal' | 'random' | 'exact';
  readonly sparse?: SparseObjective | null;
  /** Exact strategy: the annealing's budget and stop, and the run's shared queue and incumbent. */
  readonly exact?: { readonly annealEvaluations: number; readonly annealUntil?: number; readonly shared: SharedArrayBuffer | ArrayBuffer };
}

/** What one search returns. */
export interface ThreadResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats & { exact?: ExactStats };
  /** Exact strategy: where the best was found (ties across searches go to the earliest leaf). */
  readonly bestNode?: number;
  readonly bestLeaf?: number;
}

/** Seed of search `i` of a run seeded `seed`. */
export function threadSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

/** One search of a mapper run, as a pool task. */
export const mapperSearchTask: PoolTask<ThreadJob, ThreadResult> = {
  name: 'mapper.search',
  run(job, progress) {
    const space = new MapSpace(job.w, job.arch, job.constraints);
    if (job.strategy === 'exact' && job.exact) return exactJob(job, job.exact, space, progress);
    return search(job.w, job.arch, space, job.plan, {
      objective: job.objective, seed: job.seed, evaluations: job.evaluations, deadline: job.deadline, analysis: job.analysis, strategy: job.strategy === 'exact' ? 'anneal' : job.strategy,
      sparse: job.sparse, onProgress: (done) => progress(done),
    });
  },
};

/** One search of an exact run: annealing for an incumbent, then its share of the branch-and-bound queue. */
function exactJob(job: ThreadJob, x: NonNullable<ThreadJob['exact']>, space: MapSpace, progress: (done: number) => void): ThreadResult {
  const t0 = Date.now();
  const annealStop = Math.min(job.deadline ?? Infinity, x.annealUntil ?? Infinity);
  const anneal = (evaluations: number, offset: number, seed: number) => search(job.w, job.arch, space, job.plan, {
    objective: job.objective, seed, evaluations, analysis: job.analysis, strategy: 'anneal',
    ...(annealStop !== Infinity ? { deadline: annealStop } : {}), onProgress: (done) => progress(offset + done),
  });
  let budget = Math.min(x.annealEvaluations, job.evaluations);
  // Under a time limit, a budget the annealing cannot finish in its time
  // never leaves its random-sampling phase (slow layers: ~11 ms a mapping):
  // a short probe measures the rate, and the annealing gets what fits.
  let probe: SearchResult | null = null;
  if (annealStop !== Infinity && budget > 4 * EXACT_PROBE) {
    const tp = Date.now();
    probe = anneal(EXACT_PROBE, 0, threadSeed(job.seed, 1 << 20));
    const rate = probe.stats.evaluated / Math.max(1, Date.now() - tp);
    budget = Math.max(EXACT_PROBE, Math.min(budget, Math.floor(rate * Math.max(0, annealStop - Date.now()) * 0.9)));
  }
  const main = anneal(budget, probe?.stats.evaluated ?? 0, job.seed);
  const a = probe && probe.best && (!main.best || better(job.objective, probe.energyPJ, probe.cycles, main.energyPJ, main.cycles))
    ? { ...probe, stats: { ...probe.stats, evaluated: probe.stats.evaluated + main.stats.evaluated } }
    : { ...main, stats: { ...main.stats, evaluated: main.stats.evaluated + (probe?.stats.evaluated ?? 0) } };
  const e = exactSearch(job.w, job.arch, space, job.plan, {
    objective: job.objective, deadline: job.deadline, evaluations: Math.max(0, job.evaluations - a.stats.evaluated), analysis: job.analysis,
    incumbent: a.best ? { genome: a.best, energyPJ: a.energyPJ, cycles: a.cycles } : null, shared: x.shared,
    onProgress: (done) => progress(a.stats.evaluated + done),
  });
  const fromExact = e.best !== null && e.bestNode !== Infinity;
  const stats = {
    evaluated: a.stats.evaluated + e.evaluated, pruned: a.stats.pruned + e.illegal, timeMs: Date.now() - t0,
    bestAt: fromExact ? a.stats.evaluated + e.evaluated : a.stats.bestAt, exhaustive: e.complete, timedOut: !e.complete,
    exact: { complete: e.complete, openBound: e.openBound, prunedByBound: e.prunedByBound, illegal: e.illegal, annealEvaluated: a.stats.evaluated },
  };
  return { best: e.best, energyPJ: e.energyPJ, cycles: e.cycles, stats, bestNode: e.bestNode, bestLeaf: e.bestLeaf };
}

/** Whether search result a beats b: the objective, then (exact searches) the earlier leaf. */
function wins(objective: Objective, a: ThreadResult, b: ThreadResult): boolean {
  if (better(objective, a.energyPJ, a.cycles, b.energyPJ, b.cycles)) return true;
  if (a.energyPJ !== b.energyPJ || a.cycles !== b.cycles) return false;
  const an = a.bestNode ?? Infinity, bn = b.bestNode ?? Infinity;
  return an < bn || (an === bn && (a.bestLeaf ?? 0) < (b.bestLeaf ?? 0));
}

/** Evaluations of the annealing before an exact search: a short one on a space this small, the default budget above. */
const EXACT_ANNEAL_SMALL = 2000, EXACT_ANNEAL = 200_000, SMALL_SPACE = 1e6;

/** Evaluations of the probe that measures how fast a time-limited exact run's annealing goes. */
const EXACT_PROBE = 400;

/** Search the mapspace of `w` on `arch` under `constraints`; the best of all searches. */
export async function runMapper(w: Workload, arch: Arch, constraints: Constraints, plan: EnergyPlan, o: RunOptions): Promise<RunResult> {
  const size = new MapSpace(w, arch, constraints).size();
  if (o.sparse && o.strategy === 'exact') throw new Error('the exact search prunes by dense bounds and capacities: it cannot rank under sparsity');
  const exact = o.strategy === 'exact';
  // A mapspace small enough to enumerate is enumerated once.
  const small = !exact && o.strategy !== 'random' && size <= o.evaluations;
  const threads = small ? 1 : Math.max(1, Math.floor(o.threads));
  const t0 = Date.now();
  const deadline = Math.min(o.deadline ?? Infinity, o.timeLimitMs !== undefined ? t0 + o.timeLimitMs : Infinity);
  // The exact run anneals for at most half its time, then prunes.
  const shared = exact ? exactShared() : undefined;
  const annealUntil = deadline === Infinity ? undefined : t0 + (deadline - t0) / 2;
  const jobs: ThreadJob[] = [];
  for (let i = 0; i < threads; i++) {
    jobs.push({
      w, arch, constraints, plan, objective: o.objective, seed: threadSeed(o.seed, i), evaluations: o.evaluations, ...(deadline !== Infinity ? { deadline } : {}), analysis: o.analysis, strategy: o.strategy,
      ...(o.sparse ? { sparse: o.sparse } : {}),
      ...(shared ? { exact: { annealEvaluations: o.exactAnneal ?? (size <= SMALL_SPACE ? EXACT_ANNEAL_SMALL : EXACT_ANNEAL), ...(annealUntil !== undefined ? { annealUntil } : {}), shared } } : {}),
    });
  }
  const done = new Array<number>(threads).fill(0);
  const onProgress = (i: number, d: number) => {
    done[i] = d;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  // Search 0 runs here, the others on the pool, started first so that they
  // run while this one does (without a pool they follow it here).
  const rest = () => (o.pool ?? inThreadPool).run(mapperSearchTask, jobs.slice(1), (i, d) => onProgress(i + 1, d));
  const others = threads > 1 && o.pool ? rest() : undefined;
  let first: ThreadResult;
  try {
    first = mapperSearchTask.run(jobs[0], (d) => onProgress(0, d));
  } catch (e) {
    await others?.catch(() => undefined);
    throw e;
  }
  const results = [first, ...(threads > 1 ? await (others ?? rest()) : [])];
  let best: ThreadResult | null = null;
  const stats = { evaluated: 0, pruned: 0, timeMs: Date.now() - t0, bestAt: 0, threads, exhaustive: results.every((r) => r.stats.exhaustive), timedOut: results.some((r) => r.stats.timedOut) };
  for (const r of results) {
    stats.evaluated += r.stats.evaluated;
    stats.pruned += r.stats.pruned;
    if (r.best && (!best || !best.best || wins(o.objective, r, best))) best = r;
  }
  if (best) stats.bestAt = best.stats.bestAt;
  let exactStats: ExactStats | undefined;
  if (exact) {
    const xs = results.map((r) => r.stats.exact!);
    exactStats = {
      complete: xs.every((x) => x.complete), openBound: Math.min(...xs.map((x) => x.openBound)),
      prunedByBound: xs.reduce((a, x) => a + x.prunedByBound, 0), illegal: xs.reduce((a, x) => a + x.illegal, 0), annealEvaluated: xs.reduce((a, x) => a + x.annealEvaluated, 0),
    };
  }
  return { best: best?.best ?? null, energyPJ: best?.energyPJ ?? Infinity, cycles: best?.cycles ?? Infinity, stats: { ...stats, ...(exactStats ? { exact: exactStats } : {}) } };
}
