/**
 * `eyeriss-v2`: Eyeriss v2 (Chen, Yang, Emer, Sze, JETCAS 2019): 192 PEs
 * as 16 clusters of 3 × 4 PEs (an 8 × 2 cluster array), two MACs per PE
 * sharing an input activation (SIMD: two filters), 8-bit iacts and weights,
 * per-PE scratchpads (Table II: iact 16 entries, weights 96 × 24 b = 192
 * 8-bit weights, psums 32), GLB banks beside every cluster (iacts 3 × 1.5
 * KB, psums 4 × 2.25 KB at 20 bits) and the hierarchical mesh NoC.
 *
 * How it is modelled:
 * - the 16 GLB clusters are one buffer level of 16 × (4,608 + 3,686) words:
 *   through the mesh any GLB bank can feed any PE cluster, which the
 *   instance hierarchy can only express as one shared level;
 * - the hierarchical mesh is three networks, one per data type (iacts from
 *   the GLB, weights from off-chip — the GLB holds no weights — and psums
 *   between the GLB and the PEs), each with its modes: broadcast / grouped
 *   multicast (one source: a cluster's 3 iact or weight ports, 4 psum
 *   ports, words per cycle) and unicast (every cluster's ports at once:
 *   16 × those). A layer's mapping runs each network in the mode that gives
 *   it the fewest cycles, and the mapper picks the mapping: the paper's
 *   per-layer mode choice;
 * - the dataflow (row-stationary plus, Sec. III): within a cluster PE rows
 *   take filter rows or channels, PE columns output rows or filters;
 *   across clusters channels, filters, groups (depthwise) or output rows;
 *   the SIMD pair takes two filters;
 * - energies are the normalised ones of `eyeriss` per bit (an 8-bit word
 *   at half a 16-bit one, a 20-bit psum at 20/16) and the MAC at 0.32 of
 *   v1's ({@link EYERISS_V2_MAC_PER_V1_MAC}); no energy per action of the
 *   paper was found by search; networks cost nothing of their
 *   own (the array hop is on the scratchpad fills, as in `eyeriss`);
 * - off-chip bandwidth is unlimited: no off-chip interface figure of the
 *   paper was found (and on v1's link, 3.6 8-bit words per cycle, every
 *   depthwise layer of MobileNet waits on DRAM: its compulsory traffic
 *   alone is 0.2–0.6 words per MAC); `withDramBandwidth` (and `dnnergy
 *   chips --dram-bandwidth`) sets one.
 * CSC compression and zero skipping are its sparse spec for the sparse
 * engine (eyeriss-v2-sparse.ts), used with densities (studies/chips.ts).
 */
import type { Arch, StorageLevel } from '../arch/arch.js';
import type { NocLink } from '../arch/network.js';
import type { EnergyTable } from '../energy/table.js';
import { NORMALISED as E, fixToOne, freeLevel, keepOnly, storageLevel, type BuiltinArch, type EnergyCategory } from './build.js';

const CLUSTERS_X = 2, CLUSTERS_Y = 8, PE_X = 4, PE_Y = 3, SIMD = 2;
const CLUSTERS = CLUSTERS_X * CLUSTERS_Y, PES = CLUSTERS * PE_X * PE_Y;
/** Per-cluster GLB words: iacts 3 × 1.5 KB of 8-bit words, psums 4 × 2.25 KB of 20-bit words. */
export const EYERISS_V2_GLB_WORDS = CLUSTERS * (3 * 1536 + Math.floor((4 * 2304 * 8) / 20));
/** Words per cycle of one cluster's routers, per data type (one word per port). */
export const EYERISS_V2_PORTS = { iact: 3, weight: 3, psum: 4 } as const;
const CLOCK_HZ = 200e6;
/** Bits of v2's iacts and weights, and of its partial sums (JETCAS'19 Table II: 20-bit psum spads and GLB). */
export const EYERISS_V2_BITS = { data: 8, psum: 20 } as const;
/**
 * One v2 MAC (8-bit multiply, 20-bit accumulate) in v1 MACs (16-bit
 * multiply, 16-bit accumulate), from Horowitz (ISSCC 2014, 45 nm): 8-bit
 * multiply 0.2 pJ, 8-bit add 0.03 pJ; a multiplier's energy grows with the
 * square of its width (16 bits: 0.8 pJ, which the 32-bit figure of 3.1 pJ
 * confirms: 3.1 / 4), an adder's with its width. (0.2 + 0.03 × 20/8) /
 * (0.8 + 0.03 × 16/8) = 0.32. No energy per action of the JETCAS paper
 * was found (docs/chips.md).
 */
export const EYERISS_V2_MAC_PER_V1_MAC = (0.2 + (0.03 * EYERISS_V2_BITS.psum) / 8) / (0.2 * 4 + 0.03 * 2);

const PSUM = 0, WEIGHTS = 1, IACT = 2, GLB = 4, DRAM = 5;

function mesh(name: string, parent: number, child: number, ports: NocLink['ports'], perCluster: number): NocLink {
  return {
    name, className: 'hierarchical_mesh', parent, child, ports, wordBits: 8, action: 'transfer', perTensorAction: false,
    mode: 'broadcast', bandwidth: perCluster,
    modes: [{ mode: 'broadcast', bandwidth: perCluster }, { mode: 'multicast', bandwidth: perCluster }, { mode: 'unicast', bandwidth: perCluster * CLUSTERS }],
  };
}

/** Eyeriss v2 (JETCAS 2019), dense. */
export function eyerissV2(): BuiltinArch {
  const storage: StorageLevel[] = [
    storageLevel('psum_spad', { instances: PES, meshX: CLUSTERS_X * PE_X, sizeWords: 32, wordBits: 20 }),
    storageLevel('weights_spad', { instances: PES, meshX: CLUSTERS_X * PE_X, sizeWords: 192, wordBits: 8 }),
    storageLevel('iact_spad', { instances: PES, meshX: CLUSTERS_X * PE_X, sizeWords: 16, wordBits: 8 }),
    storageLevel('pe_cluster', { instances: CLUSTERS, meshX: CLUSTERS_X, sizeWords: 1, isDummy: true, className: 'dummy_storage' }),
    storageLevel('glb', { sizeWords: EYERISS_V2_GLB_WORDS, wordBits: 8 }),
    storageLevel('DRAM', { className: 'DRAM', wordBits: 8 }),
  ];
  const networks: NocLink[] = [
    mesh('HM_iact', GLB, IACT, ['read'], EYERISS_V2_PORTS.iact),
    mesh('HM_weight', DRAM, WEIGHTS, ['read'], EYERISS_V2_PORTS.weight),
    mesh('HM_psum', GLB, PSUM, ['read', 'update'], EYERISS_V2_PORTS.psum),
  ];
  const arch: Arch = {
    name: 'eyeriss-v2',
    compute: { name: 'mac', className: 'intmac', instances: PES * SIMD, meshX: CLUSTERS_X * PE_X * SIMD, meshY: CLUSTERS_Y * PE_Y },
    storage, networks,
  };
  // Energy per bit: an 8-bit word costs half a 16-bit one, a 20-bit psum 20/16 (EYERISS_V2_BITS).
  const b = EYERISS_V2_BITS, h = b.data / 16, ps = b.psum / 16;
  const spad = { read: E.rf * h, write: (E.rf + E.array) * h, update: E.rf * h, leak: 0 };
  const psumSpad = { read: E.rf * ps, write: (E.rf + E.array) * ps, update: E.rf * ps, leak: 0 };
  const energy: EnergyTable = {
    source: 'built-in eyeriss-v2 (normalised: 1 = one 16-bit MAC; storage per bit, 8-bit MAC from Horowitz ISSCC 2014)',
    unit: 'MAC',
    components: new Map<string, Record<string, number>>([
      ['psum_spad', psumSpad], ['weights_spad', spad], ['iact_spad', spad],
      // The GLB's updates are psums (20 bits); its reads and writes are priced at 8 bits (iacts, and psums read back: under-priced).
      ['glb', { read: E.buffer * h, write: E.buffer * h, update: E.buffer * ps, leak: 0 }],
      ['DRAM', { read: E.dram * h, write: E.dram * h, update: E.dram * h, leak: 0 }],
      ['mac', { compute: E.mac * EYERISS_V2_MAC_PER_V1_MAC }],
      ...networks.map((n): [string, Record<string, number>] => [n.name, { transfer: 0 }]),
    ]),
  };
  const categories = new Map<string, EnergyCategory>([
    ['mac', 'ALU'], ['psum_spad', 'RF'], ['weights_spad', 'RF'], ['iact_spad', 'RF'], ['glb', 'buffer'], ['DRAM', 'DRAM'],
  ]);
  return {
    name: 'eyeriss-v2', arch, energy, clockHz: CLOCK_HZ, warnings: [], categories, arrayHop: E.array * h, macEnergy: E.mac * EYERISS_V2_MAC_PER_V1_MAC,
    description: 'Eyeriss v2 (JETCAS 2019): 16 clusters of 3×4 PEs, 2 MACs/PE, 8-bit, hierarchical mesh NoC (broadcast/multicast/unicast per data type), dense',
    constraints(w) {
      const levels = storage.map(() => freeLevel());
      const [psum, weights, iact, cluster, glb] = levels;
      keepOnly(w, psum, ['output']);
      keepOnly(w, weights, ['weight']);
      keepOnly(w, iact, ['input']);
      keepOnly(w, cluster, []);
      keepOnly(w, glb, ['input', 'output']);
      // A PE accumulates over filters at the psum spad (the SIMD pair takes two of them),
      // walks channels and filter columns at the weight spad, holds an iact window.
      fixToOne(w, psum.temporalFactors, ['N', 'C', 'R', 'S', 'P', 'Q', 'G']);
      fixToOne(w, psum.spatialFactors, ['N', 'C', 'R', 'S', 'P', 'Q', 'G']);
      fixToOne(w, weights.temporalFactors, ['N', 'M', 'P', 'Q', 'S', 'G']);
      fixToOne(w, weights.spatialFactors, w.dims);
      fixToOne(w, iact.temporalFactors, w.dims);
      fixToOne(w, iact.spatialFactors, w.dims);
      // In a cluster: filter rows, channels, filters, groups, output rows or columns; across clusters the same but filter rows.
      fixToOne(w, cluster.spatialFactors, ['N', 'R']);
      fixToOne(w, cluster.temporalFactors, w.dims);
      fixToOne(w, glb.spatialFactors, ['R', 'S']);
      return { levels };
    },
  };
}
