/**
 * Per-rank representation formats (Sparseloop's format models): how many
 * metadata and payload units a rank of a tile occupies, given how many
 * fibers the rank may hold, the fiber shape, and the probabilities that a
 * fiber and one of its elements are empty. Timeloop's rounding is kept:
 * CP and B round the non-empty coordinates per fiber up, RLE does not.
 */
import type { RankFormatName } from './spec.js';

/** Occupancy of one rank: metadata and payload units, with their word bits. */
export interface RankOccupancy {
  metadataUnits: number;
  payloadUnits: number;
  metadataBits: number;
  payloadBits: number;
}

/** Whether a format compresses its rank (UOP and UB keep every coordinate). */
export function rankCompressed(f: RankFormatName): boolean {
  return f === 'CP' || f === 'RLE' || f === 'B';
}

/**
 * Occupancy of one rank. `maxFibers`: fibers the rank may hold;
 * `fiberShape`: coordinates per fiber; `pEmptyFiber`: probability that a
 * fiber (the rank's tile) is empty; `pEmptyElement`: that one element (the
 * next rank's tile) is empty.
 */
export function rankOccupancy(f: RankFormatName, maxFibers: number, fiberShape: number, pEmptyFiber: number, pEmptyElement: number, metadataBits: number, payloadBits: number): RankOccupancy {
  const out = new Float64Array(2);
  rankUnits(out, 0, f, maxFibers, fiberShape, pEmptyFiber, pEmptyElement);
  return { metadataUnits: out[0], payloadUnits: out[1], metadataBits, payloadBits };
}

/** {@link rankOccupancy}'s metadata and payload units, written to `out[at]` and `out[at + 1]` (no allocation: the search's inner loop). */
export function rankUnits(out: Float64Array, at: number, f: RankFormatName, maxFibers: number, fiberShape: number, pEmptyFiber: number, pEmptyElement: number): void {
  const fibers = maxFibers * (1 - pEmptyFiber);
  let md = 0, pl = 0;
  switch (f) {
    case 'CP': md = Math.ceil(fiberShape * (1 - pEmptyElement)) * fibers; pl = md; break;
    case 'RLE': md = fiberShape * (1 - pEmptyElement) * fibers; pl = md; break;
    case 'UOP': md = 0; pl = fibers * (fiberShape + 1); break;
    case 'B': md = fibers * fiberShape; pl = fibers * Math.ceil(fiberShape * (1 - pEmptyElement)); break;
    case 'UB': md = maxFibers * fiberShape; pl = maxFibers * fiberShape; break;
  }
  out[at] = md;
  out[at + 1] = pl;
}

/** Timeloop's word-bit adjustment: a width that does not divide the metadata storage width grows until it does (below twice itself). */
export function adjustWordBits(specified: number | undefined, levelDefault: number, storageWidth: number): number {
  if (specified === undefined) return levelDefault;
  if (specified !== 0 && storageWidth % specified !== 0) {
    let b = specified;
    for (; b < specified * 2; b++) if (storageWidth % b === 0) break;
    return b;
  }
  return specified;
}
