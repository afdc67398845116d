/**
 * From parsed documents to what the model and the mapper take, without
 * touching a file system: Timeloop v0.3/v0.4 documents (merged by top-level
 * key), Timeloop's `.map.txt` loop nests, an ERT, or dnnergy's native YAML.
 * `io/inputs.ts` reads files into {@link InputDocument}s; a browser passes
 * dropped or pasted text through {@link documentsFromText}.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Workload } from '../workload/workload.js';
import { readERT } from '../interop/timeloop/ert.js';
import { estimateDocuments, estimatedEnergyTable, estimateWarnings, NO_ERT_PREFIX } from '../energy/ert.js';
import type { ComponentEstimate } from '../energy/estimate.js';
import { readMapText } from '../interop/timeloop/maptxt.js';
import { mergeDocuments, readArchitecture, readMapping, readProblem, type Merged } from '../interop/timeloop/v4.js';
import { FrontEnd, type FileHost } from '../interop/timeloop/frontend/read.js';
import { prepareSections, type InputVersion } from '../interop/timeloop/frontend/spec.js';
import { SpecError } from './errors.js';
import { readNative } from './native.js';
import { isObj } from './read.js';
import { readSparse } from '../interop/timeloop/sparse.js';
import type { SparseSpec } from '../sparse/spec.js';

/** One input: a parsed YAML/JSON document, or the text of a Timeloop `.map.txt` loop nest. */
export type InputDocument =
  | { readonly kind: 'yaml'; readonly file: string; readonly value: unknown }
  | { readonly kind: 'maptxt'; readonly file: string; readonly text: string };

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
  /** The input format found: a Timeloop version, or dnnergy's native YAML. */
  readonly version: InputVersion | 'native';
  /**
   * The counting convention of that version: 'v3' for Timeloop v0.2/v0.3
   * inputs (2019–2020), else 'v4'. Commands use it unless told otherwise.
   */
  readonly convention: 'v4' | 'v3';
  /** Where the version was read from (a field, or a reason). */
  readonly versionFrom?: string;
  /** What was read but is not modelled, one line each ({@link chooseConvention} adds the convention's). */
  readonly warnings: readonly string[];
  /** Densities and sparse optimizations (Timeloop inputs that give any); absent: dense. */
  readonly sparse?: SparseSpec;
}

/** An accelerator without a layer: what `analyze` maps every layer onto. */
export interface ArchInputs {
  readonly arch: Arch;
  readonly energy: EnergyTable;
  /** Constraint sections, read per layer (their dimension names are CNN_Layer's). */
  readonly sections: Merged;
  /** The Timeloop input format found. */
  readonly version?: InputVersion;
  /** What was read but is not modelled, one line each. */
  readonly warnings?: readonly string[];
}

/**
 * Input documents from named texts (`.txt` names are loop nests; everything
 * else YAML, JSON or a Jinja2 template). Includes resolve among the texts
 * given, by name; `jinja` is the templates' data.
 */
export function documentsFromText(files: readonly { readonly name: string; readonly text: string }[], jinja: Readonly<Record<string, unknown>> = {}): InputDocument[] {
  return documentsFromFiles(files.map((f) => f.name), textHost(files), jinja);
}

/** A file host over named texts (a browser's dropped files): includes resolve among them by name. */
export function textHost(files: readonly { readonly name: string; readonly text: string }[]): FileHost {
  const byName = new Map(files.map((f) => [f.name, f.text]));
  return {
    read: (p) => byName.get(p) ?? byName.get(p.replace(/^\.\//, '')) ?? (() => { throw new SpecError(p, '', 'a file among the inputs given', 'no such file'); })(),
    exists: (p) => byName.has(p) || byName.has(p.replace(/^\.\//, '')),
    list: (dir) => [...byName.keys()].filter((n) => n.startsWith(`${dir}/`) && !n.slice(dir.length + 1).includes('/')).map((n) => n.slice(dir.length + 1)),
  };
}

/** Input documents through a file host: templates rendered, includes and merge keys resolved. */
export function documentsFromFiles(paths: readonly string[], host: FileHost, jinja: Readonly<Record<string, unknown>> = {}): InputDocument[] {
  const fe = new FrontEnd(host, jinja);
  return paths.flatMap((p): InputDocument[] => {
    if (/\.txt$/i.test(p)) return [{ kind: 'maptxt', file: p, text: host.read(p) }];
    if (/\.cfg$/i.test(p)) throw new SpecError(p, '', 'YAML or JSON input (libconfig .cfg files are not supported: Timeloop\'s own YAML form of the same config reads)');
    return fe.readSections(p).map((d) => ({ kind: 'yaml', file: d.file, value: d.value }));
  });
}

/**
 * The counting convention a command uses: the one given (`--convention`),
 * else the input's own. The lines say which was used whenever the input is
 * not v0.4, so that numbers never differ without a word.
 */
export function chooseConvention(inp: Pick<ModelInputs, 'version' | 'convention' | 'versionFrom'>, given?: 'v4' | 'v3'): { convention: 'v4' | 'v3'; notes: string[] } {
  const convention = given ?? inp.convention;
  if (inp.version === 'native' || inp.version === '0.4') {
    return { convention, notes: given === 'v3' ? [`Timeloop v0.4 input read with --convention v3 (2020 counting)`] : [] };
  }
  const why = inp.versionFrom ? ` (${inp.versionFrom})` : '';
  return {
    convention,
    notes: [given === undefined || given === 'v3'
      ? `Timeloop v${inp.version} input${why}: counted with the v3 convention of its time (first fill of partial sums counted, largest vector-access energy); --convention v4 for today's`
      : `Timeloop v${inp.version} input${why} counted with --convention v4: Timeloop of its time counted with v3`],
  };
}

/** A document that is an ERT alone (a top-level `ERT` key and nothing else). */
function isErtOnly(value: unknown): boolean {
  return isObj(value) && value.ERT !== undefined && Object.keys(value).length === 1;
}

/** Documents apart from the ERT among them; `ert`, when given, wins over one found among them. */
function separateErt(docs: readonly { readonly file: string; readonly value: unknown }[], ert?: { readonly file: string; readonly value: unknown }): { yamls: { file: string; value: unknown }[]; energy: EnergyTable | null } {
  const yamls: { file: string; value: unknown }[] = [];
  let energy: EnergyTable | null = null;
  for (const d of docs) {
    if (isErtOnly(d.value)) energy = readERT(d.value, d.file);
    else yamls.push(d);
  }
  if (ert !== undefined) energy = readERT(ert.value, ert.file);
  return { yamls, energy };
}

/**
 * Energies without an ERT: estimated from the inputs' Accelergy component
 * specs (docs/energy.md), with a warning line per component; the table is
 * null when any component lacks a figure, and `why` says which. v0.4
 * inputs are priced from the architecture tree the front end made (the
 * attributes inherited down as timeloopfe does) with Accelergy 0.4's rules;
 * older ones from their own documents with v0.3's.
 */
function componentEstimates(yamls: readonly { file: string; value: unknown }[], label: string, version: string, arch: unknown, variables: unknown): ComponentEstimate[] {
  if (version !== '0.4') return estimateDocuments(yamls, { approximateSram: true, era: 'v0.3' });
  // timeloopfe gives every component the top-level `technology` and `global_cycle_seconds` variables unless it sets its own.
  const base = isObj(variables) ? Object.fromEntries(['technology', 'global_cycle_seconds'].filter((k) => ['string', 'number'].includes(typeof variables[k])).map((k) => [k, variables[k]])) : {};
  const tree = isObj(arch) ? { ...arch, attributes: { ...base, ...(isObj(arch.attributes) ? arch.attributes : {}) } } : arch;
  const docs = [...yamls.map((d) => (isObj(d.value) && d.value.architecture !== undefined ? { file: d.file, value: { ...d.value, architecture: undefined } } : d)), { file: label, value: { architecture: tree } }];
  return estimateDocuments(docs, { approximateSram: true, era: 'v0.4' });
}

function estimateEnergy(yamls: readonly { file: string; value: unknown }[], label: string, version: string, arch: unknown, variables: unknown): { energy: EnergyTable | null; warnings: string[]; why: string } {
  const ests = componentEstimates(yamls, label, version, arch, variables);
  const era = version === '0.4' && ests.length > 0
    ? ["energies estimated with Accelergy 0.4's plug-in rules as Timeloop v4 (May 2024) ran them; CACTI's SRAMs are approximated (docs/energy.md): give the ERT for Timeloop's exact numbers"]
    : [];
  const energy = estimatedEnergyTable(ests, label);
  const missing = ests.find((e) => e.actions.length === 0 || e.actions.some((a) => a.energy === null));
  const why = ests.length === 0 ? 'no Accelergy component specs (components with classes) to estimate from'
    : missing ? `${missing.name}: ${missing.missing[0] ?? ''}` : '';
  return { energy, warnings: ests.length > 0 ? [...era, ...estimateWarnings(ests)] : [], why };
}

/**
 * The ERT/ART estimates of an architecture's components (`dnnergy energy`):
 * a Timeloop v0.4 architecture (tagged nodes or the timeloopfe dump) through
 * the front end with Accelergy 0.4's rules; anything else (Accelergy v0.2/v0.3
 * trees, flattened architectures, component libraries) with v0.3's.
 */
export function estimateArchitecture(docs: readonly { readonly file: string; readonly value: unknown }[]): { estimates: ComponentEstimate[]; era: 'v0.3' | 'v0.4' } {
  const v04 = docs.some((d) => isObj(d.value) && isObj(d.value.architecture) && (String(d.value.architecture.version) === '0.4' || Array.isArray(d.value.architecture.nodes)));
  if (!v04) return { estimates: estimateDocuments(docs), era: 'v0.3' };
  const prepared = prepareSections(mergeDocuments(docs));
  const arch = prepared.sections.get('architecture');
  return { estimates: componentEstimates(docs, filesLabel(docs.map((d) => d.file)), prepared.version, arch?.value, prepared.sections.get('variables')?.value), era: prepared.version === '0.4' ? 'v0.4' : 'v0.3' };
}

/** Files named in an error: the first, and how many more. */
export function filesLabel(files: readonly string[]): string {
  return files.length <= 1 ? (files[0] ?? '<inputs>') : `${files[0]} (+${files.length - 1} more)`;
}

/**
 * Model inputs from documents. Energies come from `ert` if given, else from
 * a document that is an ERT alone, else from a native spec's own, else none.
 */
export function loadModelInputs(docs: readonly InputDocument[], ert?: { readonly file: string; readonly value: unknown }): ModelInputs {
  if (docs.length === 0) throw new SpecError('<command line>', 'inputs', 'at least one input file');
  const mapTexts = docs.filter((d) => d.kind === 'maptxt');
  const { yamls, energy } = separateErt(docs.filter((d) => d.kind === 'yaml'), ert);
  const files = docs.map((d) => d.file);
  const native = yamls.filter((d) => isObj(d.value) && d.value.dnnergy !== undefined);
  if (native.length > 0) {
    if (native.length !== yamls.length) throw new SpecError(native[0].file, '', 'dnnergy-native inputs not mixed with Timeloop inputs');
    const n = readNative(yamls);
    return { ...n, energy: energy ?? n.energy, files, sections: new Map(), version: 'native', convention: 'v4', warnings: [] };
  }
  if (yamls.length === 0) throw new SpecError(files[0], '', 'an architecture and a problem');
  const prepared = prepareSections(mergeDocuments(yamls));
  const merged = prepared.sections;
  const label = filesLabel(yamls.map((d) => d.file));
  const archSrc = merged.get('architecture');
  if (!archSrc) throw new SpecError(label, 'architecture', 'an `architecture` section in one of the inputs');
  const probSrc = merged.get('problem');
  if (!probSrc) throw new SpecError(label, 'problem', 'a `problem` section in one of the inputs');
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
  const convention = prepared.version === '0.4' ? 'v4' : 'v3';
  const est = energy ? null : estimateEnergy(yamls, label, prepared.version, archSrc.value, merged.get('variables')?.value);
  // No component specs at all: nothing to say until energies are asked for (the command's refusal says it).
  const warnings = est ? [...prepared.warnings, ...est.warnings, ...(est.energy || est.warnings.length === 0 ? [] : [`${NO_ERT_PREFIX} (${est.why})`])] : prepared.warnings;
  const sparse = readSparse(merged, workload, arch);
  return { workload, arch, mapping, energy: energy ?? est?.energy ?? null, files, sections: merged, version: prepared.version, versionFrom: prepared.versionFrom, convention, warnings, ...(sparse ? { sparse } : {}) };
}

/**
 * A Timeloop v0.3/v0.4 architecture (with its constraints) from documents;
 * energies from `ert`, or from a document that is an ERT alone. Any
 * `problem` or `mapping` section is ignored: the network supplies the layers.
 */
export function loadArchitectureInputs(docs: readonly { readonly file: string; readonly value: unknown }[], ert?: { readonly file: string; readonly value: unknown }): ArchInputs {
  const { yamls, energy } = separateErt(docs, ert);
  const label = filesLabel(docs.map((d) => d.file));
  if (yamls.length === 0) throw new SpecError(label, 'architecture', 'an architecture file');
  const prepared = prepareSections(mergeDocuments(yamls));
  const merged = prepared.sections;
  const archSrc = merged.get('architecture');
  if (!archSrc) throw new SpecError(filesLabel(yamls.map((d) => d.file)), 'architecture', 'an `architecture` section (Timeloop v0.3/v0.4)');
  const arch = readArchitecture(archSrc);
  const est = energy ? null : estimateEnergy(yamls, label, prepared.version, archSrc.value, merged.get('variables')?.value);
  const table = energy ?? est?.energy ?? null;
  if (!table) throw new SpecError(label, 'ERT', `energies: --ert <ERT.yaml>, a file with a top-level \`ERT\` section, or component specs Accelergy's tables price (${est?.why ?? ''})`);
  return { arch, energy: table, sections: merged, version: prepared.version, warnings: [...prepared.warnings, ...(est?.warnings ?? [])] };
}
