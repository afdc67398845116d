/**
 * The estimated ERT and ART (`dnnergy energy`): a text table per component
 * and a JSON form with stable keys.
 */
import type { ComponentEstimate } from '../energy/estimate.js';

const fmtArgs = (a: Readonly<Record<string, number>> | null): string =>
  a ? Object.entries(a).map(([k, v]) => `${k}=${v}`).join(' ') : '';

/** Energy as Accelergy prints it (5 significant decimals at most). */
const pj = (e: number | null): string => (e === null ? 'missing' : String(Math.round(e * 1e5) / 1e5));

/** The ERT and ART as text: one block per component. */
export function formatEstimates(ests: readonly ComponentEstimate[]): string {
  const out: string[] = [];
  for (const e of ests) {
    out.push(`${e.name}  (class ${e.cls}; ${e.estimators.length ? e.estimators.join(' + ') : 'no estimator'})`);
    out.push(`  area ${e.area === null ? 'missing' : `${Math.round(e.area * 1000) / 1000} um^2`}`);
    const rows = e.actions.map((a) => [a.action, fmtArgs(a.arguments), pj(a.energy)] as const);
    const w0 = Math.max(6, ...rows.map((r) => r[0].length));
    const w1 = Math.max(9, ...rows.map((r) => r[1].length));
    out.push(`  ${'action'.padEnd(w0)}  ${'arguments'.padEnd(w1)}  energy (pJ)`);
    for (const r of rows) out.push(`  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
    for (const m of e.missing) out.push(`  missing: ${m}`);
    out.push('');
  }
  return out.join('\n');
}

/** The ERT and ART as plain JSON (stable keys, in input order). */
export function estimatesToJSON(ests: readonly ComponentEstimate[]): unknown {
  return {
    components: ests.map((e) => ({
      name: e.name,
      class: e.cls,
      estimators: e.estimators,
      area_um2: e.area,
      actions: e.actions.map((a) => ({ action: a.action, arguments: a.arguments, energy_pJ: a.energy })),
      missing: e.missing,
    })),
  };
}
