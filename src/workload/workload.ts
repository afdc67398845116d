/**
 * A workload is a loop nest's iteration space (named dimensions with bounds)
 * and the tensors it touches (data spaces), each indexed by affine expressions
 * of the dimensions — Timeloop's problem shape.
 */

/** One term `coef * dims[dim]` of a data-space coordinate. */
export interface ProjectionTerm {
  readonly dim: number;
  readonly coef: number;
}

/**
 * What a tensor is to the layer, whatever it is called: rules that depend on
 * the kind of tensor (sparsity, compression, row-stationary placement) speak
 * of roles, never of names, since Timeloop lets users name tensors freely.
 * Every reader and builder sets it (docs/model.md, "Tensor roles").
 */
export type TensorRole = 'weight' | 'input' | 'output';

/** A tensor touched by every operation. */
export interface DataSpace {
  readonly name: string;
  /** What the tensor is to the layer (set by the reader or builder that made it). */
  readonly role: TensorRole;
  /** Outputs are read-write: partial sums are read, updated and written back. */
  readonly readWrite: boolean;
  /** One entry per tensor rank: the coordinate is the sum of the terms. */
  readonly ranks: readonly (readonly ProjectionTerm[])[];
}

/** A layer as an iteration space plus data spaces. */
export interface Workload {
  readonly name: string;
  readonly dims: readonly string[];
  readonly bounds: readonly number[];
  readonly dataSpaces: readonly DataSpace[];
}

/** Total number of operations (MACs): the product of the bounds. */
export function operationCount(w: Workload): number {
  let n = 1;
  for (const b of w.bounds) n *= b;
  return n;
}

/**
 * Size of the axis-aligned box a data space occupies when every dimension
 * `i` spans `extent[i]` consecutive indices (Timeloop's AAHR projection:
 * each rank spans `1 + Σ coef·(extent-1)`).
 */
export function projectedSize(ds: DataSpace, extent: ArrayLike<number>): number {
  let size = 1;
  for (const rank of ds.ranks) {
    let span = 1;
    for (const t of rank) span += t.coef * (extent[t.dim] - 1);
    size *= span;
  }
  return size;
}

/** Index of the first data space with the given role, or -1. */
export function roleIndex(w: Workload, role: TensorRole): number {
  return w.dataSpaces.findIndex((d) => d.role === role);
}

/** Index of a dimension by name, or -1. */
export function dimIndex(w: Workload, name: string): number {
  return w.dims.indexOf(name);
}
