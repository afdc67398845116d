/**
 * NetAdapt's look-up-table searches: the mapper's own loop (`searchWith`)
 * with a memo of the loop nests already evaluated (mapper/memo.ts). Of an
 * anchor's 1,000 candidates only 33–53% are distinct loop nests, of a
 * variant's 32 only 8–13 (MobileNet on Eyeriss): the search takes the same
 * path and returns the same mapping and cost as without the memo (tested),
 * with fewer evaluations. One {@link SearchMemo} serves every search of a
 * table (its arrays are kept and grown, not reallocated per entry).
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyPlan } from '../model/cost.js';
import type { Objective } from '../model/objective.js';
import { annealStrategy } from '../mapper/anneal.js';
import { exhaustiveStrategy } from '../mapper/exhaustive.js';
import { SearchMemo } from '../mapper/memo.js';
import { threadSeed } from '../mapper/run.js';
import { searchWith } from '../mapper/search.js';
import type { Genome, MapSpace } from '../mapper/space.js';
import type { Strategy, StrategyContext } from '../mapper/strategy.js';
import type { Workload } from '../workload/workload.js';

export { SearchMemo };

/** The best mapping a search found (null if none was legal), its cost, and how many candidates the evaluator really ran. */
export interface MemoSearchResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  /** Candidates the strategy proposed (the budget spent). */
  readonly candidates: number;
  /** Of them, distinct loop nests: the evaluations actually run. */
  readonly evaluated: number;
}

/** A search's objective, seed and budget. */
export interface MemoSearchOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Candidates the strategy may propose (repeats included, as in `searchWith`). */
  readonly evaluations: number;
}

/**
 * One search through `searchWith` (mapper/search.ts) with `memo` reset for
 * it: the same candidates, reports and result, and how many of them the
 * evaluator really ran.
 */
export function memoSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: MemoSearchOptions, make: (ctx: StrategyContext) => Strategy, memo: SearchMemo): MemoSearchResult {
  memo.reset(o.evaluations);
  const r = searchWith(w, arch, space, plan, { objective: o.objective, seed: o.seed, evaluations: o.evaluations, memo }, make);
  return { best: r.best, energyPJ: r.energyPJ, cycles: r.cycles, candidates: r.stats.evaluated, evaluated: memo.entries };
}

/**
 * The mapper's full one-thread search (`runMapper` with `threads: 1`: the
 * run's first thread seed, exhaustive when the space fits the budget, else
 * annealing) through {@link memoSearch}: the same mapping and cost.
 */
export function fullMemoSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: MemoSearchOptions, memo: SearchMemo): MemoSearchResult {
  const make = space.size() <= o.evaluations && !space.imperfect ? exhaustiveStrategy : annealStrategy;
  return memoSearch(w, arch, space, plan, { ...o, seed: threadSeed(o.seed, 0) }, (ctx) => make(ctx), memo);
}
