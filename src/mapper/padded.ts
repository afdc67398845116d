/**
 * The two-stage search of a mapspace with imperfect factors (`map
 * --imperfect`). Counting a nest's true partial tiles (model/imperfect.ts)
 * costs milliseconds, the perfect kernel microseconds; so stage 1 anneals
 * with the perfect kernel on the padded workload (a padded genome with its
 * residuals dropped is a perfect mapping of the workload whose bounds are
 * the pads), and keeps the best {@link PaddedSearchOptions.keep} distinct
 * candidates; stage 2 counts each of them by the exact rule and returns the
 * best of those. The proxy's cycles bill the padding as real work (full
 * last passes: never fewer cycles than the exact rule, pinned by a test);
 * its energy is the padded workload's per MAC times the real MACs (billing
 * the padded MACs in full would push every imperfect candidate out under
 * the energy objective); stage 2 corrects the order among the survivors. Its capacity check is on the padded (larger) tiles, so a
 * candidate that fits only because its last pass is partial is dropped.
 */
import type { Arch } from '../arch/arch.js';
import { totals, type EnergyPlan } from '../model/cost.js';
import { CompiledBuffer, compileProblem, type CompiledProblem } from '../model/compile.js';
import { Evaluator, type AnalysisOptions } from '../model/nest.js';
import { better, score, type Objective } from '../model/objective.js';
import { operationCount, type Workload } from '../workload/workload.js';
import { Rng } from '../util/rng.js';
import { annealStrategy } from './anneal.js';
import { randomStrategy } from './random-search.js';
import type { MapSpace, Genome } from './space.js';
import type { Incumbent } from './strategy.js';
import type { RunResult } from './run.js';

/** How the two-stage search runs. */
export interface PaddedSearchOptions {
  readonly objective: Objective;
  readonly seed: number;
  /** Stage 1's budget (perfect-kernel evaluations). */
  readonly evaluations: number;
  /** Wall-clock stop (`Date.now()` ms) of stage 1; stage 2 always runs on what stage 1 kept. */
  readonly deadline?: number;
  /** Distinct candidates stage 1 hands to stage 2 (default {@link PADDED_KEEP}). */
  readonly keep?: number;
  /** Stage 2's counting (its convention; partial tiles are counted exactly). */
  readonly convention?: 'v4' | 'v3';
  readonly onProgress?: (done: number) => void;
  /** Stage 1's strategy: annealing (default) or random sampling (the baseline, ranked the same way). */
  readonly strategy?: 'anneal' | 'random';
}

/** Candidates re-ranked by the exact rule by default (1–150 ms each on ViT-B/16's layers). */
export const PADDED_KEEP = 32;

/** A stage-1 survivor. */
interface Kept { genome: Genome; score: number; energyPJ: number; cycles: number; key: string }

/** The padded workloads' compiled problems and evaluators, one per pad choice. */
class PaddedEvaluators {
  private readonly cache = new Map<string, { p: CompiledProblem; ev: Evaluator; ops: number }>();
  constructor(readonly w: Workload, readonly arch: Arch, readonly space: MapSpace, readonly analysis: AnalysisOptions) {}

  of(g: Genome): { p: CompiledProblem; ev: Evaluator; ops: number } {
    let key = '';
    for (let d = 0; d < g.pad.length; d++) key += g.pad[d] + ',';
    let hit = this.cache.get(key);
    if (!hit) {
      const bounds = this.w.bounds.map((b, d) => this.space.pads[d][g.pad[d]] ?? b);
      const pw: Workload = { ...this.w, bounds };
      const p = compileProblem(pw, this.arch);
      hit = { p, ev: new Evaluator(p, this.analysis), ops: operationCount(pw) };
      this.cache.set(key, hit);
    }
    return hit;
  }
}

/** The loops of a compiled mapping, residuals included: equal keys, equal mappings. */
function keyOf(cm: CompiledBuffer): string {
  let k = '';
  for (let i = 0; i < cm.n; i++) k += `${cm.level[i]}.${cm.spatial[i]}.${cm.axisY[i]}.${cm.dim[i]}.${cm.factor[i]}.${cm.residual[i]};`;
  for (let i = 0; i < cm.keep.length; i++) k += cm.keep[i];
  return k;
}

/** Drop the residuals: the perfect mapping of the padded workload. */
function asPadded(cm: CompiledBuffer): void {
  for (let i = 0; i < cm.n; i++) cm.residual[i] = cm.factor[i];
  cm.imperfect = 0;
}

/**
 * Anneal by the padded proxy, then re-rank the best distinct candidates by
 * the exact partial-tile rule; the result's cost is the exact one.
 * Deterministic for a seed and budget (a deadline can cut stage 1 short).
 */
export function paddedSearch(w: Workload, arch: Arch, space: MapSpace, plan: EnergyPlan, o: PaddedSearchOptions): RunResult {
  const t0 = Date.now();
  const convention = o.convention ?? 'v4';
  const K = Math.max(1, o.keep ?? PADDED_KEEP);
  const S = w.dataSpaces.length;
  const ops = operationCount(w);
  const proxies = new PaddedEvaluators(w, arch, space, { convention });
  const cm = new CompiledBuffer(space.maxLoops, space.L * space.S);
  const inc: { -readonly [K in keyof Incumbent]: Incumbent[K] } = { evaluated: 0, found: false, best: space.newGenome(), energyPJ: Infinity, cycles: Infinity };
  const strategy = (o.strategy === 'random' ? randomStrategy : annealStrategy)({ space, rng: new Rng(o.seed), objective: o.objective, budget: o.evaluations, incumbent: inc });
  const deadline = o.deadline ?? Infinity;
  let pruned = 0, timedOut = false, bestAt = 0;
  // Survivors, best first (ties: the earlier found stays ahead).
  const kept: Kept[] = [];
  const keys = new Set<string>();
  for (let g: Genome | null; ; ) {
    if (deadline !== Infinity && (inc.evaluated & 15) === 0 && Date.now() >= deadline && (inc.found || Date.now() >= deadline + 1000)) { timedOut = true; break; }
    if ((g = strategy.next()) === null) break;
    space.compile(g, cm);
    asPadded(cm);
    const px = proxies.of(g);
    const counts = px.ev.run(cm);
    inc.evaluated++;
    const t = space.fits(counts.utilizedCapacity, counts.kept) ? totals(arch, counts, plan, S, px.ops) : null;
    if (t === null) { pruned++; strategy.report('illegal', 0, 0); continue; }
    // Energy per real MAC: the padded workload's energy scaled down by its extra MACs, so padding
    // is not billed as work twice over (an estimate; stage 2 counts it exactly). Cycles stay padded.
    const e = t.energyPJ * (ops / px.ops), c = t.cycles;
    if (!inc.found || better(o.objective, e, c, inc.energyPJ, inc.cycles)) {
      space.copy(g, inc.best);
      inc.energyPJ = e; inc.cycles = c; inc.found = true;
    }
    const s = score(o.objective, e, c);
    if (kept.length < K || s < kept[kept.length - 1].score) {
      bestAt = inc.evaluated;
      space.compile(g, cm);
      const key = keyOf(cm);
      if (!keys.has(key)) {
        let at = kept.length;
        while (at > 0 && s < kept[at - 1].score) at--;
        const genome = space.newGenome();
        space.copy(g, genome);
        kept.splice(at, 0, { genome, score: s, energyPJ: e, cycles: c, key });
        keys.add(key);
        if (kept.length > K) keys.delete(kept.pop()!.key);
      }
    }
    if (o.onProgress && inc.evaluated % 2000 === 0) o.onProgress(inc.evaluated);
    strategy.report('evaluated', e, c);
  }
  // Stage 2: the exact rule on the survivors, in proxy order (ties keep it).
  const ev = new Evaluator(compileProblem(w, arch), { convention, partialTiles: 'exact' });
  let best: Kept | null = null;
  let exactEvaluated = 0;
  for (const k of kept) {
    space.compile(k.genome, cm);
    const counts = ev.run(cm);
    exactEvaluated++;
    const t = space.fits(counts.utilizedCapacity, counts.kept) ? totals(arch, counts, plan, S, ops) : null;
    if (t === null) { pruned++; continue; }
    if (!best || better(o.objective, t.energyPJ, t.cycles, best.energyPJ, best.cycles)) best = { ...k, energyPJ: t.energyPJ, cycles: t.cycles };
  }
  const stats = { evaluated: inc.evaluated + exactEvaluated, pruned, timeMs: Date.now() - t0, bestAt, exhaustive: false, timedOut, threads: 1 };
  return { best: best ? best.genome : null, energyPJ: best ? best.energyPJ : Infinity, cycles: best ? best.cycles : Infinity, stats };
}
