/**
 * A row-stationary accelerator (Chen, Emer, Sze, ISCA 2016; the Eyeriss v1
 * chip, JSSC 2017): per-PE scratchpads for psums, filter weights and ifmap
 * pixels; a PE keeps a filter row and slides an ifmap row past it; filter
 * rows go down a column (S), output rows across (Q; Timeloop's CNN_Layer: S and Q are heights), channels (C) and
 * filters (M) may also unroll. A global buffer holds ifmaps and psums
 * (and, if allowed, weights; the chip sends them from DRAM to the PEs).
 *
 * Energy is normalised (a MAC = 1): a scratchpad access 1, a move over the
 * PE array 2 (charged on scratchpad fills, which arrive over it; reads and
 * in-place psum updates stay in the PE), a buffer access 6, DRAM 200 — per
 * 16-bit word.
 */
import type { EnergyTable } from '../energy/table.js';
import type { Arch, StorageLevel } from '../arch/arch.js';
import { NORMALISED as E, fixToOne, freeLevel, keepOnly, storageLevel, type BuiltinArch, type EnergyCategory } from './build.js';

export interface RowStationaryParams {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  readonly psumWords: number;
  readonly weightWords: number;
  readonly ifmapWords: number;
  readonly bufferWords: number;
  /** Words per buffer and DRAM access (the chip reads 64 bits = 4 words). */
  readonly blockWords: number;
  /** Whether weights may stay in the buffer (the chip sends them from DRAM straight to the PEs). */
  readonly bufferHoldsWeights: boolean;
  readonly clockHz: number;
  readonly description: string;
  /** DRAM words per cycle, read and write ports each (absent or null: unlimited). */
  readonly dramWordsPerCycle?: number | null;
}

export function rowStationary(p: RowStationaryParams): BuiltinArch {
  const pes = p.rows * p.cols;
  const b = p.blockWords;
  // Innermost first.
  const storage: StorageLevel[] = [
    storageLevel('psum_spad', { instances: pes, meshX: p.cols, sizeWords: p.psumWords }),
    storageLevel('weights_spad', { instances: pes, meshX: p.cols, sizeWords: p.weightWords }),
    storageLevel('ifmap_spad', { instances: pes, meshX: p.cols, sizeWords: p.ifmapWords }),
    storageLevel('inter_PE_spatial', { instances: p.cols, meshX: p.cols, sizeWords: 1, isDummy: true, className: 'dummy_storage' }),
    storageLevel('inter_PE_column_spatial', { sizeWords: 1, isDummy: true, className: 'dummy_storage' }),
    storageLevel('shared_glb', { sizeWords: p.bufferWords, blockSize: b }),
    storageLevel('DRAM', { className: 'DRAM', blockSize: b, readBandwidth: p.dramWordsPerCycle ?? null, writeBandwidth: p.dramWordsPerCycle ?? null }),
  ];
  const arch: Arch = { name: p.name, compute: { name: 'mac', className: 'intmac', instances: pes, meshX: p.cols, meshY: p.rows }, storage };
  const spad = { read: E.rf, write: E.rf + E.array, update: E.rf, leak: 0 };
  const energy: EnergyTable = {
    source: `built-in ${p.name} (normalised: 1 = one MAC)`,
    unit: 'MAC',
    components: new Map<string, Record<string, number>>([
      ['psum_spad', spad], ['weights_spad', spad], ['ifmap_spad', spad],
      ['shared_glb', { read: E.buffer * b, write: E.buffer * b, update: E.buffer * b, leak: 0 }],
      ['DRAM', { read: E.dram * b, write: E.dram * b, update: E.dram * b, leak: 0 }],
      ['mac', { compute: E.mac }],
    ]),
  };
  const categories = new Map<string, EnergyCategory>([
    ['mac', 'ALU'], ['psum_spad', 'RF'], ['weights_spad', 'RF'], ['ifmap_spad', 'RF'], ['shared_glb', 'buffer'], ['DRAM', 'DRAM'],
  ]);
  return {
    name: p.name, arch, energy, clockHz: p.clockHz, description: p.description, warnings: [], categories, arrayHop: E.array, macEnergy: E.mac,
    constraints(w) {
      const levels = storage.map(() => freeLevel());
      const [psum, weights, ifmap, pe, column, glb] = levels;
      keepOnly(w, psum, ['output']);
      keepOnly(w, weights, ['weight']);
      keepOnly(w, ifmap, ['input']);
      keepOnly(w, pe, []);
      keepOnly(w, column, []);
      keepOnly(w, glb, p.bufferHoldsWeights ? ['input', 'output', 'weight'] : ['input', 'output']);
      // A PE accumulates over M at the psum spad, walks C and R at the
      // filter spad, and holds one ifmap row window.
      fixToOne(w, psum.temporalFactors, ['N', 'C', 'R', 'S', 'P', 'Q', 'G']);
      fixToOne(w, weights.temporalFactors, ['N', 'M', 'P', 'Q', 'S', 'G']);
      fixToOne(w, ifmap.temporalFactors, w.dims);
      // PE columns take output rows (Q) or filters (M); a column's rows take filter rows (S), channels or filters.
      fixToOne(w, column.spatialFactors, ['N', 'C', 'P', 'R', 'S', 'G']);
      fixToOne(w, pe.spatialFactors, ['N', 'P', 'Q', 'R', 'G']);
      fixToOne(w, column.temporalFactors, w.dims);
      fixToOne(w, pe.temporalFactors, w.dims);
      return { levels };
    },
  };
}
