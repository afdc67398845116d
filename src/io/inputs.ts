/**
 * Reads the inputs of the commands from files; the pure work of turning
 * documents into workload, architecture, mapping and energies is in
 * `spec/load.ts`, which a browser uses too. Here: the file host the
 * Timeloop front end reads templates and includes through.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { FileHost } from '../interop/timeloop/frontend/read.js';
import { documentsFromFiles, loadArchitectureInputs, loadModelInputs, type ArchInputs, type ModelInputs } from '../spec/load.js';
import { SpecError } from '../spec/errors.js';
import { readTextFile, readYamlFile } from './files.js';

export type { ArchInputs, ModelInputs } from '../spec/load.js';

/** Options of the readers: the data of Jinja2 templates (timeloopfe's `jinja_parse_data`). */
export interface ReadOptions {
  readonly jinja?: Readonly<Record<string, unknown>>;
}

/** Files on disk, as the front end reads them: regular files only. */
export const nodeFileHost: FileHost = {
  read: (p) => readTextFile(p),
  exists: (p) => existsSync(p),
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/**
 * Read model inputs from files. `ert` names an ERT file (else an input
 * document with a top-level `ERT` key, else the native spec's own energies,
 * else none).
 */
export function loadInputs(paths: readonly string[], ert?: string, o: ReadOptions = {}): ModelInputs {
  if (paths.length === 0) throw new SpecError('<command line>', 'inputs', 'at least one input file');
  return loadModelInputs(documentsFromFiles(paths, nodeFileHost, o.jinja), ert === undefined ? undefined : readYamlFile(ert));
}

/** Read a Timeloop v0.3/v0.4 architecture with its constraints from YAML files, and its energies. */
export function loadArchitecture(paths: readonly string[], ert?: string, o: ReadOptions = {}): ArchInputs {
  const docs = documentsFromFiles(paths, nodeFileHost, o.jinja).map((d) => (d.kind === 'yaml' ? d : (() => { throw new SpecError(d.file, '', 'a YAML architecture file', 'a loop-nest text'); })()));
  return loadArchitectureInputs(docs, ert === undefined ? undefined : readYamlFile(ert));
}
