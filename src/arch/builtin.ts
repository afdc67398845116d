/**
 * Built-in architectures, each with the mapspace constraints of its dataflow
 * and an energy table.
 *
 * `eyeriss`: the Eyeriss v1 chip (Chen et al., JSSC 2017): 12 × 14 PEs,
 * per-PE scratchpads of 12 (ifmap), 224 (filter) and 24 (psum) 16-bit words,
 * a 108 KB global buffer holding ifmaps and psums, 16-bit MACs, 200 MHz,
 * row-stationary: a PE keeps a filter row and a sliding ifmap row; filter
 * rows go down a column (S), output columns across (Q); channels (C) and
 * filters (M) may also unroll. Energy in MAC-equivalents, the normalised
 * costs of the Eyeriss papers (ISCA 2016): a MAC 1, a scratchpad access 1, a
 * move over the PE array 2 (charged on scratchpad fills, which arrive over
 * it; reads and in-place psum updates stay in the PE), a global-buffer
 * access 6, a DRAM access 200 — per 16-bit word.
 */
import type { Constraints, LevelConstraints } from '../mapper/constraints.js';
import type { EnergyTable } from '../energy/table.js';
import type { Workload } from '../workload/workload.js';
import type { Arch, StorageLevel } from './arch.js';

export interface BuiltinArch {
  readonly arch: Arch;
  readonly energy: EnergyTable;
  /** Constraints of the architecture's dataflow, for a workload's dimension names. */
  constraints(w: Workload): Constraints;
  /** Clock in Hz, for frames per second. */
  readonly clockHz: number;
  readonly description: string;
}

function level(name: string, o: Partial<StorageLevel> & { instances?: number; meshX?: number }): StorageLevel {
  const instances = o.instances ?? 1;
  const meshX = o.meshX ?? instances;
  return {
    name, className: o.className ?? 'SRAM', instances, meshX, meshY: instances / meshX,
    sizeWords: o.sizeWords ?? null, wordBits: o.wordBits ?? 16, blockSize: o.blockSize ?? 1, clusterSize: 1,
    readBandwidth: o.readBandwidth ?? null, writeBandwidth: o.writeBandwidth ?? null, sharedBandwidth: null,
    multipleBuffering: 1, isDummy: o.isDummy ?? false,
  };
}

function eyeriss(): BuiltinArch {
  // Innermost first.
  const storage: StorageLevel[] = [
    level('psum_spad', { instances: 168, meshX: 14, sizeWords: 24 }),
    level('weights_spad', { instances: 168, meshX: 14, sizeWords: 224 }),
    level('ifmap_spad', { instances: 168, meshX: 14, sizeWords: 12 }),
    level('inter_PE_spatial', { instances: 14, meshX: 14, sizeWords: 1, isDummy: true, className: 'dummy_storage' }),
    level('inter_PE_column_spatial', { sizeWords: 1, isDummy: true, className: 'dummy_storage' }),
    level('shared_glb', { sizeWords: (108 * 1024) / 2, blockSize: 4 }),
    level('DRAM', { className: 'DRAM', blockSize: 4 }),
  ];
  const arch: Arch = { name: 'eyeriss', compute: { name: 'mac', className: 'intmac', instances: 168, meshX: 14, meshY: 12 }, storage };
  const spad = { read: 1, write: 3, update: 1, leak: 0 };
  const energy: EnergyTable = {
    source: 'built-in eyeriss (normalised: 1 = one MAC)',
    unit: 'MAC',
    components: new Map<string, Record<string, number>>([
      ['psum_spad', spad], ['weights_spad', spad], ['ifmap_spad', spad],
      ['shared_glb', { read: 6 * 4, write: 6 * 4, update: 6 * 4, leak: 0 }],
      ['DRAM', { read: 200 * 4, write: 200 * 4, update: 200 * 4, leak: 0 }],
      ['mac', { compute: 1 }],
    ]),
  };
  return {
    arch, energy, clockHz: 200e6,
    description: 'Eyeriss v1 (JSSC 2017): 12×14 PEs, 12/224/24-word scratchpads, 108 KB buffer, row-stationary, normalised energy',
    constraints(w) {
      const d = (n: string) => w.dims.indexOf(n);
      const fix = (m: Map<number, number>, names: string[]) => { for (const n of names) if (d(n) >= 0) m.set(d(n), 1); };
      const lc = (): LevelConstraints => ({ temporalFactors: new Map(), temporalOrder: [], spatialFactors: new Map(), spatialOrder: [], split: undefined, keep: new Set(), bypass: new Set() });
      const levels = storage.map(() => lc());
      const [psum, weights, ifmap, pe, column, glb] = levels;
      const keepOnly = (c: LevelConstraints, names: string[]) => w.dataSpaces.forEach((x, s) => (names.includes(x.name) ? c.keep : c.bypass).add(s));
      keepOnly(psum, ['Outputs']);
      keepOnly(weights, ['Weights']);
      keepOnly(ifmap, ['Inputs']);
      keepOnly(pe, []);
      keepOnly(column, []);
      keepOnly(glb, ['Inputs', 'Outputs']);
      // Row stationary: a PE accumulates over M at the psum spad, walks C and
      // R at the filter spad, and holds one ifmap row window.
      fix(psum.temporalFactors, ['N', 'C', 'R', 'S', 'P', 'Q', 'G']);
      fix(weights.temporalFactors, ['N', 'M', 'P', 'Q', 'S', 'G']);
      fix(ifmap.temporalFactors, w.dims as string[]);
      // Columns take output columns (Q) or filters (M); a column's rows take filter rows (S), channels or filters.
      fix(column.spatialFactors, ['N', 'C', 'P', 'R', 'S', 'G']);
      fix(pe.spatialFactors, ['N', 'P', 'Q', 'R', 'G']);
      fix(column.temporalFactors, w.dims as string[]);
      fix(pe.temporalFactors, w.dims as string[]);
      return { levels };
    },
  };
}

const BUILTIN: Record<string, () => BuiltinArch> = { eyeriss };

export const builtinArchNames: readonly string[] = Object.keys(BUILTIN);

export function builtinArch(name: string): BuiltinArch | undefined {
  return BUILTIN[name.toLowerCase()]?.();
}
