/**
 * Reads an Accelergy energy reference table (ERT, v0.3 or v0.4). Table names
 * such as `system_top_level.shared_glb[1..1]` are reduced to the component
 * name `shared_glb`. An action listed with several argument variants (v0.3
 * tables list reads by address/data delta) keeps its largest energy, which is
 * what Timeloop charges per vector access. The 2019 layout (`tables` a
 * mapping of component names to mappings of actions, each one entry or a
 * list of argument variants) reads the same way.
 */
import type { EnergyTable } from '../../energy/table.js';
import { At, isObj, list, num, obj, str } from '../../spec/read.js';

export function readERT(value: unknown, file: string): EnergyTable {
  const root = new At(file);
  const top = obj(value, root);
  const ertAt = top.ERT !== undefined ? root.key('ERT') : root;
  const ert = obj(top.ERT ?? top, ertAt);
  const tablesAt = ertAt.key('tables');
  const components = new Map<string, Record<string, number>>();
  const shortName = (full: string) => full.replace(/\[\d+\.\.\d+\]/g, '').split('.').pop()!;
  if (isObj(ert.tables)) {
    for (const [full, acts] of Object.entries(ert.tables)) {
      const at = tablesAt.key(full);
      const name = shortName(full);
      const actions: Record<string, number> = components.get(name) ?? {};
      for (const [an, variants] of Object.entries(obj(acts, at))) {
        const vat = at.key(an);
        const vs = Array.isArray(variants) ? variants : [variants];
        vs.forEach((v, j) => {
          const e = num(obj(v, Array.isArray(variants) ? vat.key(j) : vat).energy, (Array.isArray(variants) ? vat.key(j) : vat).key('energy'));
          actions[an] = Math.max(actions[an] ?? -Infinity, e);
        });
      }
      components.set(name, actions);
    }
    return { source: file, components };
  }
  list(ert.tables, tablesAt).forEach((t, i) => {
    const at = tablesAt.key(i);
    const o = obj(t, at);
    const full = str(o.name, at.key('name'));
    const name = full.replace(/\[\d+\.\.\d+\]/g, '').split('.').pop()!;
    const actions: Record<string, number> = components.get(name) ?? {};
    list(o.actions, at.key('actions')).forEach((a, j) => {
      const aat = at.key('actions').key(j);
      const ao = obj(a, aat);
      const an = str(ao.name, aat.key('name'));
      const e = num(ao.energy, aat.key('energy'));
      actions[an] = Math.max(actions[an] ?? -Infinity, e);
    });
    components.set(name, actions);
  });
  return { source: file, components, missingActionsAreZero: true };
}
