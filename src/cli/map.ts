/** `dnnergy map`: search the mapspace for the best mapping of a layer, with a lower bound and the gap to it. */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadInputs } from '../io/inputs.js';
import { writeFileAtomic } from '../io/files.js';
import { mappingToTimeloop, mappingToYaml } from '../interop/timeloop/write.js';
import { constraintsFrom, objectiveFrom } from '../interop/timeloop/constraints.js';
import { threadPool } from '../io/threadPool.js';
import { mapLayer } from '../mapper/map.js';
import type { Objective } from '../mapper/search.js';
import { resultToJSON } from '../model/result.js';
import { fmt, fmtEnergy, formatResult } from '../report/table.js';
import { SpecError } from '../spec/errors.js';

interface MapOpts {
  ert?: string; objective?: string; seed: string; threads: string; evaluations: string; timeLimit?: string;
  convention: string; json?: boolean; out?: string;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new SpecError('<command line>', flag, 'a positive whole number', v);
  return n;
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('search for the best mapping (dataflow) of a layer; prints it with its cost, a lower bound and the gap')
    .argument('<inputs...>', 'Timeloop v0.3/v0.4 YAML (architecture, problem, constraints) or dnnergy-native YAML')
    .option('--ert <file>', 'energy reference table (Accelergy ERT YAML)')
    .option('--objective <energy|delay|edp>', "what to minimise (default: the input's mapper metric — EDP if its mapper section names none, as Timeloop — else energy)")
    .option('--seed <n>', 'random seed', '1')
    .option('--threads <n>', 'worker threads', '1')
    .option('--evaluations <n>', 'mappings to evaluate (the budget; same seed and threads, same answer)', '200000')
    .option('--time-limit <s>', 'stop after this many seconds even if the budget is not spent')
    .option('--convention <v4|v3>', 'counting convention', 'v4')
    .option('--json', 'print JSON (stable keys, no timings) instead of text')
    .option('--out <file>', 'write the best mapping as Timeloop mapping YAML (dnnergy model reads it)')
    .action(async (inputs: string[], opts: MapOpts) => {
      if (opts.convention !== 'v4' && opts.convention !== 'v3') throw new SpecError('<command line>', '--convention', 'v4 or v3', opts.convention);
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new SpecError('<command line>', '--seed', 'a whole number ≥ 0', opts.seed);
      const threads = positiveInt(opts.threads, '--threads');
      const evaluations = positiveInt(opts.evaluations, '--evaluations');
      const timeLimitMs = opts.timeLimit === undefined ? undefined : positiveInt(opts.timeLimit, '--time-limit') * 1000;
      const inp = loadInputs(inputs, opts.ert);
      if (!inp.energy) throw new SpecError(inputs.join(', '), 'ERT', 'energies: --ert <ERT.yaml>, an input with an `ERT` section, or `arch.energy` in a native spec');
      const convention = opts.convention;
      const constraints = constraintsFrom(inp.sections, inp.workload, inp.arch);
      const objective = pickObjective(opts.objective, objectiveFrom(inp.sections));
      const showBar = !opts.json && process.stderr.isTTY && !process.env.CI;
      const bar = showBar ? new SingleBar({ format: 'mapping {bar} {percentage}% | {value}/{total} evaluations', stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
      bar?.start(evaluations, 0);
      const found = await mapLayer(inp.workload, inp.arch, inp.energy, constraints, {
        objective, seed, threads, evaluations, timeLimitMs, convention, source: inputs.length === 1 ? inputs[0] : `${inputs[0]} (+${inputs.length - 1} more)`,
        pool: threads > 1 ? threadPool(threads) : undefined,
        onProgress: bar ? (d) => bar.update(Math.min(d, evaluations)) : undefined,
      });
      bar?.update(evaluations);
      bar?.stop();
      const { mapping, result, bound: lb, score: best, gap, stats } = found;
      const run = { stats };
      if (opts.out) writeFileAtomic(opts.out, mappingToYaml(inp.workload, inp.arch, mapping));
      if (opts.json) {
        const j = {
          objective,
          score: best,
          lower_bound: { score: lb.score, energy_pJ: lb.energyPJ, cycles: lb.cycles, compute_pJ: lb.parts.compute, backing_store_pJ: lb.parts.backingStore },
          gap,
          search: { seed, threads: run.stats.threads, evaluations: run.stats.evaluated, pruned: run.stats.pruned, best_at: run.stats.bestAt, exhaustive: run.stats.exhaustive },
          result: resultToJSON(result),
          mapping: mappingToTimeloop(inp.workload, inp.arch, mapping),
        };
        process.stdout.write(JSON.stringify(j, null, 2) + '\n');
        return;
      }
      const unit = objective === 'energy' ? fmtEnergy(best) : objective === 'delay' ? `${fmt(best)} cycles` : `${best.toExponential(4)} pJ·cycles`;
      process.stdout.write(
        `best ${objective}: ${unit}; lower bound ${objective === 'energy' ? fmtEnergy(lb.score) : objective === 'delay' ? `${fmt(lb.score)} cycles` : `${lb.score.toExponential(4)} pJ·cycles`}; within ${gap.toFixed(2)}× of it\n` +
        `search: ${fmt(run.stats.evaluated)} mappings evaluated (${fmt(run.stats.pruned)} pruned)${run.stats.exhaustive ? ', the whole mapspace' : ''} in ${(run.stats.timeMs / 1000).toFixed(1)} s on ${run.stats.threads} thread(s), seed ${seed}; best found at evaluation ${fmt(run.stats.bestAt)}\n\n`,
      );
      process.stdout.write(formatResult(result, inp.workload.name, inp.arch.name));
      process.stdout.write('\n' + describeMapping(inp.workload.dims, inp.arch.storage.map((s) => s.name), mapping));
    });
}

function pickObjective(flag: string | undefined, fromInput: Objective | undefined): Objective {
  if (flag === undefined) return fromInput ?? 'energy';
  if (flag !== 'energy' && flag !== 'delay' && flag !== 'edp') throw new SpecError('<command line>', '--objective', 'energy, delay or edp', flag);
  return flag;
}

/** The mapping as a loop nest, outermost first. */
function describeMapping(dims: readonly string[], names: string[], m: import('../mapping/mapping.js').Mapping): string {
  const lines: string[] = ['mapping (outermost first):'];
  let indent = '';
  for (let l = m.levels.length - 1; l >= 0; l--) {
    const lm = m.levels[l];
    lines.push(`${indent}${names[l]}${lm.keep.some((k) => k) ? '' : ' (bypassed)'}`);
    for (const t of [...lm.temporal].reverse()) { lines.push(`${indent}  for ${dims[t.dim]} in [0:${t.factor})`); indent += '  '; }
    for (const s of [...lm.spatial].reverse()) { lines.push(`${indent}  for ${dims[s.dim]} in [0:${s.factor}) (spatial-${s.axis})`); indent += '  '; }
  }
  return lines.join('\n') + '\n';
}
