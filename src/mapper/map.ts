/**
 * Mapping one layer, the one way every command and study does it: search
 * the mapspace, turn the best genome into a mapping, validate and evaluate
 * it from scratch, and put it beside a lower bound. A mapspace that the
 * constraints leave empty, or a search that finds no legal mapping, is the
 * user's problem and becomes a `SpecError` naming the design.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import { validateMapping } from '../mapping/validate.js';
import { planEnergy } from '../model/cost.js';
import { evaluate } from '../model/model.js';
import type { Result } from '../model/result.js';
import { SpecError } from '../spec/errors.js';
import type { Pool } from '../util/pool.js';
import type { Workload } from '../workload/workload.js';
import { lowerBound, type LowerBound } from './bound.js';
import type { Constraints } from '../mapping/constraints.js';
import { runMapper, type RunResult } from './run.js';
import { score, type Objective } from './search.js';
import { UnmappableError } from './errors.js';
import { MapSpace } from './space.js';
import { paddedSearch } from './padded.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import { sparseObjective } from '../sparse/objective.js';
import type { SparseSpec } from '../sparse/spec.js';

/** How to map a layer. */
export interface MapLayerOptions {
  readonly objective: Objective;
  readonly seed: number;
  /**
   * Mappings each search may evaluate (the budget that makes a run
   * reproducible); Infinity with the exact strategy: only the time limit
   * or the end of the tree stops it.
   */
  readonly evaluations: number;
  /** Searches (default 1), each with the whole budget; they run on `pool`. */
  readonly threads?: number;
  /** `exact`: branch-and-bound after annealing, with a proven gap (default: annealing). */
  readonly strategy?: 'anneal' | 'exact';
  readonly timeLimitMs?: number;
  /** Counting convention (default v4). */
  readonly convention?: 'v4' | 'v3';
  /** Where the searches run (default: this thread). */
  readonly pool?: Pool;
  /** Evaluations done so far. */
  readonly onProgress?: (done: number) => void;
  /** Names the design (a file or a built-in) in errors. */
  readonly source?: string;
  /**
   * Also run random search under the same budget, seed and searches: the
   * baseline every search result is shown against (doubles the time).
   */
  readonly baseline?: boolean;
  /**
   * Rank mappings by their sparse cost (Sparseloop's counts, compressed
   * capacities). The dense lower bound does not hold under sparsity
   * (skipping and compression cut below it): a sparse run reports no bound
   * (0) and the exact strategy, which prunes by dense bounds, anneals instead.
   */
  readonly sparse?: SparseSpec | null;
  /** How the winner's partial tiles are counted in its result (an imperfect one; the search ranks by the exact rule). */
  readonly partialTiles?: 'timeloop' | 'exact';
  /** The exact strategy's annealing budget per search before the branch-and-bound (default: by the mapspace's size, see `RunOptions.exactAnneal`). */
  readonly exactAnneal?: number;
}

/** The annealing budget of a sparse run asked for without one (the exact search's unlimited budget). */
const SPARSE_ANNEAL = 200_000;

/** The random baseline's budget beside an exact search (whose budget may be unlimited). */
const BASELINE_EXACT = 20_000;

/** What random sampling of the mapspace found under the same budget. */
export interface Baseline {
  readonly score: number;
  readonly energyPJ: number;
  readonly cycles: number;
  readonly evaluated: number;
  /** Baseline score over the search's: how much better the search did (≥ 1 when it did). */
  readonly ratio: number;
}

/** The best mapping found for a layer, evaluated, with a lower bound on any mapping's cost. */
export interface LayerMapping {
  readonly mapping: Mapping;
  /** The model's full result for `mapping`. */
  readonly result: Result;
  /** The mapping's score under the objective. */
  readonly score: number;
  readonly bound: LowerBound;
  /**
   * The proven lower bound on the objective: the bound's score, raised by
   * an exact search to the least bound of the subtrees it left open (to
   * the best score itself when it finished).
   */
  readonly proven: number;
  /** score / proven: how far from optimal the mapping can be, at most. */
  readonly gap: number;
  /** The gap is closed: the search finished, or the best meets the bound. */
  readonly optimal: boolean;
  /** Mapspace sizes (upper counts): every temporal order of every loop, and the canonical space searched (orders of non-unit loops only). */
  readonly size: { readonly raw: number; readonly canonical: number };
  readonly stats: RunResult['stats'];
  /** Present when asked for (`baseline`); null when random search found no legal mapping. */
  readonly baseline?: Baseline | null;
}

/** Build the mapspace, turning constraints that leave it empty into a user error. */
export function mapSpaceOf(w: Workload, arch: Arch, constraints: Constraints, source = arch.name): MapSpace {
  try {
    return new MapSpace(w, arch, constraints);
  } catch (e) {
    throw asUserError(e, w, source);
  }
}

/**
 * The mapspace's complaints about the user's constraints, as a SpecError
 * naming the design and the layer; anything else is passed on. By name, not
 * class: an error from a worker thread keeps its name but not its class.
 */
function asUserError(e: unknown, w: Workload, source: string): unknown {
  if (e instanceof Error && (e instanceof UnmappableError || e.name === 'UnmappableError')) {
    return new SpecError(source, `layer ${w.name}: constraints`, 'constraints that leave a legal mapping', e.message);
  }
  return e;
}

/** Map one layer: search, then validate and evaluate the best mapping from scratch. */
export async function mapLayer(w: Workload, arch: Arch, energy: EnergyTable, constraints: Constraints, o: MapLayerOptions): Promise<LayerMapping> {
  const source = o.source ?? arch.name;
  const convention = o.convention ?? 'v4';
  const space = mapSpaceOf(w, arch, constraints, source);
  const plan = planEnergy(arch, energy, convention, w.dataSpaces.map((d) => d.name));
  // One deadline for the whole call: with a baseline, the search gets the
  // first half of the time limit and random search as long as the search took.
  const t0 = Date.now();
  const limit = o.timeLimitMs;
  let deadline = limit === undefined ? undefined : t0 + (o.baseline ? limit / 2 : limit);
  const sparse = sparseObjective(w, arch, energy, o.sparse, convention);
  // Imperfect factors: annealing, ranked by the true partial tiles (the exact search enumerates perfect factors).
  const imperfect = space.imperfect;
  const exact = o.strategy === 'exact' && !sparse && !imperfect;
  // The exact search keeps most of the time; the baseline gets a tenth (at most 2 s) and a fixed budget.
  if (exact && limit !== undefined && o.baseline) deadline = t0 + limit - Math.min(limit / 10, 2000);
  const run = (strategy: 'anneal' | 'random' | 'exact', evaluations: number, onProgress?: (done: number) => void) => runMapper(w, arch, constraints, plan, {
    objective: o.objective, seed: o.seed, threads: o.threads ?? 1, evaluations, deadline,
    analysis: imperfect ? { convention, partialTiles: 'exact' } : { convention }, pool: o.pool, onProgress, strategy, sparse,
    ...(o.exactAnneal !== undefined ? { exactAnneal: o.exactAnneal } : {}),
  }).catch((e: unknown) => { throw asUserError(e, w, source); });
  // An exact run asked for under sparsity anneals; an unlimited budget then gets the annealer's default (the time limit still stops it).
  const evaluations = (sparse || imperfect) && !Number.isFinite(o.evaluations) ? SPARSE_ANNEAL : o.evaluations;
  const progress = o.onProgress && o.baseline ? (d: number) => o.onProgress!(Math.floor(d / 2)) : o.onProgress;
  // Imperfect factors: the two-stage search (padded.ts) — the perfect kernel on the padded
  // workload ranks, the exact partial-tile rule re-ranks the best few; one search, in this thread.
  const padded = imperfect && !sparse;
  const twoStage = (strategy: 'anneal' | 'random', budget: number, onProgress?: (done: number) => void) => paddedSearch(w, arch, space, plan, {
    objective: o.objective, seed: o.seed, evaluations: budget, convention, strategy, ...(deadline !== undefined ? { deadline } : {}), ...(onProgress ? { onProgress } : {}),
  });
  const found = padded ? twoStage('anneal', evaluations, progress) : await run(exact ? 'exact' : 'anneal', evaluations, progress);
  if (!found.best) {
    const why = found.stats.exact?.complete ? 'the whole mapspace holds no legal mapping' : 'capacity or fanout too small; raise --evaluations or --time-limit, or relax the constraints or capacities';
    throw new SpecError(source, `layer ${w.name}`, `a legal mapping within ${found.stats.evaluated} evaluations (${why})`, 'none');
  }
  const mapping = space.toMapping(found.best);
  validateMapping(w, arch, mapping, '<found mapping>', { capacity: !sparse, fanout: constraints.overFanout !== true });
  const counting = o.partialTiles === undefined ? { convention } : { convention, partialTiles: o.partialTiles };
  const result = o.sparse ? evaluateSparse(w, arch, mapping, energy, o.sparse, counting) : evaluate(w, arch, mapping, energy, counting);
  const dense = lowerBound(w, arch, plan, o.objective, constraints);
  const bound = sparse ? { energyPJ: 0, cycles: 0, score: 0, parts: { compute: 0, backingStore: 0, onChip: 0, leakage: 0 } } : dense;
  const s = score(o.objective, result.energyPJ, result.cycles);
  let baseline: Baseline | null | undefined;
  if (o.baseline) {
    const budget = exact ? Math.min(o.evaluations, BASELINE_EXACT) : evaluations;
    const half = Math.floor(budget / 2);
    if (limit !== undefined) deadline = exact ? t0 + limit : Math.min(t0 + limit, Date.now() + (Date.now() - t0));
    const onBaseline = o.onProgress ? (d: number) => o.onProgress!(half + Math.floor(d / 2)) : undefined;
    const r = padded ? twoStage('random', budget, onBaseline) : await run('random', budget, onBaseline);
    const bs = score(o.objective, r.energyPJ, r.cycles);
    baseline = r.best ? { score: bs, energyPJ: r.energyPJ, cycles: r.cycles, evaluated: r.stats.evaluated, ratio: bs / s } : null;
  }
  const x = found.stats.exact;
  // An exact search's open subtrees each have a bound ≥ the whole space's; the least of them bounds every mapping it did not rule out.
  const proven = x ? (x.complete ? s : Math.max(bound.score, Math.min(s, x.openBound))) : bound.score;
  const size = { raw: space.rawSize(), canonical: space.size() };
  return { mapping, result, score: s, bound, proven, gap: s / proven, optimal: s <= proven, size, stats: found.stats, ...(baseline !== undefined ? { baseline } : {}) };
}
