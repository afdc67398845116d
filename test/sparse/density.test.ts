/** Density models against brute force: exact enumeration of placements, bands and real tensors. */
import { describe, expect, it } from 'vitest';
import { actualData, banded, fixedStructured, hypergeometric, tileSize } from '../../src/sparse/density.js';
import { rng } from '../helpers/random.js';

/** C(n, k) exactly, for small n. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

describe('fixed-structured', () => {
  it('puts floor or ceil of density × size in every tile, in proportion', () => {
    const m = fixedStructured(0.3);
    expect(m.probability([10], 3)).toBe(1);
    expect(m.probability([5], 1)).toBeCloseTo(0.5, 12);
    expect(m.probability([5], 2)).toBeCloseTo(0.5, 12);
    expect(m.probability([5], 3)).toBe(0);
    expect(m.expectedOccupancy([4, 5])).toBeCloseTo(6, 12);
    expect(m.occupancyAtConfidence([5], 0.4)).toBe(1);
    expect(m.occupancyAtConfidence([5], 0.9)).toBe(2);
    expect(m.occupancyAtConfidence([5], 1)).toBe(2);
  });
});

describe('hypergeometric', () => {
  it('matches counting placements on small tensors, sums to 1, has mean n·r/N and worst case min(n, r)', () => {
    for (const [N, d] of [[12, 0.25], [16, 0.5], [20, 0.07], [9, 1], [30, 0]] as const) {
      const m = hypergeometric(d, N);
      const r = Math.ceil(d * N);
      for (let n = 1; n <= N; n++) {
        let sum = 0, mean = 0;
        for (let k = 0; k <= n; k++) {
          const p = m.probability([n], k);
          // Ways to choose the tile's n points so that k of them are among the r non-zeros.
          expect(p).toBeCloseTo((choose(r, k) * choose(N - r, n - k)) / choose(N, n), 10);
          sum += p; mean += k * p;
        }
        expect(sum).toBeCloseTo(1, 10);
        expect(mean).toBeCloseTo(m.expectedOccupancy([n]), 10);
        expect(m.occupancyAtConfidence([n], 1)).toBe(Math.min(n, r));
      }
    }
  });

  it('quantiles: the smallest k whose cumulative probability reaches the confidence', () => {
    const m = hypergeometric(0.25, 64);
    for (const c of [0.01, 0.3, 0.5, 0.9, 0.999]) {
      const k = m.occupancyAtConfidence([16], c);
      let cdf = 0;
      for (let j = 0; j <= k; j++) cdf += m.probability([16], j);
      expect(cdf).toBeGreaterThanOrEqual(c - 1e-12);
      expect(cdf - m.probability([16], k)).toBeLessThan(c);
    }
  });

  it('stays exact on large tensors (2^40 points)', () => {
    const m = hypergeometric(0.1, 2 ** 40);
    let s = 0;
    for (let k = 0; k <= 64; k++) s += m.probability([64], k);
    expect(s).toBeCloseTo(1, 10);
    expect(m.expectedOccupancy([64])).toBeCloseTo(6.4, 6);
    // Draws from a huge population are binomial: C(64, 6) 0.1^6 0.9^58.
    expect(m.probability([64], 6)).toBeCloseTo(choose(64, 6) * 0.1 ** 6 * 0.9 ** 58, 9);
  });
});

describe('banded', () => {
  it('counts the band in every aligned tile as brute force does', () => {
    for (const [size, bw] of [[8, 0], [8, 1], [12, 2], [6, 5]] as const) {
      const dense = new Float64Array(size * size);
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) dense[r * size + c] = Math.abs(r - c) <= bw ? 1 : 0;
      const m = banded(size, bw);
      const ref = actualData(dense, [size, size]);
      expect(m.density).toBeCloseTo(ref.density, 12);
      for (const R of [1, 2, size / 2, size]) for (const C of [1, 2, size]) {
        if (size % R || size % C) continue;
        for (let k = 0; k <= R * C; k++) expect(m.probability([R, C], k)).toBeCloseTo(ref.probability([R, C], k), 12);
        expect(m.expectedOccupancy([R, C])).toBeCloseTo(ref.expectedOccupancy([R, C]), 12);
      }
    }
    // A diagonal: nnz = size.
    expect(banded(10, 0).density).toBeCloseTo(0.1, 12);
  });
});

describe('actual data', () => {
  it('histograms every aligned tile of a real tensor', () => {
    const rand = rng(7);
    const shape = [4, 6, 2];
    const v = Array.from({ length: tileSize(shape) }, () => (rand() < 0.3 ? rand() : 0));
    const m = actualData(v, shape);
    const nz = v.filter((x) => x !== 0).length;
    expect(m.density).toBeCloseTo(nz / v.length, 12);
    expect(m.expectedOccupancy([2, 3, 1])).toBeCloseTo((nz / v.length) * 6, 12);
    // By hand: the tile at (0..1, 0..2, 0).
    const at = (a: number, b: number, c: number) => v[(a * 6 + b) * 2 + c];
    let worst = 0;
    for (let a = 0; a < 4; a += 2) for (let b = 0; b < 6; b += 3) for (let c = 0; c < 2; c++) {
      let k = 0;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) if (at(a + i, b + j, c) !== 0) k++;
      worst = Math.max(worst, k);
    }
    expect(m.occupancyAtConfidence([2, 3, 1], 1)).toBe(worst);
    expect(m.probability(shape, nz)).toBe(1);
    expect(() => m.probability([3, 3, 1], 0)).toThrow(/does not divide/);
  });
});
