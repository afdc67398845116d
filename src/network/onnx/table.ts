/**
 * The ONNX op table: one entry per op, by family (ops/*.ts). An entry
 * infers its node's output shapes (and small constant values), checks its
 * attributes and says which layers the node makes; adding an op is adding
 * an entry here and a test in test/network/onnx-ops.test.ts.
 */
import type { OpEntry } from './context.js';
import { CONTROL_OPS } from './ops/control.js';
import { CONV_OPS } from './ops/conv.js';
import { ELEMENTWISE_OPS } from './ops/elementwise.js';
import { MATMUL_OPS } from './ops/matmul.js';
import { POOL_OPS } from './ops/pool.js';
import { RECURRENT_OPS } from './ops/recurrent.js';
import { SHAPE_OPS } from './ops/shape.js';

/** Every op dnnergy knows, by ONNX op type (default domain). */
export const OP_TABLE: ReadonlyMap<string, OpEntry> = new Map(Object.entries({
  ...CONV_OPS, ...MATMUL_OPS, ...RECURRENT_OPS, ...POOL_OPS, ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...CONTROL_OPS,
}));

/** Ops that bear MACs but that dnnergy does not model: when kept (shapes from the file), they count as MAC layers left out. */
export const MACS_NOT_MODELLED: ReadonlySet<string> = new Set(['Einsum', 'Attention', 'MultiHeadAttention', 'DeformConv', 'Conv3D', 'FusedConv', 'FusedMatMul', 'QAttention']);

/** Ops that only re-view their first input: the network's edges see through them. */
export const PASS_THROUGH: ReadonlySet<string> = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);
