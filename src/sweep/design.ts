/**
 * The bases a sweep varies and how a point becomes a design: the
 * row-stationary built-in (Eyeriss) with its sizes, word counts, clock and
 * DRAM bandwidth; the ISCA'16 comparison set with its dataflow and buffer;
 * or Timeloop files whose Jinja2 variables are the parameters. A point is
 * a plain, structured-cloneable {@link DesignSpec}: jobs carry it to
 * workers (threads or machines), which rebuild the design from it.
 */
import type { Arch } from '../arch/arch.js';
import type { Design } from '../designs/design.js';
import { isca16, ISCA16_DATAFLOWS, type Isca16Dataflow } from '../designs/isca16.js';
import { designFromDocuments } from '../designs/resolve.js';
import { rowStationary } from '../designs/rowstationary.js';
import { documentsFromText, loadArchitectureInputs } from '../spec/load.js';
import { SpecError } from '../spec/errors.js';
import type { ParamValue } from './spec.js';

/** A text file carried inside a job, so that a worker on another machine needs no shared disk. */
export interface TextFile { readonly name: string; readonly text: string }

/** A base design with the parameters of one point (derived and solved ones included). */
export type DesignSpec =
  | { readonly kind: 'rowstationary'; readonly base: string; readonly params: Readonly<Record<string, ParamValue>> }
  | { readonly kind: 'isca16'; readonly base: string; readonly params: Readonly<Record<string, ParamValue>> }
  | { readonly kind: 'files'; readonly base: string; readonly files: readonly TextFile[]; readonly ert?: TextFile; readonly params: Readonly<Record<string, ParamValue>> };

/** The parameters of the row-stationary base and their defaults (Eyeriss v1). */
export const ROWSTATIONARY_DEFAULTS: Readonly<Record<string, ParamValue>> = {
  rows: 12, cols: 14, psumWords: 24, weightWords: 224, ifmapWords: 12, bufferWords: (108 * 1024) / 2, blockWords: 4,
  bufferHoldsWeights: false, clockMHz: 200, dramBandwidth: 0,
};

/** The parameters of the ISCA'16 base (`bufferWords` 0: the built-in's equal-area buffer). */
export const ISCA16_DEFAULTS: Readonly<Record<string, ParamValue>> = { dataflow: 'RS', bufferWords: 0 };

/** Names a base knows, or null when any name goes (Timeloop files: Jinja2 variables). */
export function baseParameters(kind: DesignSpec['kind']): readonly string[] | null {
  if (kind === 'rowstationary') return Object.keys(ROWSTATIONARY_DEFAULTS);
  if (kind === 'isca16') return Object.keys(ISCA16_DEFAULTS);
  return null;
}

/** The kind and fixed defaults of a built-in base name (`eyeriss`, `rowstationary`, `isca16`, `isca16-ws`, ...), or null. */
export function builtinBase(name: string): { kind: 'rowstationary' | 'isca16'; defaults: Record<string, ParamValue> } | null {
  const n = name.toLowerCase();
  if (n === 'eyeriss' || n === 'rowstationary') return { kind: 'rowstationary', defaults: { ...ROWSTATIONARY_DEFAULTS } };
  if (n === 'isca16') return { kind: 'isca16', defaults: { ...ISCA16_DEFAULTS } };
  const m = /^isca16-(\w+)$/.exec(n);
  const d = m && ISCA16_DATAFLOWS.find((x) => x.toLowerCase() === m[1]);
  return d ? { kind: 'isca16', defaults: { ...ISCA16_DEFAULTS, dataflow: d } } : null;
}

/** Built-in base names a spec may give. */
export const BUILTIN_BASES: readonly string[] = ['eyeriss', 'rowstationary', 'isca16', ...ISCA16_DATAFLOWS.map((d) => `isca16-${d.toLowerCase()}`)];

function whole(p: Readonly<Record<string, ParamValue>>, k: string, label: string, min = 1): number {
  const v = p[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new SpecError(label, `parameters.${k}`, `a whole number ≥ ${min}`, String(v));
  return v;
}

function positive(p: Readonly<Record<string, ParamValue>>, k: string, label: string, zero = false): number {
  const v = p[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zero && v === 0)) throw new SpecError(label, `parameters.${k}`, zero ? 'a number ≥ 0' : 'a number > 0', String(v));
  return v;
}

/** A short, stable label of a point: the base and its parameters in name order. */
export function designLabel(d: DesignSpec): string {
  const ps = Object.keys(d.params).sort().map((k) => `${k}=${String(d.params[k])}`);
  return ps.length ? `${d.base} ${ps.join(' ')}` : d.base;
}

function withLevel(arch: Arch, name: string, change: Partial<Arch['storage'][number]>): Arch {
  return { ...arch, storage: arch.storage.map((l) => (l.name === name ? { ...l, ...change } : l)) };
}

/** Build the design of a point; bad parameter values are SpecErrors naming `label` (the spec file). */
export function buildDesign(d: DesignSpec, label = '<sweep>'): Design {
  const name = designLabel(d);
  if (d.kind === 'rowstationary') {
    const p = d.params;
    const hold = p.bufferHoldsWeights;
    if (typeof hold !== 'boolean') throw new SpecError(label, 'parameters.bufferHoldsWeights', 'true or false', String(hold));
    const rs = rowStationary({
      name, rows: whole(p, 'rows', label), cols: whole(p, 'cols', label), psumWords: whole(p, 'psumWords', label), weightWords: whole(p, 'weightWords', label),
      ifmapWords: whole(p, 'ifmapWords', label), bufferWords: whole(p, 'bufferWords', label), blockWords: whole(p, 'blockWords', label),
      bufferHoldsWeights: hold, clockHz: positive(p, 'clockMHz', label) * 1e6, description: `row stationary: ${name}`,
    });
    const bw = positive(p, 'dramBandwidth', label, true);
    return bw > 0 ? { ...rs, arch: withLevel(rs.arch, 'DRAM', { readBandwidth: bw, writeBandwidth: bw }) } : rs;
  }
  if (d.kind === 'isca16') {
    const flow = ISCA16_DATAFLOWS.find((x) => x === String(d.params.dataflow).toUpperCase()) as Isca16Dataflow | undefined;
    if (!flow) throw new SpecError(label, 'parameters.dataflow', `one of ${ISCA16_DATAFLOWS.join(', ')}`, String(d.params.dataflow));
    const b = isca16(flow);
    const words = whole(d.params, 'bufferWords', label, 0);
    const glb = flow === 'RS' ? 'shared_glb' : 'buffer';
    const arch = words > 0 ? withLevel(b.arch, glb, { sizeWords: words }) : b.arch;
    return { ...b, name, arch: { ...arch, name } };
  }
  const jinja = Object.fromEntries(Object.entries(d.params));
  const docs = documentsFromText(d.files, jinja).map((x) => {
    if (x.kind !== 'yaml') throw new SpecError(x.file, '', 'a YAML architecture file', 'a loop-nest text');
    return x;
  });
  const ert = d.ert ? { file: d.ert.name, value: documentsFromText([d.ert]).find((x) => x.kind === 'yaml')?.value } : undefined;
  const design = designFromDocuments(loadArchitectureInputs(docs, ert), d.files.map((f) => f.name));
  return { ...design, name };
}
