/**
 * Matrix products: Gemm, MatMul, MatMulInteger, QLinearMatMul. The first
 * dimension of the first operand is the network batch; the dimensions
 * between it and the last two are independent products (heads), the
 * second-to-last the rows (tokens). A product by a weight (an initializer,
 * a Constant node, or anything computed from constants alone) with one row
 * per input is a fully connected layer; every other product — tokens, heads,
 * or a second activation (attention's QKᵀ and AV) — a matmul layer.
 */
import { broadcast, prod, type OpEntry, type OpNode } from '../context.js';

function gemm(node: OpNode): void {
  const a = node.shapeOfRank(0, [2], 'A'), b = node.shapeOfRank(1, [2], 'B');
  const transA = node.intIn('transA', 0, 0, 1), transB = node.intIn('transB', 0, 0, 1);
  const [M, K] = transA ? [a[1], a[0]] : a;
  const [Kb, N] = transB ? [b[1], b[0]] : b;
  if (K !== Kb) node.fail('B', `a ${transB ? 'weight [N, K]' : 'weight [K, N]'} with A's K = ${K}`, `[${b.join(', ')}]${transB ? ' (transB = 1)' : ''}`);
  if (node.has(2)) {
    const c = node.shape(2);
    if (c.length > 2 || broadcast(c, [M, N]).join() !== [M, N].join()) node.fail('C', `a bias that broadcasts to [${M}, ${N}]`, `[${c.join(', ')}]`);
  }
  if (node.isConstant(1)) node.emit({ kind: 'fc', name: node.layerName(), inFeatures: K, outFeatures: N, ...node.density(1, transB === 1) });
  else node.emit({ kind: 'matmul', name: node.layerName(), groups: 1, rows: 1, inner: K, cols: N, activationOperand: true });
  node.out([M, N]);
}

/** MatMul-like: operands at `ia` and `ib`; `wordBits` for integer products. */
function matmul(ia: number, ib: number, wordBits?: number) {
  return (node: OpNode): void => {
    const a0 = node.shape(ia), b0 = node.shape(ib);
    if (a0.length === 0 || b0.length === 0) node.fail(a0.length === 0 ? 'A' : 'B', 'a tensor of rank ≥ 1', 'a scalar');
    // numpy promotion of vectors, undone in the output.
    const a = a0.length === 1 ? [1, a0[0]] : a0, b = b0.length === 1 ? [b0[0], 1] : b0;
    const K = a[a.length - 1];
    if (b[b.length - 2] !== K) node.fail('B', `${b0.length === 1 ? 'a vector' : 'a matrix'} with A's inner size ${K} (A is [${a0.join(', ')}])`, `[${b0.join(', ')}]`);
    const outBatch = broadcast(a.slice(0, -2), b.slice(0, -2));
    const rows = a[a.length - 2], cols = b[b.length - 1];
    const out = [...outBatch, ...(a0.length === 1 ? [] : [rows]), ...(b0.length === 1 ? [] : [cols])];
    node.out(out);
    const wb = wordBits ? { wordBits } : {};
    if (node.isConstant(ia) && node.isConstant(ib)) {
      // Folded before inference: no MACs at run time.
      node.other('matmul (constants)', prod(a0) + prod(b0), prod(out));
      return;
    }
    const constB = node.isConstant(ib);
    // A 2-D first operand is [batch, K]: one row per input, like Gemm.
    const groups = a.length >= 3 ? prod(outBatch.slice(1)) : prod(outBatch);
    const r = a.length >= 3 ? rows : 1;
    if (constB && groups === 1 && r === 1) node.emit({ kind: 'fc', name: node.layerName(), inFeatures: K, outFeatures: cols, ...node.density(ib) });
    else node.emit({ kind: 'matmul', name: node.layerName(), groups, rows: r, inner: K, cols, activationOperand: !constB, ...(constB ? node.density(ib) : {}), ...wb });
  };
}

/** The matrix-product family of the op table. */
export const MATMUL_OPS: Record<string, OpEntry> = {
  Gemm: { infer: gemm, macs: true },
  MatMul: { infer: matmul(0, 1), macs: true },
  MatMulInteger: { infer: matmul(0, 1, 8), macs: true },
  QLinearMatMul: { infer: matmul(0, 3, 8), macs: true },
};
