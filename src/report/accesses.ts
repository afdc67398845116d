/**
 * Word accesses of a level, summed once here for every report. (It belongs
 * beside Result in model/ once network/analyze and network/dataflows, which
 * sum the same thing, may import it: report/ sits above network/.)
 */
import type { LevelResult, Result } from '../model/result.js';

/** Reads, fills and updates of every data space, over all utilised instances of the level. */
export function levelAccesses(l: LevelResult): number {
  let n = 0;
  for (const d of l.dataSpaces) n += (d.reads + d.fills + d.updates) * l.utilizedInstances;
  return n;
}

/** Accesses of the outermost (off-chip, DRAM) level of an evaluation. */
export function offChipAccesses(r: Result): number {
  return levelAccesses(r.levels[r.levels.length - 1]);
}
