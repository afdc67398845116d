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

/** A tile occupancy histogram in ascending occupancy: keys[i] holds probs[i] of the tiles. */
export interface OccupancyTable { readonly keys: readonly number[]; readonly probs: readonly number[] }

function bandNnz(bw: number, r0: number, r1: number, c0: number, c1: number): number {
  let nnz = 0;
  for (let r = r0; r < r1; r++) {
    const cs = Math.max(c0, Math.max(r - bw, 0)), ce = Math.min(c1, r + bw + 1);
    nnz += cs < ce ? ce - cs : 0;
  }
  return nnz;
}

/**
 * Timeloop's BandedDistribution (0fc43fb, banded-distribution.cpp) on a
 * square `size` × `size` matrix: a tile mold's occupancy table from the
 * warm-up row groups (counted twice, for the symmetric cool-down) and the
 * first steady-state row group (counted once per steady group), as it
 * does — not an exact count of every position; a tile conditioned on its
 * parent's occupancy looks inside the first parent position with that
 * occupancy, with Timeloop's offset arithmetic (it adds the position's
 * origin twice to the start of each sub-tile).
 */
export class TimeloopBanded {
  readonly size: number;
  readonly bandWidth: number;
  /** Non-zeros over points (Timeloop's global density). */
  readonly density: number;
  private readonly tables = new Map<string, OccupancyTable>();

  constructor(size: number, bandWidth: number) {
    this.size = size;
    this.bandWidth = bandWidth;
    let nnz = size;
    for (let ud = 1; ud <= bandWidth; ud++) nnz += (size - ud) * 2;
    this.density = nnz / (size * size);
  }

  /** Occupancy table of an R × C tile mold (GetProbabilityDistributionForTileMold). */
  table(R: number, C: number): OccupancyTable {
    const key = `${R}x${C}`;
    let t = this.tables.get(key);
    if (t) return t;
    const bw = this.bandWidth;
    const numCol = Math.trunc(this.size / C), numRow = Math.trunc(this.size / R);
    const warm = Math.ceil(bw / R);
    const steady = Math.max(numRow - 2 * warm, 0);
    const counts = new Map<number, number>([[0, 0]]);
    for (let g = 0, rowOff = 0; g < warm + 1 && g < numRow; g++, rowOff += R) {
      for (let c = 0, colOff = 0; c < numCol; c++, colOff += C) {
        if (colOff > rowOff + R - 1 + bw) {
          counts.set(0, counts.get(0)! + (g >= warm ? (numCol - c) * steady : warm !== numRow ? (numCol - c) * 2 : numCol - c));
          break;
        }
        const occ = bandNnz(bw, rowOff, rowOff + R, colOff, colOff + C);
        counts.set(occ, (counts.get(occ) ?? 0) + (g >= warm ? steady : warm !== numRow ? 2 : 1));
      }
    }
    const keys = [...counts.keys()].sort((a, b) => a - b);
    const total = numRow * numCol;
    t = { keys, probs: keys.map((k) => counts.get(k)! / total) };
    this.tables.set(key, t);
    return t;
  }

  /** P(an R × C tile is empty | its pR × pC parent holds `occupancy`) (GetReprPointSetForTileOccupancy + GetZeroOccupancyProbForConstrainedTileMold). */
  conditionedEmpty(R: number, C: number, pR: number, pC: number, occupancy: number): number {
    const bw = this.bandWidth;
    const numCol = Math.trunc(this.size / pC), numRow = Math.trunc(this.size / pR);
    const warm = Math.ceil(bw / pR);
    let origin: [number, number] | null = null;
    search: for (let g = 0, rowOff = 0; g < warm + 1 && g < numRow; g++, rowOff += pR) {
      for (let c = 0, colOff = 0; c < numCol; c++, colOff += pC) {
        if (colOff > rowOff + pR - 1 + bw) {
          if (occupancy === 0) { origin = [rowOff, colOff]; break search; }
          break;
        }
        if (bandNnz(bw, rowOff, rowOff + pR, colOff, colOff + pC) === occupancy) { origin = [rowOff, colOff]; break search; }
      }
    }
    if (!origin) throw new RangeError(`banded: no ${pR}×${pC} tile holds ${occupancy} non-zeros (Timeloop stops here)`);
    if (pR * pC === 0) return 1;
    const groupsC = Math.trunc(pC / C), groupsR = Math.trunc(pR / R);
    let empty = 0;
    for (let g = 0, rowOff = origin[0]; g < groupsR; g++, rowOff += R) {
      for (let c = 0, colOff = origin[1]; c < groupsC; c++, colOff += C) {
        if (bandNnz(bw, origin[0] + rowOff, R + rowOff, origin[1] + colOff, C + colOff) === 0) empty++;
      }
    }
    return empty / (groupsR * groupsC);
  }
}

/**
 * Actual data for the engine: the occupancy table of every tile extent
 * over the real tensor (aligned positions; tiles at the far edges are cut
 * where the extents do not divide the tensor), and a sub-tile's emptiness
 * given its parent's occupancy as counted: among the parent positions
 * holding exactly that many non-zeros, the fraction of their sub-tiles that
 * are empty.
 */
export class ActualTensor {
  readonly shape: readonly number[];
  readonly density: number;
  private readonly nz: Uint8Array;
  private readonly tables = new Map<string, OccupancyTable>();
  private readonly conditioned = new Map<string, Map<number, number>>();

  constructor(values: ArrayLike<number>, shape: readonly number[]) {
    const total = tileSize(shape);
    if (values.length !== total) throw new RangeError(`${values.length} values for a tensor of shape ${shape.join('×')} (${total} points)`);
    this.shape = [...shape];
    this.nz = new Uint8Array(total);
    let nnz = 0;
    for (let i = 0; i < total; i++) if (values[i] !== 0) { this.nz[i] = 1; nnz++; }
    this.density = nnz / total;
  }

  /** Non-zeros per aligned tile of extents `ext` (clamped to the tensor), tile-grid row-major, and the grid. */
  private grid(ext: readonly number[]): { counts: Float64Array; groups: number[] } {
    const R = this.shape.length;
    const e = ext.map((x, d) => Math.max(1, Math.min(x, this.shape[d])));
    const groups = this.shape.map((s, d) => Math.ceil(s / e[d]));
    const counts = new Float64Array(tileSize(groups));
    const idx = new Array<number>(R).fill(0);
    for (let i = 0; i < this.nz.length; i++) {
      if (this.nz[i]) {
        let t = 0;
        for (let d = 0; d < R; d++) t = t * groups[d] + Math.floor(idx[d] / e[d]);
        counts[t]++;
      }
      for (let d = R - 1; d >= 0; d--) { if (++idx[d] < this.shape[d]) break; idx[d] = 0; }
    }
    return { counts, groups };
  }

  private check(ext: readonly number[]): void {
    if (ext.length !== this.shape.length) throw new RangeError(`a tile of rank ${ext.length} for a tensor of rank ${this.shape.length}`);
  }

  /** Occupancy table of tiles with these extents. */
  table(ext: readonly number[]): OccupancyTable {
    this.check(ext);
    const key = ext.join('x');
    let t = this.tables.get(key);
    if (t) return t;
    const { counts } = this.grid(ext);
    const h = new Map<number, number>();
    for (const c of counts) h.set(c, (h.get(c) ?? 0) + 1);
    const keys = [...h.keys()].sort((a, b) => a - b);
    t = { keys, probs: keys.map((k) => h.get(k)! / counts.length) };
    this.tables.set(key, t);
    return t;
  }

  /** P(a sub-tile of extents `sub` is empty | its parent tile of extents `parent` holds `occupancy`); null when no parent holds that many. */
  conditionedEmpty(sub: readonly number[], parent: readonly number[], occupancy: number): number | null {
    this.check(sub); this.check(parent);
    const key = `${sub.join('x')}|${parent.join('x')}`;
    let byK = this.conditioned.get(key);
    if (!byK) {
      const R = this.shape.length;
      const s = this.grid(sub), p = this.grid(parent);
      const pe = parent.map((x, d) => Math.max(1, Math.min(x, this.shape[d])));
      const se = sub.map((x, d) => Math.max(1, Math.min(x, this.shape[d])));
      const empties = new Float64Array(p.counts.length), subs = new Float64Array(p.counts.length);
      const idx = new Array<number>(R).fill(0);
      for (let i = 0; i < s.counts.length; i++) {
        let t = 0;
        for (let d = 0; d < R; d++) t = t * p.groups[d] + Math.floor((idx[d] * se[d]) / pe[d]);
        subs[t]++;
        if (s.counts[i] === 0) empties[t]++;
        for (let d = R - 1; d >= 0; d--) { if (++idx[d] < s.groups[d]) break; idx[d] = 0; }
      }
      const acc = new Map<number, [number, number]>();
      for (let t = 0; t < p.counts.length; t++) {
        const a = acc.get(p.counts[t]) ?? [0, 0];
        a[0] += empties[t]; a[1] += subs[t];
        acc.set(p.counts[t], a);
      }
      byK = new Map([...acc].map(([k, [e, n]]) => [k, e / n]));
      this.conditioned.set(key, byK);
    }
    return byK.get(occupancy) ?? null;
  }
}
