/** `dnnergy map`: search the mapspace for the best mapping of a layer, with a lower bound and the gap to it. */
import { loadInputs } from '../io/inputs.js';
import { writeFileAtomic } from '../io/files.js';
import { mappingToYaml } from '../interop/timeloop/write.js';
import { constraintsFrom, objectiveFrom } from '../mapper/inputs.js';
import { lowerBound } from '../mapper/bound.js';
import { runMapper } from '../mapper/run.js';
import { score, type Objective } from '../mapper/search.js';
import { MapSpace } from '../mapper/space.js';
import { validateMapping } from '../mapping/validate.js';
import { planEnergy } from '../model/cost.js';
import { evaluate } from '../model/model.js';
import { formatMapReport, mapReportToJSON, type MapReport } from '../report/mapping.js';
import { fmt } from '../report/table.js';
import { SpecError } from '../spec/errors.js';
import { convention as conventionFlag, objective as objectiveFlag, wholeNumber } from './flags.js';
import { progressBar } from './progress.js';

/** Flags of `dnnergy map`, as commander hands them over. */
export interface MapOpts {
  ert?: string; objective?: string; seed: string; threads: string; evaluations: string; timeLimit?: string;
  convention: string; json?: boolean; out?: string;
}

/** Run `dnnergy map` on its input files. */
export async function runMap(inputs: string[], opts: MapOpts): Promise<void> {
  const convention = conventionFlag(opts.convention);
  const seed = wholeNumber(opts.seed, '--seed', 0);
  const threads = wholeNumber(opts.threads, '--threads', 1);
  const evaluations = wholeNumber(opts.evaluations, '--evaluations', 1);
  const timeLimitMs = opts.timeLimit === undefined ? undefined : wholeNumber(opts.timeLimit, '--time-limit', 1) * 1000;
  const inp = loadInputs(inputs, opts.ert);
  if (!inp.energy) throw new SpecError(inputs.join(', '), 'ERT', 'energies: --ert <ERT.yaml>, an input with an `ERT` section, or `arch.energy` in a native spec');
  const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
  const objective = pickObjective(opts.objective, objectiveFrom(inp.sections));
  const plan = planEnergy(inp.arch, inp.energy, convention);
  let space: MapSpace;
  try {
    space = new MapSpace(inp.workload, inp.arch, constraints);
  } catch (e) {
    throw new SpecError(inputs.join(', '), 'constraints', 'constraints that leave a legal mapping', (e as Error).message);
  }
  const bar = progressBar('mapping {bar} {percentage}% | {value}/{total} evaluations', opts.json);
  bar?.start(evaluations, 0);
  const run = await runMapper(inp.workload, inp.arch, constraints, plan, {
    objective, seed, threads, evaluations, timeLimitMs, analysis: { convention },
    onProgress: bar ? (d) => bar.update(Math.min(d, evaluations)) : undefined,
  });
  bar?.update(evaluations);
  bar?.stop();
  if (!run.best) throw new SpecError(inputs.join(', '), 'architecture', `a layer that fits: no legal mapping in ${fmt(run.stats.evaluated)} tries (capacity or fanout too small)`);
  const mapping = space.toMapping(run.best);
  validateMapping(inp.workload, inp.arch, mapping, '<found mapping>');
  const result = evaluate(inp.workload, inp.arch, mapping, inp.energy, { convention });
  const lb = lowerBound(inp.workload, inp.arch, plan, objective);
  const best = score(objective, result.energyPJ, result.cycles);
  const gap = best / lb.score;
  if (opts.out) writeFileAtomic(opts.out, mappingToYaml(inp.workload, inp.arch, mapping));
  const report: MapReport = { workload: inp.workload, arch: inp.arch, objective, seed, mapping, result, score: best, bound: lb, gap, stats: run.stats };
  process.stdout.write(opts.json ? JSON.stringify(mapReportToJSON(report), null, 2) + '\n' : formatMapReport(report));
}

function pickObjective(flag: string | undefined, fromInput: Objective | undefined): Objective {
  return flag === undefined ? (fromInput ?? 'energy') : objectiveFlag(flag);
}
