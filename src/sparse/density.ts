/**
 * Density models: how the non-zeros of a tensor fall into its tiles, as
 * Sparseloop models them (Wu et al., MICRO 2022; Timeloop v4's
 * `density-models`). A model answers, for a tile of a given shape, the
 * probability of each occupancy (non-zero count), the expected occupancy
 * (what access counts scale by), and the occupancy at a confidence (what a
 * buffer must hold: confidence 1 is the worst case).
 *
 * - fixed-structured: every tile holds density × size non-zeros (floor or
 *   ceil, in proportion), as N:M structured sparsity does;
 * - hypergeometric: the non-zeros (ceil(density × tensor size)) are placed
 *   uniformly at random; a tile of n points draws without replacement;
 * - banded: a square matrix with non-zeros on the diagonal and `bandWidth`
 *   diagonals either side; tiles are aligned rectangles;
 * - actual: the tiles of a real tensor or 0/1 mask (a pruned layer's
 *   weights, activations measured on images), counted, not modelled.
 *
 * Pure functions over plain numbers; no allocation in the per-tile queries
 * of fixed-structured and hypergeometric (the mapper's inner loop).
 */

/** Extents of a tile, one per rank of the tensor (their product is its size). */
export type TileShape = readonly number[];

/** A density model of one tensor. */
export interface DensityModel {
  readonly kind: 'fixed-structured' | 'hypergeometric' | 'banded' | 'actual';
  /** Fraction of non-zero points in the whole tensor. */
  readonly density: number;
  /** Probability that a tile of this shape holds exactly `k` non-zeros. */
  probability(tile: TileShape, k: number): number;
  /** Expected non-zeros of a tile of this shape. */
  expectedOccupancy(tile: TileShape): number;
  /** The smallest occupancy k with P(occupancy ≤ k) ≥ confidence (confidence 1: the worst case). */
  occupancyAtConfidence(tile: TileShape, confidence: number): number;
}

/** Points of a tile. */
export function tileSize(tile: TileShape): number {
  let n = 1;
  for (const e of tile) n *= e;
  return n;
}

function checkDensity(d: number): void {
  if (!(d >= 0 && d <= 1)) throw new RangeError(`a density lies in [0, 1], got ${d}`);
}

function checkConfidence(c: number): void {
  if (!(c >= 0 && c <= 1)) throw new RangeError(`a confidence lies in [0, 1], got ${c}`);
}

/** Every tile holds density × size non-zeros: the floor or the ceiling, in proportion to the fraction. */
export function fixedStructured(density: number): DensityModel {
  checkDensity(density);
  return {
    kind: 'fixed-structured',
    density,
    probability(tile, k) {
      const exact = tileSize(tile) * density;
      const lo = Math.floor(exact), frac = exact - lo;
      if (frac === 0) return k === lo ? 1 : 0;
      return k === lo ? 1 - frac : k === lo + 1 ? frac : 0;
    },
    expectedOccupancy: (tile) => tileSize(tile) * density,
    occupancyAtConfidence(tile, confidence) {
      checkConfidence(confidence);
      const exact = tileSize(tile) * density;
      const lo = Math.floor(exact);
      return confidence <= 1 - (exact - lo) ? lo : Math.ceil(exact);
    },
  };
}

/**
 * ceil(density × tensorSize) non-zeros, as Sparseloop:
 * placed uniformly at random over the tensor; a tile of n points draws n
 * without replacement.
 */
export function hypergeometric(density: number, tensorSize: number): DensityModel {
  checkDensity(density);
  if (!(Number.isSafeInteger(tensorSize) && tensorSize >= 1)) throw new RangeError(`a tensor size is a positive whole number, got ${tensorSize}`);
  const N = tensorSize;
  const r = Math.ceil(density * N);
  // The distribution of a tile of n points, by the ratio recurrence
  // p(k+1)/p(k) = (r−k)(n−k) / ((k+1)(N−r−n+k+1)) from the lowest possible k,
  // normalised: no differences of huge log-factorials, so exact to rounding
  // even on tensors of 2^40 points. Cached per tile size.
  const dists = new Map<number, { k0: number; p: Float64Array }>();
  const dist = (n: number) => {
    let e = dists.get(n);
    if (!e) {
      const k0 = Math.max(0, n + r - N), k1 = Math.min(n, r);
      const logw = new Float64Array(k1 - k0 + 1);
      for (let k = k0; k < k1; k++) logw[k - k0 + 1] = logw[k - k0] + Math.log(((r - k) * (n - k)) / ((k + 1) * (N - r - n + k + 1)));
      let max = -Infinity;
      for (const x of logw) max = Math.max(max, x);
      let sum = 0;
      for (const x of logw) sum += Math.exp(x - max);
      const p = logw.map((x) => Math.exp(x - max) / sum);
      e = { k0, p };
      dists.set(n, e);
    }
    return e;
  };
  const pmf = (n: number, k: number): number => {
    const { k0, p } = dist(n);
    return k < k0 || k >= k0 + p.length ? 0 : p[k - k0];
  };
  return {
    kind: 'hypergeometric',
    density,
    probability: (tile, k) => pmf(Math.min(tileSize(tile), N), k),
    expectedOccupancy: (tile) => (Math.min(tileSize(tile), N) * r) / N,
    occupancyAtConfidence(tile, confidence) {
      checkConfidence(confidence);
      const n = Math.min(tileSize(tile), N);
      const hi = Math.min(n, r);
      if (confidence >= 1) return hi;
      let cdf = 0;
      for (let k = Math.max(0, n + r - N); k < hi; k++) {
        cdf += pmf(n, k);
        if (cdf >= confidence) return k;
      }
      return hi;
    },
  };
}

/** An occupancy histogram over every aligned tile position: occupancy → number of tiles. */
type Histogram = Map<number, number>;

function fromHistogram(kind: 'banded' | 'actual', density: number, histogram: (tile: TileShape) => Histogram): DensityModel {
  // Histograms depend only on the tile shape; models are asked the same shapes again and again.
  const cache = new Map<string, { h: Histogram; tiles: number }>();
  const get = (tile: TileShape) => {
    const key = tile.join('x');
    let e = cache.get(key);
    if (!e) {
      const h = histogram(tile);
      let tiles = 0;
      for (const c of h.values()) tiles += c;
      e = { h, tiles };
      cache.set(key, e);
    }
    return e;
  };
  return {
    kind,
    density,
    probability(tile, k) {
      const { h, tiles } = get(tile);
      return (h.get(k) ?? 0) / tiles;
    },
    expectedOccupancy(tile) {
      const { h, tiles } = get(tile);
      let s = 0;
      for (const [k, c] of h) s += k * c;
      return s / tiles;
    },
    occupancyAtConfidence(tile, confidence) {
      checkConfidence(confidence);
      const { h, tiles } = get(tile);
      const ks = [...h.keys()].sort((a, b) => a - b);
      let cum = 0;
      for (const k of ks) {
        cum += h.get(k)! / tiles;
        if (cum >= confidence - 1e-12) return k;
      }
      return ks[ks.length - 1];
    },
  };
}

/** Non-zeros of a `size` × `size` band of half-width `bandWidth` inside rows [r0, r1) and columns [c0, c1). */
function bandCount(size: number, bandWidth: number, r0: number, r1: number, c0: number, c1: number): number {
  let n = 0;
  for (let r = r0; r < r1; r++) {
    const lo = Math.max(c0, r - bandWidth, 0), hi = Math.min(c1, r + bandWidth + 1, size);
    if (hi > lo) n += hi - lo;
  }
  return n;
}

/**
 * A square `size` × `size` matrix whose non-zeros are the diagonal and
 * `bandWidth` diagonals on either side (0: a diagonal matrix). Tiles are
 * aligned rectangles [rows, columns] whose extents divide the size.
 */
export function banded(size: number, bandWidth: number): DensityModel {
  if (!(Number.isSafeInteger(size) && size >= 1)) throw new RangeError(`a matrix size is a positive whole number, got ${size}`);
  if (!(Number.isSafeInteger(bandWidth) && bandWidth >= 0)) throw new RangeError(`a band width is a whole number ≥ 0, got ${bandWidth}`);
  const nnz = bandCount(size, bandWidth, 0, size, 0, size);
  return fromHistogram('banded', nnz / (size * size), (tile) => {
    if (tile.length !== 2) throw new RangeError(`a banded tile has two extents (rows, columns), got ${tile.length}`);
    const [R, C] = tile;
    if (size % R !== 0 || size % C !== 0) throw new RangeError(`tile ${R}×${C} does not divide the ${size}×${size} matrix`);
    const rowGroups = size / R, colGroups = size / C;
    const h: Histogram = new Map();
    let counted = 0;
    for (let g = 0; g < rowGroups; g++) {
      const r0 = g * R, r1 = r0 + R;
      // Only column groups that meet the band hold anything: the rest are empty tiles.
      const cFirst = Math.max(0, Math.floor((r0 - bandWidth) / C)), cLast = Math.min(colGroups - 1, Math.floor((r1 - 1 + bandWidth) / C));
      for (let cg = cFirst; cg <= cLast; cg++) {
        const k = bandCount(size, bandWidth, r0, r1, cg * C, cg * C + C);
        h.set(k, (h.get(k) ?? 0) + 1);
        counted++;
      }
    }
    const empty = rowGroups * colGroups - counted;
    if (empty > 0) h.set(0, (h.get(0) ?? 0) + empty);
    return h;
  });
}

/**
 * Tiles of a real tensor: `values` in row-major order over `shape` (any
 * rank), a point counting as non-zero when it is not 0. Tiles are aligned
 * boxes whose extents divide the shape; every position is counted.
 */
export function actualData(values: ArrayLike<number>, shape: readonly number[]): DensityModel {
  const total = tileSize(shape);
  if (values.length !== total) throw new RangeError(`${values.length} values for a tensor of shape ${shape.join('×')} (${total} points)`);
  let nnz = 0;
  for (let i = 0; i < total; i++) if (values[i] !== 0) nnz++;
  return fromHistogram('actual', nnz / total, (tile) => {
    if (tile.length !== shape.length) throw new RangeError(`a tile of rank ${tile.length} for a tensor of rank ${shape.length}`);
    tile.forEach((e, d) => { if (!(e >= 1 && shape[d] % e === 0)) throw new RangeError(`tile extent ${e} does not divide ${shape[d]} (rank ${d})`); });
    const R = shape.length;
    const groups = shape.map((s, d) => s / tile[d]);
    const nTiles = tileSize(groups);
    const counts = new Float64Array(nTiles);
    // One pass over the points: each adds to its tile.
    const idx = new Array<number>(R).fill(0);
    for (let i = 0; i < total; i++) {
      if (values[i] !== 0) {
        let t = 0;
        for (let d = 0; d < R; d++) t = t * groups[d] + Math.floor(idx[d] / tile[d]);
        counts[t]++;
      }
      for (let d = R - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
    }
    const h: Histogram = new Map();
    for (let t = 0; t < nTiles; t++) h.set(counts[t], (h.get(counts[t]) ?? 0) + 1);
    return h;
  });
}
