/**
 * The one resolver behind every `--arch`: a built-in name, or Timeloop
 * architecture files with their ERT. Reading files is the caller's loader
 * (io/ in the CLI), so this module stays browser-safe.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Merged } from '../interop/timeloop/v4.js';
import { constraintsFrom } from '../interop/timeloop/constraints.js';
import { SpecError } from '../spec/errors.js';
import { builtinArch, builtinArchNames } from './builtin.js';
import type { Design } from './design.js';

/** An architecture read from files: hardware, energies and the constraint sections. */
export interface ArchDocuments {
  readonly arch: Arch;
  readonly energy: EnergyTable;
  readonly sections: Merged;
  /** Reader's warnings (e.g. which estimator priced each component when no ERT was given). */
  readonly warnings?: readonly string[];
}

/** Reads Timeloop architecture files (and an ERT file) into {@link ArchDocuments}. */
export type ArchLoader = (paths: readonly string[], ert: string | undefined) => ArchDocuments;

/** Clock assumed for an architecture file, which names none (1 GHz, as the CLI documents). */
export const FILE_CLOCK_HZ = 1e9;

/** Whether an `--arch` value names files rather than a built-in. */
export function isArchFile(spec: string): boolean {
  return spec.split(',').every((p) => /\.ya?ml$/i.test(p.trim()));
}

/** A design from an architecture already read from files. */
export function designFromDocuments(a: ArchDocuments, files: readonly string[]): Design {
  return {
    name: a.arch.name,
    description: `${a.arch.name} from ${files.join(', ')}`,
    arch: a.arch,
    energy: a.energy,
    clockHz: FILE_CLOCK_HZ,
    warnings: [...(a.warnings ?? [])],
    constraints: (w) => constraintsFrom(a.sections, w, a.arch),
  };
}

/**
 * Resolve `--arch` (and `--ert`): a built-in by name, or comma-separated
 * Timeloop v0.3/v0.4 YAML files read by `load`. Unknown names and an ERT
 * given for a built-in are user errors naming the flag.
 */
export function resolveDesign(spec: string, ert: string | undefined, load: ArchLoader): Design {
  if (isArchFile(spec)) {
    const files = spec.split(',').map((p) => p.trim());
    return designFromDocuments(load(files, ert), files);
  }
  const b = builtinArch(spec);
  if (!b) throw new SpecError('<command line>', '--arch', `a built-in architecture (${builtinArchNames.join(', ')}) or an architecture file (.yaml)`, spec);
  if (ert !== undefined) throw new SpecError('<command line>', '--ert', `an ERT only with an architecture file (${b.name} is built in and carries its energies)`, ert);
  return b;
}
