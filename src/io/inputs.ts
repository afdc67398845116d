/**
 * Reads the inputs of the commands from files; the pure work of turning
 * documents into workload, architecture, mapping and energies is in
 * `spec/load.ts`, which a browser uses too.
 */
import { loadArchitectureInputs, loadModelInputs, type ArchInputs, type InputDocument, type ModelInputs } from '../spec/load.js';
import { SpecError } from '../spec/errors.js';
import { readTextFile, readYamlFile } from './files.js';

export type { ArchInputs, ModelInputs } from '../spec/load.js';

function readDocument(p: string): InputDocument {
  if (!/\.txt$/i.test(p)) return { kind: 'yaml', ...readYamlFile(p) };
  return { kind: 'maptxt', file: p, text: readTextFile(p) };
}

/**
 * Read model inputs from files. `ert` names an ERT file (else an input
 * document with a top-level `ERT` key, else the native spec's own energies,
 * else none).
 */
export function loadInputs(paths: readonly string[], ert?: string): ModelInputs {
  if (paths.length === 0) throw new SpecError('<command line>', 'inputs', 'at least one input file');
  return loadModelInputs(paths.map(readDocument), ert === undefined ? undefined : readYamlFile(ert));
}

/** Read a Timeloop v0.3/v0.4 architecture with its constraints from YAML files, and its energies. */
export function loadArchitecture(paths: readonly string[], ert?: string): ArchInputs {
  return loadArchitectureInputs(paths.map(readYamlFile), ert === undefined ? undefined : readYamlFile(ert));
}
