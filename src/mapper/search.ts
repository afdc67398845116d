/**
 * Mapping search on one thread: the loop that drives a {@link Strategy}
 * (annealing by default, random sampling as the baseline, exhaustive when
 * the mapspace fits the budget). It compiles each candidate, runs the
 * evaluator, checks capacity, keeps the best and reports back.
 * Deterministic for a given seed, strategy and evaluation budget.
 */
import type { Arch } from '../arch/arch.js';
import { totals, type EnergyPlan } from '../model/cost.js';
import { CompiledBuffer, compileProblem } from '../model/compile.js';
import { Evaluator, type AnalysisOptions } from '../model/nest.js';
import { better, score, type Objective } from '../model/objective.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { Rng } from '../util/rng.js';
import { annealStrategy } from './anneal.js';
import { exhaustiveStrategy } from './exhaustive.js';
import { randomStrategy } from './random-search.js';
import type { SearchMemo } from './memo.js';
import type { MapSpace, Genome } from './space.js';
import type { Incumbent, Strategy, StrategyContext, StrategyName } from './strategy.js';
import { SparseRanker, type SparseObjective } from '../sparse/objective.js';

export { type Objective, score, better } from '../model/objective.js';

/** How long past its deadline a search that has found no legal mapping yet may go on looking for one. */
export const GRACE_MS = 1000;

/** How one search runs: objective, seed, budget, strategy, stopping rules. */
export interface SearchOptions {
  readonly objective: Objective;
  /** Seed of the run's {@link Rng}: same seed, strategy and budget, same result. */
  readonly seed: number;
  /** Mappings to evaluate (the budget that makes a run reproducible). */
  readonly evaluations: number;
  /** Hard stop in ms (a run that hits it is no longer reproducible). */
  readonly timeLimitMs?: number;
  /**
   * Hard stop as a wall-clock time (`Date.now()` ms), shared by every search
   * of a run so that threads and the baseline all end by one deadline; the
   * earlier of this and {@link SearchOptions.timeLimitMs} wins.
   */
  readonly deadline?: number;
  /** Counting options passed to the evaluator (the convention). */
  readonly analysis?: AnalysisOptions;
  /**
   * `anneal` (default) or `random` (the baseline: independent samples, same
   * budget). A mapspace that fits the budget is enumerated instead of
   * annealed; `random` always samples, so it stays a baseline.
   */
  readonly strategy?: 'anneal' | 'random';
  /**
   * Rank candidates by their sparse cost (Sparseloop's), with the capacity
   * check on compressed tiles (a mapping that fits only compressed is legal).
   */
  readonly sparse?: SparseObjective | null;
  /** Stop as soon as the best mapping satisfies this (for time-to-target measurements). */
  readonly stopWhen?: (energyPJ: number, cycles: number) => boolean;
  /** Called every ~2,000 evaluations with the numbers so far. */
  readonly onProgress?: (done: number, bestScore: number) => void;
  /** Answer repeated loop nests from this memo (dense ranking only; the caller resets it per search). */
  readonly memo?: SearchMemo;
}

/** What a search did. */
export interface SearchStats {
  /** Mappings whose costs were computed. */
  evaluated: number;
  /** Candidates rejected before evaluation (fanout) or after counting (capacity). */
  pruned: number;
  /** Wall time of the search (not reproducible; kept out of `--json`). */
  timeMs: number;
  /** Evaluation at which the best was found. */
  bestAt: number;
  /** Whether the whole mapspace was enumerated (it fit the budget, and no time limit cut it short). */
  exhaustive: boolean;
  /** Whether the time limit stopped the search before its budget was spent. */
  timedOut: boolean;
}

/** The best legal mapping found (null if none was), its cost and the search's statistics. */
export interface SearchResult {
  readonly best: Genome | null;
  /** Cost of `best` (Infinity if none). */
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats;
  /** The strategy that ran (`exhaustive` when the space fit the budget). */
  readonly strategy: StrategyName;
}

/**
 * Search the mapspace for the best mapping of `w` on `arch` under
 * `opts.objective`, with the strategy `opts.strategy` (exhaustive instead
 * of annealing when the space fits the budget).
 * @throws UnmappableError if the space has no mapping within the fanouts.
 */
export function search(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, opts: SearchOptions): SearchResult {
  // A mapspace that fits the budget is searched exhaustively (the bound on
  // its size counts orders of every loop that could be non-trivial).
  // Enumeration covers perfect factors only: a space with imperfect ones anneals.
  const make = opts.strategy === 'random' ? randomStrategy : space.size() <= opts.evaluations && !space.imperfect ? exhaustiveStrategy : annealStrategy;
  return searchWith(w, arch, space, plan, opts, make);
}

/** {@link search} with a given strategy (`opts.strategy` is ignored): for strategies `search` does not name. */
export function searchWith(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, opts: SearchOptions, make: (ctx: StrategyContext) => Strategy): SearchResult {
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, opts.analysis);
  const ops = operationCount(w);
  const S = w.dataSpaces.length;
  const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
  const ranker = opts.sparse ? new SparseRanker(w, arch, opts.sparse) : null;
  // A memo keys on the compiled nest, which is all a dense cost depends on.
  const memo = ranker ? null : opts.memo ?? null;
  const mt = { energyPJ: 0, cycles: 0 };
  const t0 = Date.now();
  const inc: { -readonly [K in keyof Incumbent]: Incumbent[K] } = { evaluated: 0, found: false, best: space.newGenome(), energyPJ: Infinity, cycles: Infinity };
  const strategy = make({ space, rng: new Rng(opts.seed), objective: opts.objective, budget: opts.evaluations, incumbent: inc });
  const stats: SearchStats = { evaluated: 0, pruned: 0, timeMs: 0, bestAt: 0, exhaustive: false, timedOut: false };
  const deadline = Math.min(opts.deadline ?? Infinity, opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : Infinity);
  // The clock is read every 16 candidates: an evaluation takes microseconds
  // and a move is bounded by the prime table, so the deadline is kept to
  // well under a millisecond, at a cost the evaluator does not notice. A
  // search with no legal mapping yet (a worker that started late) runs on
  // to its first one, for at most GRACE_MS more: an answer, not an error.
  const timeUp = () => deadline !== Infinity && (inc.evaluated & 15) === 0 && Date.now() >= (inc.found ? deadline : deadline + GRACE_MS) && (stats.timedOut = true);
  const stop = () => (opts.stopWhen !== undefined && inc.found && opts.stopWhen(inc.energyPJ, inc.cycles)) || timeUp();

  let finished = false;
  for (let g: Genome | null; !stop(); ) {
    if ((g = strategy.next()) === null) { finished = true; break; }
    space.compile(g, cm);
    inc.evaluated++;
    let t: { readonly energyPJ: number; readonly cycles: number } | null;
    if (memo) {
      memo.find(cm);
      if (memo.hit >= 0) {
        if (memo.isLegal(memo.hit)) { mt.energyPJ = memo.energyOf(memo.hit); mt.cycles = memo.cyclesOf(memo.hit); t = mt; } else t = null;
      } else {
        const counts = ev.run(cm);
        t = space.fits(counts.utilizedCapacity, counts.kept) ? totals(arch, counts, plan, S, ops, mt) : null;
        memo.add(cm, t !== null, t?.energyPJ ?? 0, t?.cycles ?? 0);
      }
    } else {
      const counts = ev.run(cm);
      t = ranker ? ranker.cost(ranker.needsMapping ? space.toMapping(g) : cm, counts) : space.fits(counts.utilizedCapacity, counts.kept) ? totals(arch, counts, plan, S, ops) : null;
    }
    if (t === null) { stats.pruned++; strategy.report('illegal', 0, 0); continue; }
    const e = t.energyPJ, c = t.cycles;
    if (!inc.found || better(opts.objective, e, c, inc.energyPJ, inc.cycles)) {
      space.copy(g, inc.best);
      inc.energyPJ = e; inc.cycles = c; inc.found = true;
      stats.bestAt = inc.evaluated;
    }
    if (opts.onProgress && inc.evaluated % 2000 === 0) opts.onProgress(inc.evaluated, score(opts.objective, inc.energyPJ, inc.cycles));
    strategy.report('evaluated', e, c);
  }
  stats.evaluated = inc.evaluated;
  stats.exhaustive = strategy.name === 'exhaustive' && finished;
  stats.timeMs = Date.now() - t0;
  return { best: inc.found ? inc.best : null, energyPJ: inc.energyPJ, cycles: inc.cycles, stats, strategy: strategy.name };
}
