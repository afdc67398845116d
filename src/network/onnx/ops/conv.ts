/**
 * Convolutions: Conv (1-D and 2-D), ConvInteger and QLinearConv (8-bit
 * operands), ConvTranspose. Every attribute is checked against the weight
 * and the input (kernel_shape, strides, dilations, pads, group, auto_pad).
 */
import type { ConvLayer } from '../../network.js';
import type { OpEntry, OpNode, Shape } from '../context.js';

interface Spatial { k: number[]; s: number[]; d: number[]; pads: number[]; auto: string }

/** The checked spatial attributes of a convolution over `n` axes with kernel `wk` (from the weight). */
function spatial(node: OpNode, n: number, wk: number[]): Spatial {
  const k = node.intsOf('kernel_shape', n, 1, wk);
  if (k.some((v, i) => v !== wk[i])) node.fail('kernel_shape', `the weight's kernel [${wk.join(', ')}]`, `[${k.join(', ')}]`);
  const s = node.intsOf('strides', n, 1, wk.map(() => 1));
  const d = node.intsOf('dilations', n, 1, wk.map(() => 1));
  const pads = node.intsOf('pads', 2 * n, 0, [...wk.map(() => 0), ...wk.map(() => 0)]);
  const auto = node.str('auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(auto)) node.fail('auto_pad', 'NOTSET, SAME_UPPER, SAME_LOWER or VALID', auto);
  return { k, s, d, pads: auto === 'VALID' ? pads.map(() => 0) : pads, auto };
}

/** A Conv-like node with input x at 0 and weight w at `wIndex`; `wordBits` for integer convolutions. */
function conv(wIndex: number, wordBits?: number) {
  return (node: OpNode): void => {
    const x = node.shapeOfRank(0, [3, 4], 'X'), w = node.shapeOfRank(wIndex, [x.length], 'W');
    const n = x.length - 2;
    const a = spatial(node, n, w.slice(2));
    const group = node.intIn('group', 1, 1);
    if (x[1] !== w[1] * group) node.fail('group', `input channels (${x[1]}) = weight channels × group (${w[1]} × ${group})`, String(group));
    if (w[0] % group !== 0) node.fail('group', `a group count dividing the ${w[0]} output channels`, String(group));
    const out: number[] = [];
    const pads = [...a.pads];
    for (let i = 0; i < n; i++) {
      const span = a.d[i] * (a.k[i] - 1) + 1;
      if (a.auto.startsWith('SAME')) {
        out.push(Math.ceil(x[2 + i] / a.s[i]));
        const total = Math.max(0, (out[i] - 1) * a.s[i] + span - x[2 + i]);
        const small = Math.floor(total / 2);
        [pads[i], pads[i + n]] = a.auto === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      } else {
        out.push(Math.floor((x[2 + i] + pads[i] + pads[i + n] - span) / a.s[i]) + 1);
        if (out[i] < 1) node.fail('kernel_shape', `a kernel (dilated: ${span}) no larger than the padded input (${x[2 + i] + pads[i] + pads[i + n]})`, `[${a.k.join(', ')}]`);
      }
    }
    // A 1-D convolution is a 2-D one, one row high.
    const [kH, kW] = n === 1 ? [1, a.k[0]] : a.k, [sH, sW] = n === 1 ? [1, a.s[0]] : a.s, [dH, dW] = n === 1 ? [1, a.d[0]] : a.d;
    const [inH, inW] = n === 1 ? [1, x[2]] : [x[2], x[3]], [outH, outW] = n === 1 ? [1, out[0]] : out;
    const layer: ConvLayer = {
      kind: 'conv', name: node.layerName(), inC: x[1], inH, inW, outC: w[0], outH, outW, kH, kW,
      strideH: sH, strideW: sW, padH: n === 1 ? 0 : pads[0], padW: n === 1 ? pads[0] : pads[1], dilH: dH, dilW: dW, groups: group,
      ...node.density(wIndex), ...(wordBits ? { wordBits } : {}),
    };
    node.emit(layer);
    node.out([x[0], w[0], ...out]);
  };
}

/** ConvTranspose: weight [C, M/group, k…]; output = stride·(in−1) + output_padding + dilated kernel − pads, or output_shape. */
function convTranspose(node: OpNode): void {
  const x = node.shapeOfRank(0, [3, 4], 'X'), w = node.shapeOfRank(1, [x.length], 'W');
  const n = x.length - 2;
  const a = spatial(node, n, w.slice(2));
  const group = node.intIn('group', 1, 1);
  if (x[1] !== w[0]) node.fail('W', `a weight with the input's ${x[1]} channels first`, `[${w.join(', ')}]`);
  if (x[1] % group !== 0) node.fail('group', `a group count dividing the ${x[1]} input channels`, String(group));
  const opad = node.intsOf('output_padding', n, 0, x.slice(2).map(() => 0));
  const given = node.ints('output_shape');
  if (given && given.length !== n && given.length !== n + 2) node.fail('output_shape', `${n} spatial sizes`, `${given.length}`);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    if (opad[i] >= Math.max(a.s[i], a.d[i])) node.fail('output_padding', `values below the stride or dilation (${Math.max(a.s[i], a.d[i])})`, `[${opad.join(', ')}]`);
    const full = a.s[i] * (x[2 + i] - 1) + opad[i] + a.d[i] * (a.k[i] - 1) + 1;
    const o = given ? given[given.length - n + i] : a.auto.startsWith('SAME') ? x[2 + i] * a.s[i] : full - a.pads[i] - a.pads[i + n];
    if (!(o >= 1)) node.fail('pads', `pads smaller than the full output (${full})`, `[${a.pads.join(', ')}]`);
    out.push(o);
  }
  const outC = w[1] * group;
  const [kH, kW] = n === 1 ? [1, a.k[0]] : a.k, [sH, sW] = n === 1 ? [1, a.s[0]] : a.s, [dH, dW] = n === 1 ? [1, a.d[0]] : a.d;
  node.emit({
    kind: 'conv', name: node.layerName(), inC: x[1], inH: n === 1 ? 1 : x[2], inW: x[x.length - 1], outC, outH: n === 1 ? 1 : out[0], outW: out[n - 1],
    kH, kW, strideH: sH, strideW: sW, padH: n === 1 ? 0 : a.pads[0], padW: a.pads[n - 1], dilH: dH, dilW: dW, groups: group, transposed: true,
    ...node.density(1),
  });
  node.out([x[0], outC, ...out]);
}

/** The convolution family of the op table. */
export const CONV_OPS: Record<string, OpEntry> = {
  Conv: { infer: conv(1), macs: true },
  ConvInteger: { infer: conv(1, 8), macs: true },
  QLinearConv: { infer: conv(3, 8), macs: true },
  ConvTranspose: { infer: convTranspose, macs: true },
};
