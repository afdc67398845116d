/**
 * Bandwidth throttling, Timeloop's way (`BufferLevel::ComputePerformance`,
 * `src/model/buffer.cpp`): a level's per-instance demand of each tensor is
 * its accesses over the compute cycles; the demands add up per port (read:
 * reads; write: fills + updates; shared: both); a port whose demand exceeds
 * its bandwidth slows the level down by bandwidth / demand; the level then
 * takes `ceil(compute cycles / slowdown)` and the run the slowest level
 * (`Topology::Evaluate`: `max` over every level's cycles).
 *
 * Timeloop divides each tensor's accesses by `x × y expansion / utilised
 * instances` before that; in a dense evaluation the expansion above a level
 * is the number of instances it uses, so the ratio is 1 and is left out.
 * Networks are dnnergy's addition (Timeloop's network `ComputePerformance`
 * is an empty FIXME): see noc.ts.
 */
import type { StorageLevel } from '../arch/arch.js';
import type { CountBuffers } from './counts.js';

/**
 * Timeloop's slowdown of storage level `l` (1 = no throttling, below 1 =
 * the fraction of the compute rate its ports sustain). Allocation-free.
 */
export function levelSlowdown(lv: StorageLevel, counts: CountBuffers, S: number, l: number, compute: number): number {
  if (lv.readBandwidth === null && lv.writeBandwidth === null && lv.sharedBandwidth === null) return 1;
  // Per tensor, then summed in tensor order: the same floating-point steps as Timeloop's accumulate.
  let rd = 0, wr = 0;
  for (let s = 0; s < S; s++) {
    const i = l * S + s;
    rd += counts.reads[i] / compute;
    wr += (counts.fills[i] + counts.updates[i]) / compute;
  }
  let slowdown = 1;
  if (lv.readBandwidth !== null && lv.readBandwidth < rd) slowdown = Math.min(slowdown, lv.readBandwidth / rd);
  if (lv.writeBandwidth !== null && lv.writeBandwidth < wr) slowdown = Math.min(slowdown, lv.writeBandwidth / wr);
  if (lv.sharedBandwidth !== null && lv.sharedBandwidth < wr + rd) slowdown = Math.min(slowdown, lv.sharedBandwidth / (wr + rd));
  return slowdown;
}

/** Cycles of a level (or link) that sustains `slowdown` of the compute rate: Timeloop's `ceil(compute / slowdown)`. */
export function throttledCycles(compute: number, slowdown: number): number {
  return slowdown >= 1 ? compute : Math.ceil(compute / slowdown);
}
