/**
 * The hypergeometric occupancy distribution as the sparse engine asks it,
 * Timeloop's `HypergeometricDistribution` (0fc43fb): r = ceil(density × N)
 * non-zeros placed uniformly over the tensor's N points; a tile of n points
 * draws without replacement. Timeloop evaluates boost's `pdf` in long
 * double and narrows to double; here each probability is computed in
 * double-double (≈ 2^-104 relative) and rounded once, so it is the
 * correctly rounded value, which boost's is too except within a few long
 * double ulps of a rounding tie (docs/model.md, "Density models").
 *
 * Tables are cached per tile size (and per parent tile for the conditioned
 * empty probability): the mapper asks the same sizes again and again, and
 * a cached query allocates nothing.
 */

// Double-double arithmetic (Dekker): [hi, lo] pairs in a scratch, operands exact integers below 2^53.
const SPLIT = 134217729; // 2^27 + 1
let H = 0, L = 0;
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  H = p; L = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
/** (hi, lo) × b into (H, L). */
function mul(hi: number, lo: number, b: number): void {
  twoProd(hi, b);
  const ph = H, pl = L + lo * b;
  const s = ph + pl;
  H = s; L = pl - (s - ph);
}
/** (hi, lo) / b into (H, L). */
function div(hi: number, lo: number, b: number): void {
  const q1 = hi / b;
  twoProd(q1, b);
  // remainder (hi, lo) − q1·b, exact to double-double
  const r = ((hi - H) - L) + lo;
  const q2 = r / b;
  const s = q1 + q2;
  H = s; L = q2 - (s - q1);
}
/** (ah, al) + (bh, bl) into (H, L). */
function add(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh, v = s - ah;
  const e = (ah - (s - v)) + (bh - v) + al + bl;
  const t = s + e;
  H = t; L = e - (t - s);
}
/** (ah, al) / (bh, bl), rounded to a double. */
function divDD(ah: number, al: number, bh: number, bl: number): number {
  const q1 = ah / bh;
  twoProd(q1, bh);
  const r = ((ah - H) - L) + al - q1 * bl;
  return q1 + r / bh;
}

const SCALE_BITS = 600;
const TINY = 2 ** -SCALE_BITS, BIG = 2 ** SCALE_BITS, FLUSH = 2 ** -1000;

/** pmf of a tile of n points over k = lo..lo + p.length − 1, the window [first, last] where it is not 0 (0 outside). */
export interface PmfTable { readonly lo: number; readonly p: Float64Array; readonly first: number; readonly last: number }

/** Cached queries of one hypergeometric tensor (N points, r non-zeros). */
export class HypergeometricTensor {
  readonly N: number;
  readonly r: number;
  private readonly tables = new Map<number, PmfTable>();
  private held = 0;
  private readonly empties = new Map<number, number>();

  constructor(density: number, tensorSize: number) {
    this.N = tensorSize;
    this.r = Math.ceil(density * tensorSize);
  }

  /** The pmf of a tile of n points (n clamped to N). */
  table(n: number): PmfTable {
    if (n > this.N) n = this.N;
    let t = this.tables.get(n);
    if (!t) {
      t = pmfTable(this.N, this.r, n);
      // Bounded by the values held, not the tables: a search meets many tile sizes.
      this.held += t.p.length;
      if (this.held > 1 << 23) { this.tables.clear(); this.held = t.p.length; }
      this.tables.set(n, t);
    }
    return t;
  }

  /** P(a tile of n points holds k non-zeros); Timeloop returns 0 below n + r − N and above r. */
  probability(n: number, k: number): number {
    const t = this.table(n);
    const i = k - t.lo;
    return i < 0 || i >= t.p.length ? 0 : t.p[i];
  }

  /** P(a tile of n points is empty), without building the whole table: Π (N−r−i)/(N−i). */
  empty(n: number): number {
    if (n > this.N) n = this.N;
    let v = this.empties.get(n);
    if (v === undefined) {
      if (this.empties.size > 4096) this.empties.clear();
      v = emptyProduct(this.N, this.r, n);
      this.empties.set(n, v);
    }
    return v;
  }

  /** Timeloop's worst case (confidence 1): min(n, r). */
  maxOccupancy(n: number): number {
    return n >= this.r ? this.r : n;
  }

  /**
   * Timeloop's GetMinDataTileOccupancy: 0 when n ≤ N − r, else its
   * `(n − N + r) / n` with n − N wrapping in uint64 (a tile bigger than the
   * zeros but smaller than the tensor), floored and converted back as gcc
   * on x86-64 converts a double ≥ 2^63 (docs/model.md).
   */
  minOccupancy(n: number): number {
    const N = this.N, r = this.r;
    if (n <= N - r) return 0;
    const wrapped = Number(BigInt.asUintN(64, BigInt(n) - BigInt(N)));
    const v = Math.floor(((wrapped + r) / n) * n);
    if (v < 2 ** 63) return v;
    const t = v - 2 ** 63;
    return t >= 2 ** 63 ? 0 : t + 2 ** 63;
  }
}

/** Π_{i<n} (N − r − i)/(N − i) in double-double: P(empty) of an n-point tile. */
export function emptyProduct(N: number, r: number, n: number): number {
  if (n <= 0 || r === 0) return 1;
  if (n > N - r) return 0;
  // The shorter product: C(N−r, n)/C(N, n) = Π_{i<r} (N−n−i)/(N−i) as well.
  const m = Math.min(n, r), a = n <= r ? N - r : N - n;
  let hi = 1, lo = 0;
  for (let i = 0; i < m; i++) {
    mul(hi, lo, a - i); div(H, L, N - i);
    hi = H; lo = L;
    if (hi === 0) return 0;
  }
  return hi + lo;
}

/** Scratch for a table under construction: weights relative to the mode, with a power-of-2^600 scale each. */
let W_HI = new Float64Array(0), W_LO = new Float64Array(0), W_SC = new Int32Array(0);

/** The pmf of an n-point tile, each value correctly rounded (ratio recurrence from the mode, normalised in double-double). */
export function pmfTable(N: number, r: number, n: number): PmfTable {
  const lo = Math.max(0, n + r - N), hi = Math.min(n, r);
  const len = hi - lo + 1;
  const p = new Float64Array(len);
  if (len === 1) { p[0] = 1; return { lo, p, first: lo, last: lo }; }
  if (W_HI.length < len) { W_HI = new Float64Array(len); W_LO = new Float64Array(len); W_SC = new Int32Array(len); }
  let mode = Math.floor(((n + 1) * (r + 1)) / (N + 2));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  const m = mode - lo;
  W_HI[m] = 1; W_LO[m] = 0; W_SC[m] = 0;
  // Upwards: w(k+1) = w(k) (r−k)(n−k) / ((k+1)(N−r−n+k+1)).
  let wh = 1, wl = 0, sc = 0;
  for (let k = mode; k < hi; k++) {
    mul(wh, wl, r - k); mul(H, L, n - k); div(H, L, k + 1); div(H, L, N - r - n + k + 1);
    wh = H; wl = L;
    if (wh < TINY && wh > 0) { wh *= BIG; wl *= BIG; sc++; }
    const i = k + 1 - lo;
    W_HI[i] = wh; W_LO[i] = wl; W_SC[i] = sc;
  }
  // Downwards: w(k−1) = w(k) k (N−r−n+k) / ((r−k+1)(n−k+1)).
  wh = 1; wl = 0; sc = 0;
  for (let k = mode; k > lo; k--) {
    mul(wh, wl, k); mul(H, L, N - r - n + k); div(H, L, r - k + 1); div(H, L, n - k + 1);
    wh = H; wl = L;
    if (wh < TINY && wh > 0) { wh *= BIG; wl *= BIG; sc++; }
    const i = k - 1 - lo;
    W_HI[i] = wh; W_LO[i] = wl; W_SC[i] = sc;
  }
  // The sum: weights scaled down by 2^600 or more are below its last bit.
  let sh = 0, sl = 0;
  for (let i = 0; i < len; i++) if (W_SC[i] === 0) { add(sh, sl, W_HI[i], W_LO[i]); sh = H; sl = L; }
  for (let i = 0; i < len; i++) {
    const q = divDD(W_HI[i], W_LO[i], sh, sl);
    let s = W_SC[i];
    let v = q;
    while (s-- > 0) v *= TINY;
    // Below 2^-1000 a probability changes no sum of the engine (they are dominated by values near 1) and would
    // be a subnormal after a few more operations, which x86 computes a hundred times slower: kept as 0.
    p[i] = v < FLUSH ? 0 : v;
  }
  let first = 0, last = len - 1;
  while (first < last && p[first] === 0) first++;
  while (last > first && p[last] === 0) last--;
  // Only the window of non-zero probabilities is kept: a few hundred standard deviations, not the whole support.
  return { lo: lo + first, p: p.slice(first, last + 1), first: lo + first, last: lo + last };
}

/**
 * P(an n-point subtile is empty | its m-point parent tile holds k
 * non-zeros): Timeloop's conditioned hypergeometric (N = m, r = k), with a
 * cursor per (m, n) so that k ascending, as the occupancy loop asks, costs
 * one step each.
 */
export function conditionedEmpty(m: number, k: number, n: number): number {
  if (n <= 0 || k === 0) return 1;
  if (n > m - k) return 0;
  let byN = CURSORS.get(m);
  if (!byN) { if (CURSORS.size > 4096) CURSORS.clear(); byN = new Map(); CURSORS.set(m, byN); }
  let c = byN.get(n);
  if (!c) { c = { k: -1, hi: 0, lo: 0 }; byN.set(n, c); }
  if (c.k === k) return c.hi + c.lo;
  if (c.k >= 0 && k === c.k + 1) {
    // P0(k+1) = P0(k) (m − k − n)/(m − k)
    mul(c.hi, c.lo, m - c.k - n); div(H, L, m - c.k);
  } else {
    // Π_{i<k} (m − n − i)/(m − i) or Π_{i<n} (m − k − i)/(m − i), whichever is shorter
    const steps = Math.min(k, n), a = k <= n ? m - n : m - k;
    let hi = 1, lo = 0;
    for (let i = 0; i < steps && hi !== 0; i++) { mul(hi, lo, a - i); div(H, L, m - i); hi = H; lo = L; }
    H = hi; L = lo;
  }
  c.k = k; c.hi = H; c.lo = L;
  return H + L;
}
const CURSORS = new Map<number, Map<number, { k: number; hi: number; lo: number }>>();
