/** `dnnergy model`: evaluate one mapping and print a per-level table or the results JSON. */
import type { Command } from 'commander';
import { loadInputs } from '../io/inputs.js';
import { writeFileAtomic } from '../io/files.js';
import { evaluate } from '../model/model.js';
import { resultToJSON } from '../model/result.js';
import { formatResult } from '../report/table.js';
import { SpecError } from '../spec/errors.js';

export function registerModel(program: Command): void {
  program
    .command('model')
    .description('evaluate a mapping: accesses per level and tensor, energy, cycles, utilisation')
    .argument('<inputs...>', 'Timeloop v0.3/v0.4 YAML (architecture, problem, mapping; merged), a .map.txt loop nest, or dnnergy-native YAML')
    .option('--ert <file>', 'energy reference table (Accelergy ERT YAML)')
    .option('--convention <v4|v3>', 'counting convention: v4 (Timeloop 2021+, default) or v3 (2020: counts the first fill of partial sums)', 'v4')
    .option('--json', 'print the results JSON (stable keys) instead of a table')
    .option('--out <file>', 'also write the results JSON to this file (atomically)')
    .action((inputs: string[], opts: { ert?: string; convention: string; json?: boolean; out?: string }) => {
      if (opts.convention !== 'v4' && opts.convention !== 'v3') throw new SpecError('<command line>', '--convention', 'v4 or v3', opts.convention);
      const inp = loadInputs(inputs, opts.ert);
      if (!inp.mapping) throw new SpecError(inputs.join(', '), 'mapping', 'a mapping (a `mapping` list, or a .map.txt file)');
      if (!inp.energy) throw new SpecError(inputs.join(', '), 'ERT', 'energies: --ert <ERT.yaml>, an input with an `ERT` section, or `arch.energy` in a native spec');
      const mappingFile = inputs.find((f) => /map/i.test(f)) ?? inputs[inputs.length - 1];
      const workloadFile = inputs.find((f) => !/map/i.test(f)) ?? inputs[0];
      const result = evaluate(inp.workload, inp.arch, inp.mapping, inp.energy, { convention: opts.convention, mappingFile, workloadFile });
      const json = JSON.stringify(resultToJSON(result), null, 2) + '\n';
      if (opts.out) writeFileAtomic(opts.out, json);
      if (opts.json) process.stdout.write(json);
      else {
        process.stdout.write(formatResult(result, inp.workload.name, inp.arch.name));
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      }
    });
}
