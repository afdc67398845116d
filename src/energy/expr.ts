/**
 * Accelergy's attribute expressions (`datawidth * 2`, `log(memory_depth)`,
 * `n_PE_rows-1`) and argument ranges (`0..n_banks`), evaluated against the
 * attributes in scope. A value that is not an expression (`45nm`, `2mm`)
 * stays as written.
 */
import { evaluate } from '../util/expr.js';

export type Scope = Readonly<Record<string, unknown>>;

/** Accelergy writes log for the base-2 log of a depth (an address width). */
const ACCELERGY_FUNCTIONS: Readonly<Record<string, (...a: unknown[]) => unknown>> = { log: (x) => Math.log2(Number(x)) };

/** Evaluate `v` in `scope`: numbers and non-expressions pass through. */
export function evalValue(v: unknown, scope: Scope): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (Object.prototype.hasOwnProperty.call(scope, s)) return scope[s];
  const x = evalNumber(s, scope);
  return x === undefined ? v : x;
}

/** A numeric expression's value, or undefined if `s` is not one (the shared safe evaluator, util/expr.ts). */
export function evalNumber(s: string, scope: Scope): number | undefined {
  // Attributes in scope may be numbers written as text, or expressions of their own (without a scope).
  const names = {
    has: (n: string) => Object.prototype.hasOwnProperty.call(scope, n),
    lookup: (n: string) => { const v = scope[n]; return typeof v === 'string' ? evalNumber(v, {}) ?? v : v; },
  };
  try {
    const x = evaluate(s, names, { functions: ACCELERGY_FUNCTIONS });
    return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
  } catch {
    return undefined;
  }
}

/** `lo..hi` (inclusive) evaluated in `scope`, or undefined if `v` is not a range. */
export function evalRange(v: unknown, scope: Scope): [number, number] | undefined {
  if (typeof v !== 'string' || !v.includes('..')) return undefined;
  const [a, b] = v.split('..');
  const lo = evalNumber(a ?? '', scope);
  const hi = evalNumber(b ?? '', scope);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** Split `name[lo..hi]` into its base and instance count (1 without a range). */
export function nameRange(name: string, scope: Scope): { base: string; count: number } {
  const m = /^(.*)\[(.+)\]$/.exec(name);
  if (!m) return { base: name, count: 1 };
  const r = evalRange(m[2], scope);
  if (r) return { base: m[1] ?? name, count: r[1] - r[0] + 1 };
  return { base: m[1] ?? name, count: 1 };
}
