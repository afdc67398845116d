/** Builders for common layer shapes. */
import type { DataSpace, Workload } from './workload.js';

/** A 2-D convolution (Timeloop's CNN_Layer), batch `N`. */
export interface ConvShape {
  N?: number; C: number; M: number; P: number; Q: number; R: number; S: number;
  Wstride?: number; Hstride?: number; Wdilation?: number; Hdilation?: number;
}

/**
 * Convolution as a workload, with Timeloop's dimension order (C M R S N P Q)
 * and data-space ranks, so counts line up with Timeloop's.
 */
export function convWorkload(name: string, s: ConvShape): Workload {
  const dims = ['C', 'M', 'R', 'S', 'N', 'P', 'Q'];
  const [C, M, R, S, N, P, Q] = [0, 1, 2, 3, 4, 5, 6];
  const ws = s.Wstride ?? 1, hs = s.Hstride ?? 1, wd = s.Wdilation ?? 1, hd = s.Hdilation ?? 1;
  const t = (dim: number, coef = 1) => ({ dim, coef });
  const dataSpaces: DataSpace[] = [
    { name: 'Weights', readWrite: false, ranks: [[t(C)], [t(M)], [t(R)], [t(S)]] },
    { name: 'Inputs', readWrite: false, ranks: [[t(N)], [t(C)], [t(R, wd), t(P, ws)], [t(S, hd), t(Q, hs)]] },
    { name: 'Outputs', readWrite: true, ranks: [[t(N)], [t(M)], [t(Q)], [t(P)]] },
  ];
  return { name, dims, bounds: [s.C, s.M, s.R, s.S, s.N ?? 1, s.P, s.Q], dataSpaces };
}
