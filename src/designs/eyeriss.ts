/**
 * `eyeriss-v1`: the Eyeriss v1 chip as built (Chen, Krishna, Emer, Sze,
 * JSSC 2017), on top of the row-stationary design `eyeriss` (same PEs,
 * scratchpads, buffer, energies and mapping constraints), with what limits
 * its speed:
 * - the off-chip link: a 64-bit bidirectional data bus on the link clock
 *   (90 MHz) beside the 200 MHz core: 4 × 90/200 = 1.8 words per core
 *   cycle, reads and writes sharing it;
 * - the global input network (GIN): one 64-bit bus (4 words per cycle) for
 *   ifmaps from the buffer and one for filters (from DRAM: the buffer does
 *   not hold filters), each word delivered at once to every PE whose
 *   (row, column) ID tags match: multicast;
 * - the global output network (GON): a 64-bit bus for psums between the
 *   buffer and the PEs (read back for accumulation, written out);
 * - the local network: psums pass from a PE to the one above it in its
 *   column (neighbour links, 64 bits).
 * Networks cost no energy of their own here: as in `eyeriss`, the array hop
 * (2 MAC-equivalents per word) is charged on the scratchpad fills.
 * Zero gating and run-length compression between layers are its sparse
 * spec for the sparse engine (eyeriss-v1-sparse.ts), used with densities
 * (studies/chips.ts).
 */
import type { NocLink } from '../arch/network.js';
import type { EnergyTable } from '../energy/table.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Workload } from '../workload/workload.js';
import type { BuiltinArch } from './build.js';
import { rowStationary } from './rowstationary.js';
import { foldConstraints, rsFold, type Fold } from './rs-fold.js';

/** Core clock of the JSSC'17 measurements (Hz). */
export const EYERISS_V1_CLOCK_HZ = 200e6;
/** Off-chip link clock (Hz) and width (16-bit words). */
export const EYERISS_V1_LINK = { clockHz: 90e6, words: 4 } as const;
/** Words per cycle of the GIN buses, the GON and the local psum links (64 bits each). */
export const EYERISS_V1_NOC_WORDS = 4;

/** Indices of the row-stationary design's levels (rowstationary.ts, innermost first). */
const PSUM = 0, WEIGHTS = 1, IFMAP = 2, PE = 3, COLUMN = 4, GLB = 5, DRAM = 6;
/** The PE array: 12 rows of 14 columns. */
const ROWS = 12, COLS = 14;

function link(name: string, parent: number, child: number, ports: NocLink['ports'], mode: NocLink['mode'], bandwidth: number): NocLink {
  return { name, className: mode === 'neighbour' ? 'local_link' : 'multicast_bus', parent, child, ports, wordBits: 16, action: 'transfer', perTensorAction: false, bandwidth, mode };
}

/** The Eyeriss v1 chip as built (JSSC 2017). */
export function eyerissV1(): BuiltinArch {
  const dramWords = (EYERISS_V1_LINK.words * EYERISS_V1_LINK.clockHz) / EYERISS_V1_CLOCK_HZ;
  const rs = rowStationary({
    name: 'eyeriss-v1', rows: ROWS, cols: COLS, psumWords: 24, weightWords: 224, ifmapWords: 12,
    bufferWords: (108 * 1024) / 2, blockWords: 4, bufferHoldsWeights: false, clockHz: EYERISS_V1_CLOCK_HZ,
    description: '',
  });
  const storage = rs.arch.storage.map((l, i) => (i === DRAM ? { ...l, sharedBandwidth: dramWords } : l));
  const B = EYERISS_V1_NOC_WORDS;
  const networks: NocLink[] = [
    link('GIN_ifmap', GLB, IFMAP, ['read'], 'multicast', B),
    { ...link('GIN_filter', DRAM, WEIGHTS, ['read'], 'multicast', B), stalls: true },
    link('GON', GLB, PSUM, ['read', 'update'], 'multicast', B),
    link('LN_psum', GLB, PSUM, ['update'], 'neighbour', B),
  ];
  const components = new Map(rs.energy.components);
  for (const n of networks) components.set(n.name, { transfer: 0 });
  const energy: EnergyTable = { ...rs.energy, source: 'built-in eyeriss-v1 (normalised: 1 = one MAC)', components };
  return {
    ...rs, name: 'eyeriss-v1', arch: { ...rs.arch, name: 'eyeriss-v1', storage, networks }, energy,
    description: `Eyeriss v1 as built (JSSC 2017): eyeriss + off-chip link 64 b at 90 MHz (${dramWords} words/cycle, shared), GIN ifmap/filter and GON 64-b multicast buses, local psum links`,
  };
}

/**
 * The chip compiler's placement of a layer (rs-fold.ts): the fold and the
 * constraints that fix its spatial loops on `v1` (the design above, or one
 * derived from it with the same levels), or undefined where the rule does
 * not apply (the mapper then searches the spatial loops too).
 */
export function eyerissV1Compiler(v1: BuiltinArch, w: Workload): { fold: Fold; constraints: Constraints } | undefined {
  const fold = rsFold(w, ROWS, COLS);
  return fold && { fold, constraints: foldConstraints(fold, v1.constraints(fold.workload), PE, COLUMN) };
}
