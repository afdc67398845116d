/**
 * Mapspace constraints per storage level, read from Timeloop's
 * `architecture_constraints` / `mapspace_constraints` (v0.3 and v0.4):
 * fixed factors (`C=1`, `S=0` meaning "all of what is left"), loop orders
 * (innermost first; listed dimensions take the innermost places), spatial
 * X/Y splits, and keep/bypass.
 */
import type { Arch } from '../arch/arch.js';
import { At, list, num, obj, str, strList, type Obj } from '../spec/read.js';
import type { Sourced } from '../interop/timeloop/v4.js';
import type { Workload } from '../workload/workload.js';

/** Constraints of one storage level. Factor 0 means "the remainder of the bound". */
export interface LevelConstraints {
  readonly temporalFactors: Map<number, number>;
  /** Dimensions that take the innermost temporal positions, in order. */
  readonly temporalOrder: number[];
  readonly spatialFactors: Map<number, number>;
  /** Spatial dimensions in order (innermost first); with `split`, the first `split` go to X. */
  readonly spatialOrder: number[];
  readonly split: number | undefined;
  readonly keep: Set<number>;
  readonly bypass: Set<number>;
}

export interface Constraints {
  readonly levels: LevelConstraints[];
}

export function emptyConstraints(arch: Arch): Constraints {
  return {
    levels: arch.storage.map(() => ({
      temporalFactors: new Map(), temporalOrder: [], spatialFactors: new Map(), spatialOrder: [], split: undefined,
      keep: new Set(), bypass: new Set(),
    })),
  };
}

function factors(v: unknown, at: At, dims: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  const text = Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : at.fail('factors such as "C=1 M=8"', v);
  for (const tok of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Za-z_]\w*?)=?(\d+)#?$/.exec(tok);
    if (!m) at.fail('factors such as "C=1 M=8"', tok);
    const d = dims.indexOf(m[1]);
    if (d < 0) at.fail(`dimensions of the problem (${dims.join(', ')})`, m[1]);
    out.set(d, Number(m[2]));
  }
  return out;
}

function order(v: unknown, at: At, dims: readonly string[]): number[] {
  let names: string[];
  if (Array.isArray(v)) names = v.map((x, i) => str(x, at.key(i)));
  else if (typeof v === 'string') {
    const toks = v.trim().split(/[\s,]+/).filter(Boolean);
    // "NPQR SCM": spaces only group single-letter dimensions.
    names = toks.every((t) => dims.includes(t)) ? toks : [...toks.join('')];
  } else at.fail('a permutation such as "MCRS" (innermost first)', v);
  return names.map((n) => {
    const d = dims.indexOf(n);
    if (d < 0) at.fail(`dimensions of the problem (${dims.join(', ')})`, n);
    return d;
  });
}

/** Merge constraint lists (`targets`) from the given sections into per-level constraints. */
export function readConstraints(sections: readonly Sourced[], w: Workload, arch: Arch): Constraints {
  const c = emptyConstraints(arch);
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
        const f = e.factors === undefined ? new Map<number, number>() : factors(e.factors, at.key('factors'), w.dims);
        const p = e.permutation === undefined ? [] : order(e.permutation, at.key('permutation'), w.dims);
        const target2 = type === 'temporal' ? lc.temporalFactors : lc.spatialFactors;
        for (const [d, v] of f) target2.set(d, v);
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
