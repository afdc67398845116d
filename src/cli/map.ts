/** `dnnergy map`: search the mapspace for the best mapping of a layer, with a lower bound and the gap to it. */
import { loadInputs } from '../io/inputs.js';
import { writeFileAtomic } from '../io/files.js';
import { mappingToYaml } from '../interop/timeloop/write.js';
import { constraintsFrom, constraintWarnings, objectiveFrom } from '../interop/timeloop/constraints.js';
import { threadPool } from '../io/threadPool.js';
import { mapLayer } from '../mapper/map.js';
import type { Objective } from '../mapper/search.js';
import { formatMapReport, mapReportToJSON, type MapReport } from '../report/mapping.js';
import { noErtWhy } from '../energy/ert.js';
import { SpecError } from '../spec/errors.js';
import { chooseConvention, filesLabel } from '../spec/load.js';
import { hasOptimizations, hasSpatialSkipping } from '../sparse/spec.js';
import { withDensities } from '../sparse/override.js';
import { convention as conventionFlag, densityFlag, jinjaFlag, objective as objectiveFlag, outputTargets, partialTilesFlag, threadsFlag, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy map`, as commander hands them over. */
export interface MapOpts {
  ert?: string; objective?: string; seed: string; threads: string; evaluations?: string; timeLimit?: string; search?: string;
  convention?: string; jinja?: string[]; json?: boolean; out?: string; density?: string; imperfect?: boolean; partialTiles?: string;
}

/** Run `dnnergy map` on its input files. */
export async function runMap(inputs: string[], opts: MapOpts): Promise<void> {
  const start = Date.now();
  outputTargets({ '--out': opts.out });
  const given = opts.convention === undefined ? undefined : conventionFlag(opts.convention);
  const seed = wholeNumber(opts.seed, '--seed', 0);
  const threads = threadsFlag(opts.threads);
  const timeLimitMs = opts.timeLimit === undefined ? undefined : wholeNumber(opts.timeLimit, '--time-limit', 1) * 1000;
  // A time limit alone means "until then or proven optimal": the exact search, no evaluation cap.
  const strategy = searchFlag(opts.search) ?? (timeLimitMs !== undefined && opts.evaluations === undefined ? 'exact' : 'anneal');
  const evaluations = opts.evaluations !== undefined ? wholeNumber(opts.evaluations, '--evaluations', 1) : strategy === 'exact' && timeLimitMs !== undefined ? Infinity : DEFAULT_EVALUATIONS;
  const dens = densityFlag(opts.density);
  const inp = loadInputs(inputs, opts.ert, { jinja: jinjaFlag(opts.jinja) });
  const { convention, notes } = chooseConvention(inp, given);
  const sparse = dens ? withDensities(inp.workload, inp.arch.storage.length, inp.sparse, dens) : inp.sparse;
  if (!inp.energy) throw new SpecError(filesLabel(inputs), 'ERT', `energies: --ert <ERT.yaml>, an input with an \`ERT\` section, \`arch.energy\` in a native spec, or component specs Accelergy's tables price${noErtWhy(inp.warnings)}`);
  const partialTiles = partialTilesFlag(opts.partialTiles);
  const constraints = { ...constraintsFrom(inp.sections, inp.workload, inp.arch, sparse !== null && sparse !== undefined && hasSpatialSkipping(sparse)), ...(opts.imperfect ? { imperfect: true } : {}) };
  if (opts.imperfect && sparse && hasOptimizations(sparse)) throw new SpecError('--imperfect', '--imperfect', 'a dense design or no --density (the sparse engine counts perfect factors only)', 'sparse optimizations');
  if (!opts.json) for (const w of [...notes, ...inp.warnings, ...constraintWarnings(constraints, inp.workload, inp.arch)]) process.stderr.write(`warning: ${w}\n`);
  const objective = pickObjective(opts.objective, objectiveFrom(inp.sections));
  // An unlimited budget has no percentage: the bar then counts against the default budget.
  const barTotal = Number.isFinite(evaluations) ? evaluations : DEFAULT_EVALUATIONS;
  const bar = progressBar('mapping {bar} {percentage}% | {value}/{total} evaluations', opts.json);
  bar?.start(barTotal, 0);
  const found = await mapLayer(inp.workload, inp.arch, inp.energy, constraints, {
    objective, seed, threads, evaluations, strategy, timeLimitMs: timeLimitMs === undefined ? undefined : searchTime(timeLimitMs, start), convention, source: filesLabel(inputs),
    pool: threads > 1 ? threadPool(threads) : undefined, baseline: true, sparse, partialTiles,
    onProgress: bar ? (d) => bar.update(Math.min(d, barTotal)) : undefined,
  });
  bar?.update(barTotal);
  bar?.stop();
  const { mapping, bound: lb, score: best, gap, stats, baseline, proven, optimal, size } = found;
  const result = found.result;
  if (sparse && hasOptimizations(sparse) && !opts.json) {
    process.stderr.write(`warning: no lower bound under sparsity (skipping and compression cut below the dense one): bound 0, gap unknown${strategy === 'exact' ? '; the exact search prunes by dense bounds, so this run annealed' : ''}\n`);
  }
  if (opts.out) writeFileAtomic(opts.out, mappingToYaml(inp.workload, inp.arch, mapping));
  const report: MapReport = { workload: inp.workload, arch: inp.arch, objective, seed, mapping, result, score: best, bound: lb, gap, stats, baseline, proven, optimal, size };
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(opts.json ? JSON.stringify(mapReportToJSON(report), null, 2) + '\n' : formatMapReport(report));
}

/** The budget of an annealing run when --evaluations is not given. */
const DEFAULT_EVALUATIONS = 200_000;

function searchFlag(v: string | undefined): 'anneal' | 'exact' | undefined {
  if (v === undefined || v === 'anneal' || v === 'exact') return v;
  throw new SpecError('--search', '--search', 'anneal or exact', v);
}

function pickObjective(flag: string | undefined, fromInput: Objective | undefined): Objective {
  return flag === undefined ? (fromInput ?? 'energy') : objectiveFlag(flag);
}

/** What follows the search (validating and evaluating the winner, the lower bound, printing) takes well under this. */
const AFTER_SEARCH_MS = 50;

/** The search's share of `--time-limit`: the command's limit counts from its start, less the work after the search. */
function searchTime(limitMs: number, start: number): number {
  return Math.max(1, limitMs - (Date.now() - start) - AFTER_SEARCH_MS);
}
