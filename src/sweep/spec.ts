/**
 * The sweep spec (YAML): a base design, parameters with values or ranges,
 * derived parameters and filters, an equal-area rule, the networks, the
 * mapper's objective, budget and seed. Validated with zod; every failure is
 * one SpecError naming the file and the field path. File contents (ONNX,
 * Timeloop files) are read by the caller: this module stays browser-safe.
 */
import * as z from 'zod';
import { SpecError } from '../spec/errors.js';
import { parseYamlText } from '../spec/yaml.js';

const scalar = z.union([z.number(), z.string().min(1), z.boolean()]);

const Range = z.strictObject({
  from: z.number(),
  to: z.number(),
  /** Arithmetic step (default 1). */
  step: z.number().positive().optional(),
  /** Geometric factor instead of a step (e.g. 2 for powers of two). */
  times: z.number().gt(1).optional(),
});

const Parameter = z.union([
  z.strictObject({ values: z.array(scalar).min(1) }),
  z.strictObject({ range: Range }),
]);

const Base = z.union([
  z.string().min(1),
  z.strictObject({ files: z.array(z.string().min(1)).min(1), ert: z.string().min(1).optional() }),
]);

const Network = z.union([
  z.string().min(1),
  z.strictObject({
    zoo: z.string().min(1).optional(),
    onnx: z.string().min(1).optional(),
    input_shape: z.string().min(1).optional(),
    /** Only these layers (by name), e.g. to keep a test small. */
    layers: z.array(z.string().min(1)).min(1).optional(),
    batch: z.number().int().positive().optional(),
  }),
]);

const Spec = z.strictObject({
  sweep: z.literal(1).optional(),
  name: z.string().min(1).optional(),
  base: Base,
  parameters: z.record(z.string().min(1), Parameter).optional(),
  /** `grid` (default), or `{ random: n }`: n distinct points of the grid, drawn with the seed. */
  sampling: z.union([z.literal('grid'), z.strictObject({ random: z.number().int().positive() })]).optional(),
  /** Parameters computed from the others, in order (expressions). */
  derive: z.record(z.string().min(1), z.union([z.string().min(1), z.number()])).optional(),
  /** The same area for every point: `solve` is set, per point, to the largest value whose area is at most the reference's. */
  equal_area: z.strictObject({
    reference: z.record(z.string().min(1), scalar),
    solve: z.string().min(1),
    /** Granularity of the solved parameter (default 1). */
    multiple_of: z.number().int().positive().optional(),
  }).optional(),
  /** Points are kept when every expression is true; `area` may be used. */
  where: z.array(z.string().min(1)).optional(),
  networks: z.array(Network).min(1),
  objective: z.enum(['energy', 'delay', 'edp']).optional(),
  /** Mapper budget per layer. */
  evaluations: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().optional(),
});

/** A parameter's values, in order. */
export type ParamValue = number | string | boolean;

/** A network of a sweep before it is read. */
export interface NetworkRef {
  readonly zoo?: string;
  readonly onnx?: string;
  readonly inputShape?: string;
  readonly layers?: readonly string[];
  readonly batch: number;
}

/** A validated sweep spec. */
export interface SweepSpec {
  readonly file: string;
  readonly name: string;
  readonly base: string | { readonly files: readonly string[]; readonly ert?: string };
  /** Parameter name → its values (ranges expanded), in the spec's order. */
  readonly parameters: ReadonlyMap<string, readonly ParamValue[]>;
  readonly sampling: 'grid' | { readonly random: number };
  readonly derive: readonly (readonly [string, string | number])[];
  readonly equalArea?: { readonly reference: Readonly<Record<string, ParamValue>>; readonly solve: string; readonly multipleOf: number };
  readonly where: readonly string[];
  readonly networks: readonly NetworkRef[];
  readonly objective: 'energy' | 'delay' | 'edp';
  readonly evaluations: number;
  readonly seed: number;
}

/** Values of a range beyond this are refused: a typo (step 1 instead of times 2) would otherwise build millions of points. */
export const MAX_RANGE_VALUES = 10_000;

function zodError(file: string, err: z.ZodError): SpecError {
  const issue = err.issues[0];
  const segs = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const path = segs.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
  let expected = issue.message.replace(/^Invalid input: expected /, '');
  if (issue.code === 'unrecognized_keys') expected = `a known key (see README, Sweeps), not ${issue.keys.join(', ')}`;
  if (issue.code === 'too_small') expected = issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : `a value ≥ ${String(issue.minimum)}${issue.inclusive ? '' : ' (exclusive)'}`;
  if (issue.code === 'invalid_union') expected = unionHint(path);
  return new SpecError(file, path, expected);
}

function unionHint(path: string): string {
  if (/^parameters\.[^.]+$/.test(path)) return '{ values: [...] } or { range: { from, to, step | times } }';
  if (path === 'base') return 'a built-in design name or { files: [arch.yaml, ...], ert? }';
  if (/^networks\[\d+\]$/.test(path)) return 'a zoo name or { zoo | onnx, input_shape?, layers?, batch? }';
  if (path === 'sampling') return 'grid or { random: n }';
  return 'one of the accepted forms';
}

function expandRange(r: z.infer<typeof Range>, file: string, field: string): number[] {
  if (r.step !== undefined && r.times !== undefined) throw new SpecError(file, field, 'step or times, not both');
  const out: number[] = [];
  if (r.from > r.to || (r.times !== undefined && r.from <= 0)) throw new SpecError(file, field, 'a non-empty range (from ≤ to; from > 0 with times)', `from ${r.from} to ${r.to}`);
  for (let i = 0; ; i++) {
    // From the index, not by accumulating: 0.1 steps stay exact to rounding.
    const v = r.times !== undefined ? r.from * r.times ** i : r.from + i * (r.step ?? 1);
    if (v > r.to * (1 + 1e-12)) break;
    out.push(Number(v.toPrecision(12)));
    if (out.length > MAX_RANGE_VALUES) throw new SpecError(file, field, `a range of at most ${MAX_RANGE_VALUES} values`, `more from ${r.from} to ${r.to}`);
  }
  return out;
}

/** Validate a parsed sweep document. */
export function sweepSpecFrom(value: unknown, file: string): SweepSpec {
  const r = Spec.safeParse(value);
  if (!r.success) throw zodError(file, r.error);
  const s = r.data;
  const parameters = new Map<string, readonly ParamValue[]>();
  for (const [name, p] of Object.entries(s.parameters ?? {})) {
    const vals = 'values' in p ? p.values : expandRange(p.range, file, `parameters.${name}.range`);
    if (new Set(vals.map((v) => JSON.stringify(v))).size !== vals.length) throw new SpecError(file, `parameters.${name}.values`, 'distinct values', JSON.stringify(vals));
    parameters.set(name, vals);
  }
  const derive = Object.entries(s.derive ?? {});
  for (const [name] of derive) if (parameters.has(name)) throw new SpecError(file, `derive.${name}`, 'a name that is not also a swept parameter', name);
  const networks = s.networks.map((n, i): NetworkRef => {
    if (typeof n === 'string') return /\.onnx$/i.test(n) ? { onnx: n, batch: 1 } : { zoo: n, batch: 1 };
    if ((n.zoo === undefined) === (n.onnx === undefined)) throw new SpecError(file, `networks[${i}]`, 'exactly one of zoo or onnx');
    if (n.input_shape !== undefined && n.onnx === undefined) throw new SpecError(file, `networks[${i}].input_shape`, 'an input shape only for an onnx network');
    return { zoo: n.zoo, onnx: n.onnx, inputShape: n.input_shape, layers: n.layers, batch: n.batch ?? 1 };
  });
  const eq = s.equal_area;
  if (eq && parameters.has(eq.solve)) throw new SpecError(file, 'equal_area.solve', 'a parameter that is not swept (it is solved per point)', eq.solve);
  return {
    file, name: s.name ?? 'sweep', base: s.base, parameters, sampling: s.sampling ?? 'grid', derive,
    ...(eq ? { equalArea: { reference: eq.reference, solve: eq.solve, multipleOf: eq.multiple_of ?? 1 } } : {}),
    where: s.where ?? [], networks, objective: s.objective ?? 'edp', evaluations: s.evaluations ?? 2000, seed: s.seed ?? 1,
  };
}

/** Parse and validate a sweep spec's YAML text. */
export function parseSweepSpec(text: string, file: string): SweepSpec {
  return sweepSpecFrom(parseYamlText(text, file), file);
}
