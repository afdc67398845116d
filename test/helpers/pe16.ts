/**
 * A 16-PE row with a 64-word buffer per PE under a DRAM, and its energies:
 * the small design the imperfect-factor tests map awkward bounds onto.
 */
import type { Arch, StorageLevel } from '../../src/arch/arch.js';
import type { EnergyTable } from '../../src/energy/table.js';

function lv(name: string, size: number | null, n: number, meshX: number): StorageLevel {
  return { name, className: 'SRAM', instances: n, meshX, meshY: 1, sizeWords: size, wordBits: 8, blockSize: 1, clusterSize: 1, readBandwidth: null, writeBandwidth: null, sharedBandwidth: null, multipleBuffering: 1, isDummy: false, offChip: size === null };
}

/** 16 PEs with a small buffer each under a DRAM. */
export const pe16: Arch = { name: 'pe16', compute: { name: 'mac', className: 'intmac', instances: 16, meshX: 16, meshY: 1 }, storage: [lv('Buf', 64, 16, 16), lv('DRAM', null, 1, 1)] };

/** MAC 1, buffer accesses 1, DRAM accesses 100 (pJ). */
export const pe16Energy: EnergyTable = { source: 'test', components: new Map([
  ['mac', { compute: 1 }], ['Buf', { read: 1, write: 1, update: 1, leak: 0 }], ['DRAM', { read: 100, write: 100, update: 100, leak: 0 }],
]) } as unknown as EnergyTable;
