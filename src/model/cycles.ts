/**
 * Cycles, Timeloop's way: a level whose traffic per instance exceeds its
 * read, write or shared bandwidth (words per cycle) stretches the run; the
 * run takes the compute cycles times the worst such slowdown. The rule and
 * the reference cases that pin it are in docs/model.md.
 */
import type { Arch } from '../arch/arch.js';
import type { CountBuffers } from './counts.js';

/**
 * Cycles of one evaluation: compute cycles stretched by the worst bandwidth
 * shortfall of any level. When `levelCycles` is given (one entry per storage
 * level) it receives the cycles each level alone would need. Allocation-free.
 */
export function cyclesOf(arch: Arch, counts: CountBuffers, S: number, levelCycles?: Float64Array): number {
  const compute = counts.temporalIterations;
  const L = arch.storage.length;
  let worst = 1;
  for (let l = 0; l < L; l++) {
    const lv = arch.storage[l];
    let rd = 0, wr = 0;
    for (let s = 0; s < S; s++) {
      const i = l * S + s;
      rd += counts.reads[i];
      wr += counts.fills[i] + counts.updates[i];
    }
    let slow = 1;
    if (lv.readBandwidth !== null && rd > 0) slow = Math.max(slow, rd / compute / lv.readBandwidth);
    if (lv.writeBandwidth !== null && wr > 0) slow = Math.max(slow, wr / compute / lv.writeBandwidth);
    if (lv.sharedBandwidth !== null && rd + wr > 0) slow = Math.max(slow, (rd + wr) / compute / lv.sharedBandwidth);
    if (levelCycles) levelCycles[l] = Math.ceil(compute * slow);
    worst = Math.max(worst, slow);
  }
  return Math.ceil(compute * worst);
}
