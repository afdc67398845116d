/**
 * Reads Timeloop v0.4 inputs in their fully resolved form (the
 * `parsed-processed-input.yaml` that timeloopfe dumps, or hand-written files
 * of the same shape): architecture tree, problem, mapping. Several files may
 * be given; their top-level sections are merged (a section in two files is
 * an error naming both).
 */
import { isOffChipClass, type Arch, type ComputeLevel, type StorageLevel } from '../../arch/arch.js';
import type { NocLink, NocPort } from '../../arch/network.js';
import type { Loop, LevelMapping, Mapping, SpatialLoop } from '../../mapping/mapping.js';
import { assignRoles } from '../../workload/roles.js';
import type { DataSpace, ProjectionTerm, Workload } from '../../workload/workload.js';
import { At, isObj, list, num, obj, optNum, optPosInt, posInt, str, strList, type Obj } from '../../spec/read.js';
import { parseFactors, parsePermutation } from './grammar.js';
import { SpecError } from '../../spec/errors.js';

/** A parsed top-level document: where each key came from, for error messages. */
export interface Sourced {
  readonly value: unknown;
  readonly at: At;
}

/** Top-level keys of the merged input documents. */
export type Merged = Map<string, Sourced>;

/** Whether a section says nothing (an empty list or mapping, or null): it neither hides nor clashes. */
function isEmptySection(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).every((k) => k === 'version' || isEmptySection(v[k])));
}

/** Two mappings of one section: lists (`classes`) join, equal values agree, different ones are refused. */
function mergeSection(a: Obj, b: Obj, at: At, firstFile: string): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in out) || sameValue(out[k], v)) out[k] = v;
    else if (Array.isArray(out[k]) && Array.isArray(v)) out[k] = [...(out[k] as unknown[]), ...v];
    else if (isObj(out[k]) && isObj(v)) out[k] = mergeSection(out[k] as Obj, v, at.key(k), firstFile);
    else at.key(k).fail(`one value (${firstFile} gives another)`, v);
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Merge parsed documents (file name + content) key by key. A section given
 * in two files is refused naming both (Timeloop's front end refuses it too),
 * unless one is empty (a mapper input's `mapping: []`) or both are the same.
 */
export function mergeDocuments(docs: readonly { file: string; value: unknown }[]): Merged {
  const merged: Merged = new Map();
  for (const d of docs) {
    if (d.value === null || d.value === undefined) throw new SpecError(d.file, '', 'top-level sections (architecture, problem, mapping, ...)', 'an empty file');
    const o = obj(d.value, new At(d.file));
    for (const [k, v] of Object.entries(o)) {
      const prev = merged.get(k);
      if (prev !== undefined) {
        if (isEmptySection(v) || sameValue(prev.value, v)) continue;
        if (!isEmptySection(prev.value)) {
          // Component libraries split over files (timeloopfe's `components/*.yaml`) and
          // variables over files merge; anything else given twice is refused.
          if ((k === 'compound_components' || k === 'components' || k === 'variables') && isObj(prev.value) && isObj(v)) {
            merged.set(k, { value: mergeSection(prev.value, v, new At(d.file, k), prev.at.file), at: prev.at });
            continue;
          }
          new At(d.file, k).fail(`each top-level section in one input file only (it is also in ${prev.at.file})`);
        }
      }
      merged.set(k, { value: v, at: new At(d.file, k) });
    }
  }
  return merged;
}

/** `name[1..N]` → name and N. */
function parseName(raw: string): { name: string; count: number } {
  const m = /^(.*)\[(\d+)\.\.(\d+)\]$/.exec(raw.trim());
  if (!m) return { name: raw.trim(), count: 1 };
  return { name: m[1], count: Number(m[3]) - Number(m[2]) + 1 };
}

interface RawComponent {
  raw: Obj;
  at: At;
  name: string;
  instances: number;
}

/** Network-on-chip classes: Timeloop's `SimpleMulticast`, `XY_NoC`, reduction trees and the like. */
const NETWORK_CLASS = /noc|multicast|reductiontree|network/i;

function walkTree(node: Obj, at: At, multiplier: number, out: RawComponent[], nets: RawComponent[]): void {
  for (const key of ['local', 'subtree', 'nodes'] as const) {
    if (node[key] === undefined) continue;
    const items = list(node[key], at.key(key));
    items.forEach((item, i) => {
      const o0 = isObj(item) ? item : undefined;
      // Trees made from a `nodes:` list carry the node's own path, so errors name what the user wrote.
      const iat = typeof o0?.__path === 'string' ? new At(at.file, o0.__path) : at.key(key).key(i);
      const o = obj(item, iat);
      const { name, count } = parseName(str(o.name, iat.key('name')));
      if (key === 'subtree' || (key === 'nodes' && (o.local !== undefined || o.subtree !== undefined || o.nodes !== undefined))) {
        walkTree(o, iat, multiplier * count, out, nets);
      } else if (typeof o.class === 'string' && NETWORK_CLASS.test(o.class)) {
        // A network-on-chip: not a storage level; it carries the traffic of the levels that name it.
        nets.push({ raw: o, at: iat, name, instances: count * multiplier });
      } else {
        // v0.2/v0.3 may give the count as an `instances` attribute: the level's absolute count.
        const ia = isObj(o.attributes) ? o.attributes.instances : undefined;
        const instances = ia !== undefined && ia !== null && count === 1 ? posInt(ia, iat.key('attributes').key('instances')) : count * multiplier;
        out.push({ raw: o, at: iat, name, instances });
      }
    });
  }
}

function attr(c: RawComponent, k: string): number | undefined {
  const a = c.raw.attributes;
  if (!isObj(a)) return undefined;
  const v = optNum(a, k, c.at.key('attributes'));
  const rule = ATTRIBUTE_RULES[k];
  if (v !== undefined && rule !== undefined && !rule.ok(v)) c.at.key('attributes').key(k).fail(rule.expected, v);
  return v;
}

/**
 * The legal range of every numeric attribute the model reads, stated once:
 * a value outside it is a one-line error, never a silently different energy.
 */
const WHOLE = { ok: (v: number) => Number.isSafeInteger(v) && v >= 1, expected: 'a positive whole number' };
const ATTRIBUTE_RULES: Readonly<Record<string, { ok(v: number): boolean; expected: string }>> = {
  width: WHOLE, memory_width: WHOLE, data_storage_width: WHOLE, datawidth: WHOLE, word_bits: WHOLE, 'word-bits': WHOLE,
  block_size: WHOLE, 'block-size': WHOLE, cluster_size: WHOLE, 'cluster-size': WHOLE,
  depth: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'a whole number ≥ 0' },
  memory_depth: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'a whole number ≥ 0' },
  data_storage_depth: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'a whole number ≥ 0' },
  entries: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'a whole number ≥ 0' },
  size: { ok: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'a whole number ≥ 0' },
  meshX: WHOLE, meshY: WHOLE, instances: WHOLE,
  multiple_buffering: { ok: (v) => v >= 1, expected: 'a number ≥ 1' },
  read_bandwidth: { ok: (v) => v > 0, expected: 'a positive number of words per cycle' },
  write_bandwidth: { ok: (v) => v > 0, expected: 'a positive number of words per cycle' },
  shared_bandwidth: { ok: (v) => v > 0, expected: 'a positive number of words per cycle' },
  bandwidth: { ok: (v) => v > 0, expected: 'a positive number of words per cycle' },
};

/** Architecture from a v0.4 `architecture` tree. The innermost component is the compute unit. */
export function readArchitecture(src: Sourced): Arch {
  const root = obj(src.value, src.at);
  const comps: RawComponent[] = [];
  const nets: RawComponent[] = [];
  walkTree(root, src.at, 1, comps, nets);
  if (comps.length < 2) src.at.fail('an architecture with at least one storage level and a compute unit', `${comps.length} component(s)`);
  // The compute unit is the arithmetic component (a MAC by class name); older
  // specs list registers after it. Without one, the innermost component.
  const isCompute = (c: RawComponent) => typeof c.raw.class === 'string' && /(^|_)(int|fp)?mac($|_)|^compute$|^alu$|^arithmetic$/i.test(c.raw.class);
  const ci = comps.findIndex(isCompute);
  const computeIndex = ci >= 0 ? ci : comps.length - 1;
  const computeRaw = comps[computeIndex];
  const mesh = (c: RawComponent) => {
    const x = attr(c, 'meshX');
    const y = attr(c, 'meshY');
    const mx = x ?? (y !== undefined ? c.instances / y : c.instances);
    const my = y ?? c.instances / mx;
    if (!Number.isInteger(mx) || !Number.isInteger(my) || mx * my !== c.instances) {
      c.at.key('attributes').fail(`meshX × meshY equal to the ${c.instances} instances of ${c.name}`, `${mx} × ${my}`);
    }
    return { meshX: mx, meshY: my };
  };
  const compute: ComputeLevel = {
    name: computeRaw.name,
    className: typeof computeRaw.raw.class === 'string' ? computeRaw.raw.class : 'compute',
    instances: computeRaw.instances,
    ...mesh(computeRaw),
  };
  const storage: StorageLevel[] = [];
  for (const c of comps.filter((_, i) => i !== computeIndex).reverse()) {
    const className = typeof c.raw.class === 'string' ? c.raw.class : 'storage';
    const wb = attr(c, 'datawidth') ?? attr(c, 'word_bits') ?? attr(c, 'word-bits');
    // Timeloop's default word size when a level gives none.
    const wordBits: number = wb ?? 16;
    // Sparseloop's SRAM_metadata components name them data_storage_width/depth (buffer.cpp reads both).
    const width = attr(c, 'width') ?? attr(c, 'memory_width') ?? attr(c, 'data_storage_width');
    // Timeloop: width = word bits × block size × cluster size; any one may be left out.
    const blockAttr = attr(c, 'block_size') ?? attr(c, 'block-size');
    const clusterAttr = attr(c, 'cluster_size') ?? attr(c, 'cluster-size');
    let blockSize: number;
    let clusterSize = clusterAttr ?? 1;
    if (blockAttr !== undefined) {
      blockSize = blockAttr;
      if (clusterAttr === undefined && width !== undefined) clusterSize = Math.max(1, Math.floor(width / (wordBits * blockSize)));
    } else if (width !== undefined) blockSize = Math.max(1, Math.floor(width / clusterSize / wordBits));
    else blockSize = 1;
    const depth = attr(c, 'depth') ?? attr(c, 'memory_depth') ?? attr(c, 'entries') ?? attr(c, 'data_storage_depth');
    const sizeAttr = attr(c, 'size');
    let sizeWords: number | null = null;
    if (sizeAttr !== undefined) sizeWords = sizeAttr;
    else if (depth !== undefined) sizeWords = depth * blockSize;
    // Off-chip memory is the DRAM class (docs/model.md, "Off-chip levels").
    const isDRAM = isOffChipClass(className);
    if (isDRAM) sizeWords = null;
    storage.push({
      name: c.name,
      className,
      instances: c.instances,
      ...mesh(c),
      sizeWords,
      wordBits,
      blockSize,
      clusterSize: c.instances % clusterSize === 0 ? clusterSize : 1,
      readBandwidth: attr(c, 'read_bandwidth') ?? null,
      writeBandwidth: attr(c, 'write_bandwidth') ?? null,
      sharedBandwidth: attr(c, 'shared_bandwidth') ?? null,
      multipleBuffering: attr(c, 'multiple_buffering') ?? 1,
      isDummy: className === 'dummy_storage',
      offChip: isDRAM,
    });
  }
  for (let i = 0; i < storage.length; i++) {
    const parent = storage[i];
    const child = i === 0 ? compute : storage[i - 1];
    if (child.instances % parent.instances !== 0) {
      src.at.fail(`the instances of ${child.name} (${child.instances}) to be a multiple of those of ${parent.name}`, parent.instances);
    }
  }
  // The design's name: the top container's, as Timeloop names the tree.
  const top = Array.isArray(root.subtree) && isObj(root.subtree[0]) && typeof root.subtree[0].name === 'string' ? parseName(root.subtree[0].name).name : undefined;
  const storageRaw = comps.filter((_, i) => i !== computeIndex).reverse();
  const { networks, notModelled } = readNetworks(nets, storageRaw, storage);
  return {
    name: typeof root.name === 'string' ? root.name : top ?? 'architecture', compute, storage,
    ...(networks.length > 0 ? { networks } : {}), ...(notModelled.length > 0 ? { notModelled } : {}),
  };
}

/**
 * The networks the storage levels route traffic through. A level's
 * `network_read` carries its reads down, `network_update` its updates up
 * (the children's `network_fill` / `network_drain` name the same networks).
 * A network that no level routes through is reported as not modelled.
 */
function readNetworks(nets: readonly RawComponent[], storageRaw: readonly RawComponent[], storage: readonly StorageLevel[]): { networks: NocLink[]; notModelled: string[] } {
  const byName = new Map(nets.map((n) => [n.name, n]));
  const ports = new Map<string, { parent: number; ports: NocPort[] }>();
  const notModelled: string[] = [];
  storageRaw.forEach((c, l) => {
    const a = isObj(c.raw.attributes) ? c.raw.attributes : {};
    for (const [key, port] of [['network_read', 'read'], ['network_update', 'update']] as const) {
      const v = a[key];
      if (v === undefined) continue;
      const name = str(v, c.at.key('attributes').key(key));
      if (!byName.has(name)) c.at.key('attributes').key(key).fail(`a network declared in the architecture (${[...byName.keys()].join(', ') || 'none'})`, name);
      const e = ports.get(name) ?? { parent: l, ports: [] };
      if (e.parent !== l) c.at.key('attributes').key(key).fail(`a network that only one level sends over (${name} already carries ${storage[e.parent].name}'s traffic)`, name);
      e.ports.push(port);
      ports.set(name, e);
    }
  });
  const networks: NocLink[] = [];
  for (const n of nets) {
    const cls = typeof n.raw.class === 'string' ? n.raw.class : 'network';
    const p = ports.get(n.name);
    if (!p) {
      notModelled.push(`network ${n.name} (${cls}): no storage level routes traffic through it (network_read / network_update), so it is not modelled`);
      continue;
    }
    const a = isObj(n.raw.attributes) ? n.raw.attributes : {};
    const at = n.at.key('attributes');
    const bandwidth = optNum(a, 'bandwidth', at) ?? null;
    if (bandwidth !== null && !ATTRIBUTE_RULES.bandwidth.ok(bandwidth)) at.key('bandwidth').fail(ATTRIBUTE_RULES.bandwidth.expected, bandwidth);
    if (bandwidth !== null) notModelled.push(`network ${n.name}: bandwidth ${bandwidth} words/cycle is not modelled (cycles ignore it)`);
    networks.push({
      name: n.name, className: cls, parent: p.parent, ports: p.ports,
      wordBits: optPosInt(a, 'datawidth', at) ?? optPosInt(a, 'word_bits', at) ?? storage[p.parent].wordBits,
      action: typeof a.action_name === 'string' ? a.action_name : 'transfer',
      perTensorAction: a.per_datatype_ERT === true || a.per_datatype_ERT === 'True' || a.per_datatype_ERT === 'true',
      bandwidth,
    });
  }
  return { networks, notModelled };
}

/** Problem (workload) from a v0.4 `problem` with `shape` and `instance`. */
export function readProblem(src: Sourced): Workload {
  const p = obj(src.value, src.at);
  const shapeAt = src.at.key('shape');
  const shape = obj(p.shape, shapeAt);
  const instAt = src.at.key('instance');
  const instance = obj(p.instance, instAt);
  const dims = list(shape.dimensions, shapeAt.key('dimensions')).map((d, i) => str(d, shapeAt.key('dimensions').key(i)));
  if (new Set(dims).size !== dims.length) shapeAt.key('dimensions').fail('distinct dimension names', dims.join(','));
  const coefValues = new Map<string, number>();
  if (shape.coefficients !== undefined && shape.coefficients !== null) {
    list(shape.coefficients, shapeAt.key('coefficients')).forEach((c, i) => {
      const cat = shapeAt.key('coefficients').key(i);
      const co = obj(c, cat);
      const name = str(co.name, cat.key('name'));
      coefValues.set(name, co.default === undefined ? 1 : num(co.default, cat.key('default')));
    });
  }
  for (const [k, v] of Object.entries(instance)) {
    if (coefValues.has(k)) coefValues.set(k, num(v, instAt.key(k)));
  }
  // Strides and dilations of 0 (or fractions) would silently collapse a projection.
  for (const [k, v] of coefValues) {
    if (/stride|dilation/i.test(k) && (!Number.isSafeInteger(v) || v < 1)) (instance[k] !== undefined ? instAt.key(k) : shapeAt.key('coefficients')).fail(`${k}: a positive whole number`, v);
  }
  const bounds = dims.map((d) => posInt(instance[d], instAt.key(d)));
  const dsKey = shape.data_spaces === undefined && shape['data-spaces'] !== undefined ? 'data-spaces' : 'data_spaces';
  const dsAt = shapeAt.key(dsKey);
  const read = list(shape[dsKey], dsAt).map((raw, i) => {
    const at = dsAt.key(i);
    const o = obj(raw, at);
    const name = str(o.name, at.key('name'));
    // Two tensors of one name would share every count and energy line.
    const seen = list(shape[dsKey], dsAt).slice(0, i).some((x) => isObj(x) && x.name === name);
    if (seen) at.key('name').fail('distinct data-space names', name);
    const projAt = at.key('projection');
    const ranks = list(o.projection, projAt).map((rank, r) => {
      const rat = projAt.key(r);
      // A rank is a list of terms; a term is [dim] or [dim, coefficient]. A bare
      // string or [[...]] shorthand is accepted too.
      const terms = typeof rank === 'string' ? [[rank]] : list(rank, rat);
      return terms.map((term, t): ProjectionTerm => {
        const tat = rat.key(t);
        const parts = typeof term === 'string' ? [term] : list(term, tat);
        if (parts.length < 1 || parts.length > 2) tat.fail('a term [dimension] or [dimension, coefficient]', term);
        const dimName = str(parts[0], tat.key(0));
        const dim = dims.indexOf(dimName);
        if (dim < 0) tat.key(0).fail(`a dimension of the problem (${dims.join(', ')})`, dimName);
        let coef = 1;
        if (parts.length === 2) {
          const c = parts[1];
          if (typeof c === 'string' && coefValues.has(c)) coef = coefValues.get(c)!;
          else if (typeof c === 'string' && Number.isNaN(Number(c))) tat.key(1).fail(`a coefficient name (${[...coefValues.keys()].join(', ') || 'none declared'}) or a number`, c);
          else coef = num(c, tat.key(1));
        }
        if (!Number.isInteger(coef) || coef < 0) tat.key(1).fail('a non-negative whole coefficient', coef);
        return { dim, coef };
      });
    });
    const rw: unknown = o.read_write ?? o['read-write'] ?? false;
    if (typeof rw !== 'boolean') at.key('read_write').fail('true or false', rw);
    return { name, readWrite: rw as boolean, ranks };
  });
  // Timeloop has no roles: decide them here, once (docs/model.md, "Tensor roles").
  const roles = assignRoles(read);
  const dataSpaces: DataSpace[] = read.map((d, i) => ({ ...d, role: roles[i] }));
  if (dataSpaces.length === 0) dsAt.fail('at least one data space');
  if (new Set(dataSpaces.map((d) => d.name)).size !== dataSpaces.length) dsAt.fail('distinct data-space names');
  return { name: typeof shape.name === 'string' ? shape.name : 'problem', dims, bounds, dataSpaces };
}

interface LevelDirectives {
  temporal?: { factors: Map<number, number>; residuals: Map<number, number>; perm: number[]; at: At };
  spatial?: { factors: Map<number, number>; residuals: Map<number, number>; perm: number[]; split?: number; at: At };
  keep?: Set<string>;
  bypass?: Set<string>;
  at?: At;
}

/**
 * Mapping from a v0.4 `mapping` list. Unspecified factors are 1, except that
 * a dimension whose factors fall short of its bound gets the remainder at the
 * outermost level that leaves it unspecified (Timeloop's rule).
 */
export function readMapping(src: Sourced, w: Workload, arch: Arch): Mapping {
  const entries = list(src.value, src.at);
  const names = arch.storage.map((s) => s.name);
  const dirs: LevelDirectives[] = names.map(() => ({}));
  entries.forEach((raw, i) => {
    const at = src.at.key(i);
    const e = obj(raw, at);
    const target = str(e.target, at.key('target'));
    const li = names.indexOf(target);
    if (li < 0) at.key('target').fail(`a storage level of the architecture (${names.join(', ')})`, target);
    const type = e.type === undefined ? 'temporal' : str(e.type, at.key('type'));
    const d = dirs[li];
    if (type === 'temporal' || type === 'spatial') {
      // A factor of 0 means "the rest of the bound" here, as in Timeloop.
      const residuals = new Map<number, number>();
      const factors = e.factors === undefined ? new Map<number, number>() : parseFactors(e.factors, at.key('factors'), w.dims, { allowRest: true, residuals });
      const perm = e.permutation === undefined ? [] : parsePermutation(e.permutation, at.key('permutation'), w.dims);
      if (d[type]) at.fail(`one ${type} entry for ${target}`, 'two');
      if (type === 'spatial') {
        const split = e.split === undefined ? undefined : num(e.split, at.key('split'));
        d.spatial = { factors, residuals, perm, split, at };
      } else d.temporal = { factors, residuals, perm, at };
    } else if (type === 'bypass' || type === 'datatype' || type === 'dataspace') {
      const dsNames = w.dataSpaces.map((x) => x.name);
      const check = (key: 'keep' | 'bypass') => {
        if (e[key] === undefined || e[key] === null) return undefined;
        const l = strList(e[key], at.key(key));
        l.forEach((n, j) => { if (!dsNames.includes(n)) at.key(key).key(j).fail(`a data space (${dsNames.join(', ')})`, n); });
        return new Set(l);
      };
      d.keep = check('keep') ?? d.keep;
      d.bypass = check('bypass') ?? d.bypass;
      d.at = at;
    } else if (type === 'utilization' || type === 'max_overbooked_proportion') {
      // Mapper-only constraints: no effect on a fixed mapping.
    } else at.key('type').fail('temporal, spatial, bypass or datatype', type);
  });

  // Per dimension: product of the given factors, and the outermost level where it was left out.
  const D = w.dims.length;
  const given: number[] = new Array<number>(D).fill(1);
  const residualLevel: number[] = new Array<number>(D).fill(-1);
  // Where a factor of 0 puts the rest of a dimension's bound: level and loop kind.
  const restAt: ({ li: number; kind: 'temporal' | 'spatial' } | undefined)[] = new Array(D).fill(undefined);
  for (let li = 0; li < names.length; li++) {
    for (const kind of ['temporal', 'spatial'] as const) {
      const x = dirs[li][kind];
      for (let d = 0; d < D; d++) {
        const f = x?.factors.get(d);
        if (f === 0) {
          if (restAt[d]) x!.at.key('factors').fail(`one factor 0 (the rest of the bound) per dimension`, `${w.dims[d]}=0 twice`);
          restAt[d] = { li, kind };
        } else if (f !== undefined) given[d] *= f;
        else if (kind === 'temporal') residualLevel[d] = li;
      }
    }
  }
  // A dimension with an imperfect factor is given in full (Timeloop fills
  // nothing in; the residuals must cover the bound: validateMapping).
  const imperfect = new Array<boolean>(D).fill(false);
  for (const d of dirs) for (const x of [d.temporal, d.spatial]) for (const [dim, r] of x?.residuals ?? []) if (r < (x!.factors.get(dim) ?? 0)) imperfect[dim] = true;
  const residual = new Array<number>(D).fill(1);
  for (let d = 0; d < D; d++) {
    if ((given[d] === w.bounds[d] || imperfect[d]) && !restAt[d]) continue;
    if ((residualLevel[d] >= 0 || restAt[d]) && w.bounds[d] % given[d] === 0) residual[d] = w.bounds[d] / given[d];
    else src.at.fail(`factors of ${w.dims[d]} whose product is its bound ${w.bounds[d]}`, given[d]);
  }
  const factorAt = (li: number, kind: 'temporal' | 'spatial', dim: number): number => {
    const f = dirs[li][kind]?.factors.get(dim);
    if (f === 0) return residual[dim];
    if (f !== undefined) return f;
    return kind === 'temporal' && !restAt[dim] && !imperfect[dim] && residualLevel[dim] === li ? residual[dim] : 1;
  };
  // The loop of (level, kind, dim), with its residual when it is imperfect.
  const loopAt = (li: number, kind: 'temporal' | 'spatial', dim: number, f: number): Loop => {
    const r = dirs[li][kind]?.residuals.get(dim);
    return r !== undefined && r < f ? { dim, factor: f, residual: r } : { dim, factor: f };
  };

  const levels: LevelMapping[] = names.map((_, li) => {
    const d = dirs[li];
    const order = (perm: number[]) => [...perm, ...w.dims.map((_, i) => i).filter((i) => !perm.includes(i))];
    const temporal: Loop[] = [];
    for (const dim of order(d.temporal?.perm ?? [])) {
      const f = factorAt(li, 'temporal', dim);
      if (f > 1) temporal.push(loopAt(li, 'temporal', dim, f));
    }
    const spatial: SpatialLoop[] = [];
    if (d.spatial) {
      const perm = order(d.spatial.perm);
      const fo = fanoutOf(arch, li);
      let split = d.spatial.split;
      if (split === undefined) {
        // No split given: fill X first while it fits, the rest goes to Y.
        let px = 1;
        split = 0;
        for (const dim of perm) {
          const f = factorAt(li, 'spatial', dim);
          if (px * f <= fo.x) { px *= f; split++; } else break;
        }
      }
      perm.forEach((dim, idx) => {
        const f = factorAt(li, 'spatial', dim);
        if (f > 1) spatial.push({ ...loopAt(li, 'spatial', dim, f), axis: idx < split! ? 'X' : 'Y' });
      });
    }
    const keep = w.dataSpaces.map((ds) => {
      if (d.keep?.has(ds.name)) return true;
      if (d.bypass?.has(ds.name)) return false;
      if (d.keep && !d.bypass) return false;
      return true;
    });
    return { temporal, spatial, keep };
  });
  return { levels };
}

function fanoutOf(arch: Arch, li: number): { x: number; y: number } {
  const child = li === 0 ? arch.compute : arch.storage[li - 1];
  const parent = arch.storage[li];
  return { x: Math.max(1, child.meshX / parent.meshX), y: Math.max(1, child.meshY / parent.meshY) };
}
