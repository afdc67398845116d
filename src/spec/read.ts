/**
 * Small typed readers over parsed YAML/JSON that throw {@link SpecError}
 * naming the file and the field path. Used by every spec front end so that
 * a bad field is always reported the same way.
 */
import { SpecError, describe } from './errors.js';

/** Where a value sits: file plus dotted field path. */
export class At {
  constructor(readonly file: string, readonly path: string = '') {}

  /** Path of a child field or list element. */
  key(k: string | number): At {
    if (typeof k === 'number') return new At(this.file, `${this.path}[${k}]`);
    return new At(this.file, this.path ? `${this.path}.${k}` : k);
  }

  /** Throw the one-line user error for this field: what was expected, what was found. */
  fail(expected: string, found?: unknown): never {
    throw new SpecError(this.file, this.path, expected, found === undefined ? undefined : describe(found));
  }
}

/** A parsed YAML/JSON mapping. */
export type Obj = Record<string, unknown>;

/** Whether a parsed value is a mapping (not a list, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A mapping, or a one-line error at `at`. */
export function obj(v: unknown, at: At): Obj {
  if (!isObj(v)) at.fail('a mapping of keys to values', v);
  return v;
}

/** A list, or a one-line error at `at`. */
export function list(v: unknown, at: At): unknown[] {
  if (!Array.isArray(v)) at.fail('a list', v);
  return v;
}

/** A non-empty string, or a one-line error at `at`. */
export function str(v: unknown, at: At): string {
  if (typeof v !== 'string' || v.length === 0) at.fail('a non-empty string', v);
  return v;
}

/** A finite number; numeric strings such as "1e-9" are accepted (Timeloop writes some). */
export function num(v: unknown, at: At): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) at.fail('a finite number', v);
  return n;
}

/** A positive safe integer (bounds, factors, instance counts). */
export function posInt(v: unknown, at: At): number {
  const n = num(v, at);
  if (!Number.isSafeInteger(n) || n < 1) at.fail('a positive whole number', v);
  return n;
}

/** Field `k` of `o` as a finite number, or undefined when absent or null. */
export function optNum(o: Obj, k: string, at: At): number | undefined {
  return o[k] === undefined || o[k] === null ? undefined : num(o[k], at.key(k));
}

/** Field `k` of `o` as a positive safe integer, or undefined when absent or null. */
export function optPosInt(o: Obj, k: string, at: At): number | undefined {
  return o[k] === undefined || o[k] === null ? undefined : posInt(o[k], at.key(k));
}

/** A list of strings, or one string (Timeloop accepts both in keep/bypass). */
export function strList(v: unknown, at: At): string[] {
  if (typeof v === 'string') return [v];
  return list(v, at).map((x, i) => str(x, at.key(i)));
}
