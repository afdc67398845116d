/** `dnnergy model`: evaluate one mapping and print a per-level table or the results JSON. */
import { loadInputs } from '../io/inputs.js';
import { writeFileAtomic } from '../io/files.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import { withDensities } from '../sparse/override.js';
import { resultToJSON } from '../model/result.js';
import { formatResult } from '../report/table.js';
import { noErtWhy } from '../energy/ert.js';
import { SpecError } from '../spec/errors.js';
import { chooseConvention, filesLabel } from '../spec/load.js';
import { convention, densityFlag, jinjaFlag, outputTargets, partialTilesFlag } from './flags.js';
import { isImperfect } from '../mapping/mapping.js';
import { hasOptimizations } from '../sparse/spec.js';

/** Flags of `dnnergy model`, as commander hands them over. */
export interface ModelOpts { ert?: string; convention?: string; jinja?: string[]; json?: boolean; out?: string; density?: string; partialTiles?: string }

/** Run `dnnergy model` on its input files. */
export function runModel(inputs: string[], opts: ModelOpts): void {
  outputTargets({ '--out': opts.out });
  const given = opts.convention === undefined ? undefined : convention(opts.convention);
  const dens = densityFlag(opts.density);
  const inp = loadInputs(inputs, opts.ert, { jinja: jinjaFlag(opts.jinja) });
  const { convention: conv, notes } = chooseConvention(inp, given);
  if (!inp.mapping) throw new SpecError(filesLabel(inputs), 'mapping', 'a mapping (a `mapping` list, or a .map.txt file)');
  if (!inp.energy) throw new SpecError(filesLabel(inputs), 'ERT', `energies: --ert <ERT.yaml>, an input with an \`ERT\` section, \`arch.energy\` in a native spec, or component specs Accelergy's tables price${noErtWhy(inp.warnings)}`);
  const mappingFile = inputs.find((f) => /map/i.test(f)) ?? inputs[inputs.length - 1];
  const workloadFile = inputs.find((f) => !/map/i.test(f)) ?? inputs[0];
  const partialTiles = partialTilesFlag(opts.partialTiles);
  const sparse = dens ? withDensities(inp.workload, inp.arch.storage.length, inp.sparse, dens) : inp.sparse;
  // The sparse engine counts perfect nests only.
  if (sparse && hasOptimizations(sparse) && isImperfect(inp.mapping)) throw new SpecError(mappingFile, 'mapping', 'perfect factors under sparse optimizations (imperfect factors such as P=9,2 are counted by the dense model only)', 'an imperfect loop');
  const result = evaluateSparse(inp.workload, inp.arch, inp.mapping, inp.energy, sparse, { convention: conv, mappingFile, workloadFile, partialTiles });
  const json = JSON.stringify(resultToJSON(result), null, 2) + '\n';
  if (opts.out) writeFileAtomic(opts.out, json);
  if (opts.json) process.stdout.write(json);
  else {
    process.stdout.write(formatResult(result, inp.workload.name, inp.arch.name));
    for (const w of [...notes, ...inp.warnings, ...result.warnings]) process.stderr.write(`warning: ${w}\n`);
  }
}
