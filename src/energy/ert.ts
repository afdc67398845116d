/**
 * From estimated ERTs to what the cost model reads: an `EnergyTable` with,
 * as Timeloop's ERT reader does, one energy per action (the largest over
 * its argument variants) under the component's short name, and one loud
 * line per component saying who priced it.
 */
import { accelergyClasses, accelergyComponents } from './accelergy.js';
import { estimateComponent, type ComponentEstimate, type CompoundClass, type EstimateOptions } from './estimate.js';
import type { EnergyTable } from './table.js';

/**
 * Estimates for every component of the given documents (architecture trees
 * and compound classes); SRAMs beyond Aladdin's range are approximated
 * unless `opts` says otherwise.
 */
export function estimateDocuments(docs: readonly { readonly file: string; readonly value: unknown }[], opts: EstimateOptions = { approximateSram: true }): ComponentEstimate[] {
  const classes = new Map<string, CompoundClass>();
  for (const d of docs) for (const c of accelergyClasses(d.value, d.file)) classes.set(c.name, c);
  const out: ComponentEstimate[] = [];
  for (const d of docs) {
    const v = d.value as Record<string, unknown> | null;
    if (v && typeof v === 'object' && (v.architecture !== undefined || v.flattened_architecture !== undefined)) {
      for (const c of accelergyComponents(v, d.file)) out.push(estimateComponent(c, classes, opts));
    }
  }
  return out;
}

/** The component's name as Timeloop's ERT reader keys it (no path, no instance range). */
export function shortName(full: string): string {
  return full.replace(/\[[^\]]*\]/g, '').split('.').pop() ?? full;
}

/** One line per component: who priced it, or why it could not be priced. */
export function estimateWarnings(ests: readonly ComponentEstimate[]): string[] {
  return ests.map((e) => {
    const complete = e.missing.length === 0;
    const by = e.estimators.length ? e.estimators.join(' + ') : 'no estimator';
    return complete
      ? `energy of ${shortName(e.name)} estimated without an ERT (class ${e.cls}; ${by}${e.approximate ? '; approximate' : ''}; see docs/energy.md)`
      : `energy of ${shortName(e.name)} NOT estimated (class ${e.cls}): ${e.missing[0]}${e.missing.length > 1 ? ` (+${e.missing.length - 1} more)` : ''}`;
  });
}

/**
 * The energy table of the estimates, or null if a component lacks a figure
 * (the model would price its accesses at 0 otherwise).
 */
export function estimatedEnergyTable(ests: readonly ComponentEstimate[], source: string): EnergyTable | null {
  const components = new Map<string, Record<string, number>>();
  for (const e of ests) {
    // A missing area does not stop the energies; a missing energy does.
    if (e.actions.length === 0 || e.actions.some((a) => a.energy === null)) return null;
    const actions: Record<string, number> = components.get(shortName(e.name)) ?? {};
    for (const a of e.actions) if (a.energy !== null) actions[a.action] = Math.max(actions[a.action] ?? -Infinity, a.energy);
    components.set(shortName(e.name), actions);
  }
  return components.size > 0 ? { source: `the estimate from the component specs of ${source}`, components, missingActionsAreZero: true } : null;
}

/** Prefix of the reader's warning when there is no ERT and the components cannot all be priced. */
export const NO_ERT_PREFIX = 'energies: no ERT, and not estimable';

/** ` (why)` from the reader's warnings when energies could not be estimated, else ''. */
export function noErtWhy(warnings: readonly string[]): string {
  const w = warnings.find((x) => x.startsWith(NO_ERT_PREFIX));
  return w ? ` — ${w.slice(NO_ERT_PREFIX.length).trim().replace(/^\(|\)$/g, '')}` : '';
}
