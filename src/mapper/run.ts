/**
 * A mapper run split into independent searches ("threads"): search i uses
 * its own seed (derived from the run's) and an equal share of the
 * evaluation budget; the best result wins, ties going to the lower index.
 * The searches are jobs of a `Pool`, so the answer depends on the seed and
 * the number of searches, never on where they ran.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import type { AnalysisOptions } from '../model/nest.js';
import { inThreadPool, type Pool, type PoolTask } from '../util/pool.js';
import type { Workload } from '../workload/workload.js';
import type { Constraints } from '../mapping/constraints.js';
import { MapSpace, type Genome } from './space.js';
import { better, search, type Objective, type SearchStats } from './search.js';

/** How a mapper run searches. */
export interface RunOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Independent searches the budget is split over (default 1). */
  readonly threads: number;
  /** Mappings to evaluate in all. */
  readonly evaluations: number;
  readonly timeLimitMs?: number;
  /** Wall-clock stop (`Date.now()` ms) for every search of the run; the earlier of this and the time limit wins. */
  readonly deadline?: number;
  readonly analysis?: AnalysisOptions;
  /** Where the searches run (default: this thread). */
  readonly pool?: Pool;
  /** The search algorithm (default anneal; exhaustive is chosen when the mapspace fits the budget). */
  readonly strategy?: 'anneal' | 'random';
  /** Total evaluations done so far across searches. */
  readonly onProgress?: (done: number) => void;
}

/** The best genome of a run and what it costs. */
export interface RunResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats & { threads: number };
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
  readonly strategy?: 'anneal' | 'random';
}

/** What one search returns. */
export interface ThreadResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats;
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
    return search(job.w, job.arch, space, job.plan, {
      objective: job.objective, seed: job.seed, evaluations: job.evaluations, deadline: job.deadline, analysis: job.analysis, strategy: job.strategy,
      onProgress: (done) => progress(done),
    });
  },
};

/** Search the mapspace of `w` on `arch` under `constraints`; the best of all searches. */
export async function runMapper(w: Workload, arch: Arch, constraints: Constraints, plan: EnergyPlan, o: RunOptions): Promise<RunResult> {
  // A mapspace small enough to enumerate is enumerated once.
  const small = o.strategy !== 'random' && new MapSpace(w, arch, constraints).size() <= o.evaluations;
  const threads = small ? 1 : Math.max(1, Math.floor(o.threads));
  const t0 = Date.now();
  const deadline = Math.min(o.deadline ?? Infinity, o.timeLimitMs !== undefined ? t0 + o.timeLimitMs : Infinity);
  const jobs: ThreadJob[] = [];
  for (let i = 0; i < threads; i++) {
    const share = Math.floor(o.evaluations / threads) + (i < o.evaluations % threads ? 1 : 0);
    jobs.push({ w, arch, constraints, plan, objective: o.objective, seed: threadSeed(o.seed, i), evaluations: share, ...(deadline !== Infinity ? { deadline } : {}), analysis: o.analysis, strategy: o.strategy });
  }
  const done = new Array<number>(threads).fill(0);
  const results = await (threads === 1 ? inThreadPool : o.pool ?? inThreadPool).run(mapperSearchTask, jobs, (i, d) => {
    done[i] = d;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  });
  let best: ThreadResult | null = null;
  const stats = { evaluated: 0, pruned: 0, timeMs: Date.now() - t0, bestAt: 0, threads, exhaustive: results.every((r) => r.stats.exhaustive), timedOut: results.some((r) => r.stats.timedOut) };
  for (const r of results) {
    stats.evaluated += r.stats.evaluated;
    stats.pruned += r.stats.pruned;
    if (r.best && (!best || !best.best || better(o.objective, r.energyPJ, r.cycles, best.energyPJ, best.cycles))) best = r;
  }
  if (best) stats.bestAt = best.stats.bestAt;
  return { best: best?.best ?? null, energyPJ: best?.energyPJ ?? Infinity, cycles: best?.cycles ?? Infinity, stats };
}
