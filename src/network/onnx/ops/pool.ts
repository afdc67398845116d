/** Pooling: MaxPool, AveragePool, LpPool (kernel_shape required) and the global ones, over 1-D and 2-D inputs. */
import { prod, type OpEntry, type OpNode } from '../context.js';

function pool(node: OpNode): void {
  const x = node.shapeOfRank(0, [3, 4], 'X');
  const n = x.length - 2;
  const k = node.intsOf('kernel_shape', n, 1);
  const s = node.intsOf('strides', n, 1, k.map(() => 1));
  const pads = node.intsOf('pads', 2 * n, 0, [...k.map(() => 0), ...k.map(() => 0)]);
  const d = node.intsOf('dilations', n, 1, k.map(() => 1));
  const ceil = node.intIn('ceil_mode', 0, 0, 1) === 1;
  const auto = node.str('auto_pad', 'NOTSET');
  const f = ceil ? Math.ceil : Math.floor;
  const o = k.map((_, i) => {
    const span = d[i] * (k[i] - 1) + 1;
    if (auto.startsWith('SAME')) return Math.ceil(x[2 + i] / s[i]);
    const p = auto === 'VALID' ? 0 : pads[i] + pads[i + n];
    const v = f((x[2 + i] + p - span) / s[i]) + 1;
    if (v < 1) node.fail('kernel_shape', `a window (dilated: ${span}) no larger than the padded input (${x[2 + i] + p})`, `[${k.join(', ')}]`);
    return v;
  });
  node.out([x[0], x[1], ...o]);
  const op = node.op === 'MaxPool' ? 'maxpool' : node.op === 'AveragePool' ? 'avgpool' : 'lppool';
  node.other(op, prod(x) / x[0], x[1] * prod(o), { pool: { kernel: k[0], stride: s[0], pad: pads[0], ceil, global: false } });
}

function globalPool(node: OpNode): void {
  const x = node.shapeOfRank(0, [3, 4, 5], 'X');
  node.out([x[0], x[1], ...x.slice(2).map(() => 1)]);
  const op = node.op === 'GlobalMaxPool' ? 'maxpool' : node.op === 'GlobalAveragePool' ? 'avgpool' : 'lppool';
  node.other(op, prod(x) / x[0], x[1], { pool: { kernel: x[2], stride: 1, pad: 0, ceil: false, global: true } });
}

/** The pooling family of the op table. */
export const POOL_OPS: Record<string, OpEntry> = {
  MaxPool: { infer: pool }, AveragePool: { infer: pool }, LpPool: { infer: pool },
  GlobalAveragePool: { infer: globalPool }, GlobalMaxPool: { infer: globalPool }, GlobalLpPool: { infer: globalPool },
};
