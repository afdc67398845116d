/**
 * The dataflow comparison set of Chen, Emer and Sze (ISCA 2016): six
 * dataflows on the same 256 PEs (16 × 16) and the same storage area, with
 * the normalised energies of the paper (MAC 1, RF 1, array 2, buffer 6,
 * DRAM 200 per 16-bit word).
 *
 * - RS: row stationary, 512 B of scratchpads per PE (psum 24, filter 220,
 *   ifmap 12 words), as in the Eyeriss chip.
 * - WS: weight stationary: one weight per PE is reused over the batch and
 *   output pixels (N, P, Q); ifmaps and psums flow through the array;
 *   channels, filters and filter taps (C, M, R, S) unroll.
 * - OSA/OSB/OSC: output stationary: one psum per PE accumulates over C, R,
 *   S; OSA unrolls output pixels of one channel (P, Q, and the batch),
 *   OSB output pixels and channels (P, Q, N, M), OSC channels only (M).
 * - NLR: no local reuse: no storage in the PE; every operand comes from the
 *   buffer; channels and filters (C, M) unroll and psums reduce spatially.
 *
 * Same area: the paper's budget is #PE × Area(512 B RF) + Area(#PE × 512 B
 * buffer). What a dataflow does not spend on PE storage goes to its buffer.
 * Without the paper's 65 nm area figures we charge a byte of RF and a byte
 * of buffer the same area (`RF_AREA_PER_BUFFER_BYTE`); a dearer RF would give
 * the non-RS dataflows still larger buffers.
 *
 * Operands a PE does not store come from the buffer for every MAC (after
 * spatial multicast) and cross the array to reach it: the MAC's energy is
 * 1 + 2 per such operand (the psum, in WS and NLR, is passed on to the next
 * PE). A stationary RF fill is charged RF write + array hop (1 + 2).
 */
import type { EnergyTable } from '../energy/table.js';
import type { Arch, StorageLevel } from '../arch/arch.js';
import { NORMALISED as E, fixToOne, freeLevel, keepOnly, onlyAllow, storageLevel, type BuiltinArch, type EnergyCategory } from './build.js';
import { rowStationary } from './rowstationary.js';
import type { TensorRole } from '../workload/workload.js';

export const ISCA16_DATAFLOWS = ['RS', 'WS', 'OSA', 'OSB', 'OSC', 'NLR'] as const;
export type Isca16Dataflow = (typeof ISCA16_DATAFLOWS)[number];

const ROWS = 16, COLS = 16, PES = ROWS * COLS;
/** 512 B of RF per PE in the baseline, in 16-bit words. */
const BASELINE_RF_WORDS = 256;
/** The baseline buffer: #PE × 512 B = 128 KB. */
const BASELINE_BUFFER_WORDS = PES * BASELINE_RF_WORDS;
/** Area of a byte of RF over that of a byte of buffer (see above). */
export const RF_AREA_PER_BUFFER_BYTE = 1;

/** Buffer words left for a dataflow whose PEs store `rfWords` each. */
export function equalAreaBufferWords(rfWords: number): number {
  return BASELINE_BUFFER_WORDS + Math.floor(PES * (BASELINE_RF_WORDS - rfWords) * RF_AREA_PER_BUFFER_BYTE);
}

type Tensor = TensorRole;
const SHORT: Record<Tensor, string> = { input: 'ifmap', weight: 'weight', output: 'psum' };

interface Spec {
  /** The tensor each PE keeps, with the loops it may run over it, or none (NLR). */
  readonly stationary?: { tensor: Tensor; temporal: readonly string[] };
  /** Dimensions that may unroll over the array. */
  readonly spatial: readonly string[];
  readonly description: string;
}

const SPECS: Record<Exclude<Isca16Dataflow, 'RS'>, Spec> = {
  WS: { stationary: { tensor: 'weight', temporal: ['N', 'P', 'Q'] }, spatial: ['C', 'M', 'R', 'S'], description: 'weight stationary: a weight per PE, reused over N, P, Q; C, M, R, S unroll' },
  OSA: { stationary: { tensor: 'output', temporal: ['C', 'R', 'S'] }, spatial: ['N', 'P', 'Q'], description: 'output stationary A: a psum per PE; output pixels of one channel unroll' },
  OSB: { stationary: { tensor: 'output', temporal: ['C', 'R', 'S'] }, spatial: ['N', 'P', 'Q', 'M'], description: 'output stationary B: a psum per PE; output pixels and channels unroll' },
  OSC: { stationary: { tensor: 'output', temporal: ['C', 'R', 'S'] }, spatial: ['M'], description: 'output stationary C: a psum per PE; output channels unroll' },
  NLR: { spatial: ['C', 'M'], description: 'no local reuse: no PE storage; C and M unroll, psums reduce over the array' },
};

export function isca16(dataflow: Isca16Dataflow): BuiltinArch {
  const name = `isca16-${dataflow.toLowerCase()}`;
  if (dataflow === 'RS') {
    return rowStationary({
      name, rows: ROWS, cols: COLS, psumWords: 24, weightWords: 220, ifmapWords: 12,
      bufferWords: equalAreaBufferWords(256), blockWords: 1, bufferHoldsWeights: true, clockHz: 200e6,
      description: 'ISCA 2016 comparison: row stationary, 256 PEs, 512 B RF per PE, 128 KB buffer, normalised energy',
    });
  }
  const spec = SPECS[dataflow];
  const rfWords = spec.stationary ? 1 : 0;
  const tensors: Tensor[] = ['input', 'weight', 'output'];
  const passing = tensors.filter((t) => t !== spec.stationary?.tensor);
  // Innermost first.
  const storage: StorageLevel[] = [
    ...(spec.stationary ? [storageLevel(`${SHORT[spec.stationary.tensor]}_rf`, { instances: PES, meshX: COLS, sizeWords: rfWords })] : []),
    storageLevel('buffer', { sizeWords: equalAreaBufferWords(rfWords) }),
    storageLevel('DRAM', { className: 'DRAM' }),
  ];
  const arch: Arch = { name, compute: { name: 'mac', className: 'intmac', instances: PES, meshX: COLS, meshY: ROWS }, storage };
  const components = new Map<string, Record<string, number>>([
    ['buffer', { read: E.buffer, write: E.buffer, update: E.buffer, leak: 0 }],
    ['DRAM', { read: E.dram, write: E.dram, update: E.dram, leak: 0 }],
    ['mac', { compute: E.mac + E.array * passing.length }],
  ]);
  const categories = new Map<string, EnergyCategory>([['mac', 'ALU'], ['buffer', 'buffer'], ['DRAM', 'DRAM']]);
  if (spec.stationary) {
    components.set(`${SHORT[spec.stationary.tensor]}_rf`, { read: E.rf, write: E.rf + E.array, update: E.rf, leak: 0 });
    categories.set(`${SHORT[spec.stationary.tensor]}_rf`, 'RF');
  }
  const energy: EnergyTable = { source: `built-in ${name} (normalised: 1 = one MAC)`, unit: 'MAC', components };
  return {
    name, arch, energy, clockHz: 200e6, warnings: [], categories, arrayHop: E.array, macEnergy: E.mac,
    description: `ISCA 2016 comparison: ${spec.description}; 256 PEs, ${rfWords * 2} B RF per PE, ${(equalAreaBufferWords(rfWords) * 2) / 1024} KB buffer, normalised energy`,
    constraints(w) {
      const levels = storage.map(() => freeLevel());
      let next = 0;
      if (spec.stationary) {
        const rf = levels[next++];
        keepOnly(w, rf, [spec.stationary.tensor]);
        onlyAllow(w, rf.temporalFactors, spec.stationary.temporal);
        fixToOne(w, rf.spatialFactors, w.dims);
      }
      const buffer = levels[next];
      keepOnly(w, buffer, tensors);
      onlyAllow(w, buffer.spatialFactors, spec.spatial);
      return { levels };
    },
  };
}
