/**
 * The random baseline (as TVM keeps one beside every search): independent
 * samples of the mapspace, as many as the budget allows. Any other strategy
 * is worth its complexity only by how far it beats this one.
 */
import type { Strategy, StrategyContext } from './strategy.js';

/** Random sampling: each candidate a fresh {@link MapSpace.random} draw, until the budget is spent. */
export function randomStrategy(ctx: StrategyContext): Strategy {
  const { space, rng, budget, incumbent } = ctx;
  const cand = space.newGenome();
  return {
    name: 'random',
    next() {
      if (incumbent.evaluated >= budget) return null;
      space.random(rng, cand);
      return cand;
    },
    report() {},
  };
}
