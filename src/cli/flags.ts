/**
 * Flag parsers shared by the commands: each takes the flag's text and its
 * name and returns a typed value, or throws a one-line SpecError naming the
 * flag (exit 2).
 */
import { availableParallelism } from 'node:os';
import { checkWritable } from '../io/files.js';
import type { OnnxImportOptions } from '../network/onnx/import.js';
import { SpecError } from '../spec/errors.js';

const CLI = '<command line>';

/** A whole number ≥ `min` (seeds ≥ 0, counts ≥ 1). */
export function wholeNumber(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new SpecError(CLI, flag, `a whole number ≥ ${min}`, v);
  return n;
}

/** A finite number > 0. */
export function positiveNumber(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new SpecError(CLI, flag, 'a positive number', v);
  return n;
}

/** A finite number in [lo, hi]. */
export function numberIn(v: string, flag: string, lo: number, hi: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) throw new SpecError(CLI, flag, `a number from ${lo} to ${hi}`, v);
  return n;
}

/** One of a fixed set of words (exact match). */
export function oneOf<T extends string>(v: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) throw new SpecError(CLI, flag, choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`, v);
  return v as T;
}

/** What the mapper minimises. */
export type ObjectiveFlag = 'energy' | 'delay' | 'edp';
export const OBJECTIVES: readonly ObjectiveFlag[] = ['energy', 'delay', 'edp'];

/** `--objective energy|delay|edp`. */
export function objective(v: string): ObjectiveFlag {
  return oneOf(v, '--objective', OBJECTIVES);
}

/** Timeloop's counting conventions. */
export type ConventionFlag = 'v4' | 'v3';

/** `--convention v4|v3`. */
export function convention(v: string): ConventionFlag {
  return oneOf(v, '--convention', ['v4', 'v3'] as const);
}

/** `--partial-tiles`: how an imperfect mapping's partial tiles are counted (Timeloop's rule, the default, or the true ones). */
export function partialTilesFlag(v: string | undefined): 'timeloop' | 'exact' {
  return v === undefined ? 'timeloop' : oneOf(v, '--partial-tiles', ['timeloop', 'exact'] as const);
}

/** A C×H×W input shape, e.g. `3x224x224`. */
export function shapeCHW(v: string, flag: string): [number, number, number] {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(v);
  if (!m) throw new SpecError(CLI, flag, 'CxHxW, e.g. 3x224x224', v);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A comma-separated list of `noun` from `choices`, matched case-insensitively, in the order given. */
export function listOf<T extends string>(v: string, flag: string, choices: readonly T[], noun: string): T[] {
  return v.split(',').map((s) => {
    const d = choices.find((x) => x.toLowerCase() === s.trim().toLowerCase());
    if (!d) throw new SpecError(CLI, flag, `${noun} from ${choices.join(', ')}`, s);
    return d;
  });
}

/** Memory one mapper thread takes (a worker with its own copy of the model), for the help and the warning. */
export const MB_PER_THREAD = 35;

/**
 * `--threads n`: a whole number ≥ 1, capped at the cores this process may
 * use (more threads only share them, at ~35 MB each; 999 of them exhaust
 * memory). A capped value is said once on stderr.
 */
export function threadsFlag(v: string, cores: number = availableParallelism()): number {
  const n = wholeNumber(v, '--threads', 1);
  if (n <= cores) return n;
  process.stderr.write(`warning: --threads ${n} capped at ${cores}, the cores available (each thread takes ~${MB_PER_THREAD} MB)\n`);
  return cores;
}

/**
 * Check before the run that each given output target can be written (see
 * `checkWritable`), and that no two flags name the same file.
 */
export function outputTargets(targets: Readonly<Record<string, string | undefined>>, kind: 'file' | 'dir' = 'file', files: readonly string[] = []): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of Object.entries(targets)) {
    if (path === undefined) continue;
    const key = path.replace(/\/+$/, '');
    const other = seen.get(key);
    if (other !== undefined) throw new SpecError(CLI, flag, `a different file from ${other}`, path);
    seen.set(key, flag);
    checkWritable(path, flag, kind, files);
  }
}

/**
 * Template data from `--jinja name=value` flags (repeatable, or
 * comma-separated): numbers and True/False as such, the rest as strings.
 */
export function jinjaFlag(flags: readonly string[] | string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const items = flags === undefined ? [] : (typeof flags === 'string' ? [flags] : flags).flatMap((f) => f.split(','));
  for (const item of items) {
    const m = /^([A-Za-z_]\w*)=(.*)$/.exec(item.trim());
    if (!m) throw new SpecError(CLI, '--jinja', 'name=value, e.g. --jinja architecture=eyeriss_like', item);
    const v = m[2];
    out[m[1]] = /^(true|false)$/i.test(v) ? /^true$/i.test(v) : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** `--input-shape` (CxHxW, or name=AxBx…, comma-separated), `--dim name=N,…`, `--strict` and `--if cond=then|else,…` as ONNX import options. */
export function onnxImportFlags(opts: { inputShape?: string; dim?: string; strict?: boolean; if?: string }): OnnxImportOptions {
  const v = opts.inputShape;
  const legacy = v !== undefined && /^\d+x\d+x\d+$/.test(v);
  const inputShapes: Record<string, number[]> = {};
  if (v !== undefined && !legacy) {
    for (const part of v.split(',')) {
      const m = /^([^=]+)=(\d+(?:x\d+)*)$/.exec(part.trim());
      if (!m) throw new SpecError(CLI, '--input-shape', 'CxHxW, or name=1x3x224x224[,name=...]', part);
      inputShapes[m[1]] = m[2].split('x').map(Number);
    }
  }
  const dims: Record<string, number> = {};
  for (const part of opts.dim?.split(',') ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(part.trim());
    if (!m || Number(m[2]) < 1) throw new SpecError(CLI, '--dim', 'name=N with N ≥ 1, comma-separated', part);
    dims[m[1]] = Number(m[2]);
  }
  const conditions: Record<string, boolean> = {};
  for (const part of opts.if?.split(',') ?? []) {
    const m = /^([^=]+)=(then|else|true|false|1|0)$/i.exec(part.trim());
    if (!m) throw new SpecError(CLI, '--if', 'cond=then or cond=else (the condition tensor\'s name), comma-separated', part);
    conditions[m[1]] = /^(then|true|1)$/i.test(m[2]);
  }
  return { ...(legacy ? { inputShape: shapeCHW(v, '--input-shape') } : {}), inputShapes, dims, strict: opts.strict === true, ...(opts.if !== undefined ? { conditions } : {}) };
}

/** Densities given on the command line: tensor name or role → density. */
export type DensityFlag = ReadonlyMap<string, number>;

/**
 * `--density Weights=0.3,Inputs=0.5`: densities by tensor name or role
 * (`weight`, `input`, `output`), each in [0, 1].
 */
export function densityFlag(v: string | undefined): DensityFlag | undefined {
  if (v === undefined) return undefined;
  const out = new Map<string, number>();
  for (const part of v.split(',')) {
    const m = /^\s*([A-Za-z_][\w.-]*)\s*=\s*([^\s=]+)\s*$/.exec(part);
    if (!m) throw new SpecError(CLI, '--density', 'name=density pairs separated by commas, e.g. Weights=0.3,Inputs=0.5', v);
    if (out.has(m[1])) throw new SpecError(CLI, '--density', `one density per tensor`, `${m[1]} twice`);
    out.set(m[1], numberIn(m[2], `--density ${m[1]}`, 0, 1));
  }
  return out;
}
