/**
 * Built-in architectures, each with the mapspace constraints of its dataflow
 * and an energy table: the Eyeriss v1 chip (normalised, unlimited
 * bandwidth), the ISCA 2016 comparison set, and the chips as built
 * (`eyeriss-v1`, `eyeriss-v2`).
 */
import type { BuiltinArch } from './build.js';
import { isca16, ISCA16_DATAFLOWS } from './isca16.js';
import { rowStationary } from './rowstationary.js';
import { eyerissV1 } from './eyeriss.js';
import { eyerissV2 } from './eyeriss-v2.js';

export type { BuiltinArch } from './build.js';

/**
 * `eyeriss`: the Eyeriss v1 chip (Chen et al., JSSC 2017): 12 × 14 PEs,
 * per-PE scratchpads of 12 (ifmap), 224 (filter) and 24 (psum) 16-bit
 * words, a 108 KB global buffer, 16-bit MACs, 200 MHz, row-stationary, with
 * the normalised energies of the Eyeriss papers.
 */
function eyeriss(): BuiltinArch {
  return rowStationary({
    name: 'eyeriss', rows: 12, cols: 14, psumWords: 24, weightWords: 224, ifmapWords: 12,
    bufferWords: (108 * 1024) / 2, blockWords: 4, bufferHoldsWeights: false, clockHz: 200e6,
    description: 'Eyeriss v1 (JSSC 2017): 12×14 PEs, 12/224/24-word scratchpads, 108 KB buffer, row-stationary, normalised energy',
  });
}

const BUILTIN: Record<string, () => BuiltinArch> = {
  eyeriss,
  ...Object.fromEntries(ISCA16_DATAFLOWS.map((d) => [`isca16-${d.toLowerCase()}`, () => isca16(d)])),
  // The chips as built (JSSC 2017, JETCAS 2019): after the others, so that the list users know keeps its order.
  'eyeriss-v1': eyerissV1,
  'eyeriss-v2': eyerissV2,
};

export const builtinArchNames: readonly string[] = Object.keys(BUILTIN);

export function builtinArch(name: string): BuiltinArch | undefined {
  return BUILTIN[name.toLowerCase()]?.();
}
