/**
 * Cycles, Timeloop's way: each level's ports throttle it (bandwidth.ts),
 * each network-on-chip with a mode may too (noc.ts), and the run takes the
 * slowest of compute, every level and every link. The rule and the cases
 * that pin it are in docs/model.md.
 */
import type { Arch } from '../arch/arch.js';
import type { CountBuffers } from './counts.js';
import { levelSlowdown, throttledCycles } from './bandwidth.js';
import { linkCycles } from './noc.js';

/**
 * Cycles of one evaluation: the most any level or network needs. When
 * `levelCycles` is given (one entry per storage level) it receives the
 * cycles each level alone would need; `networkCycles` (one entry per
 * `arch.networks`) the same for each network. Allocation-free.
 */
export function cyclesOf(arch: Arch, counts: CountBuffers, S: number, levelCycles?: Float64Array, networkCycles?: Float64Array): number {
  const compute = counts.temporalIterations;
  const L = arch.storage.length;
  let cycles = compute;
  for (let l = 0; l < L; l++) {
    const c = throttledCycles(compute, levelSlowdown(arch.storage[l], counts, S, l, compute));
    if (levelCycles) levelCycles[l] = c;
    if (c > cycles) cycles = c;
  }
  const nets = arch.networks;
  let stalled = 0;
  if (nets !== undefined) {
    for (let k = 0; k < nets.length; k++) {
      const c = linkCycles(nets[k], counts, S, compute);
      if (networkCycles) networkCycles[k] = c;
      // A stalling network's time adds to the run (noc.ts); the others overlap.
      if (nets[k].stalls === true) stalled += c - compute;
      else if (c > cycles) cycles = c;
    }
  }
  return cycles + stalled;
}
