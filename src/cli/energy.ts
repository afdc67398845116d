/** `dnnergy energy`: the ERT and ART Accelergy's plug-in tables give an architecture's components. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { estimateDocuments, estimateWarnings } from '../energy/ert.js';
import { fsProblem, parseYamlText, readTextFile } from '../io/files.js';
import { estimatesToJSON, formatEstimates } from '../report/energy.js';
import { SpecError } from '../spec/errors.js';

/** Flags of `dnnergy energy`, as commander hands them over. */
export interface EnergyOpts { json?: boolean }

/** Files to read: the files given, and the YAML files of directories given (a `components/` folder). */
function expand(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    let dir = false;
    try { dir = statSync(p).isDirectory(); } catch (e) { throw new SpecError(p, '', 'a readable file or directory', fsProblem(e)); }
    return dir ? readdirSync(p).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => join(p, f)) : [p];
  });
}

/** Run `dnnergy energy`. */
export function runEnergy(paths: string[], opts: EnergyOpts): void {
  const docs = expand(paths).map((file) => ({ file, value: parseYamlText(readTextFile(file), file) }));
  const ests = estimateDocuments(docs);
  if (ests.length === 0) {
    throw new SpecError(paths[0] ?? '<command line>', 'architecture', 'an Accelergy v0.3 architecture (subtree/local components with classes) or a flattened_architecture');
  }
  if (opts.json) process.stdout.write(JSON.stringify(estimatesToJSON(ests), null, 2) + '\n');
  else process.stdout.write(formatEstimates(ests));
  for (const w of estimateWarnings(ests)) process.stderr.write(`warning: ${w}\n`);
}
