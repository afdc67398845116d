/**
 * Loads the inputs of `dnnergy model` (and later commands) from files:
 * Timeloop v0.3/v0.4 YAML (merged by top-level key), Timeloop's `.map.txt`
 * loop nests, an ERT, or dnnergy's native YAML.
 */
import { readFileSync } from 'node:fs';
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';
import { SpecError } from '../spec/errors.js';
import { isObj } from '../spec/read.js';
import { readERT } from '../interop/timeloop/ert.js';
import { readMapText } from '../interop/timeloop/maptxt.js';
import { mergeDocuments, readArchitecture, readMapping, readProblem, type Merged } from '../interop/timeloop/v4.js';
import { readNative } from '../spec/native.js';
import { readYamlFile } from './files.js';

/** Everything the model needs, validated. */
export interface ModelInputs {
  readonly workload: Workload;
  readonly arch: Arch;
  /** Absent when the inputs describe a mapper run (no fixed mapping). */
  readonly mapping: Mapping | null;
  readonly energy: EnergyTable | null;
  readonly files: readonly string[];
  /** Top-level sections of Timeloop inputs (constraints, mapper settings); empty for native specs. */
  readonly sections: Merged;
}

/**
 * Read inputs. `ert` names an ERT file (else an input document with a
 * top-level `ERT` key, else the native spec's own energies, else none).
 */
export function loadInputs(paths: readonly string[], ert?: string): ModelInputs {
  if (paths.length === 0) throw new SpecError('<command line>', 'inputs', 'at least one input file');
  const docs: { file: string; value: unknown }[] = [];
  const mapTexts: { file: string; text: string }[] = [];
  let energy: EnergyTable | null = null;
  for (const p of paths) {
    if (/\.txt$/i.test(p)) {
      let text: string;
      try {
        text = readFileSync(p, 'utf8');
      } catch {
        throw new SpecError(p, '', 'a readable file', 'no such file');
      }
      mapTexts.push({ file: p, text });
      continue;
    }
    const d = readYamlFile(p);
    if (isObj(d.value) && d.value.ERT !== undefined && Object.keys(d.value).length === 1) {
      energy = readERT(d.value, p);
      continue;
    }
    docs.push(d);
  }
  if (ert !== undefined) energy = readERT(readYamlFile(ert).value, ert);
  const native = docs.filter((d) => isObj(d.value) && d.value.dnnergy !== undefined);
  if (native.length > 0) {
    if (native.length !== docs.length) throw new SpecError(native[0].file, '', 'dnnergy-native inputs not mixed with Timeloop inputs');
    const n = readNative(docs);
    return { ...n, energy: energy ?? n.energy, files: paths, sections: new Map() };
  }
  if (docs.length === 0) throw new SpecError(paths[0], '', 'an architecture and a problem');
  const merged = mergeDocuments(docs);
  const archSrc = merged.get('architecture');
  if (!archSrc) throw new SpecError(docs.map((d) => d.file).join(', '), 'architecture', 'an `architecture` section in one of the inputs');
  const probSrc = merged.get('problem');
  if (!probSrc) throw new SpecError(docs.map((d) => d.file).join(', '), 'problem', 'a `problem` section in one of the inputs');
  const arch = readArchitecture(archSrc);
  const workload = readProblem(probSrc);
  let mapping: Mapping | null = null;
  const mapSrc = merged.get('mapping');
  if (mapTexts.length > 0) {
    const last = mapTexts[mapTexts.length - 1];
    mapping = readMapText(last.text, last.file, workload, arch);
  } else if (mapSrc && !(Array.isArray(mapSrc.value) && mapSrc.value.length === 0)) {
    mapping = readMapping(mapSrc, workload, arch);
  }
  return { workload, arch, mapping, energy, files: paths, sections: merged };
}

/** An accelerator from files, without a layer: what `analyze` maps every layer onto. */
export interface ArchInputs {
  readonly arch: Arch;
  readonly energy: EnergyTable;
  /** Constraint sections, read per layer (their dimension names are CNN_Layer's). */
  readonly sections: Merged;
}

/**
 * Read a Timeloop v0.3/v0.4 architecture (with its constraints) from YAML
 * files; energies from `ert`, or from an input with a top-level `ERT` key.
 * Any `problem` or `mapping` section is ignored: the network supplies the layers.
 */
export function loadArchitecture(paths: readonly string[], ert?: string): ArchInputs {
  const docs: { file: string; value: unknown }[] = [];
  let energy: EnergyTable | null = null;
  for (const p of paths) {
    const d = readYamlFile(p);
    if (isObj(d.value) && d.value.ERT !== undefined && Object.keys(d.value).length === 1) energy = readERT(d.value, p);
    else docs.push(d);
  }
  if (ert !== undefined) energy = readERT(readYamlFile(ert).value, ert);
  if (docs.length === 0) throw new SpecError(paths.join(', '), 'architecture', 'an architecture file');
  const merged = mergeDocuments(docs);
  const archSrc = merged.get('architecture');
  if (!archSrc) throw new SpecError(docs.map((d) => d.file).join(', '), 'architecture', 'an `architecture` section (Timeloop v0.3/v0.4)');
  const arch = readArchitecture(archSrc);
  if (!energy) throw new SpecError(paths.join(', '), 'ERT', 'energies: --ert <ERT.yaml> or a file with a top-level `ERT` section');
  return { arch, energy, sections: merged };
}
