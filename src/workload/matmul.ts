/**
 * Matrix products as workloads, in the one conv builder's labels (so the
 * mapper's constraints and the reports read them like any layer): a product
 * of a `rows` × `inner` matrix by an `inner` × `cols` one is a 1×1
 * convolution with C = inner, M = cols and the rows along P (an image one
 * row high); independent products (attention heads) are its groups G.
 */
import { conv2dWorkload } from './conv.js';
import type { Workload } from './workload.js';

/** A batched matrix product: `groups` products of [rows × inner] · [inner × cols]. */
export interface Matmul {
  readonly groups: number;
  readonly rows: number;
  readonly inner: number;
  readonly cols: number;
  /** Inputs of the network processed together (the analysis batch). Default 1. */
  readonly batch?: number;
  /**
   * Whether the second operand is the same for every input of the batch (a
   * weight); false for a product of two activations (attention's QKᵀ, AV),
   * whose second operand is another matrix per input: the batch then
   * multiplies the groups instead.
   */
  readonly sharedOperand: boolean;
}

/**
 * The workload of a batched matrix product. The second operand takes the
 * role `weight` (Timeloop's CNN_Layer Weights: the operand every row
 * reads), even when it is an activation; MACs = groups · rows · inner · cols
 * · batch.
 */
export function matmulWorkload(name: string, m: Matmul): Workload {
  const n = m.batch ?? 1;
  const G = m.sharedOperand ? m.groups : m.groups * n;
  return conv2dWorkload(name, {
    inC: m.inner * G, outC: m.cols * G, kH: 1, kW: 1, outH: 1, outW: m.rows, groups: G, batch: m.sharedOperand ? n : 1,
  });
}
