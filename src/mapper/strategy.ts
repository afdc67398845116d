/**
 * The seam between the search loop and a search algorithm, in Timeloop's
 * `Next`/`Report` shape: the algorithm proposes a candidate genome, the loop
 * compiles and evaluates it and reports the outcome back. The loop owns the
 * evaluation count and the best mapping so far (the incumbent); algorithms
 * see them read-only and never evaluate anything themselves.
 */
import type { Rng } from '../util/rng.js';
import type { Objective } from '../model/objective.js';
import type { Genome, MapSpace } from './space.js';

/** The strategies `search` knows by name. */
export type StrategyName = 'anneal' | 'random' | 'exhaustive';

/**
 * What became of a candidate: `illegal` — counted, but its tiles overflow a
 * level's capacity (no cost); `evaluated` — a legal mapping with its cost.
 */
export type Outcome = 'illegal' | 'evaluated';

/** The loop's view of the search so far, read-only to strategies. */
export interface Incumbent {
  /** Candidates evaluated so far, the one being reported included. */
  readonly evaluated: number;
  /** Whether any legal mapping has been found. */
  readonly found: boolean;
  /** The best legal mapping so far (meaningful once `found`). */
  readonly best: Genome;
  /** Cost of `best` (Infinity until `found`). */
  readonly energyPJ: number;
  readonly cycles: number;
}

/** A search algorithm driven by the loop. */
export interface Strategy {
  /** Reported in the search result. */
  readonly name: StrategyName;
  /**
   * The next candidate, or null when the strategy is done. The genome
   * belongs to the strategy; the loop reads it before the matching
   * {@link Strategy.report} and does not keep it.
   */
  next(): Genome | null;
  /**
   * The outcome of the last candidate; `energyPJ` and `cycles` are its cost
   * when `evaluated` (0 when `illegal`). The incumbent is already updated.
   */
  report(outcome: Outcome, energyPJ: number, cycles: number): void;
}

/** What a strategy is built from. */
export interface StrategyContext {
  /** The mapspace candidates are drawn from. */
  readonly space: MapSpace;
  /** The run's seeded random source (its draws make a run reproducible). */
  readonly rng: Rng;
  /** What "better" means. */
  readonly objective: Objective;
  /** Candidates the run may evaluate. */
  readonly budget: number;
  readonly incumbent: Incumbent;
}
