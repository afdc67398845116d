/**
 * The spec-level work of timeloopfe on merged top-level sections: the
 * legacy `arch:` key, `variables`, v0.4 `nodes:` architectures (with their
 * constraints and the dummy levels of spatial containers), named problem
 * shapes, the input's version, and warnings for what is read but not
 * modelled (sparse optimisations, densities).
 */
import { isObj, obj, type Obj } from '../../../spec/read.js';
import type { Merged } from '../v4.js';
import { evalValue, evalVariables, isNodeList, nodesToTree } from './nodes.js';
import { namedShape, SHAPE_NAMES } from './shapes.js';

/** The Timeloop input format found: v0.4 (timeloopfe), v0.3, or v0.2 (2019). */
export type InputVersion = '0.4' | '0.3' | '0.2';

/** Sections ready for the readers, with what was found on the way. */
export interface Prepared {
  readonly sections: Merged;
  readonly version: InputVersion;
  /** Why that version: the key or field it was read from. */
  readonly versionFrom: string;
  readonly warnings: readonly string[];
}

function versionOf(merged: Merged): { version: InputVersion; from: string } {
  if (merged.has('dumped_by_timeloop_front_end')) return { version: '0.4', from: 'dumped_by_timeloop_front_end' };
  for (const [k, s] of merged) {
    const v = isObj(s.value) ? s.value.version : undefined;
    if (v === undefined) continue;
    const t = String(v);
    if (t.startsWith('0.4')) return { version: '0.4', from: `${s.at.file}: ${k}.version` };
    if (t.startsWith('0.3')) return { version: '0.3', from: `${s.at.file}: ${k}.version` };
    if (t.startsWith('0.2')) return { version: '0.2', from: `${s.at.file}: ${k}.version` };
  }
  const a = merged.get('architecture')?.value;
  if (isNodeList(a)) return { version: '0.4', from: 'tagged architecture nodes' };
  if (merged.has('arch')) return { version: '0.2', from: 'the legacy `arch` key' };
  return { version: '0.3', from: 'no version given; subtree/local tree' };
}

function dataSpaceNames(problem: unknown): string[] {
  if (!isObj(problem) || !isObj(problem.shape)) return [];
  const ds = problem.shape.data_spaces ?? problem.shape['data-spaces'];
  return Array.isArray(ds) ? ds.filter(isObj).map((d) => String(d.name)) : [];
}

function dimNames(problem: unknown): string[] {
  if (!isObj(problem) || !isObj(problem.shape) || !Array.isArray(problem.shape.dimensions)) return [];
  return problem.shape.dimensions.map(String);
}

/** Prepare merged sections for the readers of `v4.ts` and `constraints.ts`. */
export function prepareSections(input: Merged): Prepared {
  const sections: Merged = new Map(input);
  const warnings: string[] = [];
  const { version, from } = versionOf(sections);
  const legacy = sections.get('arch');
  if (legacy && !sections.has('architecture')) { sections.set('architecture', legacy); sections.delete('arch'); }

  const varSrc = sections.get('variables');
  const variables = varSrc ? evalVariables(varSrc.value, varSrc.at) : {};
  delete variables.version;

  const prob = sections.get('problem');
  if (prob && isObj(prob.value)) {
    const p: Obj = { ...prob.value };
    if (typeof p.shape === 'string') {
      const s = namedShape(p.shape);
      if (s === undefined) prob.at.key('shape').fail(`a problem shape (a mapping, or a built-in name: ${SHAPE_NAMES.join(', ')})`, p.shape);
      p.shape = s;
    }
    if (p.instance === undefined && isObj(p.shape)) {
      // v0.2 problems give the bounds beside the shape.
      const { shape: _s, version: _v, ...rest } = p;
      void _s; void _v;
      if (Object.keys(rest).length > 0) { for (const k of Object.keys(rest)) delete p[k]; p.instance = rest; }
    }
    if (isObj(p.instance)) {
      const inst: Obj = {};
      for (const [k, v] of Object.entries(p.instance)) inst[k] = evalValue(v, [variables]);
      p.instance = inst;
    }
    sections.set('problem', { value: p, at: prob.at });
  }

  const arch = sections.get('architecture');
  if (arch && version === '0.2' && process2019Order(arch.value)) sections.set('architecture', { value: reverseLocals(arch.value), at: arch.at });
  if (arch && isNodeList(arch.value)) {
    const spec: Obj = Object.fromEntries([...sections].map(([k, s]) => [k, s.value]));
    const problem = sections.get('problem')?.value;
    const tree = nodesToTree(obj(arch.value, arch.at), arch.at, variables, dataSpaceNames(problem), spec);
    sections.set('architecture', { value: tree.architecture, at: arch.at });
    if (tree.sparseTargets.length > 0) {
      // Per-component sparse optimizations join the top-level section's targets (the sparse engine reads one list).
      const key = sections.has('sparse-optimizations') ? 'sparse-optimizations' : 'sparse_optimizations';
      const cur = sections.get(key);
      const curTargets = cur && isObj(cur.value) && Array.isArray(cur.value.targets) ? cur.value.targets : [];
      sections.set(key, { value: { ...(cur && isObj(cur.value) ? cur.value : {}), targets: [...curTargets, ...tree.sparseTargets] }, at: cur?.at ?? arch.at });
    }
    const dims = dimNames(problem);
    const dsn = dataSpaceNames(problem);
    const ones = dims.map((d) => `${d}=1`).join(',');
    const dummyEntries = (have: (t: string, type: string) => boolean): Obj[] => tree.dummies.flatMap((d) => [
      ...(have(d, 'temporal') || dims.length === 0 ? [] : [{ target: d, type: 'temporal', factors: ones }]),
      ...(have(d, 'bypass') ? [] : [{ target: d, type: 'bypass', bypass: dsn }]),
    ]);
    const rename = (e: unknown): unknown => (isObj(e) && typeof e.target === 'string' && tree.containers.has(e.target) ? { ...e, target: tree.containers.get(e.target) } : e);
    const typeOf = (e: Obj): string => (e.type === 'datatype' || e.type === 'dataspace' || e.type === 'bypass' ? 'bypass' : String(e.type ?? 'temporal'));
    // Constraints: those written on the nodes, then any given in a constraints section.
    const existing = sections.get('architecture_constraints');
    const listed = existing && isObj(existing.value) && Array.isArray(existing.value.targets) ? existing.value.targets.map(rename) : [];
    const targets = [...tree.targets, ...listed] as Obj[];
    const has = (list: Obj[]) => (t: string, type: string) => list.some((e) => e.target === t && typeOf(e) === type);
    sections.set('architecture_constraints', { value: { targets: [...targets, ...dummyEntries(has(targets))] }, at: existing?.at ?? arch.at.key('nodes') });
    for (const k of ['mapspace_constraints', 'constraints', 'extra_mapping_constraints']) {
      const s = sections.get(k);
      if (s && isObj(s.value) && Array.isArray(s.value.targets)) sections.set(k, { value: { ...s.value, targets: s.value.targets.map(rename) }, at: s.at });
      else if (s && Array.isArray(s.value)) sections.set(k, { value: s.value.map(rename), at: s.at });
    }
    const map = sections.get('mapping');
    if (map && Array.isArray(map.value) && map.value.length > 0) {
      const entries = map.value.map(rename) as Obj[];
      sections.set('mapping', { value: [...entries, ...dummyEntries(has(entries.filter(isObj)))], at: map.at });
    }
  }
  return { sections, version, versionFrom: from, warnings };
}

/**
 * Whether a v0.2 tree lists a level before the one that encloses it in a
 * `local` list (more instances first: `DummyBuffer[0..15]` before
 * `GlobalBuffer`): 2019 Timeloop read such lists innermost first.
 */
function process2019Order(arch: unknown): boolean {
  let found = false;
  const count = (n: unknown) => {
    const m = isObj(n) && typeof n.name === 'string' ? /\[(\d+)\.\.(\d+)\]$/.exec(n.name) : null;
    return m ? Number(m[2]) - Number(m[1]) + 1 : 1;
  };
  const walk = (n: unknown) => {
    if (!isObj(n)) return;
    if (Array.isArray(n.local)) {
      const c = n.local.filter((x) => isObj(x) && !/noc|multicast|network/i.test(String(x.class))).map(count);
      if (c.some((x, i) => i > 0 && c[i - 1] > x)) found = true;
    }
    for (const k of ['subtree', 'nodes']) if (Array.isArray(n[k])) n[k].forEach(walk);
  };
  walk(arch);
  return found;
}

function reverseLocals(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(reverseLocals);
  if (!isObj(n)) return n;
  const out: Obj = { ...n };
  if (Array.isArray(n.local)) out.local = [...n.local].reverse();
  for (const k of ['subtree', 'nodes']) if (Array.isArray(n[k])) out[k] = reverseLocals(n[k]);
  return out;
}
