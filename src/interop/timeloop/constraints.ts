/**
 * Timeloop's constraint sections (`architecture_constraints`,
 * `mapspace_constraints`, `constraints`; v0.3 and v0.4) as mapspace
 * constraints: fixed factors (`S=0` meaning "all of what is left"), factor
 * bounds (`N<=128`, `M>=2`, kept in `LevelConstraints.*Min/*Max`), loop
 * orders (listed dimensions take the innermost places), spatial X/Y splits,
 * keep/bypass; and the mapper section's objective.
 */
import type { Arch } from '../../arch/arch.js';
import { emptyConstraints, type Constraints } from '../../mapping/constraints.js';
import type { Objective } from '../../mapper/search.js';
import { isObj, list, num, obj, str, strList, type Obj } from '../../spec/read.js';
import type { Workload } from '../../workload/workload.js';
import { parseFactors, parsePermutation } from './grammar.js';
import type { Merged, Sourced } from './v4.js';

/** Merge constraint lists (`targets`) from the given sections into per-level constraints. */
export function readConstraints(sections: readonly Sourced[], w: Workload, arch: Arch, overFanout = false): Constraints {
  const c: Constraints = overFanout ? { ...emptyConstraints(arch), overFanout } : emptyConstraints(arch);
  const names = arch.storage.map((s) => s.name);
  const dsNames = w.dataSpaces.map((d) => d.name);
  for (const sec of sections) {
    if (sec.value === null || sec.value === undefined) continue;
    // v0.4: { targets: [...] }; v0.3 also allows the list itself.
    const listAt = Array.isArray(sec.value) ? sec.at : sec.at.key('targets');
    const targets = Array.isArray(sec.value) ? sec.value : obj(sec.value, sec.at).targets;
    if (targets === undefined || targets === null) continue;
    list(targets, listAt).forEach((t, i) => {
      const at = listAt.key(i);
      const e: Obj = obj(t, at);
      const target = str(e.target, at.key('target'));
      const li = names.indexOf(target);
      if (li < 0) at.key('target').fail(`a storage level (${names.join(', ')})`, target);
      const lc = c.levels[li];
      const type = str(e.type, at.key('type'));
      if (type === 'temporal' || type === 'spatial') {
        const bounds = { min: new Map<number, number>(), max: new Map<number, number>() };
        const f = e.factors === undefined ? new Map<number, number>() : parseFactors(e.factors, at.key('factors'), w.dims, { allowRest: true, bounds });
        for (const [side, m] of [['Min', bounds.min], ['Max', bounds.max]] as const) {
          if (m.size === 0) continue;
          const key = `${type}${side}` as 'temporalMin' | 'temporalMax' | 'spatialMin' | 'spatialMax';
          const into = (lc as { -readonly [K in typeof key]?: Map<number, number> })[key] ?? new Map<number, number>();
          for (const [d, v] of m) into.set(d, v);
          (lc as { -readonly [K in typeof key]?: Map<number, number> })[key] = into;
        }
        const p = e.permutation === undefined ? [] : parsePermutation(e.permutation, at.key('permutation'), w.dims);
        const target2 = type === 'temporal' ? lc.temporalFactors : lc.spatialFactors;
        for (const [d, v] of f) target2.set(d, v);
        if (type === 'spatial' && !overFanout) {
          // Fixed spatial factors must fit the fanout below the level.
          const child = li === 0 ? arch.compute : arch.storage[li - 1];
          const fanout = child.instances / arch.storage[li].instances;
          let prod = 1;
          for (const v of lc.spatialFactors.values()) prod *= Math.max(1, v);
          if (prod > fanout) at.key('factors').fail(`spatial factors whose product fits the fanout of ${target} (${fanout})`, prod);
        }
        if (type === 'temporal') { if (p.length) lc.temporalOrder.splice(0, lc.temporalOrder.length, ...p); }
        else {
          if (p.length) lc.spatialOrder.splice(0, lc.spatialOrder.length, ...p);
          if (e.split !== undefined) (lc as { split: number | undefined }).split = num(e.split, at.key('split'));
        }
      } else if (type === 'bypass' || type === 'datatype' || type === 'dataspace') {
        for (const key of ['keep', 'bypass'] as const) {
          if (e[key] === undefined || e[key] === null) continue;
          strList(e[key], at.key(key)).forEach((n, j) => {
            const d = dsNames.indexOf(n);
            if (d < 0) at.key(key).key(j).fail(`a data space (${dsNames.join(', ')})`, n);
            lc[key].add(d);
          });
        }
      }
      // utilization / max_overbooked_proportion and others: not used by the search.
    });
  }
  return c;
}

/**
 * What the search will not honour in these constraints, one line each
 * (none today: factor bounds are honoured by the mapspace).
 */
export function constraintWarnings(c: Constraints, w: Workload, arch: Arch): string[] {
  void c; void w; void arch;
  return [];
}

/**
 * Constraints from the `architecture_constraints`, `mapspace_constraints`,
 * `constraints` and `extra_mapping_constraints` sections. `overFanout`: the
 * design skips spatially, so fixed spatial factors may exceed the fanout
 * (see {@link Constraints.overFanout}).
 */
export function constraintsFrom(sections: Merged, w: Workload, arch: Arch, overFanout = false): Constraints {
  // timeloopfe's top templates put a design's mapping.yaml under `extra_mapping_constraints`.
  const found = ['architecture_constraints', 'mapspace_constraints', 'constraints', 'extra_mapping_constraints'].map((k) => sections.get(k)).filter((x) => x !== undefined);
  return readConstraints(found, w, arch, overFanout);
}

/**
 * The first optimisation metric of a `mapper` section (v0.3 or v0.4
 * spelling); a mapper section that names none means Timeloop's default, EDP.
 * Undefined without a mapper section.
 */
export function objectiveFrom(sections: Merged): Objective | undefined {
  const mapper = sections.get('mapper')?.value;
  if (!isObj(mapper)) return undefined;
  const m = mapper.optimization_metrics ?? mapper['optimization-metrics'] ?? mapper.optimization_metric;
  const first = Array.isArray(m) ? m[0] : m;
  if (first === 'delay' || first === 'energy' || first === 'edp') return first;
  if (first === 'last_level_accesses') return 'energy';
  return 'edp';
}
