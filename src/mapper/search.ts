/**
 * Mapping search on one thread: random sampling, then simulated annealing
 * with restarts over small moves (move a prime factor between loops, swap
 * two loops, flip a bypass). Deterministic for a given seed and evaluation
 * budget. The cost model is the compiled evaluator.
 */
import type { Arch } from '../arch/arch.js';
import { totals, type EnergyPlan } from '../model/cost.js';
import { CompiledBuffer, compileProblem } from '../model/compile.js';
import { Evaluator, type AnalysisOptions } from '../model/nest.js';
import { better, score, type Objective } from '../model/objective.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { MapSpace, Rng, type Genome } from './space.js';

export { type Objective, score, better } from '../model/objective.js';

export interface SearchOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Mappings to evaluate (the budget that makes a run reproducible). */
  readonly evaluations: number;
  /** Hard stop in ms (a run that hits it is no longer reproducible). */
  readonly timeLimitMs?: number;
  readonly analysis?: AnalysisOptions;
  /** Stop as soon as the best mapping satisfies this (for time-to-target measurements). */
  readonly stopWhen?: (energyPJ: number, cycles: number) => boolean;
  /** Called every ~2,000 evaluations with the numbers so far. */
  readonly onProgress?: (done: number, bestScore: number) => void;
}

export interface SearchStats {
  /** Mappings whose costs were computed. */
  evaluated: number;
  /** Candidates rejected before evaluation (fanout) or after counting (capacity). */
  pruned: number;
  timeMs: number;
  /** Evaluation at which the best was found. */
  bestAt: number;
  /** Whether the whole mapspace was enumerated (it fit the budget). */
  exhaustive: boolean;
}

export interface SearchResult {
  readonly best: Genome | null;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly stats: SearchStats;
}

export function search(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, opts: SearchOptions): SearchResult {
  const p = compileProblem(w, arch);
  const ev = new Evaluator(p, opts.analysis);
  const ops = operationCount(w);
  const S = w.dataSpaces.length;
  const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
  const rng = new Rng(opts.seed);
  const t0 = Date.now();
  const stats: SearchStats = { evaluated: 0, pruned: 0, timeMs: 0, bestAt: 0, exhaustive: false };
  const best = space.newGenome();
  let bestE = Infinity, bestC = Infinity, haveBest = false;
  const cur = space.newGenome();
  let curE = Infinity, curC = Infinity;
  const cand = space.newGenome();
  let lastE = 0, lastC = 0;

  const evaluate = (g: Genome): boolean => {
    space.compile(g, cm);
    const counts = ev.run(cm);
    stats.evaluated++;
    if (!space.fits(counts.utilizedCapacity, counts.kept)) { stats.pruned++; return false; }
    const t = totals(arch, counts, plan, S, ops);
    lastE = t.energyPJ;
    lastC = t.cycles;
    if (!haveBest || better(opts.objective, lastE, lastC, bestE, bestC)) {
      space.copy(g, best);
      bestE = lastE; bestC = lastC; haveBest = true;
      stats.bestAt = stats.evaluated;
    }
    if (opts.onProgress && stats.evaluated % 2000 === 0) opts.onProgress(stats.evaluated, score(opts.objective, bestE, bestC));
    return true;
  };
  const reached = () => opts.stopWhen !== undefined && haveBest && opts.stopWhen(bestE, bestC);
  const outOfTime = () => reached() || (opts.timeLimitMs !== undefined && (stats.evaluated & 255) === 0 && Date.now() - t0 > opts.timeLimitMs);

  const budget = opts.evaluations;
  // A mapspace that fits the budget is searched exhaustively (the bound on
  // its size counts orders of every loop that could be non-trivial).
  if (space.size() <= budget) {
    stats.exhaustive = true;
    space.enumerate((g) => { evaluate(g); return !outOfTime(); });
    stats.timeMs = Date.now() - t0;
    return { best: haveBest ? best : null, energyPJ: bestE, cycles: bestC, stats };
  }
  // Phase 1: random sampling.
  const sampling = Math.max(1, Math.min(Math.floor(budget * 0.2), 5000));
  while (stats.evaluated < sampling && !outOfTime()) {
    space.random(rng, cand);
    evaluate(cand);
  }
  // Phase 2: annealing restarts, alternating between the best so far and fresh samples.
  // Short segments: many restarts, half from the best so far, half from the
  // best of a few fresh samples (escapes from a poor basin).
  const segment = Math.max(1000, Math.min(4000, Math.floor((budget - sampling) / 8)));
  let restart = 0;
  // Consecutive candidates that were no move at all: a mapspace this narrow is exhausted.
  let idle = 0;
  search: while (stats.evaluated < budget && haveBest && !outOfTime()) {
    if (restart % 2 === 0) { space.copy(best, cur); curE = bestE; curC = bestC; }
    else {
      let found = 0;
      for (let k = 0; k < 200 && found < 20 && stats.evaluated < budget; k++) {
        space.random(rng, cand);
        if (!evaluate(cand)) continue;
        if (found === 0 || better(opts.objective, lastE, lastC, curE, curC)) { space.copy(cand, cur); curE = lastE; curC = lastC; }
        found++;
      }
      if (found === 0) { restart++; continue; }
    }
    restart++;
    const end = Math.min(budget, stats.evaluated + segment);
    const start = stats.evaluated;
    if (restart > 4 * Math.ceil(budget / segment) + 10) break;
    while (stats.evaluated < end && !outOfTime()) {
      space.copy(cur, cand);
      const moves = 1 + rng.int(3);
      let moved = false;
      for (let k = 0; k < moves; k++) moved = space.mutate(rng, cand) || moved;
      if (!moved) {
        if (++idle > 20000) break search;
        continue;
      }
      idle = 0;
      if (!evaluate(cand)) continue;
      // Temperature falls from 0.3 to 0.001 (in log-score units) over the segment.
      const frac = (stats.evaluated - start) / Math.max(1, end - start);
      const temp = 0.3 * Math.pow(0.001 / 0.3, frac);
      // In log-score units; a tie on the score (delay) is decided by energy.
      const sNew = score(opts.objective, lastE, lastC), sCur = score(opts.objective, curE, curC);
      const delta = sNew !== sCur ? Math.log(sNew) - Math.log(sCur) : Math.log(lastE) - Math.log(curE);
      if (delta <= 0 || rng.next() < Math.exp(-delta / temp)) {
        space.copy(cand, cur);
        curE = lastE; curC = lastC;
      }
    }
  }
  stats.timeMs = Date.now() - t0;
  return { best: haveBest ? best : null, energyPJ: bestE, cycles: bestC, stats };
}
