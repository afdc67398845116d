/**
 * The one grammar for the loop fields Timeloop writes in mappings and in
 * constraints alike: factors (`C1 M8`, `R=3,P=16`, a list, or a mapping of
 * names to numbers) and permutations (`MCRS`, `M C R S`, `NPQR SCM`, or a
 * list), innermost first.
 */
import { At, isObj, num, str } from '../../spec/read.js';

/** Bounds on factors (`N<=128` into `max`, `M>=2` into `min`), dimension → bound. */
export interface FactorBounds {
  readonly min: Map<number, number>;
  readonly max: Map<number, number>;
}

/**
 * Parse factors into dimension → factor. With `allowRest` (constraints), a
 * factor of 0 means "the remainder of the bound", as in Timeloop.
 */
export function parseFactors(v: unknown, at: At, dims: readonly string[], o: { allowRest?: boolean; bounds?: FactorBounds; residuals?: Map<number, number> } = {}): Map<number, number> {
  const out = new Map<number, number>();
  // Timeloop's imperfect factors (mapping/parser.cpp): `P=9,2` / `P9,2`, end 9 and
  // residual 2 — a comma directly followed by digits belongs to the factor before it.
  const residual = (name: string, f: number, r: string | undefined) => {
    if (r === undefined) return;
    if (!o.residuals) at.fail('factors without residuals here (P=9,2 only in mappings)', `${name}=${f},${r}`);
    const rv = Number(r);
    if (!Number.isSafeInteger(rv) || rv < 1 || (f > 0 && rv > f)) at.fail(`a residual between 1 and the factor ${f}`, `${name}=${f},${r}`);
    o.residuals.set(dims.indexOf(name), rv);
  };
  const min = o.allowRest ? 0 : 1;
  const add = (name: string, f: number, op = '=') => {
    const d = dims.indexOf(name);
    if (d < 0) at.fail(`factors over the problem's dimensions (${dims.join(', ')})`, name);
    if (op !== '=') {
      // Timeloop's bounded factors: `N<=128`, `M>=2` (constraints only).
      if (!o.bounds) at.fail('exact factors here (bounds such as N<=128 only in constraints)', `${name}${op}${f}`);
      if (!Number.isSafeInteger(f) || f < 1) at.fail('a positive whole bound', `${name}${op}${f}`);
      const m = op === '<=' ? o.bounds.max : o.bounds.min;
      if (m.has(d) || out.has(d)) at.fail('each dimension once', `${name} twice`);
      m.set(d, f);
      return;
    }
    if (!Number.isSafeInteger(f) || f < min) at.fail(o.allowRest ? 'whole factors ≥ 0 (0: the rest of the bound)' : 'positive whole factors', `${name}=${f}`);
    if (out.has(d) || o.bounds?.min.has(d) || o.bounds?.max.has(d)) at.fail('each dimension once', `${name} twice`);
    out.set(d, f);
  };
  if (isObj(v)) {
    for (const [k, f] of Object.entries(v)) add(k, num(f, at.key(k)));
    return out;
  }
  const text = Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : at.fail('factors such as "C1 M8" or "C=1,M=8"', v);
  for (const tok of text.replace(/\s*(<=|>=|=)\s*/g, '$1').replace(/(\d),(\d)/g, '$1:$2').split(/[\s,]+/).filter(Boolean)) {
    // NAME=N, or a name of letters glued to its number (C1, M8), each with an optional
    // residual (`:R`, written `,R`); Timeloop tolerates a trailing '#'.
    const b = /^([A-Za-z_]\w*)(<=|>=)(\d+)$/.exec(tok);
    if (b) { add(b[1], Number(b[3]), b[2]); continue; }
    const m = /^([A-Za-z_]\w*)=(\d+)(?::(\d+))?#?$/.exec(tok) ?? /^([A-Za-z_]+)(\d+)(?::(\d+))?#?$/.exec(tok);
    if (!m) at.fail('factors such as "C1 M8" or "C=1,M=8"', tok);
    add(m[1], Number(m[2]));
    residual(m[1], Number(m[2]), m[3]);
  }
  return out;
}

/**
 * Parse a permutation (innermost first). Separated tokens are dimension
 * names when they all are; otherwise (`NPQR SCM`) separators only group
 * single-letter dimensions.
 */
export function parsePermutation(v: unknown, at: At, dims: readonly string[]): number[] {
  let names: string[];
  if (Array.isArray(v)) names = v.map((x, i) => str(x, at.key(i)));
  else if (typeof v === 'string') {
    const toks = v.trim().split(/[\s,]+/).filter(Boolean);
    names = toks.every((t) => dims.includes(t)) ? toks : [...toks.join('')];
  } else at.fail('a permutation such as "MCRS" (innermost first)', v);
  const out: number[] = [];
  for (const n of names) {
    const d = dims.indexOf(n);
    if (d < 0) at.fail(`dimensions of the problem (${dims.join(', ')})`, n);
    if (out.includes(d)) at.fail('each dimension at most once', n);
    out.push(d);
  }
  return out;
}
