/**
 * Element-wise ops: unary ones keep their input's shape; the others
 * broadcast (numpy rules), comparisons and logic included. Small constant
 * operands (shape arithmetic, `If` conditions) are folded so the shapes and
 * conditions that depend on them are known. Quantisation ops keep shapes.
 */
import { broadcast, prod, type OpEntry, type OpNode } from '../context.js';

const UNARY = [
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Softplus', 'Softsign',
  'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Not', 'Sin', 'Cos',
  'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LRN', 'Dropout', 'Identity', 'Softmax',
  'LogSoftmax', 'Hardmax', 'Cast', 'CastLike', 'QuantizeLinear', 'DequantizeLinear', 'IsNaN', 'IsInf', 'ThresholdedRelu', 'Shrink',
];
/** Unary ops folded on constants (the others' constant results are not needed for shapes). */
const FOLD1: Record<string, (x: number) => number> = {
  Cast: (x) => x, CastLike: (x) => x, Identity: (x) => x, Neg: (x) => -x, Abs: Math.abs, Not: (x) => (x ? 0 : 1),
  Floor: Math.floor, Ceil: Math.ceil, Round: Math.round, Sqrt: Math.sqrt, Reciprocal: (x) => 1 / x,
};
const FOLD2: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y,
  // Integer shape arithmetic truncates; scales stay fractional.
  Div: (x, y) => (Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y),
  Max: Math.max, Min: Math.min, Mod: (x, y) => x % y, Pow: (x, y) => x ** y,
  Equal: (x, y) => +(x === y), Greater: (x, y) => +(x > y), Less: (x, y) => +(x < y),
  GreaterOrEqual: (x, y) => +(x >= y), LessOrEqual: (x, y) => +(x <= y), And: (x, y) => +(!!x && !!y), Or: (x, y) => +(!!x || !!y), Xor: (x, y) => +(!!x !== !!y),
};

function unary(node: OpNode): void {
  const x = node.shape(0);
  const c = node.value(0), f = FOLD1[node.op];
  node.out(x, 0, c && f ? c.map(f) : undefined);
  // Shape arithmetic passes through casts without a layer.
  if (c && (node.op === 'Cast' || node.op === 'Identity' || node.op === 'CastLike')) return;
  if (node.op === 'Dropout' && node.node.output[1]) node.out(x, 1);
  node.other(node.op.toLowerCase(), prod(x), prod(x));
}

/** Element i of a 1-D (or scalar) constant broadcast to length n. */
const at = (v: number[], i: number) => (v.length === 1 ? v[0] : v[i]);

function nary(node: OpNode): void {
  const ins = node.node.input.map((_, i) => i).filter((i) => node.has(i));
  const shapes = ins.map((i) => node.shape(i));
  const s = shapes.reduce(broadcast);
  for (const x of shapes) {
    if (x.some((d, i) => d !== 1 && d !== s[s.length - x.length + i])) node.fail('inputs', 'shapes that broadcast (numpy rules)', shapes.map((t) => `[${t.join(', ')}]`).join(' and '));
  }
  const cs = ins.map((i) => node.value(i));
  let value: number[] | undefined;
  const n = Math.max(...cs.map((c) => c?.length ?? 0));
  if (s.length <= 1 && cs.every((c) => c !== undefined && (c.length === 1 || c.length === n))) {
    const vs = cs as number[][];
    if (node.op === 'Where') value = Array.from({ length: n }, (_, i) => (at(vs[0], i) ? at(vs[1], i) : at(vs[2], i)));
    else if (FOLD2[node.op]) value = Array.from({ length: n }, (_, i) => vs.slice(1).reduce((a, v) => FOLD2[node.op](a, at(v, i)), at(vs[0], i)));
    else if (node.op === 'Sum' || node.op === 'Mean') value = Array.from({ length: n }, (_, i) => vs.reduce((a, v) => a + at(v, i), 0) / (node.op === 'Mean' ? vs.length : 1));
  }
  node.out(s, 0, value);
  node.other(node.op.toLowerCase(), shapes.reduce((a, x) => a + prod(x), 0), prod(s));
}

/** DynamicQuantizeLinear: y (8-bit, the input's shape), its scale and zero point (scalars). */
function dynamicQuantize(node: OpNode): void {
  const x = node.shape(0);
  node.out(x, 0);
  node.out([], 1);
  node.out([], 2);
  node.other('dynamicquantizelinear', prod(x), prod(x));
}

const table: Record<string, OpEntry> = {};
for (const op of UNARY) table[op] = { infer: unary };
for (const op of [...Object.keys(FOLD2), 'Sum', 'Mean', 'Where', 'BitShift']) table[op] = { infer: nary };
table.DynamicQuantizeLinear = { infer: dynamicQuantize };

/** The element-wise family of the op table. */
export const ELEMENTWISE_OPS: Readonly<Record<string, OpEntry>> = table;
