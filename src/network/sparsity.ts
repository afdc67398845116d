/**
 * How a design exploits sparsity when a network's layers carry densities (a
 * pruned model's zero weights, measured activation zeros, `--density`): one
 * rule for every design, built from the levels' roles (off-chip or not, which
 * level keeps which role) and never from tensor names — Eyeriss v1's
 * (JSSC'17) scheme, as the Sparseloop artifact writes it for its
 * Eyeriss-like design:
 *
 * - activations (inputs and outputs) move run-length coded off chip (UOP
 *   over RLE, 5-bit zero runs beside each value), and so do the weights of a
 *   pruned layer (weights density below 1);
 * - the innermost level keeping the weights gates its weight reads when the
 *   input is zero, and the compute gates on a zero operand: zeros save
 *   energy, not time.
 *
 * A layer with every density 1 gets no spec: it runs the dense model, so dense
 * runs are unchanged to the byte.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Result } from '../model/result.js';
import { evaluateSparse } from '../sparse/evaluate.js';
import type { DensitySpec, LevelSparsity, OptimizationGroup, SparseSpec, TensorFormat } from '../sparse/spec.js';
import { rankExtents } from '../sparse/tiles.js';
import type { TensorRole, Workload } from '../workload/workload.js';
import type { MacLayer, WeightMask } from './network.js';

/** Densities of a layer's tensors by role (fractions of non-zero values; absent: 1). */
export interface LayerDensities {
  readonly weights?: number;
  readonly inputs?: number;
  readonly outputs?: number;
}

/** The representation a design assumes under sparsity, in one line (printed and recorded in JSON). */
export const SPARSITY_ASSUMPTION =
  'sparse layers: activations (and a pruned layer\'s weights) RLC-coded off chip (UOP+RLE, 5-bit runs), weight reads gated on zero inputs at the innermost weight level, compute gated on zero operands (Eyeriss v1, JSSC\'17); evaluated by the sparse engine';

/** Bits of an RLC zero run (Eyeriss v1). */
export const RLC_RUN_BITS = 5;

const ROLE_KEY: Record<TensorRole, keyof LayerDensities> = { weight: 'weights', input: 'inputs', output: 'outputs' };

function clamp(d: number, what: string): number {
  if (!Number.isFinite(d) || d < 0 || d > 1) throw new RangeError(`${what} density must lie in [0, 1], got ${d}`);
  return d;
}

/** Whether any density is below 1 (else the layer is dense and runs the dense model). */
export function isSparse(d: LayerDensities | undefined): boolean {
  return d !== undefined && [d.weights, d.inputs, d.outputs].some((x) => x !== undefined && clamp(x, 'a') < 1);
}

/**
 * The sparse spec of a layer on a design under a mapping (which levels keep
 * which tensor) at the given densities (the rule in the module comment), or
 * null when every density is 1 (unless `always`: a study comparing formats on dense data).
 */
export function designSparsity(w: Workload, arch: Arch, mapping: Mapping, d: LayerDensities, o: { always?: boolean } & ActualSpecs = {}): SparseSpec | null {
  if (!isSparse(d) && !o.always) return null;
  const density = (role: TensorRole) => d[ROLE_KEY[role]] ?? 1;
  const allDims = [w.dims.map((_, i) => i)];
  const rlc: TensorFormat = {
    innerToOuter: false,
    ranks: [{ format: 'UOP', flattened: allDims }, { format: 'RLE', metadataWordBits: RLC_RUN_BITS, flattened: allDims }],
  };
  const keeps = (l: number, s: number) => mapping.levels[l].keep[s];
  const input = w.dataSpaces.findIndex((x) => x.role === 'input');
  const weight = w.dataSpaces.findIndex((x) => x.role === 'weight');
  const innermostWeight = weight < 0 ? -1 : arch.storage.findIndex((_, l) => keeps(l, weight));
  const levels: LevelSparsity[] = arch.storage.map((lv, l) => {
    const formats = w.dataSpaces.map((ds, s): TensorFormat | null =>
      lv.offChip && keeps(l, s) && (ds.role !== 'weight' || density('weight') < 1) ? rlc : null);
    const gating: OptimizationGroup[] = l === innermostWeight && input >= 0 && !lv.offChip ? [[{ target: weight, conditionOn: [input] }]] : [];
    // Runs sit beside the values: as many 5-bit runs as fit in a block of words.
    const width = lv.offChip ? Math.floor((lv.wordBits * lv.blockSize) / RLC_RUN_BITS) * RLC_RUN_BITS : 0;
    return { formats, gating, skipping: [], spatialSkipping: [], metadataWidth: width, metadataWordBits: lv.offChip ? RLC_RUN_BITS : 0, metadataDepth: null };
  });
  return {
    densities: w.dataSpaces.map((ds): DensitySpec => o[ROLE_KEY[ds.role]] ?? { distribution: 'fixed_structured', density: clamp(density(ds.role), ds.name) }),
    levels,
    compute: { gateOnZeroOperand: true, skipOnNotAlignedOperands: false },
    warnings: [],
  };
}

/** Actual data for a layer's tensors by role (counted tiles in place of the fixed-structured density). */
export interface ActualSpecs {
  readonly weights?: DensitySpec;
  readonly inputs?: DensitySpec;
  readonly outputs?: DensitySpec;
}

/** A layer's evaluation under sparsity, with what reports show of it. */
export interface SparseLayerResult {
  /** The sparse engine's result (actual, gated, skipped counts per level and tensor). */
  readonly result: Result;
  readonly energyPJ: number;
  readonly cycles: number;
  /** Energy per level (compute first), same order as the dense result's levels. */
  readonly levelEnergyPJ: readonly number[];
  /** MACs actually performed (neither gated nor skipped). */
  readonly effectualMacs: number;
  readonly densities: LayerDensities;
}

/** Evaluates a layer's (dense-found) mapping under the design's sparsity at these densities; null when dense. */
export function evaluateLayerSparse(w: Workload, arch: Arch, mapping: Mapping, energy: EnergyTable, d: LayerDensities, weights?: DensitySpec, activations: Omit<ActualSpecs, 'weights'> = {}): SparseLayerResult | null {
  const spec = designSparsity(w, arch, mapping, d, weights ? { ...activations, weights } : activations);
  if (!spec) return null;
  const result = evaluateSparse(w, arch, mapping, energy, spec);
  return {
    result,
    energyPJ: result.energyPJ,
    cycles: result.cycles,
    levelEnergyPJ: result.levels.map((l) => l.energyPJ),
    effectualMacs: result.levels[0].computeCounts?.actual ?? result.computes,
    densities: d,
  };
}

/**
 * A layer's weights as actual data for the engine: the file's zero mask
 * laid out in the workload's Weights ranks (C, M, R = kernel width, S =
 * kernel height, then G), so that every tile the engine asks about is
 * counted on the real weights. Convolutions and fully connected layers;
 * null for the others (matrix products, transposed convolutions: they keep
 * their average density).
 */
export function actualWeights(w: Workload, layer: MacLayer, m: WeightMask): DensitySpec | null {
  const ds = w.dataSpaces.find((x) => x.role === 'weight');
  if (!ds) return null;
  const shape = rankExtents(ds, w.bounds);
  const total = shape.reduce((a, b) => a * b, 1);
  if (m.mask.length !== total) return null;
  const values = new Uint8Array(total);
  if (layer.kind === 'conv' && !layer.transposed) {
    const G = layer.groups, Cg = layer.inC / G, Mg = layer.outC / G, kH = layer.kH, kW = layer.kW;
    // ONNX [G·Mg, Cg, kH, kW] → [C, M, R(kW), S(kH), G]
    for (let mt = 0; mt < G * Mg; mt++) for (let c = 0; c < Cg; c++) for (let s = 0; s < kH; s++) for (let r = 0; r < kW; r++) {
      const g = Math.floor(mt / Mg), mm = mt % Mg;
      values[(((c * Mg + mm) * kW + r) * kH + s) * G + g] = m.mask[((mt * Cg + c) * kH + s) * kW + r];
    }
  } else if (layer.kind === 'fc') {
    const K = layer.inFeatures, N = layer.outFeatures;
    // [K, N] is the workload's [C, M] already; Gemm's transB gives [N, K].
    for (let c = 0; c < K; c++) for (let mm = 0; mm < N; mm++) values[c * N + mm] = m.transposed ? m.mask[mm * K + c] : m.mask[c * N + mm];
  } else return null;
  let nnz = 0;
  for (let i = 0; i < total; i++) nnz += values[i];
  return { distribution: 'actual', density: nnz / total, values, shape };
}
