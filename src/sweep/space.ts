/**
 * From a sweep spec to its design points: the grid of the parameters (or
 * a seeded random sample of it), derived parameters, the equal-area rule
 * (one parameter solved per point so that every point has the reference's
 * area), the filters, and each point's design, area and key.
 */
import type { Design } from '../designs/design.js';
import { SpecError } from '../spec/errors.js';
import { evaluate, ExprError, scopeOf } from '../util/expr.js';
import { Rng } from '../util/rng.js';
import { artArea, isca16Area, type AreaEstimate } from './area.js';
import { baseParameters, BUILTIN_BASES, buildDesign, builtinBase, type DesignSpec, type TextFile } from './design.js';
import { keyOf } from './key.js';
import type { ParamValue, SweepSpec } from './spec.js';

/** One design of a sweep. */
export interface DesignPoint {
  /** Position in the sweep's list (grid order, or sample order by grid index). */
  readonly index: number;
  readonly key: string;
  readonly spec: DesignSpec;
  readonly design: Design;
  readonly area: AreaEstimate;
}

/** The designs of a sweep, with what was left out and why. */
export interface DesignSpace {
  readonly points: readonly DesignPoint[];
  /** Grid size before sampling. */
  readonly gridSize: number;
  /** Points dropped by `where` or because no value of the solved parameter meets the area. */
  readonly filtered: number;
  readonly infeasibleArea: number;
  readonly areaSource: AreaEstimate['source'];
  readonly areaUnit: AreaEstimate['unit'];
  readonly warnings: readonly string[];
}

/** The contents of a files base, read by the caller. */
export interface BaseFiles { readonly files: readonly TextFile[]; readonly ert?: TextFile }

/** Points a grid may have before sampling; beyond it the spec is refused (sample it instead). */
export const MAX_GRID = 1_000_000;

function areaOf(spec: DesignSpec, d: Design): AreaEstimate {
  return spec.kind === 'isca16' ? isca16Area(d.arch) : artArea(d.arch);
}

function expr(src: string | number, params: Record<string, ParamValue>, file: string, field: string, extra: Record<string, unknown> = {}): unknown {
  if (typeof src === 'number') return src;
  try {
    return evaluate(src, scopeOf(extra, params));
  } catch (e) {
    if (e instanceof ExprError) throw new SpecError(file, field, `an expression over the parameters${Object.keys(extra).length ? ` and ${Object.keys(extra).join(', ')}` : ''}`, `${JSON.stringify(src)} (${e.message})`);
    throw e;
  }
}

/** Enumerate the design points of a spec. `files` holds a files base's contents. */
export function designSpace(s: SweepSpec, files?: BaseFiles): DesignSpace {
  const f = s.file;
  const builtin = typeof s.base === 'string' ? builtinBase(s.base) : null;
  if (typeof s.base === 'string' && !builtin) throw new SpecError(f, 'base', `a built-in base (${BUILTIN_BASES.join(', ')}) or { files: [...] }`, s.base);
  if (typeof s.base !== 'string' && !files) throw new Error('designSpace: a files base needs its files');
  const kind = builtin?.kind ?? 'files';
  const baseName = typeof s.base === 'string' ? s.base : s.base.files.join(',');
  const defaults: Record<string, ParamValue> = builtin?.defaults ?? {};
  const known = baseParameters(kind);
  const check = (name: string, field: string) => {
    if (known && !known.includes(name)) throw new SpecError(f, field, `a parameter of base ${baseName} (${known.join(', ')})`, name);
  };
  for (const name of s.parameters.keys()) check(name, `parameters.${name}`);
  for (const [name] of s.derive) check(name, `derive.${name}`);
  if (s.equalArea) {
    check(s.equalArea.solve, 'equal_area.solve');
    for (const k of Object.keys(s.equalArea.reference)) check(k, `equal_area.reference.${k}`);
  }
  const specOf = (params: Record<string, ParamValue>): DesignSpec => (kind === 'files'
    ? { kind, base: baseName, files: files!.files, ...(files!.ert ? { ert: files!.ert } : {}), params }
    : { kind, base: baseName, params });
  const derived = (p: Record<string, ParamValue>): Record<string, ParamValue> => {
    const out = { ...p };
    for (const [name, e] of s.derive) {
      const v = expr(e, out, f, `derive.${name}`);
      if (!(typeof v === 'number' && Number.isFinite(v)) && typeof v !== 'string' && typeof v !== 'boolean') throw new SpecError(f, `derive.${name}`, 'an expression giving a number, string or boolean', String(v));
      out[name] = v;
    }
    return out;
  };

  const names = [...s.parameters.keys()];
  const values = names.map((n) => s.parameters.get(n)!);
  const gridSize = values.reduce((a, v) => a * v.length, 1);
  if (gridSize > MAX_GRID) throw new SpecError(f, 'parameters', `a grid of at most ${MAX_GRID} points (use sampling: { random: n })`, `${gridSize}`);
  let indices: number[];
  if (s.sampling === 'grid' || s.sampling.random >= gridSize) indices = Array.from({ length: gridSize }, (_, i) => i);
  else {
    // Floyd's sampling: n distinct indices with n draws, whatever the grid's size.
    const rng = new Rng(s.seed), n = s.sampling.random, chosen = new Set<number>();
    for (let j = gridSize - n; j < gridSize; j++) {
      const t = rng.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    indices = [...chosen].sort((a, b) => a - b);
  }

  let target: number | undefined;
  if (s.equalArea) {
    const ref = specOf(derived({ ...defaults, ...s.equalArea.reference }));
    target = areaOf(ref, buildDesign(ref, f)).value;
  }
  const points: DesignPoint[] = [];
  let filtered = 0, infeasibleArea = 0;
  let first: AreaEstimate | undefined;
  for (const gi of indices) {
    const swept: Record<string, ParamValue> = {};
    let rest = gi;
    for (let k = names.length - 1; k >= 0; k--) {
      swept[names[k]] = values[k][rest % values[k].length];
      rest = Math.floor(rest / values[k].length);
    }
    let params = derived({ ...defaults, ...swept });
    if (s.equalArea && target !== undefined) {
      const solved = solveArea(params, s.equalArea.solve, s.equalArea.multipleOf, target, (p) => { const sp = specOf(p); return areaOf(sp, buildDesign(sp, f)).value; });
      if (solved === null) { infeasibleArea++; continue; }
      params = { ...params, [s.equalArea.solve]: solved };
    }
    const spec = specOf(params);
    const design = buildDesign(spec, f);
    const area = areaOf(spec, design);
    first ??= area;
    if (!s.where.every((w, i) => truthy(expr(w, params, f, `where[${i}]`, { area: area.value, pes: design.arch.compute.instances })))) { filtered++; continue; }
    points.push({ index: points.length, key: keyOf(spec), spec, design, area });
  }
  if (points.length === 0) throw new SpecError(f, s.where.length ? 'where' : 'parameters', 'a sweep with at least one design left', `${gridSize} grid points, ${filtered} filtered out, ${infeasibleArea} without a value meeting equal_area`);
  return {
    points, gridSize, filtered, infeasibleArea, areaSource: first!.source, areaUnit: first!.unit,
    warnings: [...new Set(points.flatMap((p) => [...p.design.warnings, ...p.area.warnings]))],
  };
}

function truthy(v: unknown): boolean {
  return typeof v === 'number' ? v !== 0 : Boolean(v);
}

/**
 * A multiple of `step` for parameter `name` whose area is at most `target`,
 * by doubling then bisection, or null when even `step` is too large. Where
 * area grows with the parameter this is the largest such value; the SRAM
 * approximation's area steps where it changes reference point, so there
 * it may be a little below the largest.
 */
function solveArea(p: Record<string, ParamValue>, name: string, step: number, target: number, area: (p: Record<string, ParamValue>) => number): number | null {
  const at = (k: number) => area({ ...p, [name]: k * step });
  // Relative slack: areas are sums of floating-point figures.
  const fits = (k: number) => at(k) <= target * (1 + 1e-9);
  if (!fits(1)) return null;
  let lo = 1, hi = 2;
  while (fits(hi)) { lo = hi; hi *= 2; if (hi > 2 ** 40) return lo * step; }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid; else hi = mid;
  }
  return lo * step;
}
