/**
 * Ops that move, cut, join or re-view data (no MACs), and the shape
 * arithmetic around them: Constant, Shape, Size, ConstantOfShape, Gather,
 * Slice, Concat, Split, Reshape, Flatten, (Un)Squeeze, Transpose, Expand,
 * Tile, Pad, Resize/Upsample, reductions, Range, DepthToSpace/SpaceToDepth.
 * Values of small constants are carried so that shapes computed from them
 * (a Reshape's target, a Resize's scales) are known.
 */
import { checkTensorData, prod, tensorValues, type OpEntry, type OpNode, type Shape } from '../context.js';

const axisOf = (node: OpNode, a: number, rank: number, attr = 'axis'): number => {
  if (!(a >= -rank && a < rank)) node.fail(attr, `an axis from ${-rank} to ${rank - 1}`, String(a));
  return a < 0 ? a + rank : a;
};
/** Small tensors' values are kept (shape arithmetic); big ones only as data. */
const SMALL = 64;

/** The value of input `i` when it is the whole tensor of shape `x` (row-major), else undefined. */
function wholeValue(node: OpNode, i: number, x: Shape): number[] | undefined {
  const v = node.value(i);
  return v && v.length === prod(x) ? v : undefined;
}

/** Row-major values of `out`, element k taken from `src` at the index `from(outIndex)` of a tensor of shape `x`. */
function gatherValues(src: readonly number[], x: Shape, out: Shape, from: (idx: number[]) => number[]): number[] {
  const strides = x.map((_, a) => prod(x.slice(a + 1)));
  const n = prod(out);
  const res: number[] = [];
  const idx = out.map(() => 0);
  for (let k = 0; k < n; k++) {
    const s = from(idx);
    res.push(src[s.reduce((acc, v, a) => acc + v * strides[a], 0)]);
    for (let a = out.length - 1; a >= 0; a--) { if (++idx[a] < out[a]) break; idx[a] = 0; }
  }
  return res;
}

function constant(node: OpNode): void {
  const t = node.attr('value')?.t;
  if (t) {
    checkTensorData(t, node.file, `${node.where}.value`);
    const dims = t.dims.map(Number);
    const v = prod(dims) <= SMALL ? tensorValues(t) : undefined;
    node.out(dims, 0, v);
    if (node.node.output[0]) node.state.data.set(node.node.output[0], t);
    return;
  }
  const a = node.attr('value_int') ?? node.attr('value_float') ?? node.attr('value_ints') ?? node.attr('value_floats');
  if (!a) node.fail('value', 'a value (value, value_int(s) or value_float(s))', 'none');
  if (a.name === 'value_int') node.out([], 0, [Number(a.i)]);
  else if (a.name === 'value_float') node.out([], 0, [a.f]);
  else if (a.name === 'value_ints') node.out([a.ints.length], 0, a.ints.map(Number));
  else node.out([a.floats.length], 0, [...a.floats]);
}

function shapeOp(node: OpNode): void {
  const x = node.shape(0);
  const r = x.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const v = x.slice(clamp(node.int('start', 0)), clamp(node.int('end', r)));
  node.out([v.length], 0, v);
}

function constantOfShape(node: OpNode): void {
  const s = node.value(0);
  if (!s) node.fail('input', 'a constant shape');
  if (s.some((d) => !(Number.isInteger(d) && d >= 0))) node.fail('input', 'non-negative integer sizes', `[${s.join(', ')}]`);
  const t = node.attr('value')?.t;
  const fill = t ? tensorValues(t)?.[0] ?? 0 : 0;
  node.out(s, 0, s.length <= 1 && prod(s) <= SMALL ? Array.from({ length: prod(s) }, () => fill) : undefined);
}

function gather(node: OpNode): void {
  const data = node.shape(0);
  const axis = axisOf(node, node.int('axis', 0), Math.max(data.length, 1));
  const idxShape = node.shape(1);
  const idx = node.value(1), c = node.value(0);
  const n = data[axis];
  if (idx && idx.some((i) => !(i >= -n && i < n))) node.fail('indices', `indices from ${-n} to ${n - 1}`, `[${idx.join(', ')}]`);
  const out = [...data.slice(0, axis), ...idxShape, ...data.slice(axis + 1)];
  node.out(out, 0, c && idx && data.length === 1 && c.length === n ? idx.map((i) => c[i < 0 ? i + n : i]) : undefined);
  // Picking from an activation (a token, an embedding row) moves data: a layer, so the graph's edges go on.
  if (!node.isConstant(0)) node.other('gather', prod(out), prod(out));
}

function slice(node: OpNode): void {
  const x = node.shape(0);
  const starts = node.ints('starts') ?? node.value(1);
  const ends = node.ints('ends') ?? node.value(2);
  if (!starts || !ends) node.fail('starts', 'constant starts and ends');
  const axes = node.ints('axes') ?? node.value(3) ?? starts.map((_, i) => i);
  const steps = node.value(4) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) node.fail('axes', `${starts.length} values as starts`, `ends ${ends.length}, axes ${axes.length}, steps ${steps.length}`);
  const out = [...x];
  // Values are folded only when they are the whole (small) tensor: per axis, the source index of each output index.
  const c = wholeValue(node, 0, x);
  const picks: number[][] = x.map((n) => Array.from({ length: n }, (_, k) => k));
  axes.forEach((a0, i) => {
    const a = axisOf(node, a0, x.length, 'axes');
    const n = x[a], st = steps[i];
    if (!(st !== 0 && Number.isFinite(st))) node.fail('steps', 'non-zero steps', `[${steps.join(', ')}]`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let b = starts[i] < 0 ? starts[i] + n : starts[i];
    let e = ends[i] < 0 ? ends[i] + n : ends[i];
    b = st > 0 ? clamp(b, 0, n) : clamp(b, -1, n - 1);
    e = st > 0 ? clamp(e, 0, n) : clamp(e, -1, n - 1);
    out[a] = Math.max(0, Math.ceil((e - b) / st));
    const pick: number[] = [];
    for (let k = b; st > 0 ? k < e : k > e; k += st) pick.push(k);
    picks[a] = pick;
  });
  node.out(out, 0, c ? gatherValues(c, x, out, (idx) => idx.map((k, a) => picks[a][k])) : undefined);
  node.other('slice', prod(x), prod(out));
}

function concat(node: OpNode): void {
  const idx = node.node.input.map((_, i) => i).filter((i) => node.has(i));
  const ins = idx.map((i) => node.shape(i));
  const ax = axisOf(node, node.int('axis', 0), ins[0].length);
  for (const s of ins) if (s.length !== ins[0].length || s.some((d, i) => i !== ax && d !== ins[0][i])) node.fail('inputs', `shapes equal except on axis ${ax}`, ins.map((t) => `[${t.join(', ')}]`).join(', '));
  const out = [...ins[0]];
  out[ax] = ins.reduce((a, s) => a + s[ax], 0);
  const cs = idx.map((i) => node.value(i));
  node.out(out, 0, out.length === 1 && cs.every((c) => c) ? (cs as number[][]).flat() : undefined);
  node.other('concat', ins.reduce((a, s) => a + prod(s), 0), prod(out));
}

function split(node: OpNode): void {
  const x = node.shape(0);
  const ax = axisOf(node, node.int('axis', 0), x.length);
  const k = node.node.output.length;
  const given = node.ints('split') ?? node.value(1);
  const n = x[ax];
  const parts = given ?? (() => {
    const each = Math.ceil(n / k);
    return Array.from({ length: k }, (_, i) => Math.max(0, Math.min(each, n - i * each)));
  })();
  if (parts.length !== k || parts.some((p) => !(p >= 0)) || parts.reduce((a, b) => a + b, 0) !== n) node.fail('split', `${k} non-negative sizes adding up to ${n}`, `[${parts.join(', ')}]`);
  parts.forEach((p, i) => {
    const s = [...x];
    s[ax] = p;
    node.out(s, i);
    if (node.node.output[i]) node.other('split', prod(s), prod(s), {}, i);
  });
}

function flatten(node: OpNode): void {
  const x = node.shape(0);
  const ax = node.int('axis', 1);
  const a = ax < 0 ? ax + x.length : ax;
  if (!(a >= 0 && a <= x.length)) node.fail('axis', `an axis from ${-x.length} to ${x.length}`, String(ax));
  node.out([prod(x.slice(0, a)), prod(x.slice(a))]);
}

function reshape(node: OpNode): void {
  const x = node.shape(0);
  const target = node.value(1);
  if (!target) node.fail('shape', 'a constant target shape');
  const allowZero = node.int('allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? x[i] : d));
  if (out.filter((d) => d === -1).length > 1 || out.some((d) => d === undefined || d < -1)) node.fail('shape', 'at most one -1 and sizes ≥ 0', `[${target.join(', ')}]`);
  const known = prod(out.filter((d) => d !== -1));
  const total = prod(x);
  const filled = out.map((d) => (d === -1 ? total / known : d));
  if (prod(filled) !== total || filled.some((d) => !Number.isInteger(d))) node.fail('shape', `a shape of ${total} elements (input [${x.join(', ')}])`, `[${target.join(', ')}]`);
  // Row-major values are the same whatever the shape.
  node.out(filled, 0, wholeValue(node, 0, x));
}

function squeeze(node: OpNode): void {
  const x = node.shape(0);
  const axes = (node.ints('axes') ?? node.value(1))?.map((a) => axisOf(node, a, x.length, 'axes'));
  const ax = axes ?? x.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  for (const a of ax) if (x[a] !== 1) node.fail('axes', `axes of size 1 (input [${x.join(', ')}])`, `[${ax.join(', ')}]`);
  node.out(x.filter((_, i) => !ax.includes(i)), 0, node.value(0));
}

function unsqueeze(node: OpNode): void {
  const x = node.shape(0);
  const axes = node.ints('axes') ?? node.value(1);
  if (!axes) node.fail('axes', 'constant axes');
  const n = x.length + axes.length;
  const ax = axes.map((a) => axisOf(node, a, n, 'axes'));
  const out: Shape = [];
  let j = 0;
  for (let i = 0; i < n; i++) out.push(ax.includes(i) ? 1 : x[j++]);
  node.out(out, 0, node.value(0));
}

function transpose(node: OpNode): void {
  const x = node.shape(0);
  const perm = node.ints('perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) node.fail('perm', `a permutation of 0..${x.length - 1}`, `[${perm.join(', ')}]`);
  const out = perm.map((p) => x[p]);
  const c = wholeValue(node, 0, x);
  node.out(out, 0, c ? gatherValues(c, x, out, (idx) => { const src = x.map(() => 0); idx.forEach((k, a) => { src[perm[a]] = k; }); return src; }) : undefined);
  node.other('transpose', prod(x), prod(x));
}

function expand(node: OpNode): void {
  const x = node.shape(0);
  const s = node.value(1);
  if (!s) node.fail('shape', 'a constant shape');
  const n = Math.max(x.length, s.length);
  const out = Array.from({ length: n }, (_, i) => {
    const a = x[x.length - n + i] ?? 1, b = s[s.length - n + i] ?? 1;
    if (a !== 1 && b !== 1 && a !== b) node.fail('shape', `a shape [${x.join(', ')}] broadcasts to`, `[${s.join(', ')}]`);
    return a === 1 ? b : a;
  });
  node.out(out);
  node.other('expand', prod(x), prod(out));
}

function tile(node: OpNode): void {
  const x = node.shape(0);
  const r = node.value(1);
  if (!r || r.length !== x.length) node.fail('repeats', `${x.length} constant repeats`);
  const out = x.map((d, i) => d * r[i]);
  node.out(out);
  node.other('tile', prod(x), prod(out));
}

function pad(node: OpNode): void {
  const x = node.shape(0);
  const p = node.ints('pads') ?? node.value(1);
  if (!p) node.fail('pads', 'constant pads');
  const axes = node.value(3)?.map((a) => axisOf(node, a, x.length, 'axes')) ?? x.map((_, i) => i);
  if (p.length !== 2 * axes.length) node.fail('pads', `${2 * axes.length} values`, String(p.length));
  const out = [...x];
  axes.forEach((a, i) => { out[a] = x[a] + p[i] + p[i + axes.length]; });
  if (out.some((d) => d < 0)) node.fail('pads', `pads that leave a non-negative size (input [${x.join(', ')}])`, `[${p.join(', ')}]`);
  node.out(out);
  node.other('pad', prod(x), prod(out));
}

function resize(node: OpNode): void {
  const x = node.shape(0);
  // Upsample and opset-10 Resize take (X, scales); later Resize (X, roi, scales, sizes); Upsample-7 an attribute.
  const scalesAt = node.op === 'Upsample' || node.node.input.length === 2 ? 1 : 2;
  const sizes = node.op === 'Resize' ? node.value(3) : undefined;
  const sa = node.attr('scales');
  const scales = sa ? [...sa.floats] : node.value(scalesAt);
  let out: Shape | undefined;
  if (sizes && sizes.length > 0) {
    if (sizes.length !== x.length) node.fail('sizes', `${x.length} sizes`, `[${sizes.join(', ')}]`);
    out = sizes;
  } else if (scales && scales.length > 0) {
    if (scales.length !== x.length || scales.some((s) => !(s > 0))) node.fail('scales', `${x.length} positive scales`, `[${[...scales].join(', ')}]`);
    out = x.map((d, i) => Math.floor(d * scales[i]));
  }
  if (!out) node.fail('scales', 'constant scales or sizes');
  node.out(out);
  node.other('resize', prod(x), prod(out));
}

function reduce(node: OpNode): void {
  const x = node.shape(0);
  const given = node.ints('axes') ?? node.value(1);
  const noop = node.int('noop_with_empty_axes', 0) === 1;
  const axes = (given && given.length > 0 ? given : noop ? [] : x.map((_, i) => i)).map((a) => axisOf(node, a, x.length, 'axes'));
  const keep = node.int('keepdims', 1);
  const out = node.op === 'ArgMax' || node.op === 'ArgMin'
    ? (() => { const a = axisOf(node, node.int('axis', 0), x.length); return keep ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a); })()
    : keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
  node.out(out);
  node.other(node.op.toLowerCase(), prod(x), prod(out));
}

function range(node: OpNode): void {
  const [s, l, d] = [node.value(0), node.value(1), node.value(2)];
  if (!s || !l || !d) node.fail('start', 'constant start, limit and delta');
  if (d[0] === 0) node.fail('delta', 'a non-zero delta', '0');
  const n = Math.max(Math.ceil((l[0] - s[0]) / d[0]), 0);
  node.out([n], 0, n <= SMALL ? Array.from({ length: n }, (_, i) => s[0] + i * d[0]) : undefined);
}

function depthSpace(node: OpNode): void {
  const x = node.shapeOfRank(0, [4], 'input');
  const b = node.intIn('blocksize', 0, 1);
  const to = node.op === 'DepthToSpace';
  if (to && x[1] % (b * b) !== 0) node.fail('blocksize', `a block size whose square divides the ${x[1]} channels`, String(b));
  if (!to && (x[2] % b !== 0 || x[3] % b !== 0)) node.fail('blocksize', `a block size dividing ${x[2]} × ${x[3]}`, String(b));
  const out = to ? [x[0], x[1] / (b * b), x[2] * b, x[3] * b] : [x[0], x[1] * b * b, x[2] / b, x[3] / b];
  node.out(out);
  node.other(node.op.toLowerCase(), prod(x), prod(out));
}

/** The data-movement and shape family of the op table. */
export const SHAPE_OPS: Record<string, OpEntry> = {
  Constant: { infer: constant }, Shape: { infer: shapeOp },
  Size: { infer: (n) => n.out([], 0, [prod(n.shape(0))]) },
  ConstantOfShape: { infer: constantOfShape }, Gather: { infer: gather }, Slice: { infer: slice }, Concat: { infer: concat }, Split: { infer: split },
  Flatten: { infer: flatten }, Reshape: { infer: reshape }, Squeeze: { infer: squeeze }, Unsqueeze: { infer: unsqueeze },
  Transpose: { infer: transpose }, Expand: { infer: expand }, Tile: { infer: tile }, Pad: { infer: pad },
  Resize: { infer: resize }, Upsample: { infer: resize },
  ReduceMean: { infer: reduce }, ReduceMax: { infer: reduce }, ReduceMin: { infer: reduce }, ReduceSum: { infer: reduce }, ReduceProd: { infer: reduce },
  ReduceL1: { infer: reduce }, ReduceL2: { infer: reduce }, ReduceLogSumExp: { infer: reduce }, ReduceSumSquare: { infer: reduce },
  ArgMax: { infer: reduce }, ArgMin: { infer: reduce },
  Range: { infer: range }, DepthToSpace: { infer: depthSpace }, SpaceToDepth: { infer: depthSpace },
};
