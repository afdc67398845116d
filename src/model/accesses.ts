/** Word accesses of levels, summed once for every report and study. */
import type { LevelResult, Result } from './result.js';

/** Reads, fills and updates of every data space, over all utilised instances of the level. */
export function levelAccesses(l: LevelResult): number {
  let n = 0;
  for (const d of l.dataSpaces) n += (d.reads + d.fills + d.updates) * l.utilizedInstances;
  return n;
}

/** Accesses of the off-chip levels (DRAM) of an evaluation, all instances. */
export function offChipAccesses(r: Result): number {
  let n = 0;
  for (const l of r.levels) if (l.offChip) n += levelAccesses(l);
  return n;
}
