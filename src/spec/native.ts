/**
 * dnnergy's own YAML: one document (or several, merged by section) with
 * `dnnergy: 1` and the sections `workload`, `arch`, `mapping`. Levels and
 * loops are written outermost first, as a loop nest reads. See
 * docs/formats.md and examples/.
 */
import * as z from 'zod';
import { isOffChipClass, type Arch, type StorageLevel } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { LevelMapping, Loop, Mapping, SpatialLoop } from '../mapping/mapping.js';
import { conv2dWorkload, convWorkload } from '../workload/conv.js';
import { assignRoles } from '../workload/roles.js';
import type { DataSpace, ProjectionTerm, Workload } from '../workload/workload.js';
import { readSparse } from '../interop/timeloop/sparse.js';
import type { Merged } from '../interop/timeloop/v4.js';
import type { SparseSpec } from '../sparse/spec.js';
import { SpecError } from './errors.js';
import { At } from './read.js';

const posInt = z.number().int().positive();
const nonNeg = z.number().nonnegative();

const Conv = z.strictObject({
  N: posInt.optional(), C: posInt, M: posInt, P: posInt, Q: posInt, R: posInt, S: posInt,
  Wstride: posInt.optional(), Hstride: posInt.optional(), Wdilation: posInt.optional(), Hdilation: posInt.optional(),
});

/** The same layer with explicit heights and widths (channels over all groups, as in ONNX). */
const Conv2d = z.strictObject({
  N: posInt.optional(), inC: posInt, outC: posInt, groups: posInt.optional(),
  kH: posInt, kW: posInt, outH: posInt, outW: posInt,
  strideH: posInt.optional(), strideW: posInt.optional(), dilH: posInt.optional(), dilW: posInt.optional(),
});

const Tensor = z.strictObject({
  name: z.string().min(1),
  /** One expression per rank: `C`, `2*P + R`. */
  index: z.array(z.union([z.string().min(1), z.number()])).min(1),
  output: z.boolean().optional(),
  /** What the tensor is to the layer; without it, the rule of docs/model.md ("Tensor roles"). */
  role: z.enum(['weight', 'input', 'output']).optional(),
});

const WorkloadSpec = z.strictObject({
  name: z.string().min(1).optional(),
  conv: Conv.optional(),
  conv2d: Conv2d.optional(),
  dims: z.record(z.string(), posInt).optional(),
  tensors: z.array(Tensor).min(1).optional(),
  /** Tensor → density, or { distribution, density }: Timeloop's `problem.instance.densities`. */
  densities: z.record(z.string(), z.union([z.number().min(0).max(1), z.record(z.string(), z.unknown())])).optional(),
});

const Level = z.strictObject({
  name: z.string().min(1),
  class: z.string().optional(),
  instances: posInt.optional(),
  meshX: posInt.optional(),
  meshY: posInt.optional(),
  /** Words per block row; capacity = depth × block_size words. */
  depth: posInt.optional(),
  /** Capacity in words, instead of depth. */
  size: posInt.optional(),
  word_bits: posInt,
  block_size: posInt.optional(),
  read_bandwidth: z.number().positive().optional(),
  write_bandwidth: z.number().positive().optional(),
  shared_bandwidth: z.number().positive().optional(),
  multiple_buffering: z.number().positive().optional(),
  /** Whether the level is off-chip memory; default: its class (or name) says DRAM. */
  off_chip: z.boolean().optional(),
  /** Metadata storage (sparse formats): width in bits, default metadata word bits, depth; Timeloop's metadata_storage_width, metadata_datawidth, metadata_storage_depth. */
  metadata_width: z.number().int().nonnegative().optional(),
  metadata_word_bits: z.number().int().nonnegative().optional(),
  metadata_depth: z.number().int().nonnegative().optional(),
});

const Compute = z.strictObject({
  name: z.string().min(1),
  class: z.string().optional(),
  instances: posInt.optional(),
  meshX: posInt.optional(),
  meshY: posInt.optional(),
});

const ArchSpec = z.strictObject({
  name: z.string().optional(),
  levels: z.array(Level).min(1),
  compute: Compute,
  /** Component → action → pJ (per block access for storage, per operation for compute). */
  energy: z.record(z.string(), z.record(z.string(), nonNeg)).optional(),
});

const LoopList = z.array(z.string().regex(/^[A-Za-z_]\w*?\d+(,\d+)?$/, 'loops such as "C4" (dimension then factor), or "P9,2" (factor 9, residual 2 on the last pass)'));

const MapLevel = z.strictObject({
  level: z.string().min(1),
  temporal: LoopList.optional(),
  spatial: z.strictObject({ X: LoopList.optional(), Y: LoopList.optional() }).optional(),
  keep: z.array(z.string()).optional(),
});

const Doc = z.strictObject({
  dnnergy: z.literal(1),
  workload: WorkloadSpec.optional(),
  arch: ArchSpec.optional(),
  mapping: z.array(MapLevel).optional(),
  /** Timeloop's `sparse_optimizations` (`targets`: formats, gating/skipping, compute optimizations), same spellings and meaning. */
  sparse_optimizations: z.unknown().optional(),
});

type DocT = z.infer<typeof Doc>;

function zodError(file: string, err: z.ZodError): SpecError {
  const issue = err.issues[0];
  const segs = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const path = segs.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
  let expected = issue.message;
  if (issue.code === 'invalid_type') expected = `${issue.expected}`;
  if (issue.code === 'unrecognized_keys') expected = `a known key (see docs/formats.md), not ${issue.keys.join(', ')}`;
  if (issue.code === 'too_small') expected = issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : `a value ≥ ${String(issue.minimum)}${issue.inclusive ? '' : ' (exclusive)'}`;
  return new SpecError(file, path, expected.replace(/^Invalid input: expected /, ''));
}

/** Parse `2*P + R` into terms over the given dimensions. */
function parseIndex(expr: string | number, dims: string[], file: string, field: string): ProjectionTerm[] {
  const terms: ProjectionTerm[] = [];
  for (const raw of String(expr).split('+')) {
    const part = raw.trim();
    const m = /^(?:(\d+)\s*\*\s*)?([A-Za-z_]\w*)(?:\s*\*\s*(\d+))?$/.exec(part);
    if (!m) throw new SpecError(file, field, 'an index such as "C" or "2*P + R"', String(expr));
    const dim = dims.indexOf(m[2]);
    if (dim < 0) throw new SpecError(file, field, `dimensions of the workload (${dims.join(', ')})`, m[2]);
    terms.push({ dim, coef: Number(m[1] ?? m[3] ?? 1) });
  }
  return terms;
}

function parseLoop(tok: string, dims: readonly string[], file: string, field: string): Loop {
  const m = /^([A-Za-z_]\w*?)(\d+)(?:,(\d+))?$/.exec(tok)!;
  const dim = dims.indexOf(m[1]);
  if (dim < 0) throw new SpecError(file, field, `dimensions of the workload (${dims.join(', ')})`, m[1]);
  const factor = Number(m[2]);
  if (!Number.isSafeInteger(factor) || factor < 1) throw new SpecError(file, field, 'a positive factor', tok);
  if (m[3] === undefined) return { dim, factor };
  // An imperfect loop (Timeloop's P=9,2): its residual runs on the last pass.
  const residual = Number(m[3]);
  if (!Number.isSafeInteger(residual) || residual < 1 || residual > factor) throw new SpecError(file, field, `a residual between 1 and the factor ${factor}`, tok);
  return residual < factor ? { dim, factor, residual } : { dim, factor };
}

/** Read native documents (merged by section, later winning). */
/**
 * Read native documents: workload, architecture, mapping, energies, and the
 * sparse spec when densities or `sparse_optimizations` are given.
 */
export function readNative(docs: readonly { file: string; value: unknown }[]): {
  workload: Workload; arch: Arch; mapping: Mapping | null; energy: EnergyTable | null; sparse?: SparseSpec;
} {
  const sections: { [K in 'workload' | 'arch' | 'mapping' | 'sparse_optimizations']?: { file: string; value: NonNullable<DocT[K]> } } = {};
  for (const d of docs) {
    const r = Doc.safeParse(d.value);
    if (!r.success) throw zodError(d.file, r.error);
    if (r.data.workload) sections.workload = { file: d.file, value: r.data.workload };
    if (r.data.arch) sections.arch = { file: d.file, value: r.data.arch };
    if (r.data.mapping) sections.mapping = { file: d.file, value: r.data.mapping };
    if (r.data.sparse_optimizations !== undefined && r.data.sparse_optimizations !== null) sections.sparse_optimizations = { file: d.file, value: r.data.sparse_optimizations };
  }
  const files = docs.map((d) => d.file).join(', ');
  if (!sections.workload) throw new SpecError(files, 'workload', 'a `workload` section');
  if (!sections.arch) throw new SpecError(files, 'arch', 'an `arch` section');

  // Workload.
  const ws = sections.workload;
  let workload: Workload;
  const forms = (['conv', 'conv2d', 'dims', 'tensors'] as const).filter((k) => ws.value[k] !== undefined).join(' + ');
  if (forms !== 'conv' && forms !== 'conv2d' && forms !== 'dims + tensors') throw new SpecError(ws.file, 'workload', 'one of `conv`, `conv2d`, or `dims` + `tensors`', forms || 'none');
  if (ws.value.conv) {
    workload = convWorkload(ws.value.name ?? 'conv', ws.value.conv);
  } else if (ws.value.conv2d) {
    const c = ws.value.conv2d;
    const groups = c.groups ?? 1;
    if (c.inC % groups !== 0 || c.outC % groups !== 0) throw new SpecError(ws.file, 'workload.conv2d.groups', `a divisor of inC (${c.inC}) and outC (${c.outC})`, String(groups));
    workload = conv2dWorkload(ws.value.name ?? 'conv', { ...c, batch: c.N });
  } else {
    const dims = Object.keys(ws.value.dims!);
    const read = ws.value.tensors!.map((t, i, all) => {
      // Two tensors of one name would share counts and energies that then do not add up.
      const first = all.findIndex((u) => u.name === t.name);
      if (first !== i) throw new SpecError(ws.file, `workload.tensors[${i}].name`, `a name no other tensor has (workload.tensors[${first}] is ${JSON.stringify(t.name)})`, JSON.stringify(t.name));
      const readWrite = t.output ?? t.role === 'output';
      if (t.role !== undefined && (t.role === 'output') !== readWrite) {
        throw new SpecError(ws.file, `workload.tensors[${i}].role`, readWrite ? 'output (the tensor has `output: true`)' : 'weight or input (the tensor has `output: false`)', t.role);
      }
      return { name: t.name, readWrite, role: t.role, ranks: t.index.map((e, r) => parseIndex(e, dims, ws.file, `workload.tensors[${i}].index[${r}]`)) };
    });
    const roles = assignRoles(read);
    const dataSpaces: DataSpace[] = read.map((t, i) => ({ name: t.name, role: roles[i], readWrite: t.readWrite, ranks: t.ranks }));
    if (!dataSpaces.some((d) => d.readWrite)) throw new SpecError(ws.file, 'workload.tensors', 'one tensor with `output: true`');
    workload = { name: ws.value.name ?? 'workload', dims, bounds: dims.map((d) => ws.value.dims![d]), dataSpaces };
  }

  // Architecture (written outermost first; stored innermost first).
  const as = sections.arch;
  const mesh = (inst: number, x: number | undefined, y: number | undefined, field: string) => {
    const mx = x ?? (y ? inst / y : inst);
    const my = y ?? inst / mx;
    if (!Number.isInteger(mx) || !Number.isInteger(my) || mx * my !== inst) throw new SpecError(as.file, field, `meshX × meshY = instances (${inst})`, `${mx} × ${my}`);
    return { meshX: mx, meshY: my };
  };
  const storage: StorageLevel[] = as.value.levels.map((l, i): StorageLevel => {
    const instances = l.instances ?? 1;
    const blockSize = l.block_size ?? 1;
    const isDRAM = isOffChipClass(l.class ?? l.name);
    return {
      name: l.name,
      className: l.class ?? (isDRAM ? 'DRAM' : 'SRAM'),
      instances,
      ...mesh(instances, l.meshX, l.meshY, `arch.levels[${i}]`),
      sizeWords: isDRAM && l.size === undefined && l.depth === undefined ? null : l.size ?? (l.depth !== undefined ? l.depth * blockSize : null),
      wordBits: l.word_bits,
      blockSize,
      clusterSize: 1,
      readBandwidth: l.read_bandwidth ?? null,
      writeBandwidth: l.write_bandwidth ?? null,
      sharedBandwidth: l.shared_bandwidth ?? null,
      multipleBuffering: l.multiple_buffering ?? 1,
      isDummy: l.class === 'dummy_storage',
      offChip: l.off_chip ?? isDRAM,
    };
  }).reverse();
  const c = as.value.compute;
  const cInst = c.instances ?? 1;
  const arch: Arch = {
    name: as.value.name ?? 'arch',
    compute: { name: c.name, className: c.class ?? 'intmac', instances: cInst, ...mesh(cInst, c.meshX, c.meshY, 'arch.compute') },
    storage,
  };
  const names = new Set<string>();
  for (const n of [...storage.map((s) => s.name), arch.compute.name]) {
    if (names.has(n)) throw new SpecError(as.file, 'arch', 'distinct level names', n);
    names.add(n);
  }
  for (let i = 0; i < storage.length; i++) {
    const child = i === 0 ? arch.compute : storage[i - 1];
    if (child.instances % storage[i].instances !== 0) {
      throw new SpecError(as.file, 'arch.levels', `instances of ${child.name} (${child.instances}) a multiple of those of ${storage[i].name}`, String(storage[i].instances));
    }
  }
  let energy: EnergyTable | null = null;
  if (as.value.energy) {
    for (const k of Object.keys(as.value.energy)) if (!names.has(k)) throw new SpecError(as.file, `arch.energy.${k}`, `a level or compute name (${[...names].join(', ')})`, k);
    energy = { source: as.file, components: new Map(Object.entries(as.value.energy)) };
  }

  // Mapping.
  let mapping: Mapping | null = null;
  if (sections.mapping) {
    const ms = sections.mapping;
    const lvNames = storage.map((s) => s.name);
    const levels: LevelMapping[] = storage.map(() => ({ temporal: [], spatial: [], keep: workload.dataSpaces.map(() => true) }));
    const seen = new Set<number>();
    ms.value.forEach((e, i) => {
      const li = lvNames.indexOf(e.level);
      const field = `mapping[${i}]`;
      if (li < 0) throw new SpecError(ms.file, `${field}.level`, `a level of the architecture (${lvNames.join(', ')})`, e.level);
      if (seen.has(li)) throw new SpecError(ms.file, `${field}.level`, `each level once`, e.level);
      seen.add(li);
      const temporal = (e.temporal ?? []).map((t, j) => parseLoop(t, workload.dims, ms.file, `${field}.temporal[${j}]`)).reverse();
      const spatial: SpatialLoop[] = [];
      for (const axis of ['Y', 'X'] as const) {
        (e.spatial?.[axis] ?? []).forEach((t, j) => spatial.push({ ...parseLoop(t, workload.dims, ms.file, `${field}.spatial.${axis}[${j}]`), axis }));
      }
      spatial.reverse();
      const dsNames = workload.dataSpaces.map((d) => d.name);
      (e.keep ?? []).forEach((k, j) => { if (!dsNames.includes(k)) throw new SpecError(ms.file, `${field}.keep[${j}]`, `a tensor of the workload (${dsNames.join(', ')})`, k); });
      const keep = e.keep ? dsNames.map((n) => e.keep!.includes(n)) : dsNames.map(() => !storage[li].isDummy);
      levels[li] = { temporal: temporal.filter((l) => l.factor > 1), spatial: spatial.filter((l) => l.factor > 1), keep };
    });
    mapping = { levels };
  }
  const sparse = nativeSparse(sections.workload, as, sections.sparse_optimizations, workload, arch);
  return { workload, arch, mapping, energy, ...(sparse ? { sparse } : {}) };
}

/** The problem's `instance` of Timeloop is the native workload itself: errors name `workload.densities`. */
class WorkloadAt extends At {
  override key(k: string | number): At {
    return k === 'instance' ? new At(this.file, 'workload') : super.key(k);
  }
}

/**
 * The sparse spec of native documents, read by the Timeloop reader (one
 * semantics) from sections shaped as Timeloop's, with field paths of the
 * native file.
 */
function nativeSparse(
  ws: { file: string; value: z.infer<typeof WorkloadSpec> }, as: { file: string; value: z.infer<typeof ArchSpec> },
  so: { file: string; value: unknown } | undefined, workload: Workload, arch: Arch,
): SparseSpec | null {
  if (ws.value.densities === undefined && so === undefined) return null;
  const merged: Merged = new Map();
  if (ws.value.densities !== undefined) merged.set('problem', { value: { instance: { densities: ws.value.densities } }, at: new WorkloadAt(ws.file, 'problem') });
  merged.set('architecture', {
    value: { nodes: as.value.levels.map((l) => ({ name: l.name, attributes: { metadata_storage_width: l.metadata_width, metadata_datawidth: l.metadata_word_bits, metadata_storage_depth: l.metadata_depth } })) },
    at: new At(as.file, 'arch'),
  });
  if (so) merged.set('sparse_optimizations', { value: so.value, at: new At(so.file, 'sparse_optimizations') });
  return readSparse(merged, workload, arch);
}
