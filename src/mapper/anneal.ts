/**
 * Random sampling, then simulated annealing with restarts over the named
 * moves. Restarts alternate between the best mapping so far and the best of
 * a few fresh samples (an escape from a poor basin); each restart anneals
 * for one short segment whose temperature falls geometrically. Written as a
 * state machine behind {@link Strategy} so the loop stays allocation-free.
 */
import { MOVE_NAMES, movesOf, type Move, type MoveName } from './moves.js';
import { better, score } from '../model/objective.js';
import type { Strategy, StrategyContext } from './strategy.js';

/** The knobs of {@link annealStrategy}. The defaults are the tuned values every published figure was made with. */
export interface AnnealParams {
  /** Share of the budget spent on random sampling first… */
  readonly samplingShare: number;
  /** …but at most this many samples. */
  readonly samplingMax: number;
  /** The rest of the budget is cut into about this many annealing segments… */
  readonly segments: number;
  /** …each between these lengths (evaluations). */
  readonly segmentMin: number;
  readonly segmentMax: number;
  /** A fresh restart draws up to this many samples… */
  readonly restartTries: number;
  /** …and starts from the best of the first this-many legal ones. */
  readonly restartKeep: number;
  /** Each step applies 1 to this many moves. */
  readonly maxMovesPerStep: number;
  /** Temperature at the start and end of a segment, in log-score units. */
  readonly temperatureStart: number;
  readonly temperatureEnd: number;
  /** Consecutive steps in which no move applied before the space counts as exhausted. */
  readonly idleLimit: number;
  /** Give up after restarts > restartsPerSegment × (budget / segment) + restartsExtra. */
  readonly restartsPerSegment: number;
  readonly restartsExtra: number;
  /** Relative weight of each move (the move mix). */
  readonly moves: Readonly<Record<MoveName, number>>;
}

/** The defaults (changing any of them changes every annealing result for a seed). */
export const ANNEAL_DEFAULTS: AnnealParams = {
  samplingShare: 0.2,
  samplingMax: 5000,
  segments: 8,
  segmentMin: 1000,
  segmentMax: 4000,
  restartTries: 200,
  restartKeep: 20,
  maxMovesPerStep: 3,
  temperatureStart: 0.3,
  temperatureEnd: 0.001,
  idleLimit: 20000,
  restartsPerSegment: 4,
  restartsExtra: 10,
  moves: { 'redeal-factors': 0.08, 'reorder-level': 0.02, 'move-prime': 0.5, 'swap-loops': 0.25, 'flip-bypass': 0.15, 'change-pad': 0.1 },
};

const SAMPLE = 0, OUTER = 1, RESTART = 2, SEGMENT = 3, DONE = 4;

/** Simulated annealing with restarts, after a sampling phase; `params` default to {@link ANNEAL_DEFAULTS}. */
export function annealStrategy(ctx: StrategyContext, params: Partial<AnnealParams> = {}): Strategy {
  // The defaults themselves when nothing is overridden: a spread copy per search is an object V8 may shape
  // differently from one search to the next, and the optimised steps that read P would be discarded.
  let custom = false;
  for (const _ in params) { custom = true; break; }
  const P: AnnealParams = custom ? { ...ANNEAL_DEFAULTS, ...params } : ANNEAL_DEFAULTS;
  const { space, rng, objective, budget, incumbent: inc } = ctx;
  const moves = movesOf(space);
  // Cumulative weights: a draw r in [0, 1) picks the first move whose band ends above r·total.
  const bands = new Float64Array(moves.length);
  let total = 0;
  // `change-pad` only where the space has pads: a perfect space draws as it always did.
  MOVE_NAMES.forEach((name, i) => { total += name === 'change-pad' && !space.imperfect ? 0 : P.moves[name]; bands[i] = total; });
  const pick = (r: number): Move => {
    const x = r * total;
    for (let i = 0; i < bands.length - 1; i++) if (x < bands[i]) return moves[i];
    return moves[moves.length - 1];
  };
  const sampling = Math.max(1, Math.min(Math.floor(budget * P.samplingShare), P.samplingMax));
  const segment = Math.max(P.segmentMin, Math.min(P.segmentMax, Math.floor((budget - sampling) / P.segments)));
  const maxRestarts = P.restartsPerSegment * Math.ceil(budget / segment) + P.restartsExtra;
  const tempRatio = P.temperatureEnd / P.temperatureStart;

  const cur = space.newGenome();
  const cand = space.newGenome();
  let curE = Infinity, curC = Infinity;
  let phase = SAMPLE;
  let restart = 0;
  // Consecutive steps that were no move at all: a mapspace this narrow is exhausted.
  let idle = 0;
  // Restart sampling: tries so far, legal samples so far.
  let tries = 0, found = 0;
  let start = 0, end = 0;

  const beginSegment = () => {
    restart++;
    end = Math.min(budget, inc.evaluated + segment);
    start = inc.evaluated;
    phase = restart > maxRestarts ? DONE : SEGMENT;
  };

  return {
    name: 'anneal',
    next() {
      for (;;) {
        switch (phase) {
          case SAMPLE:
            if (inc.evaluated < sampling) { space.random(rng, cand); return cand; }
            phase = OUTER;
            break;
          case OUTER:
            if (!(inc.evaluated < budget && inc.found)) { phase = DONE; break; }
            if (restart % 2 === 0) {
              space.copy(inc.best, cur);
              curE = inc.energyPJ; curC = inc.cycles;
              beginSegment();
            } else { tries = 0; found = 0; phase = RESTART; }
            break;
          case RESTART:
            if (tries < P.restartTries && found < P.restartKeep && inc.evaluated < budget) { space.random(rng, cand); return cand; }
            if (found === 0) { restart++; phase = OUTER; } else beginSegment();
            break;
          case SEGMENT: {
            if (inc.evaluated >= end) { phase = OUTER; break; }
            space.copy(cur, cand);
            const n = 1 + rng.int(P.maxMovesPerStep);
            let moved = false;
            for (let k = 0; k < n; k++) moved = pick(rng.next()).apply(rng, cand) || moved;
            if (!moved) {
              if (++idle > P.idleLimit) phase = DONE;
              break;
            }
            idle = 0;
            return cand;
          }
          default:
            return null;
        }
      }
    },
    report(outcome, e, c) {
      if (phase === RESTART) {
        tries++;
        if (outcome !== 'evaluated') return;
        if (found === 0 || better(objective, e, c, curE, curC)) { space.copy(cand, cur); curE = e; curC = c; }
        found++;
      } else if (phase === SEGMENT && outcome === 'evaluated') {
        const frac = (inc.evaluated - start) / Math.max(1, end - start);
        const temp = P.temperatureStart * Math.pow(tempRatio, frac);
        // In log-score units; a tie on the score (delay) is decided by energy.
        const sNew = score(objective, e, c), sCur = score(objective, curE, curC);
        const delta = sNew !== sCur ? Math.log(sNew) - Math.log(sCur) : Math.log(e) - Math.log(curE);
        if (delta <= 0 || rng.next() < Math.exp(-delta / temp)) {
          space.copy(cand, cur);
          curE = e; curC = c;
        }
      }
    },
  };
}
