/**
 * Eyeriss v1's compiler rule for placing a layer on the PE array (Chen,
 * Krishna, Emer, Sze, JSSC 2017, the row-stationary mapping; ISCA 2016,
 * "logical to physical mapping"): a layer's logical PE set is R × E — filter
 * rows down a column, output rows across (here S × Q: Timeloop's CNN_Layer
 * names the heights S and Q). It is folded onto the rows × cols array:
 * - a set wider than the array is strip-mined into segments of at most
 *   `cols` output rows; as many segments as the rows allow sit one above
 *   the other (AlexNet CONV2: 5 × 27 as 5 × 14 over 5 × 13, 135 PEs), the
 *   rest run as further passes (CONV1: 11 × 55 as four passes of 11 × 14,
 *   154 PEs). The passes are the fewest the rows allow; within them the
 *   segments are balanced, the split that pads Q least (fewer segments on
 *   a tie): Q = 64 with 3-row filters is two passes of four 3 × 8
 *   segments, not of four 3 × 14 (the published layers fix only the
 *   passes and the 14-wide segments of CONV1 and CONV2, which both splits
 *   give);
 * - a set smaller than the array is replicated over filters or channels
 *   into the rows and columns left (CONV3–5: four 3 × 13 sets, 156 PEs);
 *   how many, and over which dimension, the chip's compiler chooses by
 *   cost, so it is left to the mapper, as are the temporal loops.
 * A strip-mined Q that is not a multiple of the segments' width leaves the
 * last segment or pass short. dnnergy's mapper needs whole factors, so the
 * layer is mapped with Q padded to the fold (55 → 56); a short pass takes
 * a full pass's time on the chip (its PEs idle), so the padded cycles are
 * the chip's, while the padded work is scaled back by the real MACs over
 * the padded ones ({@link Fold.workScale}).
 */
import type { Constraints } from '../mapping/constraints.js';
import type { Workload } from '../workload/workload.js';

/** A layer folded onto the array by the rule above. */
export interface Fold {
  /** The workload the mapper maps: the layer with Q padded to the fold. */
  readonly workload: Workload;
  /** Output rows per segment (the columns used). */
  readonly width: number;
  /** Segments stacked in the array's rows (spatial). */
  readonly segments: number;
  /** Passes over the segments (temporal). */
  readonly passes: number;
  /** Q of the layer and of the padded workload. */
  readonly q: number;
  readonly paddedQ: number;
  /** Real MACs / padded MACs: what the padded run's work (energy, accesses, effectual MACs) is scaled by. */
  readonly workScale: number;
  /** Busy share of the spatial Q slots: active PEs = mapped PEs × this (CONV2: 27 of 28). */
  readonly spatialShare: number;
}

/**
 * The fold of a layer onto `rows` × `cols`, or undefined when the rule does
 * not apply (no S or Q dimension, or filters taller than the array).
 */
export function rsFold(w: Workload, rows: number, cols: number): Fold | undefined {
  const s = w.dims.indexOf('S'), qd = w.dims.indexOf('Q');
  if (s < 0 || qd < 0) return undefined;
  const S = w.bounds[s], q = w.bounds[qd];
  if (S > rows) return undefined;
  const most = Math.floor(rows / S);
  const passes = Math.ceil(Math.ceil(q / cols) / most);
  let width = cols, segments = most;
  for (let g = most; g >= 1; g--) {
    const wd = Math.ceil(q / (g * passes));
    if (wd <= cols && wd * g <= width * segments) { width = wd; segments = g; }
  }
  const paddedQ = width * segments * passes;
  const bounds = w.bounds.map((b, d) => (d === qd ? paddedQ : b));
  const slots = width * segments;
  return {
    workload: paddedQ === q ? w : { ...w, bounds }, width, segments, passes, q, paddedQ,
    workScale: q / paddedQ, spatialShare: Math.min(q, slots) / slots,
  };
}

/**
 * The row-stationary constraints with the fold's spatial loops fixed: at
 * the column level Q = the segment width, at the PE level (down a column)
 * S = all filter rows and Q = the stacked segments; everything else as the
 * design's own constraints leave it (`base`, built for the fold's
 * workload, levels named as in rowstationary.ts).
 */
export function foldConstraints(f: Fold, base: Constraints, pe: number, column: number): Constraints {
  const w = f.workload;
  const s = w.dims.indexOf('S'), q = w.dims.indexOf('Q');
  const levels = base.levels.map((l, i) => {
    if (i !== pe && i !== column) return l;
    const spatialFactors = new Map(l.spatialFactors);
    if (i === column) spatialFactors.set(q, f.width);
    else { spatialFactors.set(s, w.bounds[s]); spatialFactors.set(q, f.segments); }
    return { ...l, spatialFactors };
  });
  return { ...base, levels };
}
