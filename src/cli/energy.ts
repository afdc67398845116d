/** `dnnergy energy`: the ERT and ART Accelergy's plug-in tables give an architecture's components. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { estimateWarnings } from '../energy/ert.js';
import { documentsFromFiles, estimateArchitecture } from '../spec/load.js';
import { fsProblem } from '../io/files.js';
import { nodeFileHost } from '../io/inputs.js';
import { estimatesToJSON, formatEstimates } from '../report/energy.js';
import { SpecError } from '../spec/errors.js';

/** Flags of `dnnergy energy`, as commander hands them over. */
export interface EnergyOpts { json?: boolean }

/**
 * Files to read: the files given, and the YAML files of directories given,
 * with their subfolders (an exercise's `input/` with its `components/`), in
 * name order; hidden entries are skipped.
 */
function expand(paths: readonly string[], depth = 0): string[] {
  return paths.flatMap((p) => {
    let dir = false;
    try { dir = statSync(p).isDirectory(); } catch (e) { throw new SpecError(p, '', 'a readable file or directory', fsProblem(e)); }
    if (!dir) return depth === 0 || /\.ya?ml$/i.test(p) ? [p] : [];
    if (depth > 8) return [];
    return expand(readdirSync(p).filter((f) => !f.startsWith('.')).sort().map((f) => join(p, f)), depth + 1);
  });
}

/** Run `dnnergy energy`. */
export function runEnergy(paths: string[], opts: EnergyOpts): void {
  // Through the front end, as model/map read them: v0.4 tags, includes and templates resolve.
  const docs = documentsFromFiles(expand(paths), nodeFileHost).flatMap((d) => (d.kind === 'yaml' ? [{ file: d.file, value: d.value }] : []));
  const { estimates: ests } = estimateArchitecture(docs);
  if (ests.length === 0) {
    throw new SpecError(paths[0] ?? '<command line>', 'architecture', 'an Accelergy v0.3 architecture (subtree/local components with classes), a Timeloop v0.4 architecture, or a flattened_architecture');
  }
  if (opts.json) process.stdout.write(JSON.stringify(estimatesToJSON(ests), null, 2) + '\n');
  else process.stdout.write(formatEstimates(ests));
  for (const w of estimateWarnings(ests)) process.stderr.write(`warning: ${w}\n`);
}
